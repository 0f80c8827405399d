package rules_test

import (
	"context"
	"encoding/json"
	"testing"
	"time"

	"github.com/tradecoach/coach"
	"github.com/tradecoach/coach/rules"
)

// TestRecordBreaksTellsEachBreakOnce: a trade that breaks maxTradesPerDay gets one rule.broken
// event; evaluating again (the same window, a wider one) appends none, and a new breaking trade
// gets its own.
func TestRecordBreaksTellsEachBreakOnce(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	svc, store, _ := newService(t)
	r, err := svc.Create(ctx, "u1", coach.Rule{Kind: "maxTradesPerDay", Params: json.RawMessage(`{"n":1}`), Active: true})
	if err != nil {
		t.Fatal(err)
	}
	trades := []coach.Trade{
		buy("b1", at("10h"), "BTC-USDT", "1", "100"),
		sell("s1", at("12h"), "BTC-USDT", "1", "100"), // the second of the day: broken
	}
	for i := range trades {
		trades[i].ID, trades[i].UserID = "", ""
	}
	if _, err := store.Trades().Upsert(ctx, "u1", trades); err != nil {
		t.Fatal(err)
	}
	broken := func() []coach.RuleBrokenPayload {
		evs, err := store.Events().Since(ctx, "u1", "", 0)
		if err != nil {
			t.Fatal(err)
		}
		var out []coach.RuleBrokenPayload
		for _, e := range evs {
			if e.Type == coach.EventRuleBroken {
				var p coach.RuleBrokenPayload
				if err := json.Unmarshal(e.Payload, &p); err != nil {
					t.Fatal(err)
				}
				out = append(out, p)
			}
		}
		return out
	}
	n, err := svc.RecordBreaks(ctx, "u1", time.Time{}, time.Time{})
	if err != nil || n != 1 {
		t.Fatalf("RecordBreaks = %d, %v; want 1", n, err)
	}
	got := broken()
	if len(got) != 1 || got[0].RuleID != r.ID || got[0].Kind != "maxTradesPerDay" || !got[0].At.Equal(at("12h")) || len(got[0].Evidence) < 3 {
		t.Errorf("rule.broken payloads: %+v", got)
	}
	for _, win := range [][2]time.Time{{}, {at("11h"), at("13h")}} {
		if n, err := svc.RecordBreaks(ctx, "u1", win[0], win[1]); err != nil || n != 0 {
			t.Errorf("RecordBreaks again over %v = %d, %v; want 0", win, n, err)
		}
	}
	more := []coach.Trade{buy("b2", at("13h"), "BTC-USDT", "1", "100")}
	more[0].ID, more[0].UserID = "", ""
	if _, err := store.Trades().Upsert(ctx, "u1", more); err != nil {
		t.Fatal(err)
	}
	if n, err := svc.RecordBreaks(ctx, "u1", time.Time{}, time.Time{}); err != nil || n != 1 {
		t.Errorf("RecordBreaks after a third trade = %d, %v; want 1", n, err)
	}
	if got := broken(); len(got) != 2 {
		t.Errorf("%d rule.broken events, want 2", len(got))
	}
	if _, err := (*rules.Service)(nil).RecordBreaks(ctx, "u1", time.Time{}, time.Time{}); coach.ErrorCode(err) != coach.EINVALID {
		t.Errorf("nil service: %v", err)
	}
}
