package binance_test

import (
	"context"
	"encoding/json"
	"slices"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/tradecoach/coach"
	"github.com/tradecoach/coach/broker"
	"github.com/tradecoach/coach/broker/binance"
	"github.com/tradecoach/coach/storage"
	"github.com/tradecoach/coach/storage/memory"
)

func sortedExtIDs(ts []coach.Trade) []string {
	out := make([]string, len(ts))
	for i, tr := range ts {
		out[i] = tr.ExtID
	}
	slices.Sort(out)
	return out
}

// TestImportThroughTheClient runs the Binance client under the importer against the fake: 30 days
// over every symbol with a skewed server clock and a rate limit in the middle; a full re-sync
// (every symbol's checkpoint back at the start) that adds no duplicate and revives no deleted
// trade; then a key Binance rejects, which revokes the connection with a failed import.progress
// event.
func TestImportThroughTheClient(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	h := newHarness(t, 3000, nil, func(c *binance.Config) { c.PageSize = 300 })
	h.fake.SetSkew(10 * time.Second)
	h.fake.RateLimitAfter(10, 2, "1")
	store := memory.New(memory.WithClock(h.clock))
	t.Cleanup(func() { store.Close() })
	conn := coach.BrokerConnection{ID: coach.NewID(), UserID: coach.NewID(), Broker: coach.BrokerBinance,
		Status: coach.ConnectionActive, AccessEnc: []byte("sealed-api-secret"), CreatedAt: h.from}
	if err := store.Connections().Create(ctx, conn); err != nil {
		t.Fatal(err)
	}
	imp := mustImporter(t, broker.ImporterConfig{Store: store, Clock: h.clock, Window: 31 * 24 * time.Hour})
	list := func() []coach.Trade {
		ts, err := store.Trades().List(ctx, conn.UserID, storage.TradeFilter{Limit: storage.MaxLimit})
		if err != nil {
			t.Fatal(err)
		}
		return ts
	}

	sum, err := imp.Import(ctx, conn.UserID, conn, h.client)
	if err != nil {
		t.Fatalf("import: %v", err)
	}
	want := h.fake.Trades()
	if sum.Inserted != len(want) || sum.Rejected != 0 {
		t.Errorf("import summary %+v, want %d inserted", sum, len(want))
	}
	if diff := cmp.Diff(sortedExtIDs(want), sortedExtIDs(list())); diff != "" {
		t.Fatalf("stored trades (-fake +stored):\n%s", diff)
	}
	if len(h.waits.all()) < 2 {
		t.Errorf("waits %v: the rate limit was not backed off", h.waits.all())
	}

	victim := list()[42]
	if err := store.Trades().Delete(ctx, conn.UserID, victim.ID); err != nil {
		t.Fatal(err)
	}
	for _, s := range h.syms {
		if err := store.Checkpoints().Put(ctx, conn.UserID, conn.ID, string(s), "id:0:"); err != nil {
			t.Fatal(err)
		}
	}
	again, err := imp.Import(ctx, conn.UserID, conn, h.client)
	if err != nil {
		t.Fatalf("re-import: %v", err)
	}
	if again.Inserted != 0 || again.Skipped != 1 || again.Duplicates != len(want)-1 {
		t.Errorf("re-import summary %+v, want 0 inserted, 1 skipped, %d duplicates", again, len(want)-1)
	}
	after := list()
	if len(after) != len(want)-1 || slices.ContainsFunc(after, func(tr coach.Trade) bool { return tr.ExtID == victim.ExtID }) {
		t.Errorf("after re-import: %d trades, want %d without %s", len(after), len(want)-1, victim.ExtID)
	}

	h.fake.FailNext(1, 401, `{"code":-2015,"msg":"Invalid API-key, IP, or permissions for action."}`)
	_, err = imp.Import(ctx, conn.UserID, conn, h.client)
	if coach.ErrorCode(err) != coach.EUNAUTHORIZED {
		t.Fatalf("import with a rejected key: %v, want EUNAUTHORIZED", err)
	}
	got, err := store.Connections().Get(ctx, conn.UserID, conn.ID)
	if err != nil {
		t.Fatal(err)
	}
	if got.Status != coach.ConnectionRevoked {
		t.Errorf("connection status %q, want revoked", got.Status)
	}
	evs, err := store.Events().Since(ctx, conn.UserID, "", storage.MaxLimit)
	if err != nil {
		t.Fatal(err)
	}
	var p coach.ImportProgressPayload
	if err := json.Unmarshal(evs[len(evs)-1].Payload, &p); err != nil {
		t.Fatal(err)
	}
	if p.Phase != coach.ImportPhaseFailed || p.Error == nil || p.Error.Code != string(coach.EUNAUTHORIZED) {
		t.Errorf("last import.progress %+v, want failed with EUNAUTHORIZED", p)
	}
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
