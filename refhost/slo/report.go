package slo

import (
	"fmt"
	"io"
	"math"
	"strings"
	"text/tabwriter"

	"github.com/tradecoach/coach"
)

// Verdict sums up results: Missing when an objective could not be measured (its Err is set),
// Breached when one was measured below its target, Met when every one met its target. Missing
// wins over Breached: a check that cannot see everything does not say which promises hold.
type Verdict int

// Verdicts, in the order of their exit codes (see Verdict.ExitCode).
const (
	Met Verdict = iota
	Breached
	Missing
)

// Judge returns the verdict of results.
func Judge(results []Result) Verdict {
	v := Met
	for _, r := range results {
		switch {
		case r.Err != nil:
			return Missing
		case !r.Met:
			v = Breached
		}
	}
	return v
}

// ExitCode is the process's exit status for v: 0 met, 1 breached, 2 missing.
func (v Verdict) ExitCode() int { return int(v) }

// String is "met", "breached" or "missing".
func (v Verdict) String() string {
	switch v {
	case Met:
		return "met"
	case Breached:
		return "breached"
	default:
		return "missing"
	}
}

// Write prints one line per result: the objective, what was measured (the fraction of good
// events, their count and, for a duration, the estimated quantile at the target) and MET,
// BREACHED or MISSING with the reason.
func Write(w io.Writer, results []Result) error {
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "objective\tpromise\tmeasured\tstatus")
	for _, r := range results {
		o := r.Objective
		var measured, status string
		switch {
		case r.Err != nil:
			measured, status = "-", "MISSING: "+coach.ErrorMessage(r.Err)
		default:
			measured = fmt.Sprintf("%s of %g", percent(r.Fraction()), r.Total)
			if !math.IsNaN(r.Quantile) {
				measured += fmt.Sprintf(", p%s ≈ %s", strings.TrimSuffix(percent(o.Target), "%"), seconds(r.Quantile))
			}
			status = "MET"
			if !r.Met {
				status = fmt.Sprintf("BREACHED (target %s)", percent(o.Target))
			}
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\n", o.Name, o.Promise, measured, status)
	}
	return tw.Flush()
}

func percent(f float64) string {
	s := fmt.Sprintf("%.3f", 100*f)
	s = strings.TrimRight(strings.TrimRight(s, "0"), ".")
	return s + "%"
}

func seconds(s float64) string {
	if s < 1 {
		return fmt.Sprintf("%.0f ms", 1000*s)
	}
	return fmt.Sprintf("%.2f s", s)
}
