package jobs_test

import (
	"context"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/tradecoach/coach"
	"github.com/tradecoach/coach/bias"
	"github.com/tradecoach/coach/internal/servicetest"
	"github.com/tradecoach/coach/jobs"
	"github.com/tradecoach/coach/sim"
	"github.com/tradecoach/coach/storage"
	"github.com/tradecoach/coach/transport"
)

func TestConstructors(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	q := &recordingQueue{}
	full := f.cfg
	full.Queue = q
	for _, tc := range []struct {
		field string
		edit  func(*jobs.Config)
	}{
		{"Config.Store", func(c *jobs.Config) { c.Store = nil }},
		{"Config.Queue", func(c *jobs.Config) { c.Queue = nil }},
		{"Config.Brokers", func(c *jobs.Config) { c.Brokers = nil }},
		{"Config.Importer", func(c *jobs.Config) { c.Importer = nil }},
		{"Config.Importer, Scorer, Simulator, Digester, Exporter, Retention or Eraser", func(c *jobs.Config) {
			c.Importer, c.Brokers, c.Scorer, c.Simulator, c.Digester, c.Exporter, c.Retention, c.Eraser = nil, nil, nil, nil, nil, nil, nil, nil
		}},
	} {
		t.Run(tc.field, func(t *testing.T) {
			cfg := full
			tc.edit(&cfg)
			h, err := jobs.New(cfg)
			servicetest.RefusesField(t, err, tc.field)
			if h != nil {
				t.Error("New returned handlers with its error")
			}
		})
	}
	if _, err := jobs.New(full); err != nil {
		t.Errorf("New with every service: %v", err)
	}
	only := jobs.Config{Store: f.store, Queue: q, Digester: f.cfg.Digester}
	if _, err := jobs.New(only); err != nil {
		t.Errorf("New with the digester only: %v", err)
	}
}

func TestZeroValuesDoNotPanic(t *testing.T) {
	t.Parallel()
	servicetest.ZeroValues(t, []any{(*jobs.Handlers)(nil), (*jobs.Syncer)(nil), (*jobs.ScoreEnqueuer)(nil)})
}

func TestRegisterRegistersTheServicesGiven(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	q := &recordingQueue{}
	h, err := jobs.New(jobs.Config{Store: f.store, Queue: q, Scorer: f.cfg.Scorer, Digester: f.cfg.Digester})
	must(t, err, "New")
	mux, err := transport.NewMux(transport.MuxConfig{})
	must(t, err, "NewMux")
	must(t, h.Register(mux), "Register")
	if err := h.Register(mux); coach.ErrorCode(err) != coach.EINVALID {
		t.Errorf("Register twice on one mux: %v, want EINVALID", err)
	}
	registered := func(typ string) bool {
		err := mux.Run(f.ctx, transport.Job{Type: typ, ID: "x", Queue: "q", Payload: []byte(`{}`)})
		return coach.ErrorMessage(err) != "job x: no handler for type \""+typ+"\""
	}
	for typ, want := range map[string]bool{transport.JobImportTrades: false, transport.JobScoreBias: true,
		transport.JobSimulateSimple: false, transport.JobDigestWeekly: true, jobs.JobDigestFanout: true,
		jobs.JobRetentionOutbox: false, jobs.JobRetentionDigests: false, jobs.JobRetentionSessions: false,
		jobs.JobRetentionExports: false, jobs.JobRetentionDeadLetters: false, jobs.JobRetentionWebhooks: false} {
		if got := registered(typ); got != want {
			t.Errorf("%s registered: %v, want %v", typ, got, want)
		}
	}
	// A handler whose service was not given refuses its jobs.
	if err := h.ImportTrades(f.ctx, f.job(jobs.ImportJob(f.importPayload()))); coach.ErrorCode(err) != coach.EINVALID {
		t.Errorf("ImportTrades without an Importer: %v, want EINVALID", err)
	}
	if _, err := h.SubmitSimulation(f.ctx, f.user.ID, sim.Request{}); coach.ErrorCode(err) != coach.EINVALID {
		t.Errorf("SubmitSimulation without a Simulator: %v, want EINVALID", err)
	}
}

func TestImportTradesImportsItsWindowAndAsksForScoring(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	q := &recordingQueue{}
	h := f.handlers(q)
	// The first week of the demo only.
	p := f.importPayload()
	p.WindowEnd = p.WindowStart.Add(7 * 24 * time.Hour)
	must(t, h.ImportTrades(f.ctx, f.job(jobs.ImportJob(p))), "ImportTrades")
	var want int
	for _, tr := range f.demo.Trades() {
		if !tr.TS.Before(p.WindowStart) && tr.TS.Before(p.WindowEnd) {
			want++
		}
	}
	if got := len(f.trades()); want == 0 || got != want {
		t.Errorf("stored %d trades, want the %d of the window", got, want)
	}
	score := jobs.ScoreID(f.user.ID, p.WindowStart, p.WindowEnd, bias.DefinitionVersion)
	if diff := cmp.Diff([]string{score}, q.ids()); diff != "" {
		t.Fatalf("enqueued (-want +got):\n%s", diff)
	}
	sp := decode[jobs.ScorePayload](t, q.jobs[0].Payload)
	if sp.UserID != f.user.ID || !sp.From.Equal(p.WindowStart) || !sp.To.Equal(p.WindowEnd) || sp.DefinitionVersion != bias.DefinitionVersion {
		t.Errorf("score payload %+v, want the import's window and %s", sp, bias.DefinitionVersion)
	}

	// Run again (a job delivered twice): no duplicate trade, and the same score job, which the
	// queue dedupes.
	must(t, h.ImportTrades(f.ctx, f.job(jobs.ImportJob(p))), "ImportTrades again")
	if got := len(f.trades()); got != want {
		t.Errorf("stored %d trades after a second run, want %d", got, want)
	}
	if diff := cmp.Diff([]string{score, score}, q.ids()); diff != "" {
		t.Errorf("enqueued after a second run (-want +got):\n%s", diff)
	}

	// A later import asks for its own scoring: not dropped as a duplicate of the first.
	later := p
	later.WindowStart, later.WindowEnd = p.WindowEnd, f.demo.End()
	must(t, h.ImportTrades(f.ctx, f.job(jobs.ImportJob(later))), "ImportTrades later")
	next := jobs.ScoreID(f.user.ID, later.WindowStart, later.WindowEnd, bias.DefinitionVersion)
	if diff := cmp.Diff([]string{score, score, next}, q.ids()); diff != "" {
		t.Errorf("enqueued after a later import (-want +got):\n%s", diff)
	}
}

func TestImportTradesOfAnEmptyWindowAsksForNothing(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	q := &recordingQueue{}
	p := f.importPayload()
	p.WindowStart, p.WindowEnd = f.demo.End(), f.demo.End().Add(time.Hour)
	must(t, f.handlers(q).ImportTrades(f.ctx, f.job(jobs.ImportJob(p))), "ImportTrades")
	if ids := q.ids(); len(ids) != 0 {
		t.Errorf("enqueued %v after importing nothing, want nothing", ids)
	}
}

func TestImportTradesSkipsAndRetriesByErrorCode(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	q := &recordingQueue{}
	h := f.handlers(q)
	run := func(p jobs.ImportPayload) error { return h.ImportTrades(f.ctx, f.job(jobs.ImportJob(p))) }

	other := f.importPayload()
	other.ConnectionID = coach.NewID()
	if err := run(other); err != nil {
		t.Errorf("unknown connection: %v, want skipped (nil)", err)
	}
	stranger := f.importPayload()
	stranger.UserID = coach.NewID()
	if err := run(stranger); err != nil {
		t.Errorf("another user's connection: %v, want skipped (nil)", err)
	}

	f.broker.err = coach.Errorf(coach.EUNAVAILABLE, "broker down")
	if err := run(f.importPayload()); coach.ErrorCode(err) != coach.EUNAVAILABLE || jobs.Classify(err) != jobs.Retry {
		t.Errorf("broker down: %v, want EUNAVAILABLE to retry", err)
	}
	f.broker.err = coach.Errorf(coach.EUNAUTHORIZED, "token revoked")
	if err := run(f.importPayload()); err != nil {
		t.Errorf("credentials rejected: %v, want skipped (nil)", err)
	}
	conn, err := f.store.Connections().Get(f.ctx, f.user.ID, f.conn.ID)
	must(t, err, "get connection")
	if conn.Status != coach.ConnectionRevoked {
		t.Errorf("connection %s after rejected credentials, want revoked", conn.Status)
	}
	calls := f.broker.calls.Load()
	if err := run(f.importPayload()); err != nil {
		t.Errorf("revoked connection: %v, want skipped (nil)", err)
	}
	if f.broker.calls.Load() != calls {
		t.Error("the broker was asked for a revoked connection's fills")
	}
	if ids := q.ids(); len(ids) != 0 {
		t.Errorf("enqueued %v, want nothing", ids)
	}
	err = h.ImportTrades(f.ctx, transport.Job{Type: transport.JobImportTrades, ID: "import:x", Queue: transport.QueueImport, Payload: []byte(`{"userId":"u1"}`)})
	if coach.ErrorCode(err) != coach.EINVALID || jobs.Classify(err) != jobs.Reject {
		t.Errorf("malformed payload: %v, want EINVALID (dead-lettered at once)", err)
	}
}

func TestImportTradesSkipsAPausedConnection(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	paused := f.conn
	paused.Status = coach.ConnectionPaused
	must(t, f.store.Connections().Update(f.ctx, paused), "pause")
	metrics := &servicetest.Metrics{}
	f.cfg.Metrics = metrics
	if err := f.handlers(&recordingQueue{}).ImportTrades(f.ctx, f.job(jobs.ImportJob(f.importPayload()))); err != nil {
		t.Errorf("paused connection: %v, want skipped (nil)", err)
	}
	if n := metrics.Counted(coach.MetricJobsSkipped, "type", transport.JobImportTrades, "code", string(coach.ECONFLICT)); n != 1 {
		t.Errorf("jobs_skipped_total{import.trades, conflict} = %d, want 1", n)
	}
	if f.broker.calls.Load() != 0 || len(f.trades()) != 0 {
		t.Errorf("a paused connection was imported: %d broker calls, %d trades", f.broker.calls.Load(), len(f.trades()))
	}
}

func TestScoreBiasIsIdempotent(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	q := &recordingQueue{}
	h := f.handlers(q)
	must(t, h.ImportTrades(f.ctx, f.job(jobs.ImportJob(f.importPayload()))), "ImportTrades")
	score := q.jobs[0]
	must(t, h.ScoreBias(f.ctx, score), "ScoreBias")
	tags, err := f.store.Tags().List(f.ctx, f.user.ID, storage.TagFilter{})
	must(t, err, "tags")
	_, counts := f.events()
	if len(tags) == 0 || counts[coach.EventCoachReflect] != f.reflections(tags) {
		t.Fatalf("%d tags and %d coach.reflect events, want some, one per order and label (%d)", len(tags), counts[coach.EventCoachReflect], f.reflections(tags))
	}
	must(t, h.ScoreBias(f.ctx, score), "ScoreBias again")
	again, err := f.store.Tags().List(f.ctx, f.user.ID, storage.TagFilter{})
	must(t, err, "tags")
	_, after := f.events()
	if diff := cmp.Diff(tags, again); diff != "" || after[coach.EventCoachReflect] != counts[coach.EventCoachReflect] {
		t.Errorf("a second run changed the tags (-first +second):\n%s\nor emitted %d more events", diff,
			after[coach.EventCoachReflect]-counts[coach.EventCoachReflect])
	}
	gone := f.job(jobs.ScoreJob(jobs.ScorePayload{UserID: coach.NewID(), From: f.demo.Start(), To: f.demo.End(), DefinitionVersion: "2026.1"}))
	if err := h.ScoreBias(f.ctx, gone); err != nil {
		t.Errorf("unknown user: %v, want skipped (nil)", err)
	}
}

func TestSimulateSimpleRunsTheSubmittedRunOnce(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	q := &recordingQueue{}
	h := f.handlers(q)
	must(t, h.ImportTrades(f.ctx, f.job(jobs.ImportJob(f.importPayload()))), "ImportTrades")
	req := sim.Request{Scenario: sim.Scenario{Kind: sim.KindNoRevenge}, Params: sim.Params{From: f.demo.Start(), To: f.demo.End()}}
	run, err := h.SubmitSimulation(f.ctx, f.user.ID, req)
	must(t, err, "SubmitSimulation")
	if run.Status != coach.SimulationQueued || q.ids()[len(q.ids())-1] != jobs.SimulateID(run.ID) {
		t.Fatalf("submitted %s, enqueued %v; want a queued run and its job", run.Status, q.ids())
	}
	j := q.jobs[len(q.jobs)-1]
	for range 2 {
		must(t, h.SimulateSimple(f.ctx, j), "SimulateSimple")
	}
	got, err := f.cfg.Simulator.Get(f.ctx, f.user.ID, run.ID)
	must(t, err, "Get")
	_, counts := f.events()
	if got.Status != coach.SimulationDone || counts[coach.EventSimulationReady] != 1 {
		t.Errorf("run %s with %d simulation.ready events after two runs of the job, want done and one", got.Status, counts[coach.EventSimulationReady])
	}
	gone := f.job(jobs.SimulateJob(jobs.SimulatePayload{UserID: f.user.ID, RunID: coach.NewID()}))
	if err := h.SimulateSimple(f.ctx, gone); err != nil {
		t.Errorf("unknown run: %v, want skipped (nil)", err)
	}

	// A queue that fails leaves the run queued, returned with the error.
	q.err = coach.Errorf(coach.EUNAVAILABLE, "redis down")
	run, err = h.SubmitSimulation(f.ctx, f.user.ID, req)
	if coach.ErrorCode(err) != coach.EUNAVAILABLE || run.Status != coach.SimulationQueued {
		t.Errorf("SubmitSimulation with the queue down: %s, %v; want the queued run and EUNAVAILABLE", run.Status, err)
	}
	if _, err := h.SubmitSimulation(f.ctx, f.user.ID, sim.Request{}); coach.ErrorCode(err) != coach.EINVALID {
		t.Errorf("SubmitSimulation of a bad request: %v, want EINVALID", err)
	}
}

func TestDigestWeeklyIsIdempotent(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	q := &recordingQueue{}
	h := f.handlers(q)
	must(t, h.ImportTrades(f.ctx, f.job(jobs.ImportJob(f.importPayload()))), "ImportTrades")
	week := f.lastWeek()
	j := f.job(jobs.DigestJob(jobs.DigestPayload{UserID: f.user.ID, Week: week.String()}))
	must(t, h.DigestWeekly(f.ctx, j), "DigestWeekly")
	first, err := f.store.Digests().Latest(f.ctx, f.user.ID)
	must(t, err, "Latest")
	must(t, h.DigestWeekly(f.ctx, j), "DigestWeekly again")
	second, err := f.store.Digests().Latest(f.ctx, f.user.ID)
	must(t, err, "Latest")
	_, counts := f.events()
	if first.ID != second.ID || first.PeriodStart != week.Monday() || counts[coach.EventDigestReady] != 1 {
		t.Errorf("digests %s then %s of %s, %d digest.ready; want one digest of %s and one event",
			first.ID, second.ID, first.PeriodStart, counts[coach.EventDigestReady], week.Monday())
	}
	fanout := transport.WeeklyDigestJob(f.demo.End())
	if err := h.DigestWeekly(f.ctx, fanout); coach.ErrorCode(err) != coach.EINVALID {
		t.Errorf("the fan-out job (no user): %v, want EINVALID", err)
	}
	gone := f.job(jobs.DigestJob(jobs.DigestPayload{UserID: coach.NewID(), Week: week.String()}))
	if err := h.DigestWeekly(f.ctx, gone); err != nil {
		t.Errorf("unknown user: %v, want skipped (nil)", err)
	}
}

func TestHandlersHonourTheContext(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	h := f.handlers(&recordingQueue{})
	ctx, cancel := context.WithCancel(f.ctx)
	cancel()
	err := h.ImportTrades(ctx, f.job(jobs.ImportJob(f.importPayload())))
	if coach.ErrorCode(err) != coach.ECANCELED || jobs.Classify(err) != jobs.Retry {
		t.Errorf("ImportTrades with an ended context: %v, want ECANCELED, retried", err)
	}
}
