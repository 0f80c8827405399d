package binance_test

import (
	"bytes"
	"context"
	"encoding/csv"
	"slices"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/tradecoach/coach"
	"github.com/tradecoach/coach/broker"
	"github.com/tradecoach/coach/storage"
	"github.com/tradecoach/coach/storage/memory"
	"github.com/tradecoach/coach/storage/postgres/postgrestest"
)

// genericFile writes trades as the generic trade file, with the exchange's ids and liquidity
// columns (what a ccxt fetchMyTrades dump holds as order, id and takerOrMaker) and no extId.
func genericFile(t *testing.T, trades []coach.Trade) []byte {
	t.Helper()
	var b bytes.Buffer
	w := csv.NewWriter(&b)
	_ = w.Write([]string{"ts", "symbol", "side", "qty", "price", "fee", "feeAsset", "orderId", "exchangeTradeId", "liquidity"})
	for _, tr := range trades {
		_ = w.Write([]string{tr.TS.Format(time.RFC3339Nano), string(tr.Symbol), string(tr.Side), tr.Qty.String(), tr.Price.String(),
			tr.Fee.Decimal.String(), tr.FeeAsset, tr.OrderID, tr.ExchangeTradeID, string(tr.Liquidity)})
	}
	w.Flush()
	if err := w.Error(); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

// TestImportFileThenAPIStoresEachFillOnce: Binance's own exports carry no trade id, so a file
// that is to meet the API's fills is a generic one with the exchangeTradeId column, imported as
// Binance's (CSVOptions.Broker "binance"). Its fills, then the API's (ExtIDs "SYMBOL:id:B|S"), are
// stored once each — both sides of a self-trade, which share one id, kept apart — on memory and
// Postgres.
func TestImportFileThenAPIStoresEachFillOnce(t *testing.T) {
	t.Parallel()
	for _, st := range []struct {
		name string
		new  func(*testing.T, coach.Clock) storage.Store
	}{
		{"memory", func(t *testing.T, clock coach.Clock) storage.Store {
			s := memory.New(memory.WithClock(clock))
			t.Cleanup(func() { s.Close() })
			return s
		}},
		{"postgres", func(t *testing.T, _ coach.Clock) storage.Store { return postgrestest.MustOpenTestDB(t) }},
	} {
		t.Run(st.name, func(t *testing.T) {
			t.Parallel()
			ctx := context.Background()
			h := newHarness(t, 300, nil, nil)
			want := h.fake.Trades()
			selfTrades := 0
			for i := 1; i < len(want); i++ {
				if want[i].ExchangeTradeID == want[i-1].ExchangeTradeID && want[i].Symbol == want[i-1].Symbol {
					selfTrades++
				}
			}
			if selfTrades == 0 {
				t.Fatal("no self-trade among the fills; change the seed")
			}
			store := st.new(t, h.clock)
			user := coach.User{ID: coach.NewID(), Email: coach.NewID() + "@example.com", CreatedAt: h.from}
			if err := store.Users().Create(ctx, user); err != nil {
				t.Fatal(err)
			}
			conn := coach.BrokerConnection{ID: coach.NewID(), UserID: user.ID, Broker: coach.BrokerBinance,
				Status: coach.ConnectionActive, AccessEnc: []byte("sealed-api-secret"), CreatedAt: h.from}
			if err := store.Connections().Create(ctx, conn); err != nil {
				t.Fatal(err)
			}

			res, err := broker.ParseCSV(bytes.NewReader(genericFile(t, want[:200])), broker.CSVOptions{Broker: coach.BrokerBinance})
			if err != nil {
				t.Fatalf("ParseCSV: %v (%+v)", err, res.Errors)
			}
			up, err := store.Trades().Upsert(ctx, user.ID, res.Trades)
			if err != nil {
				t.Fatal(err)
			}
			if up != (storage.UpsertResult{Inserted: 200}) {
				t.Fatalf("upload %+v, want 200 inserted", up)
			}

			imp := mustImporter(t, broker.ImporterConfig{Store: store, Clock: h.clock, Window: 31 * 24 * time.Hour})
			sum, err := imp.Import(ctx, user.ID, conn, h.client)
			if err != nil {
				t.Fatalf("import: %v", err)
			}
			if sum.Inserted != len(want)-200 || sum.Duplicates != 200 || sum.Rejected != 0 {
				t.Errorf("import summary %+v, want %d inserted and 200 duplicates", sum, len(want)-200)
			}
			stored, err := store.Trades().List(ctx, user.ID, storage.TradeFilter{Limit: storage.MaxLimit})
			if err != nil {
				t.Fatal(err)
			}
			keys := func(ts []coach.Trade) []string {
				out := make([]string, len(ts))
				for i, tr := range ts {
					out[i] = tr.ExchangeKey()
				}
				slices.Sort(out)
				return out
			}
			if diff := cmp.Diff(keys(want), keys(stored)); diff != "" {
				t.Errorf("stored fills by exchange key (-want +got):\n%s", diff)
			}
		})
	}
}
