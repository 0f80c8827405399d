package jobs_test

import (
	"encoding/json"
	"slices"
	"testing"

	"github.com/shopspring/decimal"

	"github.com/tradecoach/coach"
	"github.com/tradecoach/coach/digest"
	"github.com/tradecoach/coach/jobs"
	"github.com/tradecoach/coach/sim"
	"github.com/tradecoach/coach/storage"
	"github.com/tradecoach/coach/transport/memory"
)

// TestEndToEndOnMemory runs the seed's pipeline through the queue handlers on the in-memory
// store and queue: a demo broker's fills are imported (import.trades), which asks for their
// scoring (score.bias); the trader runs what-if simulations of the last full week
// (SubmitSimulation → simulate.simple); the weekly digest (digest.weekly) then reads the tags and
// cites the simulations. Each step leaves its event, in that order.
func TestEndToEndOnMemory(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	q, err := memory.NewQueue(memory.QueueConfig{DeadLetters: f.store.DeadLetters()})
	must(t, err, "NewQueue")
	w, err := q.NewWorker(memory.WorkerConfig{Concurrency: 4})
	must(t, err, "NewWorker")
	r := serve(t, f, q, w)
	h := f.handlers(q)

	// Import, and the scoring it asks for.
	imp := f.job(jobs.ImportJob(f.importPayload()))
	_, err = q.Enqueue(f.ctx, imp)
	must(t, err, "enqueue import")
	score := jobs.ScoreID(f.user.ID, f.demo.Start(), f.demo.End(), f.cfg.Scorer.Version())
	r.waitFor(t, imp.ID, score)
	trades := f.trades()
	if len(trades) != len(f.demo.Trades()) {
		t.Fatalf("imported %d trades, want the demo's %d", len(trades), len(f.demo.Trades()))
	}
	tags, err := f.store.Tags().List(f.ctx, f.user.ID, storage.TagFilter{})
	must(t, err, "tags")
	if len(tags) == 0 {
		t.Fatal("the score job left no tags")
	}

	// Simulations of the last full week, run by the simulate.simple jobs.
	loc := f.user.Location()
	week := f.lastWeek()
	params := sim.Params{From: week.Start(loc), To: week.End(loc)}
	var runs []coach.SimulationRun
	for _, sc := range []sim.Scenario{
		{Kind: sim.KindSkipLabel, Label: coach.LabelFOMO},
		{Kind: sim.KindHoldInstead, Label: coach.LabelPanic, Until: sim.UntilWindowEnd},
		{Kind: sim.KindHoldInstead, Label: coach.LabelPanic, Until: sim.UntilNCandles, N: 4},
		{Kind: sim.KindNoRevenge},
	} {
		run, err := h.SubmitSimulation(f.ctx, f.user.ID, sim.Request{Scenario: sc, Params: params})
		must(t, err, "SubmitSimulation")
		runs = append(runs, run)
	}
	for _, run := range runs {
		r.waitFor(t, jobs.SimulateID(run.ID))
	}
	var results []sim.Result
	for _, run := range runs {
		got, err := f.cfg.Simulator.Get(f.ctx, f.user.ID, run.ID)
		must(t, err, "Get run")
		res, err := sim.RunResult(got)
		if err != nil {
			t.Fatalf("run %s (%s): %v", run.ID, got.Status, err)
		}
		results = append(results, res)
	}

	// The digest of that week, which reads the runs.
	dig := f.job(jobs.DigestJob(jobs.DigestPayload{UserID: f.user.ID, Week: week.String()}))
	_, err = q.Enqueue(f.ctx, dig)
	must(t, err, "enqueue digest")
	r.waitFor(t, dig.ID)
	stored, err := f.store.Digests().Latest(f.ctx, f.user.ID)
	must(t, err, "Latest digest")
	if stored.PeriodStart != week.Monday() || stored.PeriodEnd != week.Sunday() {
		t.Errorf("digest of %s to %s, want the week %s", stored.PeriodStart, stored.PeriodEnd, week)
	}
	payload, err := digest.ParsePayload(stored.Payload)
	must(t, err, "digest payload")
	if payload.TradeCount == 0 {
		t.Error("the digest counts no trades in the week")
	}
	checkCitesSimulations(t, payload, results)
	if blobs, err := f.blobs.List(f.ctx, storage.UserBlobKey(f.user.ID, "digests")+"/"); err != nil || len(blobs) != 1 {
		t.Errorf("digest reports %v, %v; want the week's", blobs, err)
	}

	// Every step left its events, in the pipeline's order, and no job failed.
	types, counts := f.events()
	for typ, want := range map[string]int{coach.EventCoachReflect: f.reflections(tags), coach.EventSimulationReady: len(runs), coach.EventDigestReady: 1} {
		if counts[typ] != want {
			t.Errorf("%d %s events, want %d", counts[typ], typ, want)
		}
	}
	last := func(typ string) int { return slices.Index(types, typ) + counts[typ] - 1 }
	first := func(typ string) int { return slices.Index(types, typ) }
	if !(last(coach.EventImportProgress) < first(coach.EventCoachReflect) && last(coach.EventCoachReflect) < first(coach.EventSimulationReady) &&
		last(coach.EventSimulationReady) < first(coach.EventDigestReady)) {
		t.Errorf("events out of the pipeline's order: %v", compact(types))
	}
	for _, a := range r.runs {
		if a.err != nil {
			t.Errorf("job %s failed: %v", a.id, a.err)
		}
	}
	if dead, err := f.store.DeadLetters().List(f.ctx, "", 0); err != nil || len(dead) != 0 {
		t.Errorf("dead letters %v, %v; want none", dead, err)
	}
}

// checkCitesSimulations checks the digest against the simulations of its week: it cites one
// exactly when a simulation of a label of the week (other than DISCIPLINE) would have done
// better in the digest's quote asset, and then the best of them (digest.Suggestion, rule 1).
func checkCitesSimulations(t *testing.T, p digest.Payload, results []sim.Result) {
	t.Helper()
	var best *decimal.Decimal
	for _, res := range results {
		label := res.Scenario.Label
		if res.Scenario.Kind == sim.KindNoRevenge {
			label = coach.LabelRevenge
		}
		for _, pnl := range res.PnL {
			d := pnl.Delta.Total
			t.Logf("%s %s: delta %s %s (the week counts %d)", res.Scenario.Kind, label, d, pnl.Quote, p.CountsByBias[label])
			if pnl.Quote != p.Quote || d.Sign() <= 0 || p.CountsByBias[label] == 0 || label == coach.LabelDiscipline {
				continue
			}
			if best == nil || d.GreaterThan(*best) {
				best = &d
			}
		}
	}
	got := p.Suggestion.SimulationDelta
	switch {
	case best == nil && got != nil:
		t.Errorf("the digest cites a simulation delta %s that no run of the week found", got)
	case best != nil && (got == nil || !got.Equal(*best)):
		s, _ := json.Marshal(p.Suggestion)
		t.Errorf("the digest's suggestion %s does not cite the best simulation of the week, %s", s, best)
	}
	t.Logf("suggestion: %s (cites %v; best simulation of a label of the week: %v)", p.Suggestion.Text, got, best)
}

// compact shortens a list of event types for a message: runs of one type as "type×n".
func compact(types []string) []string {
	var out []string
	for i := 0; i < len(types); {
		j := i
		for j < len(types) && types[j] == types[i] {
			j++
		}
		out = append(out, types[i]+"×"+decimal.NewFromInt(int64(j-i)).String())
		i = j
	}
	return out
}
