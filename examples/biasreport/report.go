package main

import (
	"fmt"
	"io"
	"math"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/tradecoach/coach"
	"github.com/tradecoach/coach/bias"
)

// write prints res: labels with reflections, skips, account metrics and data notes.
func write(w io.Writer, res bias.Result, trades []coach.Trade) error {
	byID := map[string]coach.Trade{}
	for _, t := range trades {
		byID[t.ExtID] = t
	}
	var b strings.Builder
	fmt.Fprintf(&b, "Bias report — definitions %s, %d trades, %d candles\n\n", res.Version, res.Account.Trades, res.Data.Candles)

	fmt.Fprintf(&b, "LABELS (%d)\n", len(res.Tags))
	tw := tabwriter.NewWriter(&b, 0, 4, 2, ' ', 0)
	for _, g := range res.Tags {
		t := byID[g.TradeID]
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t%.2f\n", t.TS.Format("2006-01-02 15:04"), g.TradeID, t.Side, t.Symbol, g.Label, g.Confidence)
		fmt.Fprintf(tw, "\t\t\t\t↳ %s\n", bias.Reflect(g))
	}
	if err := tw.Flush(); err != nil {
		return err
	}

	if len(res.Skipped) > 0 {
		fmt.Fprintf(&b, "\nNOT SCORED (%d)\n", len(res.Skipped))
		for _, s := range res.Skipped {
			fmt.Fprintf(&b, "%s %s: %s\n", s.TradeID, s.Label, s.Reason)
		}
	}

	a := res.Account
	fmt.Fprintf(&b, "\nACCOUNT\n")
	d := a.Disposition
	fmt.Fprintf(&b, "disposition     PGR %s  PLR %s  DE %s  SE %s  t %s  (RG %d, RL %d, PG %d, PL %d over %d moments, %d excluded)%s\n",
		f3(d.PGR), f3(d.PLR), f3(d.DE), f3(d.SE), f1(d.T), d.RG, d.RL, d.PG, d.PL, d.Moments, d.Excluded, note(d.Insufficient))
	fmt.Fprintf(&b, "                clustered by position: SE %s  t %s over %d positions\n", f3(d.Clustered.SE), f1(d.Clustered.T), d.Clustered.Clusters)
	o := a.Overtrading
	fmt.Fprintf(&b, "overtrading     %d trades on %d active days (%s a day, median %s); overtraded days: %d\n",
		o.Trades, o.ActiveDays, f1(o.TradesPerActiveDay), f1(o.MedianTradesPerDay), o.OvertradedDays)
	fmt.Fprintf(&b, "turnover        %s a month, %s a year over %d months; fees %s %s = %s of notional, fee drag %s%s\n",
		pct(o.MonthlyTurnover), pct(o.AnnualTurnover), o.Months, f2(o.Fees), o.Quote, pct(o.FeeRate), pct(o.FeeDrag), note(o.Insufficient))
	l := a.LossChasing
	fmt.Fprintf(&b, "loss chasing    P(bigger | loss) %s of %d, P(bigger | gain) %s of %d, diff %s, SE %s, t %s%s\n",
		f3(l.PLoss), l.AfterLoss, f3(l.PGain), l.AfterGain, f3(l.Diff), f3(l.SE), f1(l.T), note(l.Insufficient))
	fmt.Fprintf(&b, "                clustered by position: SE %s  t %s over %d positions\n", f3(l.Clustered.SE), f1(l.Clustered.T), l.Clustered.Clusters)
	h := a.HoldingLosers
	fmt.Fprintf(&b, "holding losers  losers held %s on average, winners %s: ratio %s (%d losers, %d winners)%s\n",
		dur(h.MeanLoserHold), dur(h.MeanWinnerHold), f2(h.Ratio), h.Losers, h.Winners, note(h.Insufficient))

	for _, w := range a.Windows {
		fmt.Fprintf(&b, "month %s   DE %s (clustered t %s, %d positions); loss chasing diff %s (clustered t %s)\n",
			w.From.Format("2006-01"), f3(w.Disposition.DE), f1(w.Disposition.Clustered.T), w.Disposition.Clustered.Clusters,
			f3(w.LossChasing.Diff), f1(w.LossChasing.Clustered.T))
	}

	dr, lr := res.Data, res.Ledger
	fmt.Fprintf(&b, "\nDATA  candles dropped: %d invalid, %d other interval, %d repeated, %d conflicting; %d gaps. "+
		"Ledger (%s): %d unknown fees, %d unconverted fees, %d sells beyond known holdings.\n",
		dr.Invalid, dr.OtherInterval, dr.Duplicates, dr.Conflicting, dr.Gaps, lr.Method, lr.UnknownFees, lr.UnconvertedFees, lr.UncoveredSells)
	_, err := io.WriteString(w, b.String())
	return err
}

func undefined(x float64) bool { return math.IsNaN(x) || math.IsInf(x, 0) }

func f1(x float64) string { return num(x, 1) }
func f2(x float64) string { return num(x, 2) }
func f3(x float64) string { return num(x, 3) }

func num(x float64, prec int) string {
	if undefined(x) {
		return "n/a"
	}
	return fmt.Sprintf("%.*f", prec, x)
}

func pct(x float64) string {
	if undefined(x) {
		return "n/a"
	}
	return fmt.Sprintf("%.1f%%", 100*x)
}

func dur(d time.Duration) string {
	if d == 0 {
		return "n/a"
	}
	return fmt.Sprintf("%.1fh", d.Hours())
}

func note(s string) string {
	if s == "" {
		return ""
	}
	return "\n                (" + s + ")"
}
