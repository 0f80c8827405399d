package ledger_test

import (
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/shopspring/decimal"

	"github.com/tradecoach/coach"
	"github.com/tradecoach/coach/ledger"
)

// t0 is a Monday morning, UTC.
var t0 = time.Date(2026, 3, 2, 10, 0, 0, 0, time.UTC)

// at returns t0 plus h hours.
func at(h float64) time.Time { return t0.Add(time.Duration(h * float64(time.Hour))) }

func d(s string) decimal.Decimal { return decimal.RequireFromString(s) }

// fill returns a Binance fill of user u1 whose ID and ExtID are id. fee is "" for a zero fee, "?"
// for an unknown (null) one, or "AMOUNT ASSET".
func fill(id string, side coach.Side, sym coach.Symbol, qty, price string, h float64, fee string) coach.Trade {
	t := coach.Trade{
		ID: id, UserID: "u1", Broker: "binance", ExtID: id, Symbol: sym, Side: side,
		Qty: d(qty), Price: d(price), TS: at(h),
		Fee: decimal.NewNullDecimal(decimal.Zero),
	}
	switch {
	case fee == "?":
		t.Fee = decimal.NullDecimal{}
	case fee != "":
		amt, asset, _ := strings.Cut(fee, " ")
		t.Fee, t.FeeAsset = decimal.NewNullDecimal(d(amt)), asset
	}
	return t
}

const (
	btc coach.Symbol = "BTC-USDT"
	eth coach.Symbol = "ETH-BTC"
	buy              = coach.Buy
	sel              = coach.Sell
)

// errorCodes compares errors by their code: messages are for people and checked elsewhere.
var errorCodes = cmp.Comparer(func(a, b error) bool { return coach.ErrorCode(a) == coach.ErrorCode(b) })

// bnbAt converts BNB to USDT at 5 until t0+30min and at 6 from t0+30min to t0+90min; it knows
// no other price.
func bnbAt(asset, quote string, ts time.Time) (decimal.Decimal, bool) {
	if asset != "BNB" || quote != "USDT" {
		return decimal.Decimal{}, false
	}
	switch {
	case ts.Before(at(0.5)):
		return d("5"), true
	case ts.Before(at(1.5)):
		return d("6"), true
	}
	return decimal.Decimal{}, false
}

func invalid(id string, sym coach.Symbol, skipped bool) ledger.TradeError {
	return ledger.TradeError{TradeID: id, Symbol: sym, Skipped: skipped, Err: coach.Errorf(coach.EINVALID, "")}
}

func TestLedgerApply(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name    string
		method  ledger.CostMethod
		prices  ledger.PriceLookup
		fills   []coach.Trade
		want    ledger.Result
		wantErr coach.Code
	}{
		{
			name: "round trip without fees",
			fills: []coach.Trade{
				fill("b1", buy, btc, "1", "100", 0, ""),
				fill("s1", sel, btc, "1", "110", 2, ""),
			},
			want: ledger.Result{Realized: []ledger.Realized{{
				TradeID: "s1", Symbol: btc, ClosedAt: at(2), OpenedAt: at(0), HoldingPeriod: 2 * time.Hour,
				Qty: d("1"), Price: d("110"), Proceeds: d("110"), CostBasis: d("100"), Fees: d("0"), PnL: d("10"),
			}}},
		},
		{
			name: "partial fills of one order match across lots",
			fills: []coach.Trade{
				fill("b1", buy, btc, "0.4", "100", 0, ""),
				fill("b2", buy, btc, "0.6", "100", 0, ""),
				fill("s1", sel, btc, "0.25", "120", 4, ""),
				fill("s2", sel, btc, "0.25", "120", 4, ""),
			},
			want: ledger.Result{
				Realized: []ledger.Realized{
					{TradeID: "s1", Symbol: btc, ClosedAt: at(4), OpenedAt: at(0), HoldingPeriod: 4 * time.Hour,
						Qty: d("0.25"), Price: d("120"), Proceeds: d("30"), CostBasis: d("25"), Fees: d("0"), PnL: d("5")},
					{TradeID: "s2", Symbol: btc, ClosedAt: at(4), OpenedAt: at(0), HoldingPeriod: 4 * time.Hour,
						Qty: d("0.25"), Price: d("120"), Proceeds: d("30"), CostBasis: d("25"), Fees: d("0"), PnL: d("5")},
				},
				Lots: []ledger.Lot{{Symbol: btc, TradeID: "b2", OpenedAt: at(0), Qty: d("0.5"), Price: d("100"), CostBasis: d("50"), Fees: d("0")}},
			},
		},
		{
			name: "FIFO takes the oldest lots first and weights the holding period by quantity",
			fills: []coach.Trade{
				fill("b1", buy, btc, "1", "100", 0, ""),
				fill("b2", buy, btc, "1", "200", 3, ""),
				fill("s1", sel, btc, "1.5", "300", 6, ""),
				fill("s2", sel, btc, "0.5", "100", 7, ""),
			},
			want: ledger.Result{Realized: []ledger.Realized{
				{TradeID: "s1", Symbol: btc, ClosedAt: at(6), OpenedAt: at(0), HoldingPeriod: 5 * time.Hour,
					Qty: d("1.5"), Price: d("300"), Proceeds: d("450"), CostBasis: d("200"), Fees: d("0"), PnL: d("250")},
				{TradeID: "s2", Symbol: btc, ClosedAt: at(7), OpenedAt: at(3), HoldingPeriod: 4 * time.Hour,
					Qty: d("0.5"), Price: d("100"), Proceeds: d("50"), CostBasis: d("100"), Fees: d("0"), PnL: d("-50")},
			}},
		},
		{
			name: "fee in the quote asset, entry fee pro-rated to the matched part",
			fills: []coach.Trade{
				fill("b1", buy, btc, "2", "100", 0, "0.2 USDT"),
				fill("s1", sel, btc, "0.5", "120", 1, "0.06 USDT"),
				fill("s2", sel, btc, "1.5", "90", 2, "0.135 USDT"),
			},
			want: ledger.Result{Realized: []ledger.Realized{
				{TradeID: "s1", Symbol: btc, ClosedAt: at(1), OpenedAt: at(0), HoldingPeriod: time.Hour,
					Qty: d("0.5"), Price: d("120"), Proceeds: d("60"), CostBasis: d("50"), Fees: d("0.11"), PnL: d("9.89")},
				{TradeID: "s2", Symbol: btc, ClosedAt: at(2), OpenedAt: at(0), HoldingPeriod: 2 * time.Hour,
					Qty: d("1.5"), Price: d("90"), Proceeds: d("135"), CostBasis: d("150"), Fees: d("0.285"), PnL: d("-15.285")},
			}},
		},
		{
			name: "fee in the base asset on a buy shrinks the lot",
			fills: []coach.Trade{
				fill("b1", buy, btc, "1", "100", 0, "0.001 BTC"),
				fill("s1", sel, btc, "0.5", "110", 1, "0.055 USDT"),
			},
			want: ledger.Result{
				Realized: []ledger.Realized{{TradeID: "s1", Symbol: btc, ClosedAt: at(1), OpenedAt: at(0), HoldingPeriod: time.Hour,
					Qty: d("0.5"), Price: d("110"), Proceeds: d("55"), CostBasis: d("50"),
					Fees: d("0.105050050050"), PnL: d("4.894949949950")}},
				Lots: []ledger.Lot{{Symbol: btc, TradeID: "b1", OpenedAt: at(0), Qty: d("0.499"), Price: d("100"), CostBasis: d("49.9"), Fees: d("0.04994994995")}},
			},
		},
		{
			name: "fee in the base asset on a sell leaves the position too",
			fills: []coach.Trade{
				fill("b1", buy, btc, "2", "100", 0, ""),
				fill("s1", sel, btc, "1", "110", 1, "0.001 BTC"),
			},
			want: ledger.Result{
				Realized: []ledger.Realized{{TradeID: "s1", Symbol: btc, ClosedAt: at(1), OpenedAt: at(0), HoldingPeriod: time.Hour,
					Qty: d("1.001"), Price: d("110"), Proceeds: d("110.11"), CostBasis: d("100.1"), Fees: d("0.11"), PnL: d("9.9")}},
				Lots: []ledger.Lot{{Symbol: btc, TradeID: "b1", OpenedAt: at(0), Qty: d("0.999"), Price: d("100"), CostBasis: d("99.9"), Fees: d("0")}},
			},
		},
		{
			name:   "fee in a third asset converted at the fill's time",
			prices: bnbAt,
			fills: []coach.Trade{
				fill("b1", buy, btc, "1", "100", 0, "0.01 BNB"),
				fill("s1", sel, btc, "1", "110", 1, "0.02 BNB"),
			},
			want: ledger.Result{Realized: []ledger.Realized{{TradeID: "s1", Symbol: btc, ClosedAt: at(1), OpenedAt: at(0), HoldingPeriod: time.Hour,
				Qty: d("1"), Price: d("110"), Proceeds: d("110"), CostBasis: d("100"), Fees: d("0.17"), PnL: d("9.83")}}},
		},
		{
			name:   "an unconvertible fee is an error, never a silent zero",
			prices: bnbAt,
			fills: []coach.Trade{
				fill("b1", buy, btc, "1", "100", 0, "0.01 BNB"),
				fill("s1", sel, btc, "1", "110", 2, "0.02 BNB"),
			},
			want: ledger.Result{
				Realized: []ledger.Realized{{TradeID: "s1", Symbol: btc, ClosedAt: at(2), OpenedAt: at(0), HoldingPeriod: 2 * time.Hour,
					Qty: d("1"), Price: d("110"), Proceeds: d("110"), CostBasis: d("100"), Fees: d("0.05"), PnL: d("9.95"), FeesUnknown: true}},
				Errors: []ledger.TradeError{invalid("s1", btc, false)},
			},
			wantErr: coach.EINVALID,
		},
		{
			name: "without a price lookup every third-asset fee is an error",
			fills: []coach.Trade{
				fill("b1", buy, btc, "1", "100", 0, "0.01 BNB"),
				fill("b2", buy, btc, "1", "100", 0, "0.01 USDT"),
			},
			want: ledger.Result{
				Lots: []ledger.Lot{
					{Symbol: btc, TradeID: "b1", OpenedAt: at(0), Qty: d("1"), Price: d("100"), CostBasis: d("100"), Fees: d("0"), FeesUnknown: true},
					{Symbol: btc, TradeID: "b2", OpenedAt: at(0), Qty: d("1"), Price: d("100"), CostBasis: d("100"), Fees: d("0.01")},
				},
				Errors: []ledger.TradeError{invalid("b1", btc, false)},
			},
			wantErr: coach.EINVALID,
		},
		{
			name: "an unknown fee counts as zero and is reported",
			fills: []coach.Trade{
				fill("b1", buy, btc, "1", "100", 0, "?"),
				fill("b2", buy, btc, "1", "100", 0.5, "0.1 USDT"),
				fill("s1", sel, btc, "1", "110", 1, "0.11 USDT"),
				fill("b3", buy, btc, "1", "100", 2, "?"),
			},
			want: ledger.Result{
				Realized: []ledger.Realized{{TradeID: "s1", Symbol: btc, ClosedAt: at(1), OpenedAt: at(0), HoldingPeriod: time.Hour,
					Qty: d("1"), Price: d("110"), Proceeds: d("110"), CostBasis: d("100"), Fees: d("0.11"), PnL: d("9.89"), FeesUnknown: true}},
				Lots: []ledger.Lot{
					{Symbol: btc, TradeID: "b2", OpenedAt: at(0.5), Qty: d("1"), Price: d("100"), CostBasis: d("100"), Fees: d("0.1")},
					{Symbol: btc, TradeID: "b3", OpenedAt: at(2), Qty: d("1"), Price: d("100"), CostBasis: d("100"), Fees: d("0"), FeesUnknown: true},
				},
				UnknownFees: []string{"b1", "b3"},
			},
		},
		{
			name: "selling more than is known is reported as uncovered, without P/L",
			fills: []coach.Trade{
				fill("s0", sel, btc, "0.3", "90", 0, "0.027 USDT"),
				fill("b1", buy, btc, "1", "100", 1, ""),
				fill("s1", sel, btc, "1.5", "110", 2, "0.15 USDT"),
				fill("s2", sel, btc, "0.2", "120", 3, "?"),
			},
			want: ledger.Result{
				Realized: []ledger.Realized{{TradeID: "s1", Symbol: btc, ClosedAt: at(2), OpenedAt: at(1), HoldingPeriod: time.Hour,
					Qty: d("1"), Price: d("110"), Proceeds: d("110"), CostBasis: d("100"), Fees: d("0.1"), PnL: d("9.9")}},
				Uncovered: []ledger.Uncovered{
					{TradeID: "s0", Symbol: btc, At: at(0), Qty: d("0.3"), Price: d("90"), Proceeds: d("27"), Fees: d("0.027")},
					{TradeID: "s1", Symbol: btc, At: at(2), Qty: d("0.5"), Price: d("110"), Proceeds: d("55"), Fees: d("0.05")},
					{TradeID: "s2", Symbol: btc, At: at(3), Qty: d("0.2"), Price: d("120"), Proceeds: d("24"), Fees: d("0"), FeesUnknown: true},
				},
				UnknownFees: []string{"s2"},
			},
		},
		{
			name:   "average cost pools the buys",
			method: ledger.AverageCost,
			fills: []coach.Trade{
				fill("b1", buy, btc, "1", "100", 0, "1 USDT"),
				fill("b2", buy, btc, "2", "130", 3, "2 USDT"),
				fill("s1", sel, btc, "1.5", "150", 6, "1.5 USDT"),
			},
			want: ledger.Result{
				Method: ledger.AverageCost,
				Realized: []ledger.Realized{{TradeID: "s1", Symbol: btc, ClosedAt: at(6), OpenedAt: at(0), HoldingPeriod: 4 * time.Hour,
					Qty: d("1.5"), Price: d("150"), Proceeds: d("225"), CostBasis: d("180"), Fees: d("3"), PnL: d("42")}},
				Lots: []ledger.Lot{{Symbol: btc, OpenedAt: at(0), Qty: d("1.5"), Price: d("120"), CostBasis: d("180"), Fees: d("1.5")}},
			},
		},
		{
			name:   "average cost rounds each part and gives the last sale the remainder",
			method: ledger.AverageCost,
			fills: []coach.Trade{
				fill("b1", buy, btc, "3", "100", 0, "1 USDT"),
				fill("s1", sel, btc, "1", "100", 1, ""),
				fill("s2", sel, btc, "2", "100", 2, ""),
			},
			want: ledger.Result{
				Method: ledger.AverageCost,
				Realized: []ledger.Realized{
					{TradeID: "s1", Symbol: btc, ClosedAt: at(1), OpenedAt: at(0), HoldingPeriod: time.Hour,
						Qty: d("1"), Price: d("100"), Proceeds: d("100"), CostBasis: d("100"), Fees: d("0.333333333333"), PnL: d("-0.333333333333")},
					{TradeID: "s2", Symbol: btc, ClosedAt: at(2), OpenedAt: at(0), HoldingPeriod: 2 * time.Hour,
						Qty: d("2"), Price: d("100"), Proceeds: d("200"), CostBasis: d("200"), Fees: d("0.666666666667"), PnL: d("-0.666666666667")},
				},
			},
		},
		{
			name:   "average cost reports an oversell like FIFO",
			method: ledger.AverageCost,
			fills: []coach.Trade{
				fill("b1", buy, btc, "1", "100", 0, ""),
				fill("s1", sel, btc, "1.5", "110", 2, "0.15 USDT"),
			},
			want: ledger.Result{
				Method: ledger.AverageCost,
				Realized: []ledger.Realized{{TradeID: "s1", Symbol: btc, ClosedAt: at(2), OpenedAt: at(0), HoldingPeriod: 2 * time.Hour,
					Qty: d("1"), Price: d("110"), Proceeds: d("110"), CostBasis: d("100"), Fees: d("0.1"), PnL: d("9.9")}},
				Uncovered: []ledger.Uncovered{{TradeID: "s1", Symbol: btc, At: at(2), Qty: d("0.5"), Price: d("110"), Proceeds: d("55"), Fees: d("0.05")}},
			},
		},
		{
			name: "symbols are matched separately and figures stay in their quote asset",
			fills: []coach.Trade{
				fill("b1", buy, btc, "1", "100", 0, ""),
				fill("b2", buy, eth, "10", "0.05", 0, "0.0005 BTC"),
				fill("s1", sel, eth, "5", "0.06", 1, ""),
				fill("s2", sel, btc, "0.5", "120", 2, ""),
			},
			want: ledger.Result{
				Realized: []ledger.Realized{
					{TradeID: "s1", Symbol: eth, ClosedAt: at(1), OpenedAt: at(0), HoldingPeriod: time.Hour,
						Qty: d("5"), Price: d("0.06"), Proceeds: d("0.3"), CostBasis: d("0.25"), Fees: d("0.00025"), PnL: d("0.04975")},
					{TradeID: "s2", Symbol: btc, ClosedAt: at(2), OpenedAt: at(0), HoldingPeriod: 2 * time.Hour,
						Qty: d("0.5"), Price: d("120"), Proceeds: d("60"), CostBasis: d("50"), Fees: d("0"), PnL: d("10")},
				},
				Lots: []ledger.Lot{
					{Symbol: btc, TradeID: "b1", OpenedAt: at(0), Qty: d("0.5"), Price: d("100"), CostBasis: d("50"), Fees: d("0")},
					{Symbol: eth, TradeID: "b2", OpenedAt: at(0), Qty: d("5"), Price: d("0.05"), CostBasis: d("0.25"), Fees: d("0.00025")},
				},
			},
		},
		{
			name: "fills the ledger cannot use are skipped and reported",
			fills: func() []coach.Trade {
				noQty := fill("x1", buy, btc, "0", "100", 0, "")
				badSym := fill("x2", buy, "btcusdt", "1", "100", 0, "")
				negFee := fill("x3", buy, btc, "1", "100", 0, "-0.1 USDT")
				allFee := fill("x4", buy, btc, "1", "100", 0, "1 BTC")
				noAsset := fill("x5", buy, btc, "1", "100", 0, "0.1 USDT")
				noAsset.FeeAsset = ""
				badSide := fill("x6", "HOLD", btc, "1", "100", 0, "")
				noPrice := fill("x7", sel, btc, "1", "-1", 0, "")
				return []coach.Trade{noQty, badSym, negFee, allFee, noAsset, badSide, noPrice, fill("b1", buy, btc, "1", "100", 0, "")}
			}(),
			want: ledger.Result{
				Lots: []ledger.Lot{{Symbol: btc, TradeID: "b1", OpenedAt: at(0), Qty: d("1"), Price: d("100"), CostBasis: d("100"), Fees: d("0")}},
				Errors: []ledger.TradeError{
					invalid("x1", btc, true), invalid("x2", "btcusdt", true), invalid("x3", btc, true), invalid("x4", btc, true),
					invalid("x5", btc, true), invalid("x6", btc, true), invalid("x7", btc, true),
				},
			},
			wantErr: coach.EINVALID,
		},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			l := ledger.New(tc.method)
			l.FeePrices = tc.prices
			got, err := l.Apply(tc.fills)
			if code := coach.ErrorCode(err); code != tc.wantErr {
				t.Fatalf("Apply error code = %q (%v), want %q", code, err, tc.wantErr)
			}
			if diff := cmp.Diff(&tc.want, got, errorCodes); diff != "" {
				t.Errorf("result (-want +got):\n%s", diff)
			}
		})
	}
}

func TestLedgerApplyIgnoresInputOrder(t *testing.T) {
	t.Parallel()
	fills := []coach.Trade{
		fill("b1", buy, btc, "1", "100", 0, "0.1 USDT"),
		fill("b2", buy, btc, "1", "101", 0, "0.001 BTC"),
		fill("b3", buy, eth, "2", "0.05", 0, ""),
		fill("s1", sel, btc, "1.5", "110", 1, "0.2 USDT"),
		fill("s2", sel, eth, "1", "0.06", 1, ""),
		fill("s3", sel, btc, "0.2", "120", 1, ""),
	}
	want, err := ledger.New(ledger.FIFO).Apply(fills)
	if err != nil {
		t.Fatal(err)
	}
	reversed := make([]coach.Trade, len(fills))
	for i, f := range fills {
		reversed[len(fills)-1-i] = f
	}
	got, err := ledger.New(ledger.FIFO).Apply(reversed)
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("reversed input (-in order +reversed):\n%s", diff)
	}
	if reversed[0].ID != "s3" {
		t.Errorf("Apply reordered its input: first fill is %s", reversed[0].ID)
	}
}

func TestLedgerApplyRejects(t *testing.T) {
	t.Parallel()
	if _, err := (&ledger.Ledger{Method: 7}).Apply(nil); coach.ErrorCode(err) != coach.EINVALID {
		t.Errorf("unknown method: error %v, want EINVALID", err)
	}
	other := fill("b2", buy, btc, "1", "100", 0, "")
	other.UserID = "u2"
	r, err := ledger.New(ledger.FIFO).Apply([]coach.Trade{fill("b1", buy, btc, "1", "100", 0, ""), other})
	if coach.ErrorCode(err) != coach.EINVALID || r != nil {
		t.Errorf("two users: result %v, error %v; want nil, EINVALID", r, err)
	}
	r, err = ledger.New(ledger.FIFO).Apply(nil)
	if err != nil || len(r.Realized)+len(r.Lots)+len(r.Uncovered) != 0 {
		t.Errorf("no fills: result %+v, error %v; want an empty result", r, err)
	}
}

func TestLedgerErrorMessages(t *testing.T) {
	t.Parallel()
	_, err := ledger.New(ledger.FIFO).Apply([]coach.Trade{
		fill("b1", buy, btc, "1", "100", 0, "0.01 BNB"),
		fill("b2", buy, btc, "0", "100", 0, ""),
	})
	msg := coach.ErrorMessage(err)
	for _, want := range []string{"2 fill(s)", "trade b1", "no price of BNB in USDT"} {
		if !strings.Contains(msg, want) {
			t.Errorf("message %q does not say %q", msg, want)
		}
	}
}

func TestCostMethodString(t *testing.T) {
	t.Parallel()
	for m, want := range map[ledger.CostMethod]string{
		ledger.FIFO: "fifo", ledger.AverageCost: "average_cost", ledger.LIFO: "lifo", ledger.HIFO: "hifo", ledger.SpecificID: "specific", 9: "unknown", -1: "unknown",
	} {
		if got := m.String(); got != want {
			t.Errorf("CostMethod(%d).String() = %q, want %q", int(m), got, want)
		}
	}
}
