package broker_test

import (
	"bytes"
	"os"
	"path/filepath"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/tradecoach/coach"
	"github.com/tradecoach/coach/broker"
	"github.com/tradecoach/coach/broker/binance"
	"github.com/tradecoach/coach/broker/coinbase"
)

// said is what the exchange said about a fill, as a trade keeps it.
type said struct {
	ExtID, OrderID, ExchangeTradeID string
	Liquidity                       coach.Liquidity
}

func saidOf(ts []coach.Trade) []said {
	out := make([]said, len(ts))
	for i, t := range ts {
		out[i] = said{t.ExtID, t.OrderID, t.ExchangeTradeID, t.Liquidity}
	}
	return out
}

// TestExchangeFieldsFromEverySource is issue 13's acceptance table: the wire samples of both
// brokers (testdata/brokers, as captured; a sample's liquidity field set to each value it takes)
// and every CSV format give the order id, the exchange's trade id and the liquidity side, where
// the source has them.
func TestExchangeFieldsFromEverySource(t *testing.T) {
	t.Parallel()
	read := func(t *testing.T, path ...string) []byte {
		b, err := os.ReadFile(filepath.Join(path...))
		if err != nil {
			t.Fatal(err)
		}
		return b
	}
	coinbaseFills := func(file, oldIndicator, newIndicator string) func(t *testing.T) ([]coach.Trade, error) {
		return func(t *testing.T) ([]coach.Trade, error) {
			body := read(t, "coinbase", "testdata", file)
			body = bytes.ReplaceAll(body, []byte(`"liquidity_indicator": "`+oldIndicator+`"`), []byte(`"liquidity_indicator": "`+newIndicator+`"`))
			return coinbase.NormalizeFills(body, map[string]coach.Side{"0000-000000-000000": coach.Sell})
		}
	}
	binanceTrades := func(isMaker string) func(t *testing.T) ([]coach.Trade, error) {
		return func(t *testing.T) ([]coach.Trade, error) {
			body := bytes.ReplaceAll(read(t, "binance", "testdata", "binance_mytrades.json"), []byte(`"isMaker": false`), []byte(`"isMaker": `+isMaker))
			return binance.NormalizeTrades(body, "")
		}
	}
	csvFile := func(file string) func(t *testing.T) ([]coach.Trade, error) {
		return func(t *testing.T) ([]coach.Trade, error) {
			res, err := broker.ParseCSV(bytes.NewReader(read(t, "testdata", "csv", file)), broker.CSVOptions{})
			return res.Trades, err
		}
	}
	const unknown = "UNKNOWN_LIQUIDITY_INDICATOR"
	derived := "csv-" // a derived ExtID, compared by its prefix
	for _, tc := range []struct {
		name   string
		source func(t *testing.T) ([]coach.Trade, error)
		want   []said
	}{
		{"Coinbase List Fills (2026 docs)", coinbaseFills("coinbase_fills.json", unknown, unknown),
			[]said{{"22222-2222222-22222222", "0000-000000-000000", "1111-11111-111111", ""}}},
		{"Coinbase List Fills, maker", coinbaseFills("coinbase_fills.json", unknown, "MAKER"),
			[]said{{"22222-2222222-22222222", "0000-000000-000000", "1111-11111-111111", coach.Maker}}},
		{"Coinbase List Fills (older docs), taker", coinbaseFills("coinbase_fills_docs_variant_side_BUY.json", unknown, "TAKER"),
			[]said{{"22222-2222222-22222222", "0000-000000-000000", "1111-11111-111111", coach.Taker}}},
		{"Coinbase List Fills (ccxt's sample)", coinbaseFills("coinbase_fills_ccxt_sample.json", unknown, unknown),
			[]said{{"b88b82cc89e326a2778874795102cbafd08dd979a2a7a3c69603fc4c23c2e010", "813a53c5-3e39-47bb-863d-2faf685d22d8", "cdc39e45-bbd3-44ec-bf02-61742dfb16a1", ""}}},
		{"Binance myTrades (taker)", binanceTrades("false"), []said{{"BNBBTC:28457:B", "100234", "28457", coach.Taker}}},
		{"Binance myTrades, maker", binanceTrades("true"), []said{{"BNBBTC:28457:B", "100234", "28457", coach.Maker}}},
		{"CSV generic with the exchange columns", csvFile("generic_exchange.csv"), []said{
			{derived, "813a53c5-3e39-47bb-863d-2faf685d22d8", "cdc39e45-bbd3-44ec-bf02-61742dfb16a1", coach.Maker},
			{derived, "100234", "28457", coach.Taker},
			{derived, "100235", "28457", coach.Maker},
			{"mine-7", "", "", ""},
		}},
		{"CSV generic without them", csvFile("generic.csv"), []said{{"ord-1", "", "", ""}, {derived, "", "", ""}, {derived, "", "", ""}}},
		{"CSV Coinbase fills statement (trade id only)", csvFile("coinbase_fills.csv"), []said{
			{"ETH-BTC:123", "", "123", ""}, {"ETH-BTC:124", "", "124", ""},
			{"8a1f3c2e-7b9d-4e11-9c3a-2f6d5e4b3a21", "", "8a1f3c2e-7b9d-4e11-9c3a-2f6d5e4b3a21", ""},
			{"BTC-USD:901", "", "901", ""},
		}},
		{"CSV Coinbase transactions (none)", csvFile("coinbase_transactions.csv"), []said{
			{"65a1b2c3d4e5f6a7b8c9d0e1", "", "", ""}, {"65a1b2c3d4e5f6a7b8c9d0e3", "", "", ""},
		}},
		{"CSV Binance trade history (none)", csvFile("binance_trades.csv"), []said{{derived, "", "", ""}, {derived, "", "", ""}, {derived, "", "", ""}}},
		{"CSV Binance legacy (none)", csvFile("binance_legacy.csv"), []said{{derived, "", "", ""}, {derived, "", "", ""}}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			trades, err := tc.source(t)
			if err != nil {
				t.Fatal(err)
			}
			got := saidOf(trades)
			for i := range got {
				if i < len(tc.want) && tc.want[i].ExtID == derived && len(got[i].ExtID) == 36 && got[i].ExtID[:4] == derived {
					got[i].ExtID = derived
				}
			}
			if diff := cmp.Diff(tc.want, got); diff != "" {
				t.Errorf("(-want +got):\n%s", diff)
			}
		})
	}
}
