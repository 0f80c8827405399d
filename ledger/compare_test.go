package ledger_test

import (
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"

	"github.com/tradecoach/coach"
	"github.com/tradecoach/coach/ledger"
)

// TestCompare puts the methods side by side over quoteFeeHistory plus a last sell on the next
// day that closes everything (s3: 1.5 @ 140, fee 0.21 USDT, proceeds 210). Day one realizes what
// TestLotMethodsWorkedExamples computes per sell; day two realizes the rest; in all every method
// realizes proceeds 225 + 110 + 210 = 545 − cost 480 − fees 1.025 = 63.975.
func TestCompare(t *testing.T) {
	t.Parallel()
	fills := append(quoteFeeHistory(), fill("s3", sel, btc, "1.5", "140", 30, "0.21 USDT"))
	sel := ledger.Selection{"s1": {{TradeID: "b3", Qty: d("1")}, {TradeID: "b1", Qty: d("0.5")}}}
	got, err := ledger.Compare(fills, ledger.CompareConfig{Selection: sel, Period: ledger.DayPeriod(nil)})
	if err != nil {
		t.Fatal(err)
	}
	total := func(period string, closes int, proceeds, cost, fees, pnl string) ledger.Total {
		return ledger.Total{Period: period, Quote: "USDT", Closes: closes, Proceeds: d(proceeds), CostBasis: d(cost), Fees: d(fees), PnL: d(pnl)}
	}
	// Per method, day one (s1 + s2 from the worked examples) and day two (s3 takes what is open:
	// its cost and fees, plus s3's own 0.21):
	//   FIFO     cost 165+130 = 295, fees 0.39+0.24 = 0.63,    PnL 59.61−20.24 = 39.37;
	//            s3: cost 185, fees 0.185+0.21 = 0.395, PnL 210−185−0.395 = 24.605
	//   LIFO     cost 315, fees 0.65,  PnL 19.35;  s3: cost 165, fees 0.375, PnL 44.625
	//   HIFO     cost 320, fees 0.655, PnL 14.345; s3: cost 160, fees 0.37,  PnL 49.63
	//   average  cost 300, fees 0.635, PnL 34.365; s3: cost 180, fees 0.39,  PnL 29.61
	//   specific cost 285, fees 0.62,  PnL 49.38;  s3: cost 195, fees 0.405, PnL 14.595
	want := []ledger.Comparison{
		{Method: ledger.FIFO, ByPeriod: []ledger.Total{total("2026-03-02", 2, "335", "295", "0.63", "39.37"), total("2026-03-03", 1, "210", "185", "0.395", "24.605")}},
		{Method: ledger.LIFO, ByPeriod: []ledger.Total{total("2026-03-02", 2, "335", "315", "0.65", "19.35"), total("2026-03-03", 1, "210", "165", "0.375", "44.625")}},
		{Method: ledger.HIFO, ByPeriod: []ledger.Total{total("2026-03-02", 2, "335", "320", "0.655", "14.345"), total("2026-03-03", 1, "210", "160", "0.37", "49.63")}},
		{Method: ledger.AverageCost, ByPeriod: []ledger.Total{total("2026-03-02", 2, "335", "300", "0.635", "34.365"), total("2026-03-03", 1, "210", "180", "0.39", "29.61")}},
		{Method: ledger.SpecificID, ByPeriod: []ledger.Total{total("2026-03-02", 2, "335", "285", "0.62", "49.38"), total("2026-03-03", 1, "210", "195", "0.405", "14.595")}},
	}
	for i := range want {
		all := total("", 3, "545", "480", "1.025", "63.975")
		want[i].Totals = []ledger.Total{all}
		all.Symbol = btc
		want[i].BySymbol = []ledger.Total{all}
	}
	if diff := cmp.Diff(want, got, cmpopts.IgnoreFields(ledger.Comparison{}, "Result")); diff != "" {
		t.Errorf("comparison (-want +got):\n%s", diff)
	}
	for _, c := range got {
		if c.Result == nil || c.Result.Method != c.Method || len(c.Result.Realized) != 3 || len(c.Result.Lots) != 0 {
			t.Errorf("%s: Result %+v is not the method's ledger of the fills", c.Method, c.Result)
		}
	}
}

func TestCompareMethods(t *testing.T) {
	t.Parallel()
	fills := quoteFeeHistory()
	got, err := ledger.Compare(fills, ledger.CompareConfig{Methods: []ledger.CostMethod{ledger.HIFO, ledger.FIFO}})
	if err != nil || len(got) != 2 || got[0].Method != ledger.HIFO || got[1].Method != ledger.FIFO || got[0].ByPeriod != nil {
		t.Fatalf("Compare(HIFO, FIFO) = %+v, %v; want HIFO then FIFO, without periods", got, err)
	}
	if got, err := ledger.Compare(fills, ledger.CompareConfig{}); err != nil || len(got) != 4 {
		t.Errorf("Compare without a selection: %d methods, %v; want FIFO, LIFO, HIFO and average cost", len(got), err)
	}
	for name, cfg := range map[string]ledger.CompareConfig{
		"a method twice":    {Methods: []ledger.CostMethod{ledger.FIFO, ledger.LIFO, ledger.FIFO}},
		"an unknown method": {Methods: []ledger.CostMethod{ledger.FIFO, 9}},
		"a bad selection":   {Selection: ledger.Selection{"s9": {{TradeID: "b1", Qty: d("1")}}}},
	} {
		if got, err := ledger.Compare(fills, cfg); got != nil || coach.ErrorCode(err) != coach.EINVALID {
			t.Errorf("%s: %v, %v; want nil, EINVALID", name, got, err)
		}
	}
	// A fill no method can take is reported, with every method's comparison.
	bad := append(quoteFeeHistory(), fill("x1", buy, btc, "0", "1", 5, ""))
	got, err = ledger.Compare(bad, ledger.CompareConfig{})
	if coach.ErrorCode(err) != coach.EINVALID || len(got) != 4 || len(got[3].Result.Errors) != 1 {
		t.Errorf("a skipped fill: %d comparisons, %v; want 4 and EINVALID", len(got), err)
	}
}
