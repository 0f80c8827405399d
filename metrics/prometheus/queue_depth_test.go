package prometheus_test

import (
	"bytes"
	"context"
	"fmt"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	prom "github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/promhttp"

	"github.com/tradecoach/coach"
	"github.com/tradecoach/coach/internal/servicetest"
	"github.com/tradecoach/coach/metrics/prometheus"
	"github.com/tradecoach/coach/storage/memory"
	"github.com/tradecoach/coach/transport"
	"github.com/tradecoach/coach/transport/asynq"
	"github.com/tradecoach/coach/transport/asynq/asynqtest"
	transportmem "github.com/tradecoach/coach/transport/memory"
)

// depthWait bounds how long a test waits for jobs to run: a deadline for a hang, not a
// performance assertion.
const depthWait = 30 * time.Second

// depthQueue is a queue adapter as the depth tests drive it: its queue and a worker of it, not
// started.
type depthQueue struct {
	queue     transport.Queue
	inspector transport.QueueInspector
	newWorker func(t *testing.T) transport.Worker
}

// TestQueueDepthScrapesPendingJobsThenNone enqueues jobs on a queue no worker serves, scrapes
// /metrics and finds them pending; once a worker has run them, it finds none, for the in-memory
// queue and for asynq's on Redis.
func TestQueueDepthScrapesPendingJobsThenNone(t *testing.T) {
	t.Parallel()
	for name, open := range map[string]func(t *testing.T) depthQueue{
		"memory": func(t *testing.T) depthQueue {
			q, err := transportmem.NewQueue(transportmem.QueueConfig{DeadLetters: memory.New().DeadLetters()})
			if err != nil {
				t.Fatal(err)
			}
			return depthQueue{q, q, func(t *testing.T) transport.Worker {
				w, err := q.NewWorker(transportmem.WorkerConfig{})
				if err != nil {
					t.Fatal(err)
				}
				return w
			}}
		},
		"asynq": func(t *testing.T) depthQueue {
			q, err := asynq.New(asynqtest.MustOpenDB(t), asynq.Config{DeadLetters: memory.New().DeadLetters(), Logger: slog.New(slog.DiscardHandler)})
			if err != nil {
				t.Fatal(err)
			}
			return depthQueue{q, q, func(t *testing.T) transport.Worker {
				w, err := q.NewWorker(asynq.WorkerConfig{PollInterval: 50 * time.Millisecond})
				if err != nil {
					t.Fatal(err)
				}
				return w
			}}
		},
	} {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			dq := open(t)
			reg := prom.NewPedanticRegistry()
			c, err := prometheus.NewQueueDepth(prometheus.QueueDepthConfig{Inspector: dq.inspector})
			if err != nil {
				t.Fatal(err)
			}
			reg.MustRegister(c)

			// Every queue of the workers stack is listed before it has held a job.
			page := scrape(t, reg)
			for q := range transport.Priorities() {
				for _, state := range []string{prometheus.StatePending, prometheus.StateScheduled, prometheus.StateRetry, prometheus.StateActive} {
					if want := series(q, state, 0); !strings.Contains(page, want) {
						t.Errorf("an empty queue: /metrics has no %s:\n%s", want, page)
					}
				}
			}

			const n = 7
			for i := range n {
				j := transport.Job{Type: "test.depth", ID: fmt.Sprintf("depth:%d", i), Queue: transport.QueueScore}
				if _, err := dq.queue.Enqueue(context.Background(), j); err != nil {
					t.Fatal(err)
				}
			}
			if page, want := scrape(t, reg), series(transport.QueueScore, prometheus.StatePending, n); !strings.Contains(page, want) {
				t.Fatalf("%d jobs enqueued, no worker: /metrics has no %s:\n%s", n, want, page)
			}

			var ran atomic.Int32
			w := dq.newWorker(t)
			if err := w.Start(func(context.Context, transport.Job) error { ran.Add(1); return nil }); err != nil {
				t.Fatal(err)
			}
			t.Cleanup(w.Shutdown)
			deadline := time.Now().Add(depthWait)
			for {
				page = scrape(t, reg)
				if ran.Load() >= n && strings.Contains(page, series(transport.QueueScore, prometheus.StatePending, 0)) &&
					strings.Contains(page, series(transport.QueueScore, prometheus.StateActive, 0)) {
					break
				}
				if time.Now().After(deadline) {
					t.Fatalf("%d of %d jobs ran; /metrics does not show the queue empty:\n%s", ran.Load(), n, page)
				}
				time.Sleep(20 * time.Millisecond)
			}
		})
	}
}

// stuckInspector answers only when its caller's context ends, as a Redis that does not answer
// would.
type stuckInspector struct{}

func (stuckInspector) Depth(ctx context.Context) (map[string]transport.QueueDepth, error) {
	<-ctx.Done()
	return nil, coach.WrapError(coach.ECANCELED, ctx.Err(), "stuck")
}

// TestQueueDepthGivesUpOnAStuckQueue scrapes a registry whose queue does not answer: the scrape
// ends, without the gauge but with every other metric, and the failure is logged.
func TestQueueDepthGivesUpOnAStuckQueue(t *testing.T) {
	t.Parallel()
	var logs bytes.Buffer
	reg := prom.NewPedanticRegistry()
	m, err := prometheus.New(prometheus.Config{Registerer: reg})
	if err != nil {
		t.Fatal(err)
	}
	m.Count(coach.MetricJobsRun, 1, "type", "test", "outcome", coach.OutcomeOK)
	c, err := prometheus.NewQueueDepth(prometheus.QueueDepthConfig{Inspector: stuckInspector{}, Timeout: 50 * time.Millisecond,
		Logger: slog.New(slog.NewTextHandler(&logs, nil))})
	if err != nil {
		t.Fatal(err)
	}
	reg.MustRegister(c)
	page := scrape(t, reg)
	if strings.Contains(page, "coach_jobs_queue_depth{") {
		t.Errorf("a queue that did not answer has depth series:\n%s", page)
	}
	if !strings.Contains(page, `coach_jobs_run_total{outcome="ok",type="test"} 1`) {
		t.Errorf("the other metrics are missing from the scrape:\n%s", page)
	}
	if !strings.Contains(logs.String(), "queue depth not read") {
		t.Errorf("the failed read was not logged: %q", logs.String())
	}
}

func TestQueueDepthConstructor(t *testing.T) {
	t.Parallel()
	_, err := prometheus.NewQueueDepth(prometheus.QueueDepthConfig{})
	servicetest.RefusesField(t, err, "QueueDepthConfig.Inspector")
	_, err = prometheus.NewQueueDepth(prometheus.QueueDepthConfig{Inspector: stuckInspector{}, Timeout: -1})
	servicetest.RefusesField(t, err, "QueueDepthConfig.Timeout")
	servicetest.ZeroValues(t, []any{(*prometheus.QueueDepth)(nil)})
}

// scrape serves reg as /metrics does and returns the page.
func scrape(t *testing.T, reg *prom.Registry) string {
	t.Helper()
	rec := httptest.NewRecorder()
	promhttp.HandlerFor(reg, promhttp.HandlerOpts{ErrorHandling: promhttp.HTTPErrorOnError}).
		ServeHTTP(rec, httptest.NewRequest(http.MethodGet, "/metrics", nil))
	if rec.Code != http.StatusOK {
		t.Fatalf("/metrics = %d: %s", rec.Code, rec.Body)
	}
	return rec.Body.String()
}

// series is the line of the depth of queue in state with value n.
func series(queue, state string, n int) string {
	return fmt.Sprintf("coach_jobs_queue_depth{queue=%q,state=%q} %d\n", queue, state, n)
}
