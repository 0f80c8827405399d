package main

import (
	"fmt"
	"io"
	"math"
	"strings"
	"text/tabwriter"

	"github.com/shopspring/decimal"

	"github.com/tradecoach/coach"
	"github.com/tradecoach/coach/sim"
)

// maxChanges is how many changes the report lists one by one.
const maxChanges = 12

// write prints the simulation: the question, the P/L table, the equity curves and the changes.
func write(w io.Writer, in data, res sim.Result) error {
	var b strings.Builder
	fmt.Fprintf(&b, "What if %s?\n", describe(res.Scenario))
	fmt.Fprintf(&b, "%s: %s to %s, %d trades (%d %s), %d candles\n", in.source,
		res.From.Format("2006-01-02 15:04"), res.To.Format("2006-01-02 15:04"), res.Data.Trades, res.Data.Labelled, acted(res.Scenario), res.Data.Candles)
	fmt.Fprintf(&b, "candles sha256 %s, trades sha256 %s\n", res.Data.CandlesSHA256, res.Data.TradesSHA256)

	for i, p := range res.PnL {
		fmt.Fprintf(&b, "\n")
		tw := tabwriter.NewWriter(&b, 0, 4, 2, ' ', tabwriter.AlignRight)
		fmt.Fprintf(tw, "%s\tactual\twhat-if\tdelta\t\n", p.Quote)
		row := func(name string, a, c, d decimal.Decimal) {
			fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t\n", name, a.StringFixed(2), c.StringFixed(2), signed(d))
		}
		row("realized", p.Actual.Realized, p.Counterfactual.Realized, p.Delta.Realized)
		row("unrealized", p.Actual.Unrealized, p.Counterfactual.Unrealized, p.Delta.Unrealized)
		row("total", p.Actual.Total, p.Counterfactual.Total, p.Delta.Total)
		if err := tw.Flush(); err != nil {
			return err
		}
		if p.Delta.FeesUnknown {
			fmt.Fprintf(&b, "(some fees are unknown: these figures leave them out)\n")
		}
		if i < len(res.Equity) {
			writeCurve(&b, res.Equity[i])
		}
	}
	if len(res.Data.Marks) > 0 {
		fmt.Fprintf(&b, "\nopen positions marked at:")
		for _, m := range res.Data.Marks {
			src := "last close"
			if m.Fill {
				src = "last fill"
			}
			fmt.Fprintf(&b, " %s %s (%s)", m.Symbol, m.Price, src)
		}
		fmt.Fprintf(&b, "\n")
	}

	fmt.Fprintf(&b, "\nCHANGES (%d)%s\n", len(res.Changes), counts(res.Changes))
	when := map[string]coach.Trade{}
	for _, t := range in.trades {
		when[t.ExtID] = t
		if t.ID != "" {
			when[t.ID] = t
		}
	}
	tw := tabwriter.NewWriter(&b, 0, 4, 2, ' ', 0)
	for i, c := range res.Changes {
		if i == maxChanges {
			fmt.Fprintf(tw, "… and %d more\n", len(res.Changes)-maxChanges)
			break
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\n", when[c.TradeID].TS.Format("2006-01-02 15:04"), c.TradeID, c.Symbol, c.Change, c.Detail)
	}
	if err := tw.Flush(); err != nil {
		return err
	}
	_, err := io.WriteString(w, b.String())
	return err
}

// describe says what the scenario asks.
func describe(sc sim.Scenario) string {
	switch sc.Kind {
	case sim.KindSkipLabel:
		return fmt.Sprintf("I had skipped my %s buys", sc.Label)
	case sim.KindNoRevenge:
		return "I had made no revenge trades"
	case sim.KindHoldInstead:
		switch sc.Until {
		case sim.UntilNCandles:
			return fmt.Sprintf("I had held instead of making my %s sells, for %d candles more", sc.Label, sc.N)
		case sim.UntilNextSell:
			return fmt.Sprintf("I had held instead of making my %s sells, until my next sell", sc.Label)
		}
		return fmt.Sprintf("I had held instead of making my %s sells, to the end", sc.Label)
	case sim.KindFollowRule:
		s := "I had followed my rules"
		if sc.StopLossPct > 0 {
			s += fmt.Sprintf(", with a %g%% stop loss", sc.StopLossPct)
		}
		if sc.TakeProfitPct > 0 {
			s += fmt.Sprintf(", with a %g%% take profit", sc.TakeProfitPct)
		}
		return s
	}
	return sc.Kind
}

// acted names what Data.Labelled counts.
func acted(sc sim.Scenario) string {
	if sc.Kind == sim.KindFollowRule {
		return "blocked by a rule"
	}
	if sc.Kind == sim.KindNoRevenge {
		return "labelled REVENGE"
	}
	return "labelled " + sc.Label
}

// counts summarizes changes by kind.
func counts(cs []sim.Change) string {
	n := map[string]int{}
	for _, c := range cs {
		n[c.Change]++
	}
	var parts []string
	for _, k := range []string{sim.ChangeSkipped, sim.ChangeReduced, sim.ChangeHeld, sim.ChangeBlocked, sim.ChangeExitAdded} {
		if n[k] > 0 {
			parts = append(parts, fmt.Sprintf("%d %s", n[k], k))
		}
	}
	if len(parts) == 0 {
		return ""
	}
	return ": " + strings.Join(parts, ", ")
}

// signed writes d with two decimals and its sign.
func signed(d decimal.Decimal) string {
	if d.Sign() > 0 {
		return "+" + d.StringFixed(2)
	}
	return d.StringFixed(2)
}

// sparkWidth is the number of characters of a sparkline.
const sparkWidth = 60

// writeCurve draws both equity curves as sparklines on one scale.
func writeCurve(b *strings.Builder, c sim.Curve) {
	if len(c.Points) == 0 {
		return
	}
	lo, hi := math.Inf(1), math.Inf(-1)
	for _, p := range c.Points {
		lo, hi = min(lo, p.Actual, p.Counterfactual), max(hi, p.Actual, p.Counterfactual)
	}
	fmt.Fprintf(b, "\nequity in %s, %d points from %s to %s, between %.2f and %.2f:\n", c.Quote, len(c.Points),
		c.Points[0].At.Format("01-02 15:04"), c.Points[len(c.Points)-1].At.Format("01-02 15:04"), lo, hi)
	fmt.Fprintf(b, "  actual   %s\n", spark(c.Points, lo, hi, func(p sim.Point) float64 { return p.Actual }))
	fmt.Fprintf(b, "  what-if  %s\n", spark(c.Points, lo, hi, func(p sim.Point) float64 { return p.Counterfactual }))
}

// spark draws the values of points (the last of each of sparkWidth buckets) between lo and hi.
func spark(points []sim.Point, lo, hi float64, v func(sim.Point) float64) string {
	const levels = "▁▂▃▄▅▆▇█"
	bars := []rune(levels)
	n := min(sparkWidth, len(points))
	var out []rune
	for i := range n {
		p := points[(i+1)*len(points)/n-1]
		k := 0
		if hi > lo {
			k = int(math.Round((v(p) - lo) / (hi - lo) * float64(len(bars)-1)))
		}
		out = append(out, bars[k])
	}
	return string(out)
}
