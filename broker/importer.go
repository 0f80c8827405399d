package broker

import (
	"context"
	"encoding/json"
	"fmt"
	"log/slog"
	"time"

	"github.com/pkg/errors"

	"github.com/tradecoach/coach"
	"github.com/tradecoach/coach/storage"
)

// DefaultImportWindow is Importer.Window when unset.
const DefaultImportWindow = 30 * 24 * time.Hour

// DefaultScope is the checkpoint scope of a FillPage that names none.
const DefaultScope = "fills"

// recordTimeout bounds the transaction that records a failed import, which runs even when the
// import's context is done.
const recordTimeout = 10 * time.Second

// ScoreRequester asks for a user's trades in [from, to) to be scored, typically by enqueueing a
// score.bias job. Declared here, where it is needed; the host implements it.
type ScoreRequester interface {
	RequestScore(ctx context.Context, userID string, from, to time.Time) error
}

// ImporterConfig is what an Importer needs.
type ImporterConfig struct {
	// Store is where trades, checkpoints, events and audit rows go. Required.
	Store storage.Store
	// Clock sets the import window and the audit times; nil means coach.SystemClock.
	Clock coach.Clock
	// Window is how far back an import reaches: fills in [now-Window, now). 0 means
	// DefaultImportWindow; negative is refused.
	Window time.Duration
	// Scorer, when set, is asked to score the touched window (Summary.TouchedFrom/To) after a
	// successful import that stored a new trade; an import that stored none asks nothing.
	Scorer ScoreRequester
	// Logger receives the importer's log lines (never credentials); nil discards them.
	Logger *slog.Logger
	// Metrics receives import_pages_total, import_fills_total and import_duration_seconds
	// (coach.MetricTable); nil means coach.NopMetrics.
	Metrics coach.Metrics
	// Leases, when set, makes Import run at most once at a time per connection across every
	// Importer sharing them (every worker on one Redis): Import holds the lease
	// "import:{connectionId}" while it runs, extending it every LeaseTTL/3, and answers ECONFLICT
	// when another run holds it.
	Leases storage.Leases
	// LeaseTTL is how long a lease outlives a worker that died holding it (default
	// DefaultLeaseTTL; at least a second).
	LeaseTTL time.Duration
}

// DefaultLeaseTTL is the LeaseTTL of an ImporterConfig that sets none.
const DefaultLeaseTTL = 2 * time.Minute

// Importer pages a broker connection's fills into storage. Build it with NewImporter; an Importer
// not built by NewImporter returns EINVALID from Import.
//
// Each page is one transaction: its trades (Trades.Upsert, idempotent by (user, broker, extId) and
// by the exchange's trade id, so a fill uploaded from the exchange's file before is a duplicate),
// its checkpoint (Checkpoints.Put under the page's scope) and an import.progress event commit
// together or not at all. A crashed or failed import therefore resumes, on the next Import of the
// same connection, after the last page stored, and the progress a client saw matches what was
// stored. A re-import stores no duplicate, and a trade the user deleted stays deleted.
type Importer struct {
	store   storage.Store
	clock   coach.Clock
	window  time.Duration
	scorer  ScoreRequester
	log     *slog.Logger
	metrics coach.Metrics
	leases  storage.Leases
	ttl     time.Duration
	owner   string // this Importer's name in Leases, which each run's owner starts with
}

// NewImporter returns an Importer, or an EINVALID error naming the first missing or invalid field
// of cfg.
func NewImporter(cfg ImporterConfig) (*Importer, error) {
	switch {
	case cfg.Store == nil:
		return nil, coach.Errorf(coach.EINVALID, "broker: ImporterConfig.Store is required")
	case cfg.Window < 0:
		return nil, coach.Errorf(coach.EINVALID, "broker: ImporterConfig.Window: negative (%s)", cfg.Window)
	case cfg.LeaseTTL != 0 && cfg.LeaseTTL < time.Second:
		return nil, coach.Errorf(coach.EINVALID, "broker: ImporterConfig.LeaseTTL: want at least 1s, got %s", cfg.LeaseTTL)
	}
	if cfg.LeaseTTL == 0 {
		cfg.LeaseTTL = DefaultLeaseTTL
	}
	if cfg.Clock == nil {
		cfg.Clock = coach.SystemClock{}
	}
	if cfg.Window == 0 {
		cfg.Window = DefaultImportWindow
	}
	if cfg.Logger == nil {
		cfg.Logger = slog.New(slog.DiscardHandler)
	}
	if cfg.Metrics == nil {
		cfg.Metrics = coach.NopMetrics{}
	}
	return &Importer{store: cfg.Store, clock: cfg.Clock, window: cfg.Window, scorer: cfg.Scorer, log: cfg.Logger, metrics: cfg.Metrics,
		leases: cfg.Leases, ttl: cfg.LeaseTTL, owner: coach.NewID()}, nil
}

// Summary is what an import did.
type Summary struct {
	ConnectionID string    `json:"connectionId"`
	Broker       string    `json:"broker"`
	WindowStart  time.Time `json:"windowStart"`
	WindowEnd    time.Time `json:"windowEnd"`
	// Pages counts the pages stored; Fetched the fills they held.
	Pages   int `json:"pages"`
	Fetched int `json:"fetched"`
	// Inserted fills were new; Duplicates were stored already; Skipped had been deleted by the user
	// and stay deleted; Rejected failed validation (or named another broker) and were not stored.
	Inserted int `json:"inserted"`
	// TouchedFrom and TouchedTo bound, [TouchedFrom, TouchedTo), the fill times of the pages that
	// stored a new trade: the window whose scoring the new fills change (what a score.bias job
	// is enqueued for). Both are zero when no trade was new.
	TouchedFrom time.Time `json:"touchedFrom,omitzero"`
	TouchedTo   time.Time `json:"touchedTo,omitzero"`
	Duplicates  int       `json:"duplicates"`
	Skipped     int       `json:"skipped"`
	Rejected    int       `json:"rejected"`
}

// Import fetches the fills of conn from src for the import window (restricted to symbols when
// given; see FillsRequest.Symbols) and stores them for userID.
//
// It records, in order: an import_start audit row with an import.progress "started" event (one
// transaction); per page, the trades, the checkpoint and a "fetching" event with the running
// counts (one transaction each); and finally an import_done audit row with a "done" event — or,
// when the broker or the store fails, a "failed" event carrying the error's code and safe message,
// an import_done audit row with the outcome and, if the broker rejected the credentials
// (EUNAUTHORIZED), the connection set to revoked with a broker_revoked audit row, all in one
// transaction. The done transaction of an import of every pair also moves the connection's sync
// mark to the window's end (storage.Syncs.MarkSynced), which the sync schedule continues from. After a successful import
// that stored a new trade it asks Scorer to score the touched window.
//
// Errors: EINVALID for a connection of another user, of another broker than src, or for an invalid
// symbol; EUNAUTHORIZED for a revoked connection and ECONFLICT for a paused one (nothing is
// recorded then), and ECONFLICT when Leases are set and another run of the connection holds its
// lease (nothing is recorded then either); ECANCELED, wrapping ctx's error, when ctx ends; otherwise the broker's or the
// store's error, returned with the Summary of the pages stored so far.
func (im *Importer) Import(ctx context.Context, userID string, conn coach.BrokerConnection, src Broker, symbols ...coach.Symbol) (Summary, error) {
	return im.importRange(ctx, userID, conn, src, time.Time{}, time.Time{}, symbols)
}

// importRange is Import of the window [from, to), or of the clock's window when both are zero.
func (im *Importer) importRange(ctx context.Context, userID string, conn coach.BrokerConnection, src Broker, from, to time.Time, symbols []coach.Symbol) (Summary, error) {
	if im == nil || im.store == nil {
		return Summary{}, coach.Errorf(coach.EINVALID, "broker: Importer not constructed; use broker.NewImporter")
	}
	switch {
	case conn.UserID != userID || !coach.ValidID(userID):
		return Summary{}, coach.Errorf(coach.EINVALID, "import: connection %s does not belong to the user", clip(conn.ID, 64))
	case src == nil || src.Name() != conn.Broker:
		return Summary{}, coach.Errorf(coach.EINVALID, "import: connection %s is a %s connection", clip(conn.ID, 64), clip(conn.Broker, 32))
	case conn.Status == coach.ConnectionRevoked:
		return Summary{}, coach.Errorf(coach.EUNAUTHORIZED, "import: connection %s was revoked; link the broker again", conn.ID)
	case conn.Status == coach.ConnectionPaused:
		return Summary{}, coach.Errorf(coach.ECONFLICT, "import: connection %s is paused", conn.ID)
	}
	if err := conn.Validate(); err != nil {
		return Summary{}, err
	}
	for _, s := range symbols {
		if !s.Valid() {
			return Summary{}, coach.Errorf(coach.EINVALID, "import: symbol %q is not BASE-QUOTE", clip(string(s), 40))
		}
	}
	release, ctx, err := im.lease(ctx, conn.UserID, conn.ID)
	if err != nil {
		return Summary{}, err
	}
	defer release()
	start := time.Now()
	sum, err := im.run(ctx, userID, conn, src, from, to, symbols)
	im.metrics.Observe(coach.MetricImportDuration, time.Since(start), "broker", conn.Broker, "outcome", coach.Outcome(err))
	switch {
	case coach.ErrorCode(err) == coach.EINTERNAL:
		im.log.ErrorContext(ctx, "broker: import failed", "userId", userID, "connectionId", conn.ID, "broker", conn.Broker, "pages", sum.Pages, "err", err)
	case err != nil:
		im.log.WarnContext(ctx, "broker: import failed", "userId", userID, "connectionId", conn.ID, "broker", conn.Broker, "pages", sum.Pages, "code", coach.ErrorCode(err))
	default:
		im.log.InfoContext(ctx, "broker: import done", "userId", userID, "connectionId", conn.ID, "broker", conn.Broker,
			"pages", sum.Pages, "fetched", sum.Fetched, "inserted", sum.Inserted)
	}
	return sum, err
}

// run is Import once the request is checked, over [from, to) or, when both are zero, the
// clock's window.
func (im *Importer) run(ctx context.Context, userID string, conn coach.BrokerConnection, src Broker, from, to time.Time, symbols []coach.Symbol) (Summary, error) {
	if from.IsZero() && to.IsZero() {
		now := im.clock.Now().UTC()
		from, to = now.Add(-im.window), now
	}
	sum := Summary{ConnectionID: conn.ID, Broker: conn.Broker, WindowStart: from.UTC(), WindowEnd: to.UTC()}
	run := importRun{im: im, clock: im.clock, userID: userID, conn: conn}

	err := im.store.InTx(ctx, func(tx storage.Tx) error {
		if err := run.audit(ctx, tx, coach.AuditImportStart, run.meta(sum, "")); err != nil {
			return err
		}
		return run.progress(ctx, tx, sum, coach.ImportPhaseStarted, nil)
	})
	if err != nil {
		return sum, err
	}

	cps, err := im.store.Checkpoints().List(ctx, userID, conn.ID)
	if err != nil {
		return sum, run.fail(ctx, &sum, err)
	}
	req := FillsRequest{From: sum.WindowStart, To: sum.WindowEnd, Symbols: symbols, Checkpoints: cps}
	if err := src.Fills(ctx, req, func(p FillPage) error { return run.page(ctx, &sum, p) }); err != nil {
		return sum, run.fail(ctx, &sum, err)
	}

	var first bool
	err = im.store.InTx(ctx, func(tx storage.Tx) error {
		if err := run.audit(ctx, tx, coach.AuditImportDone, run.meta(sum, coach.ImportPhaseDone)); err != nil {
			return err
		}
		// The window is imported: the sync schedule continues from its end.
		var err error
		if first, err = markSynced(ctx, tx, userID, conn.ID, src, sum, symbols); err != nil {
			return err
		}
		return run.progress(ctx, tx, sum, coach.ImportPhaseDone, nil)
	})
	if err != nil {
		return sum, run.fail(ctx, &sum, err)
	}
	if first && !conn.CreatedAt.IsZero() {
		// The connection's history is in: the import objective's time, from the link.
		im.metrics.Observe(coach.MetricImportFirstDone, im.clock.Now().Sub(conn.CreatedAt), "broker", conn.Broker)
	}
	if im.scorer != nil && sum.Inserted > 0 {
		if err := im.scorer.RequestScore(ctx, userID, sum.TouchedFrom, sum.TouchedTo); err != nil {
			return sum, err
		}
	}
	return sum, nil
}

// touch widens the touched window to the times of trades.
func (s *Summary) touch(trades []coach.Trade) {
	for _, t := range trades {
		if s.TouchedFrom.IsZero() || t.TS.Before(s.TouchedFrom) {
			s.TouchedFrom = t.TS
		}
		if end := t.TS.Add(time.Nanosecond); end.After(s.TouchedTo) {
			s.TouchedTo = end
		}
	}
}

// importRun is the state of one Import call.
type importRun struct {
	im     *Importer
	clock  coach.Clock
	userID string
	conn   coach.BrokerConnection
}

// page stores one page: trades, checkpoint and progress event in one transaction. sum is updated
// only when the transaction commits.
func (r importRun) page(ctx context.Context, sum *Summary, p FillPage) error {
	next := *sum
	next.Pages++
	next.Fetched += len(p.Trades)
	trades := make([]coach.Trade, 0, len(p.Trades))
	for _, t := range p.Trades {
		if t.Broker == "" {
			t.Broker = r.conn.Broker
		}
		t.ConnectionID = r.conn.ID
		t.UserID = ""
		if t.Broker != r.conn.Broker || t.Validate() != nil {
			next.Rejected++
			continue
		}
		trades = append(trades, t)
	}
	scope := p.Scope
	if scope == "" {
		scope = DefaultScope
	}
	err := r.im.store.InTx(ctx, func(tx storage.Tx) error {
		if len(trades) > 0 {
			res, err := tx.Trades().Upsert(ctx, r.userID, trades)
			if err != nil {
				return err
			}
			next.Inserted += res.Inserted
			if res.Inserted > 0 {
				next.touch(trades)
			}
			next.Duplicates += res.Unchanged
			next.Skipped += res.Skipped
		}
		if p.Checkpoint != "" {
			if err := tx.Checkpoints().Put(ctx, r.userID, r.conn.ID, scope, p.Checkpoint); err != nil {
				return err
			}
		}
		return r.progress(ctx, tx, next, coach.ImportPhaseFetching, nil)
	})
	if err != nil {
		return err
	}
	*sum = next
	r.im.metrics.Count(coach.MetricImportPages, 1, "broker", r.conn.Broker)
	r.im.metrics.Count(coach.MetricImportFills, int64(len(p.Trades)), "broker", r.conn.Broker)
	return nil
}

// fail records a failed import and returns cause. The record is written even if ctx is done.
func (r importRun) fail(ctx context.Context, sum *Summary, cause error) error {
	code, msg := coach.ErrorCode(cause), coach.ErrorMessage(cause)
	if ctx.Err() != nil && (code == coach.EINTERNAL || code == coach.EUNAVAILABLE || code == coach.ECANCELED) {
		// The caller's context ended: whatever the source or the store made of it, the import
		// was canceled.
		code, msg = coach.ECANCELED, "the import was interrupted; it resumes where it stopped"
		if !errors.Is(cause, ctx.Err()) || coach.ErrorCode(cause) != coach.ECANCELED {
			cause = coach.WrapError(code, fmt.Errorf("%w: %w", ctx.Err(), cause), "%s", msg)
		}
	}
	rctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), recordTimeout)
	defer cancel()
	_ = r.im.store.InTx(rctx, func(tx storage.Tx) error {
		if code == coach.EUNAUTHORIZED {
			if err := r.revoke(rctx, tx); err != nil {
				return err
			}
		}
		meta := r.meta(*sum, coach.ImportPhaseFailed)
		meta["error"] = string(code)
		if err := r.audit(rctx, tx, coach.AuditImportDone, meta); err != nil {
			return err
		}
		return r.progress(rctx, tx, *sum, coach.ImportPhaseFailed, &coach.ErrorPayload{Code: string(code), Message: msg})
	})
	return cause
}

// revoke marks the connection revoked: its credentials were rejected (a dead refresh token), so
// it must be linked again.
func (r importRun) revoke(ctx context.Context, tx storage.Tx) error {
	c, err := tx.Connections().Get(ctx, r.userID, r.conn.ID)
	if coach.ErrorCode(err) == coach.ENOTFOUND {
		return nil // deleted meanwhile
	}
	if err != nil {
		return err
	}
	if c.Status == coach.ConnectionRevoked {
		return nil
	}
	c.Status = coach.ConnectionRevoked
	if err := tx.Connections().Update(ctx, c); err != nil {
		return err
	}
	return r.audit(ctx, tx, coach.AuditBrokerRevoked, map[string]any{
		"connectionId": c.ID, "broker": c.Broker, "reason": "credentials rejected during import",
	})
}

func (r importRun) progress(ctx context.Context, tx storage.Tx, s Summary, phase string, e *coach.ErrorPayload) error {
	ev, err := coach.NewEvent(r.userID, coach.EventImportProgress, 1, coach.ImportProgressPayload{
		ConnectionID: r.conn.ID,
		Phase:        phase,
		Fetched:      s.Fetched,
		Inserted:     s.Inserted,
		Duplicates:   s.Duplicates + s.Skipped,
		WindowStart:  s.WindowStart,
		WindowEnd:    s.WindowEnd,
		Error:        e,
	})
	if err != nil {
		return err
	}
	_, err = tx.Events().Append(ctx, ev)
	return err
}

func (r importRun) meta(s Summary, outcome string) map[string]any {
	m := map[string]any{
		"connectionId": r.conn.ID,
		"broker":       r.conn.Broker,
		"windowStart":  s.WindowStart,
		"windowEnd":    s.WindowEnd,
	}
	if outcome != "" {
		m["outcome"] = outcome
		m["pages"] = s.Pages
		m["fetched"] = s.Fetched
		m["inserted"] = s.Inserted
		m["duplicates"] = s.Duplicates
		m["skipped"] = s.Skipped
		m["rejected"] = s.Rejected
	}
	return m
}

func (r importRun) audit(ctx context.Context, tx storage.Tx, action string, meta map[string]any) error {
	b, err := json.Marshal(meta)
	if err != nil {
		return errors.Wrap(err, "import: audit meta")
	}
	return tx.Audit().Append(ctx, coach.Audit{
		ID: coach.NewID(), UserID: r.userID, Action: action, Meta: b, CreatedAt: r.clock.Now().UTC(),
	})
}
