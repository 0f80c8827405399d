package digest_test

import (
	"encoding/json"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/shopspring/decimal"

	"github.com/tradecoach/coach"
	"github.com/tradecoach/coach/digest"
	"github.com/tradecoach/coach/rules"
)

var w10 = digest.Week{Year: 2026, Week: 10}

// berlinWeek is a week of a trader in Berlin (CET, UTC+1), 2026-W10 = 2 to 8 March, with a FOMO
// buy in the week before. The P/L figures are worked out by hand in the comments.
func berlinWeek(t testing.TB) ([]coach.Trade, []coach.BiasTag) {
	trades := []coach.Trade{
		// Week 9: a FOMO buy whose lot is sold in week 10.
		fill(t, "b0", "2026-02-25T10:00:00Z", "BTC-USDT", coach.Buy, "1", "100", "0.1"),
		// Monday 00:30 local (Sunday in UTC): in the week.
		fill(t, "m0", "2026-03-01T23:30:00Z", "SOL-USDT", coach.Buy, "0.1", "1", "0"),
		fill(t, "b1", "2026-03-02T09:00:00Z", "BTC-USDT", coach.Buy, "1", "110", "0.11"),
		// Tuesday: sells 1 of b0 and 0.5 of b1. Proceeds 180, cost 100 + 55, fees 0.1 + 0.055 +
		// 0.18 = 0.335: P/L 24.665. b0's part: 1 × 20 − 0.335/1.5 = 19.776666666667; b1's the
		// rest, 4.888333333333.
		fill(t, "s1", "2026-03-03T11:00:00Z", "BTC-USDT", coach.Sell, "1.5", "120", "0.18"),
		// Wednesday: an entry with two labels and an unknown fee.
		fill(t, "e1", "2026-03-04T12:00:00Z", "ETH-USDT", coach.Buy, "2", "10", ""),
		// Thursday: a trade in another quote asset.
		fill(t, "x1", "2026-03-05T12:00:00Z", "ETH-BTC", coach.Buy, "1", "0.05", "0"),
		// Friday: closes m0, unlabelled: 0.2 − 0.1 = 0.1.
		fill(t, "s2", "2026-03-06T12:00:00Z", "SOL-USDT", coach.Sell, "0.1", "2", "0"),
		// Sunday 23:30 local: closes e1: 18 − 20 − 0.018 = −2.018.
		fill(t, "e2", "2026-03-08T22:30:00Z", "ETH-USDT", coach.Sell, "2", "9", "0.018"),
		// Monday 00:30 local of the next week (Sunday in UTC): not in the week.
		fill(t, "n1", "2026-03-08T23:30:00Z", "BTC-USDT", coach.Sell, "0.5", "130", "0"),
	}
	tags := []coach.BiasTag{
		tag("b0", coach.LabelFOMO),
		tag("s1", coach.LabelHoldingLosers),
		tag("e1", coach.LabelRevenge), tag("e1", coach.LabelFOMO),
		tag("n1", coach.LabelPanic),
		tag("nope", coach.LabelPanic), // a trade Build does not know: ignored
	}
	return trades, tags
}

func berlin() coach.User { return coach.User{ID: testUser, TimeZone: "Europe/Berlin"} }

func mustBuild(t testing.TB, in digest.Input) digest.Payload {
	t.Helper()
	p, err := digest.Build(in)
	if err != nil {
		t.Fatal(err)
	}
	return p
}

// TestBuildFields checks every field of a digest against figures worked out by hand.
func TestBuildFields(t *testing.T) {
	t.Parallel()
	trades, tags := berlinWeek(t)
	prev := mustBuild(t, digest.Input{User: berlin(), Week: w10.Prev(), Trades: trades, Tags: tags})
	p := mustBuild(t, digest.Input{User: berlin(), Week: w10, Trades: trades, Tags: tags, Previous: &prev})

	days := []digest.Day{
		{Date: date("2026-03-02"), Trades: 2, Realized: dec("0"), Cumulative: dec("0")},
		{Date: date("2026-03-03"), Trades: 1, Realized: dec("24.665"), Cumulative: dec("24.665")},
		{Date: date("2026-03-04"), Trades: 1, Realized: dec("0"), Cumulative: dec("24.665")},
		{Date: date("2026-03-05"), Trades: 1, Realized: dec("0"), Cumulative: dec("24.665")},
		{Date: date("2026-03-06"), Trades: 1, Realized: dec("0.1"), Cumulative: dec("24.765")},
		{Date: date("2026-03-07"), Trades: 0, Realized: dec("0"), Cumulative: dec("24.765")},
		{Date: date("2026-03-08"), Trades: 1, Realized: dec("-2.018"), Cumulative: dec("22.747")},
	}
	for _, tc := range []struct {
		field     string
		got, want any
	}{
		{"v", p.V, 1},
		{"week", p.Week, "2026-W10"},
		{"timeZone", p.TimeZone, "Europe/Berlin"},
		{"periodStart", p.PeriodStart, date("2026-03-02")},
		{"periodEnd", p.PeriodEnd, date("2026-03-08")},
		{"quote", p.Quote, "USDT"},
		{"tradeCount", p.TradeCount, 7},
		{"activeDays", p.ActiveDays, 6},
		{"closes", p.Closes, 3},
		{"realized", p.Realized, dec("22.747")},
		{"fees", p.Fees, dec("0.308")}, // 0.11 + 0.18 + 0.018; e1's fee is unknown
		{"countsByBias", p.CountsByBias, map[string]int{"FOMO": 1, "HOLDING_LOSERS": 1, "REVENGE": 1}},
		{"pnlByBias", p.PnLByBias, map[string]digest.Bucket{
			// FOMO: b0's part of s1 and all of e2 (e1 was FOMO): 19.776666666667 − 2.018.
			"FOMO":           {Realized: dec("17.758666666667"), Trades: 1, Closes: 2},
			"HOLDING_LOSERS": {Realized: dec("24.665"), Trades: 1, Closes: 1},
			"REVENGE":        {Realized: dec("-2.018"), Trades: 1, Closes: 1},
		}},
		{"labelled", p.Labelled, digest.Bucket{Realized: dec("22.647"), Trades: 2, Closes: 2}},
		{"unlabelled", p.Unlabelled, digest.Bucket{Realized: dec("0.1"), Trades: 5, Closes: 1}},
		{"days", p.Days, days},
		{"streaks", p.Streaks, (*digest.Streaks)(nil)},
		{"ruleViolations", p.RuleViolations, []digest.Violation{}},
		{"vsPreviousWeek", p.VsPreviousWeek, &digest.Comparison{
			Week: "2026-W09", PeriodStart: date("2026-02-23"), TradeCount: 6, ActiveDays: 5,
			Realized: decp("22.747"), Fees: decp("0.208"),
			CountsByBias: map[string]int{"FOMO": 0, "HOLDING_LOSERS": 1, "REVENGE": 1},
		}},
		{"suggestion", p.Suggestion, digest.Suggestion{
			Kind: digest.SuggestLabel, Label: "REVENGE",
			Text: "This week 1 trade was tagged Revenge trading; 2.02 USDT of realized loss this week is attributed to that label. " +
				"After a realized loss, pause before the next entry and size it as you normally would.",
			Evidence: digest.Evidence{Count: 1, Days: 1, Realized: dec("-2.018")},
		}},
		{"dataQuality", p.DataQuality, digest.DataQuality{Reasons: []string{}, UnknownFees: 1, OtherQuoteTrades: 1}},
	} {
		if diff := cmp.Diff(tc.want, tc.got); diff != "" {
			t.Errorf("%s (-want +got):\n%s", tc.field, diff)
		}
	}
	// The attribution adds up: each part of P/L once in labelled or unlabelled.
	if got := p.Labelled.Realized.Add(p.Unlabelled.Realized); !got.Equal(p.Realized) {
		t.Errorf("labelled + unlabelled = %s, realized %s", got, p.Realized)
	}
	if got := p.Labelled.Trades + p.Unlabelled.Trades; got != p.TradeCount {
		t.Errorf("labelled + unlabelled trades = %d, tradeCount %d", got, p.TradeCount)
	}
}

// TestBuildJSONNames pins the payload's JSON field names.
func TestBuildJSONNames(t *testing.T) {
	t.Parallel()
	trades, tags := berlinWeek(t)
	prev := mustBuild(t, digest.Input{User: berlin(), Week: w10.Prev(), Trades: trades, Tags: tags})
	p := mustBuild(t, digest.Input{User: berlin(), Week: w10, Trades: trades, Tags: tags, Previous: &prev, Rules: evaluation()})
	b, err := json.Marshal(p)
	if err != nil {
		t.Fatal(err)
	}
	var m map[string]json.RawMessage
	if err := json.Unmarshal(b, &m); err != nil {
		t.Fatal(err)
	}
	want := []string{"v", "week", "timeZone", "periodStart", "periodEnd", "quote", "tradeCount", "activeDays",
		"closes", "realized", "fees", "countsByBias", "pnlByBias", "labelled", "unlabelled", "days", "streaks",
		"ruleViolations", "vsPreviousWeek", "suggestion", "dataQuality"}
	if len(m) != len(want) {
		t.Errorf("payload has %d fields, want %d: %s", len(m), len(want), b)
	}
	for _, k := range want {
		if _, ok := m[k]; !ok {
			t.Errorf("payload has no %q", k)
		}
	}
	if string(m["realized"]) != `"22.747"` || string(m["periodStart"]) != `"2026-03-02"` {
		t.Errorf("realized %s, periodStart %s: want decimal and date strings", m["realized"], m["periodStart"])
	}
	back, err := digest.ParsePayload(b)
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(p, back); diff != "" {
		t.Errorf("round trip (-built +parsed):\n%s", diff)
	}
}

// evaluation is a hand-made rules evaluation for the Berlin week: a trade cap broken twice (on
// Monday and on Sunday night), a cooldown kept once and undecided once, and verdicts outside the
// week that must not count.
func evaluation() *rules.Evaluation {
	v := func(rule, kind, trade, at string, o rules.Outcome) rules.Verdict {
		ts, _ := time.Parse(time.RFC3339, at)
		return rules.Verdict{RuleID: rule, Kind: kind, TradeID: trade, At: ts, Outcome: o, Evidence: json.RawMessage(`{}`)}
	}
	return &rules.Evaluation{
		Rules: []rules.RuleRef{{ID: "r-cool", Kind: rules.KindCooldownAfterLoss}, {ID: "r-cap", Kind: rules.KindMaxTradesPerDay}},
		Verdicts: []rules.Verdict{
			v("r-cap", rules.KindMaxTradesPerDay, "b0", "2026-02-25T10:00:00Z", rules.Broken), // week 9
			v("r-cool", rules.KindCooldownAfterLoss, "b0", "2026-02-25T10:00:00Z", rules.Followed),
			v("r-cap", rules.KindMaxTradesPerDay, "m0", "2026-03-01T23:30:00Z", rules.Followed),
			v("r-cool", rules.KindCooldownAfterLoss, "b1", "2026-03-02T09:00:00Z", rules.Followed),
			v("r-cap", rules.KindMaxTradesPerDay, "b1", "2026-03-02T09:00:00Z", rules.Broken),
			v("r-cap", rules.KindMaxTradesPerDay, "s1", "2026-03-03T11:00:00Z", rules.Followed),
			v("r-cool", rules.KindCooldownAfterLoss, "e1", "2026-03-04T12:00:00Z", rules.Undecided),
			v("r-cap", rules.KindMaxTradesPerDay, "e2", "2026-03-08T22:30:00Z", rules.Broken),
			v("r-cap", rules.KindMaxTradesPerDay, "n1", "2026-03-08T23:30:00Z", rules.Followed), // next week
		},
	}
}

func TestBuildRules(t *testing.T) {
	t.Parallel()
	trades, tags := berlinWeek(t)
	prev := mustBuild(t, digest.Input{User: berlin(), Week: w10.Prev(), Trades: trades, Tags: tags, Rules: evaluation()})
	p := mustBuild(t, digest.Input{User: berlin(), Week: w10, Trades: trades, Tags: tags, Rules: evaluation(), Previous: &prev})
	wantV := []digest.Violation{
		{RuleID: "r-cap", Kind: rules.KindMaxTradesPerDay, Count: 2, Checked: 4},
		{RuleID: "r-cool", Kind: rules.KindCooldownAfterLoss, Count: 0, Checked: 1, Undecided: 1},
	}
	if diff := cmp.Diff(wantV, p.RuleViolations); diff != "" {
		t.Errorf("ruleViolations (-want +got):\n%s", diff)
	}
	// Streaks at the end of the week (n1's verdict, next week, is left out). Trades in order:
	// b0 broken, m0 ok, b1 broken, s1 ok, e1 undecided, e2 broken. Days (local): 25 Feb broken,
	// 2 Mar broken (m0 ok, b1 broken), 3 Mar ok, 8 Mar broken.
	wantS := &digest.Streaks{
		Overall: digest.Streak{CurrentTrades: 0, BestTrades: 1, CurrentDays: 0, BestDays: 1},
		Rules: []digest.Streak{
			{RuleID: "r-cool", Kind: rules.KindCooldownAfterLoss, CurrentTrades: 2, BestTrades: 2, CurrentDays: 2, BestDays: 2},
			{RuleID: "r-cap", Kind: rules.KindMaxTradesPerDay, CurrentTrades: 0, BestTrades: 1, CurrentDays: 0, BestDays: 1},
		},
	}
	if diff := cmp.Diff(wantS, p.Streaks); diff != "" {
		t.Errorf("streaks (-want +got):\n%s", diff)
	}
	if got := p.VsPreviousWeek.RuleViolations; got != 1 { // 2 this week, 1 the week before
		t.Errorf("vsPreviousWeek.ruleViolations = %d, want 1", got)
	}
}

// TestBuildSuggestion checks the deterministic choice of the suggestion.
func TestBuildSuggestion(t *testing.T) {
	t.Parallel()
	trades, tags := berlinWeek(t)
	for _, tc := range []struct {
		name  string
		tags  []coach.BiasTag
		sims  []digest.SimOutcome
		rules *rules.Evaluation
		want  digest.Suggestion
	}{
		{
			name: "a simulation that would have done better wins",
			tags: tags,
			sims: []digest.SimOutcome{
				{Scenario: "skipLabel", Label: "FOMO", Delta: dec("5")},
				{Scenario: "holdInstead", Label: "FOMO", Delta: dec("3")},
				{Scenario: "skipLabel", Label: "REVENGE", Delta: dec("-1")},                  // worse: not cited
				{Scenario: "skipLabel", Label: "DISPOSITION", Delta: dec("9"), Quote: "EUR"}, // another asset
			},
			want: digest.Suggestion{Kind: digest.SuggestLabel, Label: "FOMO", Scenario: "skipLabel", SimulationDelta: decp("5"),
				Text: "This week 1 trade was tagged FOMO buying; 17.76 USDT of realized gain this week is attributed to that label. " +
					"A what-if (skipLabel) ends the week 5.00 USDT better. Before a buy after a sharp rise, wait for the next candle to close and write down your exit first.",
				Note: "The two figures answer different questions: +17.76 USDT is the realized P/L of this week's closed trades labelled FOMO, " +
					"while the what-if's +5.00 USDT also marks open positions at the week's end and replays the trades that followed without them.",
				Evidence: digest.Evidence{Count: 1, Days: 1, Realized: dec("17.758666666667")}},
		},
		{
			name: "the label with the largest attributed loss",
			tags: tags,
			want: digest.Suggestion{Kind: digest.SuggestLabel, Label: "REVENGE",
				Text: "This week 1 trade was tagged Revenge trading; 2.02 USDT of realized loss this week is attributed to that label. " +
					"After a realized loss, pause before the next entry and size it as you normally would.",
				Evidence: digest.Evidence{Count: 1, Days: 1, Realized: dec("-2.018")}},
		},
		{
			name:  "a broken rule when no label cost money",
			tags:  []coach.BiasTag{tag("s1", coach.LabelHoldingLosers)},
			rules: evaluation(),
			want: digest.Suggestion{Kind: digest.SuggestRule, RuleID: "r-cap",
				Text:     "Your rule maxTradesPerDay was broken twice this week. Check it before each entry next week.",
				Evidence: digest.Evidence{Count: 2, Days: 2}},
		},
		{
			name: "the most frequent label otherwise",
			tags: []coach.BiasTag{tag("s1", coach.LabelHoldingLosers), tag("b1", coach.LabelOvertrading)},
			want: digest.Suggestion{Kind: digest.SuggestLabel, Label: "HOLDING_LOSERS",
				Text: "This week 1 trade was tagged Holding losers long; 24.67 USDT of realized gain this week is attributed to that label. " +
					"Decide a stop for each position when you open it (a stopLossPct rule).",
				Evidence: digest.Evidence{Count: 1, Days: 1, Realized: dec("24.665")}},
		},
		{
			name: "discipline",
			tags: []coach.BiasTag{tag("s1", coach.LabelDiscipline), tag("b1", coach.LabelDiscipline)},
			want: digest.Suggestion{Kind: digest.SuggestKeep, Label: "DISCIPLINE",
				Text:     "2 trades this week were tagged DISCIPLINE: your rules kept, and the position closed at your plan's stop or target. Use the same checklist next week.",
				Evidence: digest.Evidence{Count: 2, Days: 2}},
		},
		{
			name: "nothing stood out",
			want: digest.Suggestion{Kind: digest.SuggestNone,
				Text:     "Nothing in this week's 7 trades stood out. Noting the reason for each entry before you place it makes next week's review sharper.",
				Evidence: digest.Evidence{Count: 7, Days: 6}},
		},
	} {
		t.Run(tc.name, func(t *testing.T) {
			p := mustBuild(t, digest.Input{User: berlin(), Week: w10, Trades: trades, Tags: tc.tags, Simulations: tc.sims, Rules: tc.rules})
			if diff := cmp.Diff(tc.want, p.Suggestion); diff != "" {
				t.Errorf("suggestion (-want +got):\n%s", diff)
			}
		})
	}
}

func TestBuildEmptyWeek(t *testing.T) {
	t.Parallel()
	p := mustBuild(t, digest.Input{User: coach.User{ID: testUser}, Week: w10})
	want := digest.Suggestion{Kind: digest.SuggestNone,
		Text: "No trades this week, so there is nothing to review. The next digest picks up from your next trade."}
	if diff := cmp.Diff(want, p.Suggestion); diff != "" {
		t.Errorf("suggestion (-want +got):\n%s", diff)
	}
	if p.TimeZone != "UTC" || p.Quote != "" || p.TradeCount != 0 || len(p.Days) != 7 || !p.Realized.IsZero() {
		t.Errorf("empty week: %+v", p)
	}
	if !p.DataQuality.Insufficient || len(p.DataQuality.Reasons) != 1 {
		t.Errorf("dataQuality = %+v, want insufficient", p.DataQuality)
	}
}

func TestBuildErrors(t *testing.T) {
	t.Parallel()
	a := fill(t, "a", "2026-03-02T10:00:00Z", "BTC-USDT", coach.Buy, "1", "1", "0")
	b := a
	b.ID, b.UserID = "b", "u2"
	for _, tc := range []struct {
		name string
		in   digest.Input
	}{
		{"week 53 of a 52-week year", digest.Input{Week: digest.Week{Year: 2021, Week: 53}}},
		{"week 0", digest.Input{Week: digest.Week{Year: 2026}}},
		{"two users", digest.Input{Week: w10, Trades: []coach.Trade{a, b}}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if _, err := digest.Build(tc.in); coach.ErrorCode(err) != coach.EINVALID {
				t.Errorf("Build: %v, want EINVALID", err)
			}
		})
	}
}

// TestBuildOrderIndependent: the payload does not depend on the order of trades and tags.
func TestBuildOrderIndependent(t *testing.T) {
	t.Parallel()
	trades, tags := berlinWeek(t)
	want := mustBuild(t, digest.Input{User: berlin(), Week: w10, Trades: trades, Tags: tags, Rules: evaluation()})
	rev := func(n int, swap func(i, j int)) {
		for i, j := 0, n-1; i < j; i, j = i+1, j-1 {
			swap(i, j)
		}
	}
	rev(len(trades), func(i, j int) { trades[i], trades[j] = trades[j], trades[i] })
	rev(len(tags), func(i, j int) { tags[i], tags[j] = tags[j], tags[i] })
	got := mustBuild(t, digest.Input{User: berlin(), Week: w10, Trades: trades, Tags: tags, Rules: evaluation()})
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("reversed input (-want +got):\n%s", diff)
	}
}

// TestBuildNewYorkSundayNight: a trade at Sunday 23:30 in New York belongs to that week though
// UTC says Monday, and one at Monday 00:30 local belongs to the next, in a week DST starts in.
func TestBuildNewYorkSundayNight(t *testing.T) {
	t.Parallel()
	u := coach.User{ID: testUser, TimeZone: "America/New_York"}
	trades := []coach.Trade{
		fill(t, "a", "2026-03-02T04:30:00Z", "BTC-USDT", coach.Buy, "1", "1", "0"), // Sun 1 Mar 23:30 EST: week 9
		fill(t, "b", "2026-03-02T05:30:00Z", "BTC-USDT", coach.Buy, "1", "1", "0"), // Mon 2 Mar 00:30 EST
		fill(t, "c", "2026-03-09T03:30:00Z", "BTC-USDT", coach.Buy, "1", "1", "0"), // Sun 8 Mar 23:30 EDT
		fill(t, "d", "2026-03-09T04:30:00Z", "BTC-USDT", coach.Buy, "1", "1", "0"), // Mon 9 Mar 00:30 EDT: week 11
	}
	p := mustBuild(t, digest.Input{User: u, Week: w10, Trades: trades})
	if p.TradeCount != 2 || p.Days[0].Trades != 1 || p.Days[6].Trades != 1 {
		t.Errorf("tradeCount %d, Monday %d, Sunday %d: want 2, 1, 1", p.TradeCount, p.Days[0].Trades, p.Days[6].Trades)
	}
}

// TestBuildBaseAssetFees: a fee in the base asset shrinks the lot and is valued at the fill
// price, and the attribution still adds up exactly.
func TestBuildBaseAssetFees(t *testing.T) {
	t.Parallel()
	buy := fill(t, "b", "2026-03-02T10:00:00Z", "BTC-USDT", coach.Buy, "1", "100", "")
	buy.Fee, buy.FeeAsset = decimal.NewNullDecimal(dec("0.001")), "BTC" // holds 0.999
	buy2 := fill(t, "c", "2026-03-02T11:00:00Z", "BTC-USDT", coach.Buy, "1", "103", "0.3")
	sell := fill(t, "s", "2026-03-03T10:00:00Z", "BTC-USDT", coach.Sell, "1.5", "110", "")
	sell.Fee, sell.FeeAsset = decimal.NewNullDecimal(dec("0.0015")), "BTC" // takes 1.5015
	tags := []coach.BiasTag{tag("b", coach.LabelFOMO)}
	p := mustBuild(t, digest.Input{User: coach.User{ID: testUser}, Week: w10, Trades: []coach.Trade{buy, buy2, sell}, Tags: tags})
	// Fees: 0.001 × 100 + 0.3 + 0.0015 × 110.
	if !p.Fees.Equal(dec("0.565")) {
		t.Errorf("fees = %s, want 0.565", p.Fees)
	}
	if p.DataQuality.UnattributedCloses != 0 {
		t.Errorf("unattributedCloses = %d, want 0", p.DataQuality.UnattributedCloses)
	}
	if got := p.Labelled.Realized.Add(p.Unlabelled.Realized); !got.Equal(p.Realized) {
		t.Errorf("labelled + unlabelled = %s, realized %s", got, p.Realized)
	}
	// FOMO's part: 0.999 × (110 − 100) less its share of the fees.
	fomo := p.PnLByBias["FOMO"].Realized
	if !fomo.LessThan(dec("9.99")) || !fomo.GreaterThan(dec("9.5")) {
		t.Errorf("FOMO realized = %s, want a little under 9.99", fomo)
	}
}
