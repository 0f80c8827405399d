package ledger_test

import (
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"

	"github.com/tradecoach/coach"
	"github.com/tradecoach/coach/ledger"
)

// quoteFeeHistory has three BTC-USDT lots of different prices, every fee 0.1% in USDT, and two
// sells that close some of them:
//
//	b1 buy  1   @ 100 at t0+0h  fee 0.1   USDT
//	b2 buy  2   @ 130 at t0+1h  fee 0.26  USDT
//	b3 buy  1   @ 120 at t0+2h  fee 0.12  USDT
//	s1 sell 1.5 @ 150 at t0+3h  fee 0.225 USDT  → proceeds 225
//	s2 sell 1   @ 110 at t0+4h  fee 0.11  USDT  → proceeds 110
func quoteFeeHistory() []coach.Trade {
	return []coach.Trade{
		fill("b1", buy, btc, "1", "100", 0, "0.1 USDT"),
		fill("b2", buy, btc, "2", "130", 1, "0.26 USDT"),
		fill("b3", buy, btc, "1", "120", 2, "0.12 USDT"),
		fill("s1", sel, btc, "1.5", "150", 3, "0.225 USDT"),
		fill("s2", sel, btc, "1", "110", 4, "0.11 USDT"),
	}
}

// otherFeeHistory has three BTC-USDT lots bought with a fee in BTC (the base asset) or in BNB
// (a third asset, 5 USDT before t0+30min and 6 USDT after: bnbAt), and one sell whose fee is in
// BTC, so that it takes 0.5 + 0.0005 = 0.5005 BTC out of the position:
//
//	b1 buy  1   @ 100 at t0+0min   fee 0.001 BTC   → lot 0.999 BTC, fee 0.001×100 = 0.1 USDT
//	b2 buy  1   @ 200 at t0+15min  fee 0.02 BNB    → lot 1 BTC,     fee 0.02×5   = 0.1 USDT
//	b3 buy  1   @ 150 at t0+45min  fee 0.01 BNB    → lot 1 BTC,     fee 0.01×6   = 0.06 USDT
//	s1 sell 0.5 @ 150 at t0+60min  fee 0.0005 BTC  → Qty 0.5005, proceeds 0.5005×150 = 75.075,
//	                                                 exit fee 0.0005×150 = 0.075 USDT
func otherFeeHistory() []coach.Trade {
	return []coach.Trade{
		fill("b1", buy, btc, "1", "100", 0, "0.001 BTC"),
		fill("b2", buy, btc, "1", "200", 0.25, "0.02 BNB"),
		fill("b3", buy, btc, "1", "150", 0.75, "0.01 BNB"),
		fill("s1", sel, btc, "0.5", "150", 1, "0.0005 BTC"),
	}
}

// TestLotMethodsWorkedExamples checks every cost method against results computed by hand. A
// part of a lot's entry fee is fee × part / lot quantity, rounded to 12 places; the last part of
// a lot takes what is left of its fee. PnL = Proceeds − CostBasis − Fees.
func TestLotMethodsWorkedExamples(t *testing.T) {
	t.Parallel()
	s1 := func(opened, hold float64, cost, fees, pnl string) ledger.Realized {
		return ledger.Realized{TradeID: "s1", Symbol: btc, ClosedAt: at(3), OpenedAt: at(opened), HoldingPeriod: time.Duration(hold * float64(time.Hour)),
			Qty: d("1.5"), Price: d("150"), Proceeds: d("225"), CostBasis: d(cost), Fees: d(fees), PnL: d(pnl)}
	}
	s2 := func(opened, hold float64, cost, fees, pnl string) ledger.Realized {
		return ledger.Realized{TradeID: "s2", Symbol: btc, ClosedAt: at(4), OpenedAt: at(opened), HoldingPeriod: time.Duration(hold * float64(time.Hour)),
			Qty: d("1"), Price: d("110"), Proceeds: d("110"), CostBasis: d(cost), Fees: d(fees), PnL: d(pnl)}
	}
	sOther := func(opened float64, cost, fees, pnl string) ledger.Realized {
		return ledger.Realized{TradeID: "s1", Symbol: btc, ClosedAt: at(1), OpenedAt: at(opened),
			Qty: d("0.5005"), Price: d("150"), Proceeds: d("75.075"), CostBasis: d(cost), Fees: d(fees), PnL: d(pnl)}
	}
	lt := func(id string, opened float64, qty, price, cost, fees string) ledger.Lot {
		return ledger.Lot{Symbol: btc, TradeID: id, OpenedAt: at(opened), Qty: d(qty), Price: d(price), CostBasis: d(cost), Fees: d(fees)}
	}
	for _, tc := range []struct {
		name      string
		method    ledger.CostMethod
		selection ledger.Selection
		fills     []coach.Trade
		want      ledger.Result
	}{
		{
			// s1 takes b1 (1: cost 100, fee 0.1) and 0.5 of b2 (cost 65, fee 0.26×0.5/2 = 0.065):
			// cost 165, fees 0.1 + 0.065 + 0.225 = 0.39, PnL 225 − 165 − 0.39 = 59.61; held 3h
			// (1) and 2h (0.5): (3 + 1)/1.5 = 2h40m.
			// s2 takes 1 of b2's 1.5 (cost 130, fee 0.195×1/1.5 = 0.13): fees 0.13 + 0.11 = 0.24,
			// PnL 110 − 130 − 0.24 = −20.24. Open: 0.5 of b2 (fee 0.065) and b3.
			name: "FIFO, quote-asset fees", method: ledger.FIFO, fills: quoteFeeHistory(),
			want: ledger.Result{
				Method:   ledger.FIFO,
				Realized: []ledger.Realized{s1(0, 8.0/3, "165", "0.39", "59.61"), s2(1, 3, "130", "0.24", "-20.24")},
				Lots:     []ledger.Lot{lt("b2", 1, "0.5", "130", "65", "0.065"), lt("b3", 2, "1", "120", "120", "0.12")},
			},
		},
		{
			// s1 takes the newest first: b3 (1: cost 120, fee 0.12), then 0.5 of b2 (cost 65, fee
			// 0.065): cost 185, fees 0.12 + 0.065 + 0.225 = 0.41, PnL 225 − 185 − 0.41 = 39.59;
			// opened at b2's 1h (the oldest lot matched); held 1h (1) and 2h (0.5): 1h20m.
			// s2 takes 1 of b2's 1.5 (cost 130, fee 0.13): PnL 110 − 130 − 0.24 = −20.24.
			// Open: b1 untouched, 0.5 of b2.
			name: "LIFO, quote-asset fees", method: ledger.LIFO, fills: quoteFeeHistory(),
			want: ledger.Result{
				Method:   ledger.LIFO,
				Realized: []ledger.Realized{s1(1, 4.0/3, "185", "0.41", "39.59"), s2(1, 3, "130", "0.24", "-20.24")},
				Lots:     []ledger.Lot{lt("b1", 0, "1", "100", "100", "0.1"), lt("b2", 1, "0.5", "130", "65", "0.065")},
			},
		},
		{
			// s1 takes the dearest first: 1.5 of b2 @130 (cost 195, fee 0.26×1.5/2 = 0.195): fees
			// 0.195 + 0.225 = 0.42, PnL 225 − 195 − 0.42 = 29.58, held 2h.
			// s2 takes b2's last 0.5 (cost 65, fee 0.065), then 0.5 of b3 @120 (cost 60, fee
			// 0.12×0.5 = 0.06): cost 125, fees 0.065 + 0.06 + 0.11 = 0.235,
			// PnL 110 − 125 − 0.235 = −15.235; held 3h and 2h: 2h30m. Open: b1, 0.5 of b3.
			name: "HIFO, quote-asset fees", method: ledger.HIFO, fills: quoteFeeHistory(),
			want: ledger.Result{
				Method:   ledger.HIFO,
				Realized: []ledger.Realized{s1(1, 2, "195", "0.42", "29.58"), s2(1, 2.5, "125", "0.235", "-15.235")},
				Lots:     []ledger.Lot{lt("b1", 0, "1", "100", "100", "0.1"), lt("b3", 2, "0.5", "120", "60", "0.06")},
			},
		},
		{
			// The pool holds 4 at cost 480 with fees 0.48, acquired on average at 1h.
			// s1: cost 480×1.5/4 = 180, fee 0.48×1.5/4 = 0.18, fees 0.405, PnL 44.595, held 2h.
			// s2: cost 300×1/2.5 = 120, fee 0.3×1/2.5 = 0.12, fees 0.23, PnL −10.23, held 3h.
			// Open: the pool, 1.5 at 180 (120 a unit), fees 0.18.
			name: "average cost, quote-asset fees", method: ledger.AverageCost, fills: quoteFeeHistory(),
			want: ledger.Result{
				Method:   ledger.AverageCost,
				Realized: []ledger.Realized{s1(0, 2, "180", "0.405", "44.595"), s2(0, 3, "120", "0.23", "-10.23")},
				Lots:     []ledger.Lot{lt("", 0, "1.5", "120", "180", "0.18")},
			},
		},
		{
			// s1 names b3 (1: cost 120, fee 0.12), then 0.5 of b1 (cost 50, fee 0.05): cost 170,
			// fees 0.12 + 0.05 + 0.225 = 0.395, PnL 225 − 170 − 0.395 = 54.605; opened at b1's
			// 0h; held 1h (1) and 3h (0.5): 1h40m.
			// s2 has no picks, so FIFO: b1's last 0.5 (cost 50, fee 0.05), then 0.5 of b2 (cost
			// 65, fee 0.065): cost 115, fees 0.225, PnL −5.225; held 4h and 3h: 3h30m.
			// Open: 1.5 of b2 (fee 0.195).
			name: "specific identification, quote-asset fees", method: ledger.SpecificID, fills: quoteFeeHistory(),
			selection: ledger.Selection{"s1": {{TradeID: "b3", Qty: d("1")}, {TradeID: "b1", Qty: d("0.5")}}},
			want: ledger.Result{
				Method:   ledger.SpecificID,
				Realized: []ledger.Realized{s1(0, 5.0/3, "170", "0.395", "54.605"), s2(0, 3.5, "115", "0.225", "-5.225")},
				Lots:     []ledger.Lot{lt("b2", 1, "1.5", "130", "195", "0.195")},
			},
		},
		{
			// s1 takes 0.5005 of b1's 0.999: cost 50.05, fee 0.1×0.5005/0.999 = 0.050100100100
			// (rounded), fees 0.050100100100 + 0.075 = 0.125100100100,
			// PnL 75.075 − 50.05 − 0.1251001001 = 24.8998998999. b1 keeps 0.4985 and
			// 0.1 − 0.0501001001 = 0.0498998999 of its fee.
			name: "FIFO, base- and third-asset fees", method: ledger.FIFO, fills: otherFeeHistory(),
			want: ledger.Result{
				Method:   ledger.FIFO,
				Realized: []ledger.Realized{sOther(0, "50.05", "0.1251001001", "24.8998998999")},
				Lots: []ledger.Lot{lt("b1", 0, "0.4985", "100", "49.85", "0.0498998999"),
					lt("b2", 0.25, "1", "200", "200", "0.1"), lt("b3", 0.75, "1", "150", "150", "0.06")},
			},
		},
		{
			// s1 takes 0.5005 of b3 (the newest): cost 0.5005×150 = 75.075, fee 0.06×0.5005 =
			// 0.03003, fees 0.10503, PnL 75.075 − 75.075 − 0.10503 = −0.10503.
			name: "LIFO, base- and third-asset fees", method: ledger.LIFO, fills: otherFeeHistory(),
			want: ledger.Result{
				Method:   ledger.LIFO,
				Realized: []ledger.Realized{sOther(0.75, "75.075", "0.10503", "-0.10503")},
				Lots: []ledger.Lot{lt("b1", 0, "0.999", "100", "99.9", "0.1"),
					lt("b2", 0.25, "1", "200", "200", "0.1"), lt("b3", 0.75, "0.4995", "150", "74.925", "0.02997")},
			},
		},
		{
			// s1 takes 0.5005 of b2 (@200, the dearest): cost 100.1, fee 0.1×0.5005 = 0.05005,
			// fees 0.12505, PnL 75.075 − 100.1 − 0.12505 = −25.15005.
			name: "HIFO, base- and third-asset fees", method: ledger.HIFO, fills: otherFeeHistory(),
			want: ledger.Result{
				Method:   ledger.HIFO,
				Realized: []ledger.Realized{sOther(0.25, "100.1", "0.12505", "-25.15005")},
				Lots: []ledger.Lot{lt("b1", 0, "0.999", "100", "99.9", "0.1"),
					lt("b2", 0.25, "0.4995", "200", "99.9", "0.04995"), lt("b3", 0.75, "1", "150", "150", "0.06")},
			},
		},
		{
			// The pool holds 0.999 + 1 + 1 = 2.999 at cost 99.9 + 200 + 150 = 449.9, fees 0.26.
			// s1: cost 449.9×0.5005/2.999 = 75.083344448149, fee 0.26×0.5005/2.999 =
			// 0.043391130377 (both rounded), fees 0.118391130377,
			// PnL 75.075 − 75.083344448149 − 0.118391130377 = −0.126735578526.
			// Open: 2.4985 at 374.816655551851 (150.016672224075 a unit, rounded), fees
			// 0.216608869623.
			name: "average cost, base- and third-asset fees", method: ledger.AverageCost, fills: otherFeeHistory(),
			want: ledger.Result{
				Method:   ledger.AverageCost,
				Realized: []ledger.Realized{sOther(0, "75.083344448149", "0.118391130377", "-0.126735578526")},
				Lots:     []ledger.Lot{lt("", 0, "2.4985", "150.016672224075", "374.816655551851", "0.216608869623")},
			},
		},
		{
			// s1 names 0.3 of b1 (cost 30, fee 0.1×0.3/0.999 = 0.030030030030) and 0.2 of b3
			// (cost 30, fee 0.06×0.2 = 0.012): 0.5 named of the 0.5005 it takes out, so the
			// base-asset fee's 0.0005 is matched FIFO: from b1 again (cost 0.05, fee
			// 0.069969969970×0.0005/0.699 = 0.000050050050). Cost 60.05, fees 0.030030030030 +
			// 0.012 + 0.000050050050 + 0.075 = 0.117080080080, PnL 75.075 − 60.05 − 0.11708008008 =
			// 14.90791991992. b1 keeps 0.6985 and 0.069919919920 of its fee, b3 0.8 and 0.048.
			name: "specific identification, base- and third-asset fees, the unnamed part FIFO", method: ledger.SpecificID, fills: otherFeeHistory(),
			selection: ledger.Selection{"s1": {{TradeID: "b1", Qty: d("0.3")}, {TradeID: "b3", Qty: d("0.2")}}},
			want: ledger.Result{
				Method:   ledger.SpecificID,
				Realized: []ledger.Realized{sOther(0, "60.05", "0.11708008008", "14.90791991992")},
				Lots: []ledger.Lot{lt("b1", 0, "0.6985", "100", "69.85", "0.06991991992"),
					lt("b2", 0.25, "1", "200", "200", "0.1"), lt("b3", 0.75, "0.8", "150", "120", "0.048")},
			},
		},
		{
			// b2 and b3 cost the same 120: the older, b2, goes first, then half of b3. s1 takes
			// cost 120 + 60 = 180, PnL 1.5×130 − 180 = 15; held 3h (1) and 2h (0.5): 2h40m.
			name: "HIFO takes lots of equal price oldest first", method: ledger.HIFO,
			fills: []coach.Trade{
				fill("b1", buy, btc, "1", "100", 0, ""),
				fill("b2", buy, btc, "1", "120", 1, ""),
				fill("b3", buy, btc, "1", "120", 2, ""),
				fill("b4", buy, btc, "1", "110", 2, ""),
				fill("s1", sel, btc, "1.5", "130", 4, ""),
			},
			want: ledger.Result{
				Method: ledger.HIFO,
				Realized: []ledger.Realized{{TradeID: "s1", Symbol: btc, ClosedAt: at(4), OpenedAt: at(1), HoldingPeriod: 160 * time.Minute,
					Qty: d("1.5"), Price: d("130"), Proceeds: d("195"), CostBasis: d("180"), Fees: d("0"), PnL: d("15")}},
				Lots: []ledger.Lot{lt("b1", 0, "1", "100", "100", "0"), lt("b3", 2, "0.5", "120", "60", "0"), lt("b4", 2, "1", "110", "110", "0")},
			},
		},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			l := &ledger.Ledger{Method: tc.method, FeePrices: bnbAt, Selection: tc.selection}
			got, err := l.Apply(tc.fills)
			if err != nil {
				t.Fatal(err)
			}
			// The holding periods of otherFeeHistory are weighted by awkward quantities; the
			// quoteFeeHistory cases check them.
			opts := cmp.Options{}
			if tc.fills[0].Fee.Decimal.String() == "0.001" {
				opts = append(opts, cmpopts.IgnoreFields(ledger.Realized{}, "HoldingPeriod"))
			}
			if diff := cmp.Diff(&tc.want, got, opts); diff != "" {
				t.Errorf("result (-want +got):\n%s", diff)
			}
		})
	}
}

// TestSelectionErrors checks that a sell whose picks break a rule of Selection is matched FIFO as
// a whole, takes nothing its picks name, and is reported with a message saying which pick is
// wrong, while the other sells keep their picks.
func TestSelectionErrors(t *testing.T) {
	t.Parallel()
	// b1 1 @100, b2 1 @200 (BTC-USDT); e1 10 @0.05 (ETH-BTC); bx is a buy the ledger skips
	// (qty 0); s0 sells 1 at 1h (FIFO: b1), s1 sells 0.5 at 2h; b3 opens at 3h.
	fills := []coach.Trade{
		fill("b1", buy, btc, "1", "100", 0, ""),
		fill("b2", buy, btc, "1", "200", 0, ""),
		fill("e1", buy, eth, "10", "0.05", 0, ""),
		fill("bx", buy, btc, "0", "100", 0, ""),
		fill("s0", sel, btc, "1", "150", 1, ""),
		fill("s1", sel, btc, "0.5", "150", 2, ""),
		fill("b3", buy, btc, "1", "120", 3, ""),
	}
	fifo, err := ledger.New(ledger.FIFO).Apply(fills)
	if coach.ErrorCode(err) != coach.EINVALID || len(fifo.Errors) != 1 {
		t.Fatalf("FIFO: %v", err)
	}
	for _, tc := range []struct {
		name  string
		picks []ledger.LotPick
		msg   string
	}{
		{"no such buy", []ledger.LotPick{{TradeID: "zz", Qty: d("0.5")}}, "lot zz: no buy has that ID"},
		{"another symbol", []ledger.LotPick{{TradeID: "e1", Qty: d("0.5")}}, "lot e1 is a lot of ETH-BTC, not BTC-USDT"},
		{"opens later", []ledger.LotPick{{TradeID: "b3", Qty: d("0.5")}}, "lot b3 opens after this sell"},
		{"buy not taken", []ledger.LotPick{{TradeID: "bx", Qty: d("0.5")}}, "lot bx: its buy was not taken"},
		{"already closed", []ledger.LotPick{{TradeID: "b1", Qty: d("0.5")}}, "lot b1 is already closed"},
		{"more than the lot holds", []ledger.LotPick{{TradeID: "b2", Qty: d("1.5")}}, "picks 1.5 of lot b2, which holds 1"},
		{"the same lot twice, more than it holds", []ledger.LotPick{{TradeID: "b2", Qty: d("0.3")}, {TradeID: "b2", Qty: d("0.8")}}, "picks 1.1 of lot b2"},
		{"more than the sell takes out", []ledger.LotPick{{TradeID: "b2", Qty: d("0.6")}}, "picks 0.6 in all, more than the 0.5 the sell takes out"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			l := &ledger.Ledger{Method: ledger.SpecificID, Selection: ledger.Selection{"s1": tc.picks}}
			got, err := l.Apply(fills)
			if coach.ErrorCode(err) != coach.EINVALID {
				t.Fatalf("error %v, want EINVALID", err)
			}
			want := *fifo
			want.Method = ledger.SpecificID
			want.Errors = append(append([]ledger.TradeError(nil), fifo.Errors...), invalid("s1", btc, false))
			if diff := cmp.Diff(&want, got, errorCodes); diff != "" {
				t.Errorf("result (-want FIFO +got):\n%s", diff)
			}
			if n := len(got.Errors); n != 2 || !strings.Contains(coach.ErrorMessage(got.Errors[n-1].Err), tc.msg) {
				t.Errorf("errors %v, want the last to say %q", got.Errors, tc.msg)
			}
		})
	}
}

// TestSelectionBeyondHoldings checks that picks of every open lot leave the rest of an oversell
// Uncovered, as under every method.
func TestSelectionBeyondHoldings(t *testing.T) {
	t.Parallel()
	fills := []coach.Trade{
		fill("b1", buy, btc, "1", "100", 0, ""),
		fill("b2", buy, btc, "1", "200", 1, ""),
		fill("s1", sel, btc, "3", "150", 2, "0.45 USDT"),
	}
	l := &ledger.Ledger{Method: ledger.SpecificID, Selection: ledger.Selection{"s1": {{TradeID: "b2", Qty: d("1")}, {TradeID: "b1", Qty: d("1")}}}}
	got, err := l.Apply(fills)
	if err != nil {
		t.Fatal(err)
	}
	// 2 covered: cost 300, fee 0.45×2/3 = 0.3, PnL 300 − 300 − 0.3; 1 uncovered with fee 0.15.
	want := &ledger.Result{
		Method: ledger.SpecificID,
		Realized: []ledger.Realized{{TradeID: "s1", Symbol: btc, ClosedAt: at(2), OpenedAt: at(0), HoldingPeriod: 90 * time.Minute,
			Qty: d("2"), Price: d("150"), Proceeds: d("300"), CostBasis: d("300"), Fees: d("0.3"), PnL: d("-0.3")}},
		Uncovered: []ledger.Uncovered{{TradeID: "s1", Symbol: btc, At: at(2), Qty: d("1"), Price: d("150"), Proceeds: d("150"), Fees: d("0.15")}},
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("result (-want +got):\n%s", diff)
	}
}

// TestSelectionRefused checks the selections Apply refuses before matching anything.
func TestSelectionRefused(t *testing.T) {
	t.Parallel()
	fills := quoteFeeHistory()
	for _, tc := range []struct {
		name   string
		method ledger.CostMethod
		sel    ledger.Selection
		fills  []coach.Trade
		msg    string
	}{
		{"a selection without SpecificID", ledger.FIFO, ledger.Selection{"s1": {{TradeID: "b1", Qty: d("1")}}}, fills, "needs the specific method, not fifo"},
		{"a pick without a lot", ledger.SpecificID, ledger.Selection{"s1": {{Qty: d("1")}}}, fills, "pick 1: lot trade ID required"},
		{"a pick of zero", ledger.SpecificID, ledger.Selection{"s1": {{TradeID: "b1", Qty: d("1")}, {TradeID: "b2"}}}, fills, "pick 2: qty must be a positive amount, got 0"},
		{"a negative pick", ledger.SpecificID, ledger.Selection{"s1": {{TradeID: "b1", Qty: d("-1")}}}, fills, "qty must be a positive amount"},
		{"no such sell", ledger.SpecificID, ledger.Selection{"s9": {{TradeID: "b1", Qty: d("1")}}}, fills, "s9 names no sell among the fills"},
		{"a buy named as a sell", ledger.SpecificID, ledger.Selection{"b2": {{TradeID: "b1", Qty: d("1")}}}, fills, "b2 names no sell"},
		{"two sells of one ID", ledger.SpecificID, ledger.Selection{"s1": {{TradeID: "b1", Qty: d("1")}}},
			append(quoteFeeHistory(), fill("s1", sel, btc, "0.1", "150", 5, "")), "s1 names 2 sells"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			r, err := (&ledger.Ledger{Method: tc.method, Selection: tc.sel}).Apply(tc.fills)
			if r != nil || coach.ErrorCode(err) != coach.EINVALID || !strings.Contains(coach.ErrorMessage(err), tc.msg) {
				t.Errorf("result %v, error %v; want nil and EINVALID saying %q", r, err, tc.msg)
			}
		})
	}
}

func TestParseCostMethod(t *testing.T) {
	t.Parallel()
	for _, m := range []ledger.CostMethod{ledger.FIFO, ledger.LIFO, ledger.HIFO, ledger.AverageCost, ledger.SpecificID} {
		got, err := ledger.ParseCostMethod(m.String())
		if err != nil || got != m {
			t.Errorf("ParseCostMethod(%q) = %v, %v; want %v", m.String(), got, err, m)
		}
		text, err := m.MarshalText()
		var back ledger.CostMethod
		if err != nil || back.UnmarshalText(text) != nil || back != m {
			t.Errorf("%v: text round trip gives %q, %v, %v", m, text, err, back)
		}
	}
	for _, s := range []string{"", "FIFO", "unknown", "average", "specific_id", "hifo "} {
		if m, err := ledger.ParseCostMethod(s); coach.ErrorCode(err) != coach.EINVALID {
			t.Errorf("ParseCostMethod(%q) = %v, %v; want EINVALID", s, m, err)
		}
	}
	if _, err := ledger.CostMethod(9).MarshalText(); coach.ErrorCode(err) != coach.EINVALID {
		t.Errorf("MarshalText of an unknown method: %v, want EINVALID", err)
	}
	m := ledger.HIFO
	if err := m.UnmarshalText([]byte("LIFO")); coach.ErrorCode(err) != coach.EINVALID || m != ledger.HIFO {
		t.Errorf("UnmarshalText(LIFO): %v, method now %v; want EINVALID and hifo", err, m)
	}
}
