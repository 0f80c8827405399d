package validate_test

import (
	"context"
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/shopspring/decimal"

	"github.com/tradecoach/coach"
	"github.com/tradecoach/coach/internal/validate"
	"github.com/tradecoach/coach/storage/memory"
)

// TestDisputesMarkdown writes hand-made counts: shares, the reason columns and the totals.
func TestDisputesMarkdown(t *testing.T) {
	t.Parallel()
	got := validate.DisputesMarkdown([]coach.LabelDisputes{
		{Label: coach.LabelFOMO, Tags: 8, Disputed: 1, ByReason: map[string]int{coach.DisputeData: 1}},
		{Label: coach.LabelPanic, Tags: 4, Disputed: 3, Excluded: 2, ByReason: map[string]int{coach.DisputePlan: 2, coach.DisputeOther: 1}},
		{Label: coach.LabelRevenge, ByReason: map[string]int{}},
	}, "demo, March 2026")
	want := `#### Disputed labels, demo, March 2026

| label | tags | disputed | share | excluded from attribution | plan | data | other |
|---|---:|---:|---:|---:|---:|---:|---:|
| FOMO | 8 | 1 | 12.5% | 0 | 0 | 1 | 0 |
| PANIC | 4 | 3 | 75.0% | 2 | 2 | 0 | 1 |
| REVENGE | 0 | 0 | – | 0 | 0 | 0 | 0 |

Tags: 12, disputed: 4 (33.3%).`
	if !strings.HasPrefix(got, want) {
		t.Errorf("DisputesMarkdown:\n%s\nwant it to start with:\n%s", got, want)
	}
}

// TestRealWorldDisputesReadsAStore: the report reads the pooled counts of a store's disputes.
func TestRealWorldDisputesReadsAStore(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	st := memory.New()
	ts := time.Date(2026, 3, 2, 10, 0, 0, 0, time.UTC)
	for _, user := range []string{"u1", "u2"} {
		if err := st.Users().Create(ctx, coach.User{ID: user, CreatedAt: ts}); err != nil {
			t.Fatal(err)
		}
		tr := coach.Trade{ID: "t-" + user, Broker: "csv", ExtID: "f1", Symbol: coach.MustParseSymbol("BTC-USDT"), Side: coach.Sell,
			TS: ts, Qty: decimal.RequireFromString("1"), Price: decimal.RequireFromString("100")}
		if _, err := st.Trades().Upsert(ctx, user, []coach.Trade{tr}); err != nil {
			t.Fatal(err)
		}
		g := coach.BiasTag{ID: "g-" + user, UserID: user, TradeID: tr.ID, Label: coach.LabelPanic, Confidence: 0.5,
			Features: json.RawMessage(`{}`), CreatedAt: ts}
		if err := st.Tags().Replace(ctx, user, []string{tr.ID}, []coach.BiasTag{g}); err != nil {
			t.Fatal(err)
		}
		if user == "u1" {
			if _, err := st.Disputes().Put(ctx, coach.TagDispute{ID: "d1", UserID: user, TradeID: tr.ID, Label: g.Label, TagID: g.ID, Reason: coach.DisputePlan}); err != nil {
				t.Fatal(err)
			}
		}
	}
	got, err := validate.RealWorldDisputes(ctx, st.Disputes(), "test")
	if err != nil {
		t.Fatal(err)
	}
	if row := "| PANIC | 2 | 1 | 50.0% | 0 | 1 | 0 | 0 |"; !strings.Contains(got, row) {
		t.Errorf("report:\n%s\nwant the row %s", got, row)
	}
}
