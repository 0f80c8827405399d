package digest

import (
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/shopspring/decimal"

	"github.com/tradecoach/coach/ledger"
)

func TestSplit(t *testing.T) {
	t.Parallel()
	d := decimal.RequireFromString
	labels := map[string][]string{"sell": {"PANIC"}, "a": {"FOMO"}, "c": {"FOMO"}}
	labelsOf := func(k string) []string { return labels[k] }
	// A sell of 3 at 10 closing a (1 at 8, FOMO), b (1 at 9, no label) and c (1 at 12, FOMO):
	// proceeds 30, cost 29, fees 0.3, P/L 0.7. FOMO's part: 2 × 10 − 20 − 0.2 = −0.2.
	r := &ledger.Realized{TradeID: "sell", Qty: d("3"), Price: d("10"), CostBasis: d("29"), Fees: d("0.3"), PnL: d("0.7")}
	parts := []entryPart{{"a", d("1"), d("8")}, {"b", d("1"), d("9")}, {"c", d("1"), d("12")}}
	for _, tc := range []struct {
		name  string
		parts []entryPart
		want  []portion
		ok    bool
	}{
		{"grouped by the entries' labels", parts, []portion{
			{pnl: d("-0.2"), labels: []string{"FOMO", "PANIC"}},
			{pnl: d("0.9"), labels: []string{"PANIC"}},
		}, true},
		{"part of the lots only", parts[:2], []portion{{pnl: d("0.7"), labels: []string{"PANIC"}}}, false},
		{"parts that do not match the ledger", []entryPart{{"a", d("2"), d("8")}, {"b", d("1"), d("9")}},
			[]portion{{pnl: d("0.7"), labels: []string{"PANIC"}}}, false},
		{"no parts", nil, []portion{{pnl: d("0.7"), labels: []string{"PANIC"}}}, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got, ok := split(nil, r, tc.parts, labelsOf)
			if diff := cmp.Diff(tc.want, got, cmp.AllowUnexported(portion{})); diff != "" {
				t.Errorf("portions (-want +got):\n%s", diff)
			}
			if ok != tc.ok {
				t.Errorf("ok = %v, want %v", ok, tc.ok)
			}
		})
	}
	// Entries with the same labels: one portion, whatever the prices.
	r2 := &ledger.Realized{TradeID: "sell", Qty: d("2"), Price: d("10"), CostBasis: d("20"), Fees: d("0.2"), PnL: d("-0.2")}
	got, ok := split(nil, r2, []entryPart{parts[0], parts[2]}, labelsOf)
	want := []portion{{pnl: d("-0.2"), labels: []string{"FOMO", "PANIC"}}}
	if diff := cmp.Diff(want, got, cmp.AllowUnexported(portion{})); diff != "" || !ok {
		t.Errorf("one group: ok %v, (-want +got):\n%s", ok, diff)
	}
}
