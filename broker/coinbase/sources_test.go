package coinbase_test

import (
	"bytes"
	"context"
	"slices"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/tradecoach/coach"
	"github.com/tradecoach/coach/broker"
	"github.com/tradecoach/coach/storage"
	"github.com/tradecoach/coach/storage/memory"
	"github.com/tradecoach/coach/storage/postgres/postgrestest"
)

// sourceStores are the adapters the cross-source acceptance runs on.
var sourceStores = []struct {
	name string
	new  func(*testing.T, coach.Clock) storage.Store
}{
	{"memory", func(t *testing.T, clock coach.Clock) storage.Store {
		s := memory.New(memory.WithClock(clock))
		t.Cleanup(func() { s.Close() })
		return s
	}},
	{"postgres", func(t *testing.T, _ coach.Clock) storage.Store { return postgrestest.MustOpenTestDB(t) }},
}

// statementTrades parses the fake's fills statement as a user's upload would be.
func statementTrades(t *testing.T, r *importRig) []coach.Trade {
	t.Helper()
	res, err := broker.ParseCSV(bytes.NewReader(r.fake.FillsStatement()), broker.CSVOptions{})
	if err != nil {
		t.Fatalf("ParseCSV: %v (%+v)", err, res.Errors)
	}
	if res.Format != broker.CSVCoinbaseFills {
		t.Fatalf("format %q, want %q", res.Format, broker.CSVCoinbaseFills)
	}
	return res.Trades
}

// exchangeTradeIDs returns the trades' exchange trade ids, sorted.
func exchangeTradeIDs(ts []coach.Trade) []string {
	out := make([]string, len(ts))
	for i, tr := range ts {
		out[i] = tr.ExchangeTradeID
	}
	slices.Sort(out)
	return out
}

// TestImportFileThenAPIStoresEachFillOnce is issue 13's acceptance: the fills of a Coinbase
// account uploaded as the fills statement and then imported through List Fills (whose ExtIDs,
// entry_ids, differ from the statement's trade ids) are stored once each, by their trade id; a
// fill the user deleted after the upload is not revived by the API; and re-running either source
// stores nothing. Run on memory and Postgres.
func TestImportFileThenAPIStoresEachFillOnce(t *testing.T) {
	t.Parallel()
	for _, st := range sourceStores {
		t.Run(st.name, func(t *testing.T) {
			t.Parallel()
			ctx := context.Background()
			r := newImportRigOn(t, 400, st.new)
			want := r.fake.Trades()
			file := statementTrades(t, r)
			if len(file) != len(want) {
				t.Fatalf("the statement has %d fills, the API %d", len(file), len(want))
			}
			// The user uploads the older three quarters of the statement, then deletes one fill.
			upload := file[:300]
			res, err := r.store.Trades().Upsert(ctx, r.conn.UserID, upload)
			if err != nil {
				t.Fatal(err)
			}
			if res != (storage.UpsertResult{Inserted: 300}) {
				t.Fatalf("upload %+v, want 300 inserted", res)
			}
			victim := r.stored(t)[42]
			if err := r.store.Trades().Delete(ctx, r.conn.UserID, victim.ID); err != nil {
				t.Fatal(err)
			}

			sum, err := r.imp.Import(ctx, r.conn.UserID, r.conn, r.client)
			if err != nil {
				t.Fatalf("import: %v", err)
			}
			if sum.Fetched != len(want) || sum.Inserted != 100 || sum.Duplicates != 299 || sum.Skipped != 1 || sum.Rejected != 0 {
				t.Errorf("import summary %+v, want %d fetched: 100 inserted, 299 duplicates, 1 skipped", sum, len(want))
			}
			stored := r.stored(t)
			var wantIDs []string
			for _, w := range want {
				if w.ExchangeTradeID != victim.ExchangeTradeID {
					wantIDs = append(wantIDs, w.ExchangeTradeID)
				}
			}
			slices.Sort(wantIDs)
			if diff := cmp.Diff(wantIDs, exchangeTradeIDs(stored)); diff != "" {
				t.Fatalf("stored fills by trade id (-want +got):\n%s", diff)
			}
			// The uploaded fills stay as the file had them; the API's own carry its order ids and
			// liquidity.
			fromFile, fromAPI := 0, 0
			for _, tr := range stored {
				switch {
				case tr.ExtID == tr.ExchangeTradeID && tr.OrderID == "" && tr.Liquidity == "":
					fromFile++
				case tr.ExtID != tr.ExchangeTradeID && tr.OrderID != "":
					fromAPI++
				default:
					t.Errorf("trade %+v is neither the file's nor the API's", tr)
				}
			}
			if fromFile != 299 || fromAPI != 100 {
				t.Errorf("%d trades from the file and %d from the API, want 299 and 100", fromFile, fromAPI)
			}

			// Both sources again: nothing new, the deleted fill still deleted.
			res, err = r.store.Trades().Upsert(ctx, r.conn.UserID, file)
			if err != nil {
				t.Fatal(err)
			}
			if res != (storage.UpsertResult{Unchanged: 399, Skipped: 1}) {
				t.Errorf("upload of the whole statement %+v, want 399 unchanged, 1 skipped", res)
			}
			if n, err := r.store.Trades().Count(ctx, r.conn.UserID); err != nil || n != 399 {
				t.Errorf("Count = %d, %v; want 399", n, err)
			}
		})
	}
}

// TestImportAPIThenFileStoresEachFillOnce: the other way round, the API first and then the
// statement, which adds nothing.
func TestImportAPIThenFileStoresEachFillOnce(t *testing.T) {
	t.Parallel()
	for _, st := range sourceStores {
		t.Run(st.name, func(t *testing.T) {
			t.Parallel()
			ctx := context.Background()
			r := newImportRigOn(t, 250, st.new)
			sum, err := r.imp.Import(ctx, r.conn.UserID, r.conn, r.client)
			if err != nil {
				t.Fatalf("import: %v", err)
			}
			if sum.Inserted != 250 {
				t.Fatalf("import summary %+v, want 250 inserted", sum)
			}
			before := r.stored(t)
			res, err := r.store.Trades().Upsert(ctx, r.conn.UserID, statementTrades(t, r))
			if err != nil {
				t.Fatal(err)
			}
			if res != (storage.UpsertResult{Unchanged: 250}) {
				t.Errorf("upload %+v, want 250 unchanged", res)
			}
			if diff := cmp.Diff(before, r.stored(t)); diff != "" {
				t.Errorf("stored trades changed by the upload (-before +after):\n%s", diff)
			}
		})
	}
}
