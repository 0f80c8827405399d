package privacy

import (
	"context"
	"encoding/csv"
	"io"
	"strings"
	"time"

	"github.com/pkg/errors"

	"github.com/tradecoach/coach"
	"github.com/tradecoach/coach/storage"
)

// Format is the archive's format, written in its manifest.json.
const Format = "tradecoach-export/1"

// The archive's files. Each JSON file but profile.json and manifest.json is an array; the
// manifest, written last, counts the items of each.
const (
	FileProfile        = "profile.json"
	FileConnections    = "connections.json"
	FileTrades         = "trades.json"
	FileTradesCSV      = "trades.csv"
	FileTombstones     = "tombstones.json"
	FileTags           = "tags.json"
	FileTagRevisions   = "tag_revisions.json"
	FileDisputes       = "disputes.json"
	FileNotes          = "notes.json"
	FileQuestions      = "questions.json"
	FileRules          = "rules.json"
	FileSimulationRuns = "simulation_runs.json"
	FileDigests        = "digests.json"
	FileAudit          = "audit.json"
	FileEvents         = "events.json"
	// FileWebhookEndpoints holds the user's webhook endpoints, without their sealed secrets.
	FileWebhookEndpoints = "webhook_endpoints.json"
	// FileWebhookDeliveries holds every delivery to them, newest first (the bodies are the events).
	FileWebhookDeliveries = "webhook_deliveries.json"
	FileBlobs             = "blobs.json"
	FileManifest          = "manifest.json"
)

// TradesCSVHeader is the header row of trades.csv; the columns are coach.Trade's JSON fields.
var TradesCSVHeader = []string{"id", "broker", "extId", "connectionId", "symbol", "side", "qty", "price", "fee", "feeAsset",
	"ts", "orderId", "exchangeTradeId", "liquidity"}

// Profile is the user as an archive shows them: everything the SDK keeps of the account but the
// password hash.
type Profile struct {
	ID                string    `json:"id"`
	Email             string    `json:"email,omitempty"`
	CreatedAt         time.Time `json:"createdAt"`
	TimeZone          string    `json:"timeZone,omitempty"`
	ReportingCurrency string    `json:"reportingCurrency,omitempty"`
	DigestByEmail     bool      `json:"digestByEmail"`
}

// Connection is a broker connection as an archive shows it: without its sealed tokens.
type Connection struct {
	ID        string     `json:"id"`
	Broker    string     `json:"broker"`
	Status    string     `json:"status"`
	Scope     string     `json:"scope"`
	Label     string     `json:"label,omitempty"`
	ExpiresAt *time.Time `json:"expiresAt"`
	CreatedAt time.Time  `json:"createdAt"`
}

// Manifest is manifest.json: what the archive is, and how many items each file holds.
type Manifest struct {
	Format      string         `json:"format"`
	ExportID    string         `json:"exportId"`
	UserID      string         `json:"userId"`
	RequestedAt time.Time      `json:"requestedAt"`
	WrittenAt   time.Time      `json:"writtenAt"`
	Files       []string       `json:"files"`
	Counts      map[string]int `json:"counts"`
}

// archive writes the ZIP of everything e's user has to w, reading every table in pages.
func (s *Service) archive(ctx context.Context, w io.Writer, e coach.Export) error {
	now := s.clock.Now().UTC()
	z := newZipWriter(w, now)
	st, uid := s.store, e.UserID
	u, err := st.Users().ByID(ctx, uid)
	if err != nil {
		return err
	}
	if err := z.object(FileProfile, Profile{ID: u.ID, Email: u.Email, CreatedAt: u.CreatedAt, TimeZone: u.TimeZone,
		ReportingCurrency: u.ReportingCurrency, DigestByEmail: u.DigestByEmail}); err != nil {
		return err
	}
	for _, step := range []func() error{
		func() error { return s.connections(ctx, z, uid) },
		func() error { return s.trades(ctx, z, uid) },
		func() error { return tombstones(ctx, z, st, uid) },
		func() error { return disputes(ctx, z, st, uid) },
		func() error { return notes(ctx, z, st, uid) },
		func() error { return questions(ctx, z, st, uid) },
		func() error { return rules(ctx, z, st, uid) },
		func() error { return runs(ctx, z, st, uid) },
		func() error { return digests(ctx, z, st, uid) },
		func() error { return audit(ctx, z, st, uid) },
		func() error { return events(ctx, z, st, uid) },
		func() error { return webhooks(ctx, z, st, uid) },
		func() error { return s.blobList(ctx, z, uid) },
	} {
		if err := step(); err != nil {
			return err
		}
	}
	files := append([]string(nil), z.order...)
	if err := z.object(FileManifest, Manifest{Format: Format, ExportID: e.ID, UserID: uid, RequestedAt: e.RequestedAt,
		WrittenAt: now, Files: append(files, FileManifest), Counts: z.counts}); err != nil {
		return err
	}
	return z.close()
}

// pages calls fetch with the last item of the previous page (nil first) and each for every page,
// until a page is shorter than storage.MaxLimit.
func pages[T any](fetch func(last *T) ([]T, error), each func(page []T) error) error {
	var last *T
	for {
		page, err := fetch(last)
		if err != nil {
			return err
		}
		if err := each(page); err != nil {
			return err
		}
		if len(page) < storage.MaxLimit {
			return nil
		}
		l := page[len(page)-1]
		last = &l
	}
}

// all adds every item of page to a.
func all[T any](a *jsonArray) func(page []T) error {
	return func(page []T) error {
		for _, v := range page {
			if err := a.add(v); err != nil {
				return err
			}
		}
		return nil
	}
}

// tradePages pages through the user's trades in trade order.
func tradePages(ctx context.Context, st storage.Store, uid string, each func([]coach.Trade) error) error {
	return pages(func(last *coach.Trade) ([]coach.Trade, error) {
		f := storage.TradeFilter{Limit: storage.MaxLimit}
		if last != nil {
			p := storage.PosOf(*last)
			f.After = &p
		}
		return st.Trades().List(ctx, uid, f)
	}, each)
}

func (s *Service) connections(ctx context.Context, z *zipWriter, uid string) error {
	cs, err := s.store.Connections().List(ctx, uid)
	if err != nil {
		return err
	}
	a, err := z.array(FileConnections)
	if err != nil {
		return err
	}
	for _, c := range cs {
		if err := a.add(Connection{ID: c.ID, Broker: c.Broker, Status: c.Status, Scope: c.Scope, Label: c.Label,
			ExpiresAt: c.ExpiresAt, CreatedAt: c.CreatedAt}); err != nil {
			return err
		}
	}
	return a.end()
}

// trades reads the user's trades once, page by page, and writes trades.json into the archive
// while trades.csv, tags.json and tag_revisions.json (the tags of each page's trades) go to spool
// entries that follow it.
func (s *Service) trades(ctx context.Context, z *zipWriter, uid string) (err error) {
	st := s.store
	var spools []*spoolEntry
	defer func() {
		for _, sp := range spools {
			sp.close()
		}
	}()
	for _, name := range []string{FileTradesCSV, FileTags, FileTagRevisions} {
		sp, err := newSpoolEntry(s.tempDir, name)
		if err != nil {
			return err
		}
		spools = append(spools, sp)
	}
	js, err := z.array(FileTrades)
	if err != nil {
		return err
	}
	cw := csv.NewWriter(spools[0])
	if err := cw.Write(TradesCSVHeader); err != nil {
		return errors.Wrap(err, "privacy: write trades.csv")
	}
	z.counts[FileTradesCSV] = 0
	tagsA, revsA := z.spoolArray(spools[1]), z.spoolArray(spools[2])
	row := make([]string, len(TradesCSVHeader))
	ids := make([]string, 0, storage.MaxLimit)
	err = tradePages(ctx, st, uid, func(page []coach.Trade) error {
		ids = ids[:0]
		for _, t := range page {
			if err := js.add(t); err != nil {
				return err
			}
			if err := cw.Write(csvRow(row[:0], t)); err != nil {
				return errors.Wrap(err, "privacy: write trades.csv")
			}
			ids = append(ids, t.ID)
		}
		z.counts[FileTradesCSV] += len(page)
		if len(ids) == 0 {
			return nil
		}
		for _, x := range []struct {
			a    *jsonArray
			read func(ctx context.Context, userID string, tradeIDs []string) ([]coach.BiasTag, error)
		}{{tagsA, st.Tags().ByTrades}, {revsA, st.Tags().RevisionsByTrades}} {
			gs, err := x.read(ctx, uid, ids)
			if err != nil {
				return err
			}
			if err := all[coach.BiasTag](x.a)(gs); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return err
	}
	cw.Flush()
	if err := cw.Error(); err != nil {
		return errors.Wrap(err, "privacy: write trades.csv")
	}
	for _, a := range []*jsonArray{js, tagsA, revsA} {
		if err := a.end(); err != nil {
			return err
		}
	}
	for _, sp := range spools {
		if err := sp.copyTo(z); err != nil {
			return err
		}
	}
	return nil
}

// csvRow appends t's row of trades.csv to row.
func csvRow(row []string, t coach.Trade) []string {
	fee := ""
	if t.Fee.Valid {
		fee = t.Fee.Decimal.String()
	}
	return append(row, t.ID, cell(t.Broker), cell(t.ExtID), t.ConnectionID, cell(string(t.Symbol)), string(t.Side),
		t.Qty.String(), t.Price.String(), fee, cell(t.FeeAsset), t.TS.UTC().Format(time.RFC3339Nano),
		cell(t.OrderID), cell(t.ExchangeTradeID), string(t.Liquidity))
}

// cell keeps a text cell from being read as a formula by a spreadsheet (CSV injection): a value
// starting with =, +, -, @, a tab or a carriage return gets a leading apostrophe. Numbers and
// times are written as they are.
func cell(s string) string {
	if s != "" && strings.ContainsRune("=+-@\t\r", rune(s[0])) {
		return "'" + s
	}
	return s
}

func tombstones(ctx context.Context, z *zipWriter, st storage.Store, uid string) error {
	a, err := z.array(FileTombstones)
	if err != nil {
		return err
	}
	err = pages(func(last *storage.Tombstone) ([]storage.Tombstone, error) {
		return st.Trades().Tombstones(ctx, uid, last, storage.MaxLimit)
	}, all[storage.Tombstone](a))
	if err != nil {
		return err
	}
	return a.end()
}

func disputes(ctx context.Context, z *zipWriter, st storage.Store, uid string) error {
	a, err := z.array(FileDisputes)
	if err != nil {
		return err
	}
	err = pages(func(last *coach.TagDispute) ([]coach.TagDispute, error) {
		p := storage.AnswerPage{Limit: storage.MaxLimit}
		if last != nil {
			pos := storage.DisputePos(*last)
			p.After = &pos
		}
		return st.Disputes().List(ctx, uid, p)
	}, all[coach.TagDispute](a))
	if err != nil {
		return err
	}
	return a.end()
}

func notes(ctx context.Context, z *zipWriter, st storage.Store, uid string) error {
	a, err := z.array(FileNotes)
	if err != nil {
		return err
	}
	err = pages(func(last *coach.TradeNote) ([]coach.TradeNote, error) {
		p := storage.AnswerPage{Limit: storage.MaxLimit}
		if last != nil {
			pos := storage.NotePos(*last)
			p.After = &pos
		}
		return st.Notes().List(ctx, uid, p)
	}, all[coach.TradeNote](a))
	if err != nil {
		return err
	}
	return a.end()
}

// questions writes the trader's questions to the coach and the answers they were shown.
func questions(ctx context.Context, z *zipWriter, st storage.Store, uid string) error {
	a, err := z.array(FileQuestions)
	if err != nil {
		return err
	}
	err = pages(func(last *coach.Question) ([]coach.Question, error) {
		p := storage.AnswerPage{Limit: storage.MaxLimit}
		if last != nil {
			pos := storage.QuestionPos(*last)
			p.After = &pos
		}
		return st.Questions().List(ctx, uid, p)
	}, all[coach.Question](a))
	if err != nil {
		return err
	}
	return a.end()
}

func rules(ctx context.Context, z *zipWriter, st storage.Store, uid string) error {
	rs, err := st.Rules().List(ctx, uid)
	if err != nil {
		return err
	}
	a, err := z.array(FileRules)
	if err != nil {
		return err
	}
	if err := all[coach.Rule](a)(rs); err != nil {
		return err
	}
	return a.end()
}

func runs(ctx context.Context, z *zipWriter, st storage.Store, uid string) error {
	a, err := z.array(FileSimulationRuns)
	if err != nil {
		return err
	}
	err = pages(func(last *coach.SimulationRun) ([]coach.SimulationRun, error) {
		f := storage.RunFilter{Limit: storage.MaxLimit}
		if last != nil {
			pos := storage.PosOfRun(*last)
			f.After = &pos
		}
		return st.SimulationRuns().List(ctx, uid, f)
	}, all[coach.SimulationRun](a))
	if err != nil {
		return err
	}
	return a.end()
}

// digests writes the user's digests. Digests.List has no keyset: at one digest a week, MaxLimit
// of them is two centuries, so a full page means the store holds more than it can list.
func digests(ctx context.Context, z *zipWriter, st storage.Store, uid string) error {
	ds, err := st.Digests().List(ctx, uid, storage.MaxLimit)
	if err != nil {
		return err
	}
	if len(ds) >= storage.MaxLimit {
		return errors.Errorf("privacy: user has %d digests or more, more than Digests.List returns", storage.MaxLimit)
	}
	a, err := z.array(FileDigests)
	if err != nil {
		return err
	}
	if err := all[coach.Digest](a)(ds); err != nil {
		return err
	}
	return a.end()
}

func audit(ctx context.Context, z *zipWriter, st storage.Store, uid string) error {
	a, err := z.array(FileAudit)
	if err != nil {
		return err
	}
	err = pages(func(last *coach.Audit) ([]coach.Audit, error) {
		var after *storage.AuditPos
		if last != nil {
			p := storage.PosOfAudit(*last)
			after = &p
		}
		return st.Audit().Since(ctx, uid, after, storage.MaxLimit)
	}, all[coach.Audit](a))
	if err != nil {
		return err
	}
	return a.end()
}

func events(ctx context.Context, z *zipWriter, st storage.Store, uid string) error {
	a, err := z.array(FileEvents)
	if err != nil {
		return err
	}
	err = pages(func(last *coach.Event) ([]coach.Event, error) {
		after := ""
		if last != nil {
			after = last.ID
		}
		return st.Events().Since(ctx, uid, after, storage.MaxLimit)
	}, all[coach.Event](a))
	if err != nil {
		return err
	}
	return a.end()
}

// blobList lists the user's other blobs (digest reports, snapshots, …), not their contents and
// not the exports.
func (s *Service) blobList(ctx context.Context, z *zipWriter, uid string) error {
	infos, err := s.blobs.List(ctx, storage.UserBlobPrefix(uid))
	if err != nil {
		return err
	}
	a, err := z.array(FileBlobs)
	if err != nil {
		return err
	}
	exports := storage.UserBlobKey(uid, "exports") + "/"
	for _, b := range infos {
		if strings.HasPrefix(b.Key, exports) {
			continue
		}
		if err := a.add(b); err != nil {
			return err
		}
	}
	return a.end()
}

// webhooks writes the user's endpoints (coach.WebhookEndpoint's JSON leaves the sealed secrets
// and the cursor out) and every delivery to them, newest first, a page at a time.
func webhooks(ctx context.Context, z *zipWriter, st storage.Store, uid string) error {
	eps, err := st.Webhooks().Endpoints(ctx, uid)
	if err != nil {
		return err
	}
	a, err := z.array(FileWebhookEndpoints)
	if err != nil {
		return err
	}
	if err := all[coach.WebhookEndpoint](a)(eps); err != nil {
		return err
	}
	if err := a.end(); err != nil {
		return err
	}
	if a, err = z.array(FileWebhookDeliveries); err != nil {
		return err
	}
	err = pages(func(last *coach.WebhookDelivery) ([]coach.WebhookDelivery, error) {
		before := ""
		if last != nil {
			before = last.ID
		}
		return st.Webhooks().Deliveries(ctx, uid, "", before, storage.MaxLimit)
	}, all[coach.WebhookDelivery](a))
	if err != nil {
		return err
	}
	return a.end()
}
