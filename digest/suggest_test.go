package digest_test

import (
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/google/go-cmp/cmp"

	"github.com/tradecoach/coach"
	"github.com/tradecoach/coach/bias"
	"github.com/tradecoach/coach/digest"
	"github.com/tradecoach/coach/rules"
)

// trendWords speak of a pattern over time; thin evidence must not get them.
var trendWords = []string{"more often", "increasing", "trend", "again and again", "pattern", "keeps", "habit",
	"usually", "tend to", "every week", "each week", "repeatedly"}

func trendWord(text string) string {
	low := strings.ToLower(text)
	for _, w := range trendWords {
		if strings.Contains(low, w) {
			return w
		}
	}
	return ""
}

// roundTrips makes n losing FOMO round trips of BTC-USDT, one every step from Monday 09:00 UTC
// of 2026-W10.
func roundTrips(t testing.TB, n int, step time.Duration) ([]coach.Trade, []coach.BiasTag) {
	var trades []coach.Trade
	var tags []coach.BiasTag
	at := time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC)
	for i := range n {
		b, s := fmt.Sprintf("b%d", i), fmt.Sprintf("s%d", i)
		ts := at.Add(time.Duration(i) * step)
		trades = append(trades,
			fill(t, b, ts.Format(time.RFC3339), "BTC-USDT", coach.Buy, "1", "100", "0.1"),
			fill(t, s, ts.Add(time.Hour).Format(time.RFC3339), "BTC-USDT", coach.Sell, "1", "95", "0.1"))
		tags = append(tags, tag(b, coach.LabelFOMO))
	}
	return trades, tags
}

// TestSuggestionTrendGuard: the suggestion speaks of a pattern only with at least
// bias.MinTrendEvents events over at least two days, never in a one-day week.
func TestSuggestionTrendGuard(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name    string
		n       int
		step    time.Duration
		pattern bool
	}{
		{"many on one day", 2 * bias.MinTrendEvents, 30 * time.Minute, false},
		{"few over several days", bias.MinTrendEvents - 1, 24 * time.Hour, false},
		{"enough over several days", bias.MinTrendEvents, 24 * time.Hour, true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			trades, tags := roundTrips(t, tc.n, tc.step)
			p := mustBuild(t, digest.Input{User: coach.User{ID: testUser}, Week: w10, Trades: trades, Tags: tags})
			s := p.Suggestion
			if s.Kind != digest.SuggestLabel || s.Label != coach.LabelFOMO || s.Evidence.Count != tc.n {
				t.Fatalf("suggestion = %+v", s)
			}
			if s.Evidence.Pattern != tc.pattern {
				t.Errorf("pattern = %v, want %v", s.Evidence.Pattern, tc.pattern)
			}
			w := trendWord(s.Text)
			if !tc.pattern && w != "" {
				t.Errorf("text speaks of a trend (%q) on thin evidence: %s", w, s.Text)
			}
			if tc.pattern && w == "" {
				t.Errorf("text with enough evidence does not name the pattern: %s", s.Text)
			}
		})
	}
	// A rule broken many times on one day is not a pattern either.
	trades, _ := roundTrips(t, 2*bias.MinTrendEvents, 10*time.Minute)
	e := &rules.Evaluation{Rules: []rules.RuleRef{{ID: "r1", Kind: rules.KindMaxTradesPerDay}}}
	for _, tr := range trades {
		e.Verdicts = append(e.Verdicts, rules.Verdict{RuleID: "r1", Kind: rules.KindMaxTradesPerDay, TradeID: tr.ID, At: tr.TS,
			Outcome: rules.Broken, Evidence: json.RawMessage(`{}`)})
	}
	p := mustBuild(t, digest.Input{User: coach.User{ID: testUser}, Week: w10, Trades: trades, Rules: e})
	if p.Suggestion.Kind != digest.SuggestRule || p.Suggestion.Evidence.Pattern {
		t.Fatalf("suggestion = %+v", p.Suggestion)
	}
	if w := trendWord(p.Suggestion.Text); w != "" {
		t.Errorf("rule text speaks of a trend (%q) in a one-day week: %s", w, p.Suggestion.Text)
	}
}

// TestBuildProperties checks, over random weeks, what must hold for every digest: the attribution
// adds up, the text is short and guarded, and the payload is deterministic.
func TestBuildProperties(t *testing.T) {
	t.Parallel()
	labels := []string{coach.LabelFOMO, coach.LabelPanic, coach.LabelRevenge, coach.LabelDiscipline, coach.LabelOvertrading}
	syms := []string{"BTC-USDT", "ETH-USDT", "ETH-BTC"}
	for seed := range uint64(300) {
		r := rand.New(rand.NewPCG(seed, 7))
		var trades []coach.Trade
		var tags []coach.BiasTag
		var sims []digest.SimOutcome
		at := time.Date(2026, 2, 27, 0, 0, 0, 0, time.UTC)
		for i := range 1 + r.IntN(40) {
			at = at.Add(time.Duration(r.IntN(12*60)) * time.Minute)
			side := coach.Buy
			if r.IntN(2) == 0 {
				side = coach.Sell
			}
			id := fmt.Sprintf("t%d", i)
			fee := []string{"", "0", "0.01"}[r.IntN(3)]
			trades = append(trades, fill(t, id, at.Format(time.RFC3339), syms[r.IntN(len(syms))], side,
				fmt.Sprint(1+r.IntN(3)), fmt.Sprint(90+r.IntN(20)), fee))
			for _, l := range labels {
				if r.IntN(4) == 0 {
					tags = append(tags, tag(id, l))
				}
			}
		}
		if r.IntN(2) == 0 {
			sims = append(sims, digest.SimOutcome{Scenario: "skipLabel", Label: labels[r.IntN(len(labels))], Delta: dec(fmt.Sprint(r.IntN(20) - 10))})
		}
		tz := []string{"", "Europe/Berlin", "America/New_York", "Asia/Tokyo"}[r.IntN(4)]
		in := digest.Input{User: coach.User{ID: testUser, TimeZone: tz}, Week: w10, Trades: trades, Tags: tags, Simulations: sims}
		p := mustBuild(t, in)
		if got := p.Labelled.Realized.Add(p.Unlabelled.Realized); !got.Equal(p.Realized) {
			t.Fatalf("seed %d: labelled + unlabelled = %s, realized %s", seed, got, p.Realized)
		}
		if p.Labelled.Trades+p.Unlabelled.Trades != p.TradeCount {
			t.Fatalf("seed %d: trades %d + %d != %d", seed, p.Labelled.Trades, p.Unlabelled.Trades, p.TradeCount)
		}
		sum, days := 0, 0
		for _, d := range p.Days {
			sum += d.Trades
			if d.Trades > 0 {
				days++
			}
		}
		if sum != p.TradeCount || days != p.ActiveDays {
			t.Fatalf("seed %d: days add up to %d trades on %d days, payload %d on %d", seed, sum, days, p.TradeCount, p.ActiveDays)
		}
		if !p.Days[6].Cumulative.Equal(p.Realized) {
			t.Fatalf("seed %d: cumulative %s, realized %s", seed, p.Days[6].Cumulative, p.Realized)
		}
		if p.DataQuality.UnattributedCloses != 0 {
			t.Fatalf("seed %d: %d closes not traced to their lots", seed, p.DataQuality.UnattributedCloses)
		}
		s := p.Suggestion
		if n := utf8.RuneCountInString(s.Text); n == 0 || n > digest.MaxSuggestion {
			t.Fatalf("seed %d: text of %d characters", seed, n)
		}
		thin := p.DataQuality.Insufficient || s.Evidence.Count < bias.MinTrendEvents || s.Evidence.Days < 2
		if w := trendWord(s.Text); thin && w != "" {
			t.Fatalf("seed %d: %q on thin evidence (%+v, %+v): %s", seed, w, s.Evidence, p.DataQuality, s.Text)
		}
		if again := mustBuild(t, in); !cmp.Equal(p, again) {
			t.Fatalf("seed %d: Build is not deterministic", seed)
		}
	}
}
