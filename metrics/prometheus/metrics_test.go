package prometheus_test

import (
	"context"
	"strconv"
	"strings"
	"testing"
	"time"

	prom "github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/testutil"

	"github.com/tradecoach/coach"
	"github.com/tradecoach/coach/bias"
	"github.com/tradecoach/coach/broker"
	"github.com/tradecoach/coach/broker/brokertest"
	"github.com/tradecoach/coach/internal/servicetest"
	"github.com/tradecoach/coach/metrics/prometheus"
	"github.com/tradecoach/coach/outbox"
	"github.com/tradecoach/coach/storage"
	"github.com/tradecoach/coach/storage/memory"
	transportmem "github.com/tradecoach/coach/transport/memory"
)

// TestPipelineMetricsReachPrometheus runs an import, a scoring run and a dispatch with one
// Metrics and reads the values back from the registry.
func TestPipelineMetricsReachPrometheus(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	reg := prom.NewPedanticRegistry()
	m, err := prometheus.New(prometheus.Config{Registerer: reg})
	if err != nil {
		t.Fatal(err)
	}

	demo, err := brokertest.NewDemo(7, brokertest.DemoOptions{})
	if err != nil {
		t.Fatal(err)
	}
	clock := coach.NewManualClock(demo.End())
	store := memory.New(memory.WithClock(clock))
	t.Cleanup(func() { store.Close() })
	user := coach.User{ID: coach.NewID(), Email: "metrics@example.com", CreatedAt: demo.Start()}
	conn := coach.BrokerConnection{ID: coach.NewID(), UserID: user.ID, Broker: coach.BrokerDemo,
		Status: coach.ConnectionActive, Scope: "read", AccessEnc: []byte("demo: no credential"), CreatedAt: demo.Start()}
	if err := store.Users().Create(ctx, user); err != nil {
		t.Fatal(err)
	}
	if err := store.Connections().Create(ctx, conn); err != nil {
		t.Fatal(err)
	}

	imp, err := broker.NewImporter(broker.ImporterConfig{Store: store, Clock: clock, Window: demo.End().Sub(demo.Start()), Metrics: m})
	if err != nil {
		t.Fatal(err)
	}
	sum, err := imp.Import(ctx, user.ID, conn, demo)
	if err != nil {
		t.Fatal(err)
	}
	scorer, err := bias.New(bias.ServiceConfig{Store: store, Candles: demo, Clock: clock, Metrics: m})
	if err != nil {
		t.Fatal(err)
	}
	rep, err := scorer.ScoreUser(ctx, user.ID, time.Time{}, time.Time{})
	if err != nil {
		t.Fatal(err)
	}
	d, err := outbox.NewDispatcher(outbox.DispatcherConfig{Store: store, Bus: transportmem.NewBus(0), Clock: clock, Metrics: m})
	if err != nil {
		t.Fatal(err)
	}
	dispatched := 0
	for {
		n, err := d.DispatchOnce(ctx)
		if err != nil {
			t.Fatal(err)
		}
		if n == 0 {
			break
		}
		dispatched += n
	}
	// import.progress events (started, one per page, done) and one coach.reflect per order's new
	// label.
	evs, err := store.Events().Since(ctx, user.ID, "", storage.MaxLimit)
	if err != nil {
		t.Fatal(err)
	}
	reflections := 0
	for _, e := range evs {
		if e.Type == coach.EventCoachReflect {
			reflections++
		}
	}
	if reflections == 0 || reflections > rep.New {
		t.Fatalf("%d coach.reflect events for %d new tags", reflections, rep.New)
	}
	if want := 2 + sum.Pages + reflections; dispatched != want {
		t.Fatalf("dispatched %d events, want %d", dispatched, want)
	}

	if err := testutil.GatherAndCompare(reg, strings.NewReader(`
# HELP coach_bias_trades_scored_total Trades scored by ScoreUser.
# TYPE coach_bias_trades_scored_total counter
coach_bias_trades_scored_total `+strconv.Itoa(rep.Trades)+`
# HELP coach_outbox_events_dispatched_total Outbox events published to the bus and marked delivered.
# TYPE coach_outbox_events_dispatched_total counter
coach_outbox_events_dispatched_total `+strconv.Itoa(dispatched)+`
# HELP coach_import_pages_total Fill pages stored by imports, by broker.
# TYPE coach_import_pages_total counter
coach_import_pages_total{broker="demo"} `+strconv.Itoa(sum.Pages)+`
# HELP coach_import_fills_total Fills fetched by imports (stored, duplicate, skipped or rejected), by broker.
# TYPE coach_import_fills_total counter
coach_import_fills_total{broker="demo"} `+strconv.Itoa(sum.Fetched)+`
`), "coach_bias_trades_scored_total", "coach_outbox_events_dispatched_total", "coach_import_pages_total", "coach_import_fills_total"); err != nil {
		t.Error(err)
	}
	for name, want := range map[string]int{
		"coach_bias_score_duration_seconds":      1,
		"coach_import_duration_seconds":          1,
		"coach_outbox_dispatch_duration_seconds": dispatchBatches(dispatched),
	} {
		if got := histogramCount(t, reg, name); got != want {
			t.Errorf("%s count = %d, want %d", name, got, want)
		}
	}
	if rep.Trades == 0 || sum.Pages == 0 || rep.New == 0 {
		t.Fatalf("the demo gave nothing to measure: %+v, %+v", rep, sum)
	}
}

// dispatchBatches is how many DispatchOnce calls the loop above made: full batches of
// outbox.DefaultBatchSize, one partial or empty batch, and the empty one that ends the loop.
func dispatchBatches(events int) int {
	full := events / outbox.DefaultBatchSize
	if events%outbox.DefaultBatchSize != 0 {
		return full + 2
	}
	return full + 1
}

// histogramCount returns the total sample count of the histogram name over all its labels.
func histogramCount(t *testing.T, reg *prom.Registry, name string) int {
	t.Helper()
	mfs, err := reg.Gather()
	if err != nil {
		t.Fatal(err)
	}
	n := 0
	for _, mf := range mfs {
		if mf.GetName() != name {
			continue
		}
		for _, m := range mf.GetMetric() {
			n += int(m.GetHistogram().GetSampleCount())
		}
	}
	return n
}

func TestLabelsAreMatchedByKey(t *testing.T) {
	t.Parallel()
	reg := prom.NewPedanticRegistry()
	m, err := prometheus.New(prometheus.Config{Registerer: reg, Namespace: "x"})
	if err != nil {
		t.Fatal(err)
	}
	m.Count(coach.MetricJobsRun, 2, "type", "score.bias", "outcome", "ok")
	m.Count(coach.MetricJobsRun, 1, "outcome", "ok", "type", "score.bias")  // keys in another order
	m.Count(coach.MetricJobsRun, 5, "type", "score.bias")                   // a key missing: dropped
	m.Count(coach.MetricJobsRun, 5, "type", "a", "outcome", "ok", "x", "y") // a key too many: dropped
	m.Count("host_own_total", 4, "kind", "k")                               // not in the table
	if err := testutil.GatherAndCompare(reg, strings.NewReader(`
# HELP x_jobs_run_total Jobs run, one per attempt, by job type and outcome.
# TYPE x_jobs_run_total counter
x_jobs_run_total{outcome="ok",type="score.bias"} 3
# HELP x_host_own_total host_own_total
# TYPE x_host_own_total counter
x_host_own_total{kind="k"} 4
`), "x_jobs_run_total", "x_host_own_total"); err != nil {
		t.Error(err)
	}
}

func TestConstructors(t *testing.T) {
	t.Parallel()
	_, err := prometheus.New(prometheus.Config{})
	servicetest.RefusesField(t, err, "Config.Registerer")
	reg := prom.NewRegistry()
	if _, err := prometheus.New(prometheus.Config{Registerer: reg}); err != nil {
		t.Fatal(err)
	}
	if _, err := prometheus.New(prometheus.Config{Registerer: reg}); coach.ErrorCode(err) != coach.EINVALID {
		t.Errorf("a second Metrics on the same registry and namespace: %v, want EINVALID", err)
	}
}

func TestZeroValuesDoNotPanic(t *testing.T) {
	t.Parallel()
	servicetest.ZeroValues(t, []any{(*prometheus.Metrics)(nil)})
}
