package jobs_test

import (
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/shopspring/decimal"

	"github.com/tradecoach/coach"
	"github.com/tradecoach/coach/digest"
	"github.com/tradecoach/coach/jobs"
	"github.com/tradecoach/coach/sim"
)

func TestSimOutcomesOfTheWeek(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	q := &recordingQueue{}
	h := f.handlers(q)
	must(t, h.ImportTrades(f.ctx, f.job(jobs.ImportJob(f.importPayload()))), "ImportTrades")
	must(t, h.ScoreBias(f.ctx, q.jobs[0]), "ScoreBias")
	svc := f.cfg.Simulator
	loc := f.user.Location()
	week := f.lastWeek()
	from, to := week.Start(loc), week.End(loc)
	inWeek := sim.Params{From: from, To: to}
	hold := sim.Scenario{Kind: sim.KindHoldInstead, Label: coach.LabelPanic, Until: sim.UntilNCandles, N: 4}

	// run submits and runs req at the clock's time, and returns the run.
	run := func(sc sim.Scenario, p sim.Params) coach.SimulationRun {
		t.Helper()
		r, err := svc.Submit(f.ctx, f.user.ID, sim.Request{Scenario: sc, Params: p})
		must(t, err, "Submit")
		r, err = svc.Run(f.ctx, f.user.ID, r.ID)
		must(t, err, "Run")
		f.clock.Advance(time.Minute)
		return r
	}
	outcomes := func(r coach.SimulationRun) []digest.SimOutcome {
		t.Helper()
		res, err := sim.RunResult(r)
		must(t, err, "RunResult")
		var out []digest.SimOutcome
		for _, p := range res.PnL {
			label := res.Scenario.Label
			if res.Scenario.Kind == sim.KindNoRevenge {
				label = coach.LabelRevenge
			}
			out = append(out, digest.SimOutcome{Scenario: res.Scenario.Kind, Label: label, Delta: p.Delta.Total, Quote: p.Quote})
		}
		return out
	}

	// Created before the week began: not read, even though its window is the week's.
	f.clock.Set(from.Add(-time.Hour))
	run(sim.Scenario{Kind: sim.KindSkipLabel, Label: coach.LabelFOMO}, inWeek)
	f.clock.Set(f.demo.End())
	older := run(hold, inWeek) // superseded by the newer run of the same scenario
	wider := inWeek
	wider.From = from.Add(-24 * time.Hour)
	run(sim.Scenario{Kind: sim.KindSkipLabel, Label: coach.LabelOvertrading}, wider) // not within the week
	failed := run(sim.Scenario{Kind: sim.KindFollowRule, RuleIDs: []string{coach.NewID()}}, inWeek)
	if failed.Status != coach.SimulationFailed {
		t.Fatalf("follow an unknown rule: %s, want failed", failed.Status)
	}
	slipped := inWeek
	slipped.Fees.SlippageBps = decimal.NewFromInt(100)
	newest := run(hold, slipped)
	revenge := run(sim.Scenario{Kind: sim.KindNoRevenge}, inWeek)
	if cmp.Equal(outcomes(older), outcomes(newest)) {
		t.Fatalf("the slippage changed nothing (%v): the test cannot tell the newer run from the older", outcomes(newest))
	}

	got, err := jobs.SimOutcomes{Simulator: svc}.Outcomes(f.ctx, f.user.ID, from, to)
	must(t, err, "Outcomes")
	want := append(outcomes(revenge), outcomes(newest)...)
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("outcomes (-want +got):\n%s", diff)
	}
	if others, err := (jobs.SimOutcomes{Simulator: svc}).Outcomes(f.ctx, coach.NewID(), from, to); err != nil || len(others) != 0 {
		t.Errorf("another user's outcomes: %v, %v; want none", others, err)
	}
	if _, err := (jobs.SimOutcomes{}).Outcomes(f.ctx, f.user.ID, from, to); coach.ErrorCode(err) != coach.EINVALID {
		t.Errorf("without a Simulator: %v, want EINVALID", err)
	}
}
