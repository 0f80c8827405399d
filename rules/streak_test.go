package rules_test

import (
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/tradecoach/coach"
	"github.com/tradecoach/coach/rules"
)

func TestStreaks(t *testing.T) {
	t.Parallel()
	v := func(trade, rule, ts string, o rules.Outcome) rules.Verdict {
		tm, err := time.Parse(time.RFC3339, ts)
		if err != nil {
			t.Fatal(err)
		}
		return rules.Verdict{TradeID: trade, RuleID: rule, Kind: "k" + rule, At: tm, Outcome: o, Evidence: []byte("{}")}
	}
	F, B, U := rules.Followed, rules.Broken, rules.Undecided
	// Berlin is UTC+1 until 2025-03-30 01:00 UTC, then UTC+2.
	ev := &rules.Evaluation{
		Rules: []rules.RuleRef{{ID: "A", Kind: "kA"}, {ID: "B", Kind: "kB"}},
		Verdicts: []rules.Verdict{
			v("t0a", "A", "2025-03-26T10:00:00Z", F),
			v("t0b", "A", "2025-03-27T10:00:00Z", F), v("t0b", "B", "2025-03-27T10:00:00Z", F),
			v("t1", "A", "2025-03-28T22:30:00Z", F), v("t1", "B", "2025-03-28T22:30:00Z", F), // Berlin: Fri 23:30
			v("t2", "A", "2025-03-28T23:15:00Z", B), // Berlin: Sat 00:15
			v("t3", "A", "2025-03-28T23:30:00Z", F), v("t3", "B", "2025-03-28T23:30:00Z", F),
			v("t4", "B", "2025-03-30T00:30:00Z", U), // a day with nothing decided
			v("t5a", "A", "2025-03-30T12:00:00Z", F), v("t5a", "B", "2025-03-30T12:00:00Z", F),
			v("t5b", "A", "2025-03-30T22:30:00Z", F), // Berlin, summer time: Mon 00:30
			v("t6", "A", "2025-04-01T10:00:00Z", F), v("t6", "B", "2025-04-01T10:00:00Z", F),
		},
	}
	berlin := rules.Streaks(ev, mustLoad("Europe/Berlin"))
	want := rules.StreakReport{
		Overall: rules.Standing{Trades: rules.Streak{Current: 4, Best: 4}, Days: rules.Streak{Current: 3, Best: 3}, Followed: 12, Broken: 1, Undecided: 1},
		Rules: []rules.RuleStanding{
			{RuleID: "A", Kind: "kA", Standing: rules.Standing{Trades: rules.Streak{Current: 4, Best: 4}, Days: rules.Streak{Current: 3, Best: 3}, Followed: 7, Broken: 1}},
			{RuleID: "B", Kind: "kB", Standing: rules.Standing{Trades: rules.Streak{Current: 5, Best: 5}, Days: rules.Streak{Current: 5, Best: 5}, Followed: 5, Undecided: 1}},
		},
	}
	if diff := cmp.Diff(want, berlin); diff != "" {
		t.Errorf("Berlin streaks (-want +got):\n%s", diff)
	}
	utc := rules.Streaks(ev, nil)
	if got, want := utc.Overall.Days, (rules.Streak{Current: 2, Best: 2}); got != want {
		t.Errorf("UTC overall days = %+v, want %+v", got, want)
	}
	if got, want := utc.Rules[0].Days, (rules.Streak{Current: 2, Best: 2}); got != want {
		t.Errorf("UTC rule A days = %+v, want %+v", got, want)
	}
}

func TestStreaksEmpty(t *testing.T) {
	t.Parallel()
	ev := mustEvaluate(t, nil, nil, []rules.Rule{rule("m", rules.MaxTradesPerDay{N: 1})}, nil)
	got := rules.Streaks(ev, nil)
	want := rules.StreakReport{Rules: []rules.RuleStanding{{RuleID: "m", Kind: rules.KindMaxTradesPerDay}}}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("(-want +got):\n%s", diff)
	}
}

// TestStreaksFromEvaluate runs the whole way: one trade a day allowed, days in New York.
func TestStreaksFromEvaluate(t *testing.T) {
	t.Parallel()
	ny := mustLoad("America/New_York")
	trades := []coach.Trade{
		buy("a", at("15h"), "BTC-USDT", "1", "100"),  // Mon 10:00 NY
		buy("b", at("26h"), "BTC-USDT", "1", "100"),  // Tue 02:00 UTC = Mon 21:00 NY: second of Monday
		buy("c", at("64h"), "BTC-USDT", "1", "100"),  // Wed 11:00 NY; Tuesday has no trade
		buy("d", at("88h"), "BTC-USDT", "1", "100"),  // Thu 11:00 NY
		buy("e", at("135h"), "BTC-USDT", "1", "100"), // Sat 10:00 NY; Friday has no trade
	}
	ev := mustEvaluate(t, trades, nil, []rules.Rule{rule("one", rules.MaxTradesPerDay{N: 1})}, ny)
	got := rules.Streaks(ev, ny)
	want := rules.Standing{Trades: rules.Streak{Current: 3, Best: 3}, Days: rules.Streak{Current: 3, Best: 3}, Followed: 4, Broken: 1}
	if diff := cmp.Diff(want, got.Overall); diff != "" {
		t.Errorf("overall (-want +got):\n%s", diff)
	}
	// In UTC the same fills are one a day: nothing broken.
	evUTC := mustEvaluate(t, trades, nil, []rules.Rule{rule("one", rules.MaxTradesPerDay{N: 1})}, time.UTC)
	if got := rules.Streaks(evUTC, time.UTC).Overall; got.Broken != 0 || got.Days.Current != 5 {
		t.Errorf("UTC overall = %+v, want nothing broken and 5 days", got)
	}
}
