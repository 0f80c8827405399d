package broker_test

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/tradecoach/coach"
	"github.com/tradecoach/coach/broker"
	"github.com/tradecoach/coach/storage"
	"github.com/tradecoach/coach/storage/memory"
)

var importNow = time.Date(2026, 3, 2, 12, 0, 0, 0, time.UTC)

// pagedBroker serves fixed pages of fills per scope; the checkpoint of page i is "i". It can fail
// after a number of pages and records which pages it was asked for.
type pagedBroker struct {
	name   string
	order  []string
	pages  map[string][][]coach.Trade
	ignore bool // ignore checkpoints (re-send everything, like a full re-sync)

	mu        sync.Mutex
	failAfter int // fail once this many pages were emitted in one call (0: never)
	failErr   error
	emitted   []string // "scope:i" of every page emitted, across calls
}

func (b *pagedBroker) Name() string { return b.name }

func (b *pagedBroker) Fills(ctx context.Context, req broker.FillsRequest, emit func(broker.FillPage) error) error {
	b.mu.Lock()
	failAfter, failErr := b.failAfter, b.failErr
	b.mu.Unlock()
	n := 0
	for _, scope := range b.order {
		start := 0
		if cp, ok := req.Checkpoints[scope]; ok && !b.ignore {
			i, err := strconv.Atoi(cp)
			if err != nil {
				return coach.Errorf(coach.EINVALID, "bad checkpoint %q", cp)
			}
			start = i + 1
		}
		for i := start; i < len(b.pages[scope]); i++ {
			if failAfter > 0 && n == failAfter {
				return failErr
			}
			var in []coach.Trade
			for _, t := range b.pages[scope][i] {
				if !t.TS.Before(req.From) && t.TS.Before(req.To) {
					in = append(in, t)
				}
			}
			b.mu.Lock()
			b.emitted = append(b.emitted, fmt.Sprintf("%s:%d", scope, i))
			b.mu.Unlock()
			if err := emit(broker.FillPage{Trades: in, Scope: scope, Checkpoint: strconv.Itoa(i)}); err != nil {
				return err
			}
			n++
		}
	}
	return nil
}

func (b *pagedBroker) takeEmitted() []string {
	b.mu.Lock()
	defer b.mu.Unlock()
	out := b.emitted
	b.emitted = nil
	return out
}

// newPagedBroker makes scopes × pages × per fills with distinct ExtIDs, oldest first.
func newPagedBroker(name, prefix string, scopes []string, pages, per int) *pagedBroker {
	b := &pagedBroker{name: name, order: scopes, pages: map[string][][]coach.Trade{}}
	k := 0
	for si, scope := range scopes {
		for p := range pages {
			var page []coach.Trade
			for range per {
				k++
				page = append(page, coach.Trade{
					Broker: name, ExtID: fmt.Sprintf("%s-%s-%03d", prefix, scope, k),
					Symbol: []coach.Symbol{"BTC-USDT", "ETH-USDT"}[si%2], Side: []coach.Side{coach.Buy, coach.Sell}[k%2],
					Qty: dec("0.5"), Price: dec(strconv.Itoa(100 + k)), Fee: fee("0.1"), FeeAsset: "USDT",
					TS: importNow.Add(-time.Duration(10*24-p*24) * time.Hour).Add(time.Duration(k) * time.Minute),
				})
			}
			b.pages[scope] = append(b.pages[scope], page)
		}
	}
	return b
}

func (b *pagedBroker) all() []coach.Trade {
	var out []coach.Trade
	for _, s := range b.order {
		for _, p := range b.pages[s] {
			out = append(out, p...)
		}
	}
	return out
}

type importFixture struct {
	store *memory.Store
	clock *coach.ManualClock
	imp   *broker.Importer
	user  string
}

func newImportFixture(t *testing.T) *importFixture {
	t.Helper()
	clock := coach.NewManualClock(importNow)
	store := memory.New(memory.WithClock(clock))
	t.Cleanup(func() { store.Close() })
	return &importFixture{store: store, clock: clock, imp: mustImporter(t, broker.ImporterConfig{Store: store, Clock: clock}), user: "user1"}
}

func (f *importFixture) connect(t *testing.T, id, brokerName string) coach.BrokerConnection {
	t.Helper()
	c := coach.BrokerConnection{ID: id, UserID: f.user, Broker: brokerName, Status: coach.ConnectionActive, AccessEnc: []byte("sealed-access"), CreatedAt: importNow.Add(-time.Hour)}
	if err := f.store.Connections().Create(context.Background(), c); err != nil {
		t.Fatal(err)
	}
	return c
}

func (f *importFixture) trades(t *testing.T) []coach.Trade {
	t.Helper()
	ts, err := f.store.Trades().List(context.Background(), f.user, storage.TradeFilter{Limit: storage.MaxLimit})
	if err != nil {
		t.Fatal(err)
	}
	return ts
}

func (f *importFixture) progress(t *testing.T) []coach.ImportProgressPayload {
	t.Helper()
	evs, err := f.store.Events().Since(context.Background(), f.user, "", 1000)
	if err != nil {
		t.Fatal(err)
	}
	var out []coach.ImportProgressPayload
	for _, e := range evs {
		if e.Type != coach.EventImportProgress || e.V != 1 {
			t.Fatalf("unexpected event %s v%d", e.Type, e.V)
		}
		var p coach.ImportProgressPayload
		if err := json.Unmarshal(e.Payload, &p); err != nil {
			t.Fatal(err)
		}
		out = append(out, p)
	}
	return out
}

func (f *importFixture) auditActions(t *testing.T) []string {
	t.Helper()
	rows, err := f.store.Audit().List(context.Background(), f.user, 100)
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	for i := len(rows) - 1; i >= 0; i-- { // oldest first
		out = append(out, rows[i].Action)
	}
	return out
}

func phases(ps []coach.ImportProgressPayload) []string {
	var out []string
	for _, p := range ps {
		out = append(out, p.Phase)
	}
	return out
}

func extIDs(ts []coach.Trade) []string {
	var out []string
	for _, t := range ts {
		out = append(out, t.ExtID)
	}
	slices.Sort(out)
	return out
}

func TestImportResumesFromCheckpoint(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	f := newImportFixture(t)
	conn := f.connect(t, "conn1", "coinbase")
	b := newPagedBroker("coinbase", "cb", []string{"BTC-USDT", "ETH-USDT"}, 3, 5)
	b.failAfter, b.failErr = 4, coach.Errorf(coach.EUNAVAILABLE, "broker is down")

	sum, err := f.imp.Import(ctx, f.user, conn, b)
	if coach.ErrorCode(err) != coach.EUNAVAILABLE {
		t.Fatalf("first import: err = %v, want EUNAVAILABLE", err)
	}
	if sum.Pages != 4 || sum.Inserted != 20 {
		t.Errorf("first import summary = %+v, want 4 pages, 20 inserted", sum)
	}
	if got := len(f.trades(t)); got != 20 {
		t.Errorf("stored %d trades after the crash, want 20", got)
	}
	cps, err := f.store.Checkpoints().List(ctx, f.user, conn.ID)
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(map[string]string{"BTC-USDT": "2", "ETH-USDT": "0"}, cps); diff != "" {
		t.Errorf("checkpoints (-want +got):\n%s", diff)
	}
	b.takeEmitted()

	b.failAfter = 0
	sum, err = f.imp.Import(ctx, f.user, conn, b)
	if err != nil {
		t.Fatalf("resumed import: %v", err)
	}
	if diff := cmp.Diff([]string{"ETH-USDT:1", "ETH-USDT:2"}, b.takeEmitted()); diff != "" {
		t.Errorf("pages asked on resume (-want +got):\n%s", diff)
	}
	if sum.Pages != 2 || sum.Inserted != 10 || sum.Duplicates != 0 {
		t.Errorf("resumed summary = %+v, want 2 pages, 10 inserted", sum)
	}
	got := f.trades(t)
	if diff := cmp.Diff(extIDs(b.all()), extIDs(got)); diff != "" {
		t.Errorf("final trades (-want +got):\n%s", diff)
	}
	for _, tr := range got {
		if tr.ConnectionID != conn.ID || tr.UserID != f.user || tr.ID == "" {
			t.Fatalf("stored trade %s: connection %q user %q id %q", tr.ExtID, tr.ConnectionID, tr.UserID, tr.ID)
		}
	}
	ps := f.progress(t)
	want := []string{"started", "fetching", "fetching", "fetching", "fetching", "failed", "started", "fetching", "fetching", "done"}
	if diff := cmp.Diff(want, phases(ps)); diff != "" {
		t.Errorf("progress phases (-want +got):\n%s", diff)
	}
	if e := ps[5].Error; e == nil || e.Code != string(coach.EUNAVAILABLE) || e.Message != "broker is down" {
		t.Errorf("failed event error = %+v", e)
	}
	if diff := cmp.Diff([]string{"import_start", "import_done", "import_start", "import_done"}, f.auditActions(t)); diff != "" {
		t.Errorf("audit (-want +got):\n%s", diff)
	}
}

func TestImportProgressEventsInOrder(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	f := newImportFixture(t)
	conn := f.connect(t, "conn1", "binance")
	b := newPagedBroker("binance", "bn", []string{"BTC-USDT", "ETH-USDT"}, 2, 3)
	sum, err := f.imp.Import(ctx, f.user, conn, b)
	if err != nil {
		t.Fatal(err)
	}
	ps := f.progress(t)
	want := []coach.ImportProgressPayload{
		{Phase: "started"},
		{Phase: "fetching", Fetched: 3, Inserted: 3},
		{Phase: "fetching", Fetched: 6, Inserted: 6},
		{Phase: "fetching", Fetched: 9, Inserted: 9},
		{Phase: "fetching", Fetched: 12, Inserted: 12},
		{Phase: "done", Fetched: 12, Inserted: 12},
	}
	for i := range want {
		want[i].ConnectionID = conn.ID
		want[i].WindowStart = importNow.Add(-broker.DefaultImportWindow)
		want[i].WindowEnd = importNow
	}
	if diff := cmp.Diff(want, ps); diff != "" {
		t.Errorf("progress (-want +got):\n%s", diff)
	}
	if sum.Fetched != 12 || sum.Inserted != 12 || sum.WindowEnd != importNow {
		t.Errorf("summary = %+v", sum)
	}
}

func TestReimportAddsNoDuplicatesAndKeepsDeletions(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	f := newImportFixture(t)
	conn := f.connect(t, "conn1", "coinbase")
	b := newPagedBroker("coinbase", "cb", []string{"fills"}, 3, 4)
	b.ignore = true // a full re-sync: every page again
	if _, err := f.imp.Import(ctx, f.user, conn, b); err != nil {
		t.Fatal(err)
	}
	stored := f.trades(t)
	victim := stored[5]
	if err := f.store.Trades().Delete(ctx, f.user, victim.ID); err != nil {
		t.Fatal(err)
	}

	sum, err := f.imp.Import(ctx, f.user, conn, b)
	if err != nil {
		t.Fatal(err)
	}
	if sum.Inserted != 0 || sum.Duplicates != 11 || sum.Skipped != 1 || sum.Fetched != 12 {
		t.Errorf("re-import summary = %+v, want 0 inserted, 11 duplicates, 1 skipped", sum)
	}
	after := f.trades(t)
	if len(after) != 11 {
		t.Errorf("after re-import: %d trades, want 11", len(after))
	}
	for _, tr := range after {
		if tr.ExtID == victim.ExtID {
			t.Fatalf("deleted trade %s was revived", victim.ExtID)
		}
	}
	ps := f.progress(t)
	if last := ps[len(ps)-1]; last.Phase != "done" || last.Duplicates != 12 || last.Inserted != 0 {
		t.Errorf("last progress = %+v, want done with 12 duplicates", last)
	}
}

func TestImportSeveralConnectionsPerBroker(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	f := newImportFixture(t)
	main := f.connect(t, "connMain", "binance")
	savings := f.connect(t, "connSavings", "binance")
	bMain := newPagedBroker("binance", "main", []string{"BTC-USDT"}, 2, 3)
	bSav := newPagedBroker("binance", "sav", []string{"BTC-USDT"}, 1, 2)
	if _, err := f.imp.Import(ctx, f.user, main, bMain); err != nil {
		t.Fatal(err)
	}
	if _, err := f.imp.Import(ctx, f.user, savings, bSav); err != nil {
		t.Fatal(err)
	}
	byConn := map[string]int{}
	for _, tr := range f.trades(t) {
		byConn[tr.ConnectionID]++
	}
	if diff := cmp.Diff(map[string]int{"connMain": 6, "connSavings": 2}, byConn); diff != "" {
		t.Errorf("trades by connection (-want +got):\n%s", diff)
	}
	for _, c := range []struct {
		id   string
		want string
	}{{"connMain", "1"}, {"connSavings", "0"}} {
		cps, err := f.store.Checkpoints().List(ctx, f.user, c.id)
		if err != nil {
			t.Fatal(err)
		}
		if cps["BTC-USDT"] != c.want {
			t.Errorf("checkpoint of %s = %q, want %q", c.id, cps["BTC-USDT"], c.want)
		}
	}
}

func TestImportRevokesConnectionOnUnauthorized(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	f := newImportFixture(t)
	conn := f.connect(t, "conn1", "coinbase")
	b := newPagedBroker("coinbase", "cb", []string{"fills"}, 3, 2)
	b.failAfter, b.failErr = 1, coach.Errorf(coach.EUNAUTHORIZED, "coinbase: the refresh token was rejected; link the account again")
	scorer := &recordingScorer{}
	f.imp = mustImporter(t, broker.ImporterConfig{Store: f.store, Clock: f.clock, Scorer: scorer})

	_, err := f.imp.Import(ctx, f.user, conn, b)
	if coach.ErrorCode(err) != coach.EUNAUTHORIZED {
		t.Fatalf("err = %v, want EUNAUTHORIZED", err)
	}
	got, err := f.store.Connections().Get(ctx, f.user, conn.ID)
	if err != nil {
		t.Fatal(err)
	}
	if got.Status != coach.ConnectionRevoked {
		t.Errorf("connection status = %q, want revoked", got.Status)
	}
	ps := f.progress(t)
	last := ps[len(ps)-1]
	if last.Phase != "failed" || last.Error == nil || last.Error.Code != string(coach.EUNAUTHORIZED) || last.Fetched != 2 {
		t.Errorf("last progress = %+v", last)
	}
	if diff := cmp.Diff([]string{"import_start", "broker_revoked", "import_done"}, f.auditActions(t)); diff != "" {
		t.Errorf("audit (-want +got):\n%s", diff)
	}
	if scorer.calls.Load() != 0 {
		t.Error("a failed import asked for scoring")
	}
	// The revoked connection cannot import until linked again.
	if _, err := f.imp.Import(ctx, f.user, got, b); coach.ErrorCode(err) != coach.EUNAUTHORIZED {
		t.Errorf("import of a revoked connection: err = %v, want EUNAUTHORIZED", err)
	}
}

type recordingScorer struct {
	calls    atomic.Int32
	from, to time.Time
}

func (s *recordingScorer) RequestScore(_ context.Context, userID string, from, to time.Time) error {
	s.calls.Add(1)
	s.from, s.to = from, to
	return nil
}

func TestImportAsksForScoring(t *testing.T) {
	t.Parallel()
	f := newImportFixture(t)
	conn := f.connect(t, "conn1", "coinbase")
	scorer := &recordingScorer{}
	f.imp = mustImporter(t, broker.ImporterConfig{Store: f.store, Clock: f.clock, Scorer: scorer, Window: 7 * 24 * time.Hour})
	b := newPagedBroker("coinbase", "cb", []string{"fills"}, 12, 1)
	sum, err := f.imp.Import(context.Background(), f.user, conn, b)
	if err != nil {
		t.Fatal(err)
	}
	if scorer.calls.Load() != 1 || !scorer.from.Equal(sum.TouchedFrom) || !scorer.to.Equal(sum.TouchedTo) || sum.TouchedFrom.Before(sum.WindowStart) {
		t.Errorf("scorer: %d calls, [%v, %v), want 1 for the touched [%v, %v)", scorer.calls.Load(), scorer.from, scorer.to, sum.TouchedFrom, sum.TouchedTo)
	}
	// Pages older than the window hold nothing: only the last 7 days are stored. The touched
	// window holds every new trade.
	for _, tr := range f.trades(t) {
		if tr.TS.Before(sum.WindowStart) {
			t.Errorf("trade %s at %v is before the window", tr.ExtID, tr.TS)
		}
		if tr.TS.Before(sum.TouchedFrom) || !tr.TS.Before(sum.TouchedTo) {
			t.Errorf("trade %s at %v is outside the touched window [%v, %v)", tr.ExtID, tr.TS, sum.TouchedFrom, sum.TouchedTo)
		}
	}
	// A re-import stores nothing new and touches nothing.
	again, err := f.imp.Import(context.Background(), f.user, conn, newPagedBroker("coinbase", "cb", []string{"fills"}, 12, 1))
	if err != nil {
		t.Fatal(err)
	}
	if again.Inserted != 0 || !again.TouchedFrom.IsZero() || !again.TouchedTo.IsZero() || scorer.calls.Load() != 1 {
		t.Errorf("re-import: inserted %d, touched [%v, %v), scorer calls %d; want nothing new", again.Inserted, again.TouchedFrom, again.TouchedTo, scorer.calls.Load())
	}
	if sum.Inserted == 0 || sum.Inserted >= 12 {
		t.Errorf("inserted %d, want some but not all of 12", sum.Inserted)
	}
}

func TestImportRejectsWrongConnection(t *testing.T) {
	t.Parallel()
	f := newImportFixture(t)
	conn := f.connect(t, "conn1", "coinbase")
	b := newPagedBroker("coinbase", "cb", []string{"fills"}, 1, 1)
	paused := conn
	paused.Status = coach.ConnectionPaused
	for _, tc := range []struct {
		name string
		user string
		conn coach.BrokerConnection
		src  broker.Broker
		syms []coach.Symbol
		want coach.Code
	}{
		{"another user's connection", "user2", conn, b, nil, coach.EINVALID},
		{"another broker", f.user, conn, newPagedBroker("binance", "x", nil, 0, 0), nil, coach.EINVALID},
		{"paused", f.user, paused, b, nil, coach.ECONFLICT},
		{"bad symbol", f.user, conn, b, []coach.Symbol{"btcusdt"}, coach.EINVALID},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if _, err := f.imp.Import(context.Background(), tc.user, tc.conn, tc.src, tc.syms...); coach.ErrorCode(err) != tc.want {
				t.Errorf("err = %v, want %s", err, tc.want)
			}
		})
	}
	if n := len(f.progress(t)); n != 0 {
		t.Errorf("rejected imports left %d events", n)
	}
}

func TestImportRejectsInvalidFills(t *testing.T) {
	t.Parallel()
	f := newImportFixture(t)
	conn := f.connect(t, "conn1", "coinbase")
	b := newPagedBroker("coinbase", "cb", []string{"fills"}, 1, 3)
	b.pages["fills"][0][1].Qty = dec("0")     // invalid
	b.pages["fills"][0][2].Broker = "binance" // not this connection's broker
	sum, err := f.imp.Import(context.Background(), f.user, conn, b)
	if err != nil {
		t.Fatal(err)
	}
	if sum.Fetched != 3 || sum.Inserted != 1 || sum.Rejected != 2 {
		t.Errorf("summary = %+v, want 3 fetched, 1 inserted, 2 rejected", sum)
	}
}

// faultyStore fails the nth Checkpoints.Put (1-based) made inside a transaction.
type faultyStore struct {
	storage.Store
	failAt int32
	puts   atomic.Int32
}

func (s *faultyStore) InTx(ctx context.Context, fn func(storage.Tx) error) error {
	return s.Store.InTx(ctx, func(tx storage.Tx) error { return fn(faultyTx{Tx: tx, s: s}) })
}

type faultyTx struct {
	storage.Tx
	s *faultyStore
}

func (t faultyTx) Checkpoints() storage.Checkpoints {
	return faultyCheckpoints{t.Tx.Checkpoints(), t.s}
}

type faultyCheckpoints struct {
	storage.Checkpoints
	s *faultyStore
}

func (c faultyCheckpoints) Put(ctx context.Context, userID, connID, scope, value string) error {
	if c.s.puts.Add(1) == c.s.failAt {
		return fmt.Errorf("disk on fire")
	}
	return c.Checkpoints.Put(ctx, userID, connID, scope, value)
}

func TestImportPageCommitsAtomically(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	f := newImportFixture(t)
	conn := f.connect(t, "conn1", "coinbase")
	b := newPagedBroker("coinbase", "cb", []string{"fills"}, 4, 2)
	faulty := &faultyStore{Store: f.store, failAt: 3}
	imp := mustImporter(t, broker.ImporterConfig{Store: faulty, Clock: f.clock})

	sum, err := imp.Import(ctx, f.user, conn, b)
	if coach.ErrorCode(err) != coach.EINTERNAL {
		t.Fatalf("err = %v, want EINTERNAL", err)
	}
	// Page 3's trades were rolled back with its checkpoint and event.
	if sum.Pages != 2 || len(f.trades(t)) != 4 {
		t.Errorf("after a failed page: %d pages in summary, %d trades stored; want 2 and 4", sum.Pages, len(f.trades(t)))
	}
	ps := f.progress(t)
	if diff := cmp.Diff([]string{"started", "fetching", "fetching", "failed"}, phases(ps)); diff != "" {
		t.Errorf("phases (-want +got):\n%s", diff)
	}
	if e := ps[3].Error; e == nil || e.Code != string(coach.EINTERNAL) || e.Message != "internal error" {
		t.Errorf("failed event error = %+v; driver text must not reach events", e)
	}
	b.takeEmitted()
	if _, err := imp.Import(ctx, f.user, conn, b); err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff([]string{"fills:2", "fills:3"}, b.takeEmitted()); diff != "" {
		t.Errorf("resumed pages (-want +got):\n%s", diff)
	}
	if diff := cmp.Diff(extIDs(b.all()), extIDs(f.trades(t))); diff != "" {
		t.Errorf("final trades (-want +got):\n%s", diff)
	}
}

func TestImportCancelledIsRecorded(t *testing.T) {
	t.Parallel()
	f := newImportFixture(t)
	conn := f.connect(t, "conn1", "coinbase")
	ctx, cancel := context.WithCancel(context.Background())
	b := newPagedBroker("coinbase", "cb", []string{"fills"}, 3, 1)
	b.failAfter = 1
	b.failErr = context.Canceled
	cancel()
	// The context is already done: nothing can start.
	if _, err := f.imp.Import(ctx, f.user, conn, b); coach.ErrorCode(err) != coach.ECANCELED || !errors.Is(err, context.Canceled) {
		t.Fatalf("import with a done context: %v (code %q), want canceled", err, coach.ErrorCode(err))
	}
	ctx2, cancel2 := context.WithCancel(context.Background())
	defer cancel2()
	cb := &cancelBroker{pagedBroker: b, cancel: cancel2}
	b.failAfter = 0
	_, err := f.imp.Import(ctx2, f.user, conn, cb)
	if coach.ErrorCode(err) != coach.ECANCELED || !errors.Is(err, context.Canceled) {
		t.Fatalf("cancelled import: %v (code %q), want canceled", err, coach.ErrorCode(err))
	}
	ps := f.progress(t)
	last := ps[len(ps)-1]
	if last.Phase != "failed" || last.Error == nil || last.Error.Code != string(coach.ECANCELED) {
		t.Errorf("last progress after cancel = %+v, want failed/canceled", last)
	}
}

// cancelBroker cancels the import's context after the first page.
type cancelBroker struct {
	*pagedBroker
	cancel func()
}

func (c *cancelBroker) Fills(ctx context.Context, req broker.FillsRequest, emit func(broker.FillPage) error) error {
	return c.pagedBroker.Fills(ctx, req, func(p broker.FillPage) error {
		if err := emit(p); err != nil {
			return err
		}
		c.cancel()
		return ctx.Err()
	})
}

// mustImporter returns broker.NewImporter(cfg) or fails the test.
func mustImporter(t testing.TB, cfg broker.ImporterConfig) *broker.Importer {
	t.Helper()
	imp, err := broker.NewImporter(cfg)
	if err != nil {
		t.Fatal(err)
	}
	return imp
}

// mustCache returns broker.NewCachedMarketData(cfg) or fails the test.
func mustCache(t testing.TB, cfg broker.CacheConfig) *broker.CachedMarketData {
	t.Helper()
	c, err := broker.NewCachedMarketData(cfg)
	if err != nil {
		t.Fatal(err)
	}
	return c
}
