// Command digest writes a trader's weekly digest as a self-contained HTML report: the demo
// broker's persona (deterministic fills and market data), labelled by bias.Score, judged by a few
// of the trader's own rules (package rules), with what-if simulations of the week (package sim),
// summed up by digest.Build for the last full week of the demo. It writes the report and prints
// a text summary.
//
//	go run ./examples/digest                      # writes ./digest.html
//	go run ./examples/digest -o /tmp/week.html -tz America/New_York
//
// Everything runs in memory from values: no database, no network. (A host would use
// digest.Service, which loads the same values from storage, stores the digest with its
// digest.ready event and archives the report.)
package main

import (
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"os"
	"slices"
	"time"

	"github.com/shopspring/decimal"

	"github.com/tradecoach/coach"
	"github.com/tradecoach/coach/bias"
	"github.com/tradecoach/coach/broker/brokertest"
	"github.com/tradecoach/coach/digest"
	"github.com/tradecoach/coach/rules"
	"github.com/tradecoach/coach/sim"
)

func main() {
	out := flag.String("o", "digest.html", "where to write the HTML report")
	tz := flag.String("tz", "Europe/Berlin", "the trader's IANA time zone")
	seed := flag.Int64("seed", 42, "demo persona seed")
	flag.Parse()
	if _, err := run(context.Background(), os.Stdout, *out, *tz, *seed); err != nil {
		fmt.Fprintln(os.Stderr, "digest:", coach.ErrorMessage(err))
		os.Exit(1)
	}
}

// traderRules are the demo trader's own rules.
var traderRules = []coach.Rule{
	{ID: "rule-cap", Kind: rules.KindMaxTradesPerDay, Params: json.RawMessage(`{"n":8}`), Active: true},
	{ID: "rule-cooldown", Kind: rules.KindCooldownAfterLoss, Params: json.RawMessage(`{"minutes":60}`), Active: true},
	{ID: "rule-spike", Kind: rules.KindAvoidSpikeOverPct, Params: json.RawMessage(`{"pct":5,"lookbackHours":24}`), Active: true},
}

// run builds the digest of the demo's last full week, writes the report to path and the summary
// to w, and returns the payload.
func run(ctx context.Context, w io.Writer, path, tz string, seed int64) (digest.Payload, error) {
	user := coach.User{ID: "demo-trader", Email: "demo@example.com", TimeZone: tz}
	if err := user.Validate(); err != nil {
		return digest.Payload{}, err
	}
	loc := user.Location()
	demo, err := brokertest.NewDemo(seed, brokertest.DemoOptions{})
	if err != nil {
		return digest.Payload{}, err
	}
	trades := demo.Trades()
	for i := range trades {
		trades[i].UserID = user.ID
	}
	candles := map[coach.Symbol][]coach.Candle{}
	for _, sym := range demo.Symbols() {
		cs, err := demo.Candles(ctx, sym, coach.Hour1, demo.Start(), demo.End())
		if err != nil {
			return digest.Payload{}, err
		}
		candles[sym] = cs
	}

	// The trader's rules, judged on every trade; their verdicts feed DISCIPLINE.
	var parsed []rules.Rule
	for _, r := range traderRules {
		p, err := rules.Parse(r)
		if err != nil {
			return digest.Payload{}, err
		}
		parsed = append(parsed, p)
	}
	eval, err := rules.Evaluate(trades, rules.CandleSeries(candles), parsed, loc)
	if err != nil {
		return digest.Payload{}, err
	}
	cfg := bias.DefaultConfig()
	cfg.TimeZone = loc.String()
	cfg.Rules = func(t coach.Trade) bias.Verdict {
		n, broken := eval.Check(t)
		return bias.Verdict{Checked: n, Broken: broken}
	}
	cfg.Plan = bias.PlanOf(traderRules) // the stop and target DISCIPLINE's exits are measured against
	scored, err := bias.Score(trades, bias.CandleSeries(candles), cfg)
	if err != nil {
		return digest.Payload{}, err
	}

	week := digest.LastFullWeek(demo.End(), loc)
	sims, err := simulate(trades, scored.Tags, candles, week, loc)
	if err != nil {
		return digest.Payload{}, err
	}
	prev, err := digest.Build(digest.Input{User: user, Week: week.Prev(), Trades: trades, Tags: scored.Tags, Rules: eval})
	if err != nil {
		return digest.Payload{}, err
	}
	p, err := digest.Build(digest.Input{User: user, Week: week, Trades: trades, Tags: scored.Tags, Rules: eval,
		Simulations: sims, Previous: &prev})
	if err != nil {
		return digest.Payload{}, err
	}
	html, err := digest.RenderHTML(p)
	if err != nil {
		return digest.Payload{}, err
	}
	if err := os.WriteFile(path, html, 0o600); err != nil {
		return digest.Payload{}, coach.Errorf(coach.EINVALID, "%s: %v", path, err)
	}
	summarize(w, p)
	fmt.Fprintf(w, "\nWrote %s (%d bytes).\n", path, len(html))
	return p, nil
}

// simulate runs the what-ifs the suggestion may cite over the week (package sim): leaving out the
// entries of each entry label, and holding instead of each PANIC sell until the next sell.
func simulate(trades []coach.Trade, tags []coach.BiasTag, candles map[coach.Symbol][]coach.Candle, week digest.Week, loc *time.Location) ([]digest.SimOutcome, error) {
	var bars []coach.Candle
	for _, cs := range candles {
		bars = append(bars, cs...) // sim orders them itself
	}
	params := sim.Params{From: week.Start(loc), To: week.End(loc), Interval: coach.Hour1}
	var out []digest.SimOutcome
	for _, sc := range []sim.Scenario{
		{Kind: sim.KindSkipLabel, Label: coach.LabelFOMO},
		{Kind: sim.KindSkipLabel, Label: coach.LabelRevenge},
		{Kind: sim.KindHoldInstead, Label: coach.LabelPanic, Until: sim.UntilNextSell},
	} {
		res, err := sim.Run(sim.Input{Trades: trades, Tags: tags, Candles: bars, Location: loc, Scenario: sc, Params: params})
		if err != nil {
			return nil, err
		}
		for _, pnl := range res.PnL {
			out = append(out, digest.SimOutcome{Scenario: sc.Kind, Label: sc.Label, Delta: pnl.Delta.Total, Quote: pnl.Quote})
		}
	}
	return out, nil
}

// summarize prints the digest as text.
func summarize(w io.Writer, p digest.Payload) {
	fmt.Fprintf(w, "Weekly digest %s (%s to %s, %s)\n", p.Week, p.PeriodStart, p.PeriodEnd, p.TimeZone)
	fmt.Fprintf(w, "  %d trades on %d days, %d closes, realized %s, fees %s\n",
		p.TradeCount, p.ActiveDays, p.Closes, amount(p.Realized, p.Quote), p.Fees.StringFixed(2)+" "+p.Quote)
	if c := p.VsPreviousWeek; c != nil {
		fmt.Fprintf(w, "  vs %s: trades %+d, active days %+d", c.Week, c.TradeCount, c.ActiveDays)
		if c.Realized != nil {
			fmt.Fprintf(w, ", realized %s", amount(*c.Realized, p.Quote))
		}
		fmt.Fprintln(w)
	}

	fmt.Fprintf(w, "\n  %-16s %6s %6s %14s\n", "label", "trades", "closes", "realized")
	for _, l := range sortedKeys(p.PnLByBias) {
		b := p.PnLByBias[l]
		fmt.Fprintf(w, "  %-16s %6d %6d %14s\n", l, b.Trades, b.Closes, signed(b.Realized))
	}
	fmt.Fprintf(w, "  %-16s %6d %6d %14s\n", "(any label)", p.Labelled.Trades, p.Labelled.Closes, signed(p.Labelled.Realized))
	fmt.Fprintf(w, "  %-16s %6d %6d %14s\n", "(unlabelled)", p.Unlabelled.Trades, p.Unlabelled.Closes, signed(p.Unlabelled.Realized))

	if p.Streaks != nil {
		streaks := map[string]digest.Streak{}
		for _, s := range p.Streaks.Rules {
			streaks[s.RuleID] = s
		}
		fmt.Fprintln(w, "\n  Rules:")
		for _, v := range p.RuleViolations {
			s := streaks[v.RuleID]
			fmt.Fprintf(w, "  %-20s broken %d of %d decided (%d undecided); streak %d days (best %d)\n",
				v.Kind, v.Count, v.Checked, v.Undecided, s.CurrentDays, s.BestDays)
		}
	}
	if p.DataQuality.Insufficient {
		fmt.Fprintf(w, "\n  Thin week: %v\n", p.DataQuality.Reasons)
	}
	fmt.Fprintf(w, "\nSuggestion (%s): %s\n", p.Suggestion.Kind, p.Suggestion.Text)
	if d := p.Suggestion.SimulationDelta; d != nil {
		fmt.Fprintf(w, "  (simulation %s: %s)\n", p.Suggestion.Scenario, amount(*d, p.Quote))
	}
	if p.Suggestion.Note != "" {
		fmt.Fprintf(w, "  %s\n", p.Suggestion.Note)
	}
}

func amount(d decimal.Decimal, quote string) string { return signed(d) + " " + quote }

func signed(d decimal.Decimal) string {
	if d.Sign() > 0 {
		return "+" + d.StringFixed(2)
	}
	return d.StringFixed(2)
}

func sortedKeys[V any](m map[string]V) []string {
	ks := make([]string, 0, len(m))
	for k := range m {
		ks = append(ks, k)
	}
	slices.Sort(ks)
	return ks
}
