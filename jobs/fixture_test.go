package jobs_test

import (
	"context"
	"encoding/json"
	"slices"
	"sync"
	"sync/atomic"
	"testing"

	"github.com/tradecoach/coach"
	"github.com/tradecoach/coach/bias"
	"github.com/tradecoach/coach/broker"
	"github.com/tradecoach/coach/broker/brokertest"
	"github.com/tradecoach/coach/digest"
	"github.com/tradecoach/coach/jobs"
	"github.com/tradecoach/coach/sim"
	"github.com/tradecoach/coach/storage"
	"github.com/tradecoach/coach/storage/memory"
	"github.com/tradecoach/coach/transport"
)

// demoDays is the length of the demo market the tests trade in: short, to keep them quick.
const demoDays = brokertest.DemoMinDays + 2

var (
	demoOnce sync.Once
	demo     *brokertest.Demo
)

// sharedDemo returns one demo broker and market for every test (it is safe for concurrent use and
// deterministic).
func sharedDemo(t testing.TB) *brokertest.Demo {
	t.Helper()
	demoOnce.Do(func() {
		var err error
		if demo, err = brokertest.NewDemo(42, brokertest.DemoOptions{Days: demoDays}); err != nil {
			panic(err)
		}
	})
	return demo
}

// recordingQueue is a transport.Queue that keeps what is enqueued, reporting an id enqueued
// before as a duplicate, or fails with err when set.
type recordingQueue struct {
	mu   sync.Mutex
	jobs []transport.Job
	err  error
}

func (q *recordingQueue) Enqueue(ctx context.Context, j transport.Job) (transport.Enqueued, error) {
	q.mu.Lock()
	defer q.mu.Unlock()
	if q.err != nil {
		return transport.Enqueued{}, q.err
	}
	if err := j.Validate(); err != nil {
		return transport.Enqueued{}, err
	}
	dup := slices.ContainsFunc(q.jobs, func(o transport.Job) bool { return o.Queue == j.Queue && o.ID == j.ID })
	q.jobs = append(q.jobs, j)
	return transport.Enqueued{Duplicate: dup}, nil
}

// ids returns the ids of the jobs enqueued, in order.
func (q *recordingQueue) ids() []string {
	q.mu.Lock()
	defer q.mu.Unlock()
	var out []string
	for _, j := range q.jobs {
		out = append(out, j.ID)
	}
	return out
}

// countingBroker is a broker.Broker around another that counts its Fills calls, or answers err.
type countingBroker struct {
	broker.Broker
	calls atomic.Int32
	err   error
}

func (b *countingBroker) Fills(ctx context.Context, req broker.FillsRequest, emit func(broker.FillPage) error) error {
	b.calls.Add(1)
	if b.err != nil {
		return b.err
	}
	return b.Broker.Fills(ctx, req, emit)
}

// fixture is a memory store with a demo trader and their demo connection, the capability
// services over it, and Handlers on a queue of the test's choosing.
type fixture struct {
	t      *testing.T
	ctx    context.Context
	demo   *brokertest.Demo
	store  *memory.Store
	clock  *coach.ManualClock
	blobs  *memory.Blobs
	user   coach.User
	conn   coach.BrokerConnection
	broker *countingBroker
	cfg    jobs.Config
}

func newFixture(t *testing.T) *fixture {
	t.Helper()
	return newFixtureOn(t, sharedDemo(t))
}

// newFixtureOn is newFixture over the demo d, its clock at d's end.
func newFixtureOn(t *testing.T, d *brokertest.Demo) *fixture {
	t.Helper()
	f := &fixture{t: t, ctx: context.Background(), demo: d, clock: coach.NewManualClock(d.End()), blobs: memory.NewBlobs(),
		broker: &countingBroker{Broker: d}}
	f.store = memory.New(memory.WithClock(f.clock))
	t.Cleanup(func() { f.store.Close() })
	f.user = coach.User{ID: coach.NewID(), CreatedAt: d.Start(), TimeZone: "Europe/Berlin"}
	f.conn = coach.BrokerConnection{ID: coach.NewID(), UserID: f.user.ID, Broker: coach.BrokerDemo, Status: coach.ConnectionActive,
		AccessEnc: []byte("demo: no credential"), CreatedAt: d.Start()}
	must(t, f.store.Users().Create(f.ctx, f.user), "create user")
	must(t, f.store.Connections().Create(f.ctx, f.conn), "create connection")

	importer, err := broker.NewImporter(broker.ImporterConfig{Store: f.store, Clock: f.clock})
	must(t, err, "importer")
	scorer, err := bias.New(bias.ServiceConfig{Store: f.store, Candles: d, Clock: f.clock})
	must(t, err, "scorer")
	simulator, err := sim.New(sim.ServiceConfig{Store: f.store, Candles: d})
	must(t, err, "simulator")
	digester, err := digest.New(digest.ServiceConfig{Store: f.store, Blobs: f.blobs, Clock: f.clock, Candles: d,
		Sims: jobs.SimOutcomes{Simulator: simulator}})
	must(t, err, "digester")
	// The backfill of past digests after scoring is off here: the tests of the other jobs count
	// the digest jobs and digest.ready events they cause. backfill_test.go turns it on.
	f.cfg = jobs.Config{Store: f.store, Importer: importer, Scorer: scorer, Simulator: simulator, Digester: digester, DigestBackfill: -1,
		Brokers: jobs.BrokersFunc(func(_ context.Context, c coach.BrokerConnection) (broker.Broker, error) {
			if c.ID != f.conn.ID {
				return nil, coach.Errorf(coach.ENOTFOUND, "no broker for connection %s", c.ID)
			}
			return f.broker, nil
		})}
	return f
}

// handlers returns Handlers of the fixture's services on q.
func (f *fixture) handlers(q transport.Queue) *jobs.Handlers {
	f.t.Helper()
	cfg := f.cfg
	cfg.Queue = q
	h, err := jobs.New(cfg)
	must(f.t, err, "jobs.New")
	return h
}

// window is the import window of the demo's whole market.
func (f *fixture) importPayload() jobs.ImportPayload {
	return jobs.ImportPayload{UserID: f.user.ID, ConnectionID: f.conn.ID, WindowStart: f.demo.Start(), WindowEnd: f.demo.End()}
}

// job builds a job, failing the test on an error.
func (f *fixture) job(j transport.Job, err error) transport.Job {
	f.t.Helper()
	must(f.t, err, "build job")
	return j
}

// trades returns the user's stored trades.
func (f *fixture) trades() []coach.Trade {
	f.t.Helper()
	ts, err := storage.ListAll(f.ctx, f.store.Trades(), f.user.ID, storage.TradeFilter{})
	must(f.t, err, "list trades")
	return ts
}

// events returns the types of the user's events, oldest first, and how many of each.
func (f *fixture) events() (types []string, counts map[string]int) {
	f.t.Helper()
	evs, err := f.store.Events().Since(f.ctx, f.user.ID, "", storage.MaxLimit)
	must(f.t, err, "events")
	counts = map[string]int{}
	for _, e := range evs {
		types = append(types, e.Type)
		counts[e.Type]++
	}
	return types, counts
}

// lastWeek is the last full week of the demo in the user's time zone.
func (f *fixture) lastWeek() digest.Week { return digest.LastFullWeek(f.demo.End(), f.user.Location()) }

func must(t testing.TB, err error, what string) {
	t.Helper()
	if err != nil {
		t.Fatalf("%s: %v", what, err)
	}
}

func decode[T any](t testing.TB, b []byte) T {
	t.Helper()
	var v T
	must(t, json.Unmarshal(b, &v), "decode")
	return v
}

// reflections returns how many coach.reflect events the tags should have made: one per order
// and label (bias.OrderKey), however many fills the order has.
func (f *fixture) reflections(tags []coach.BiasTag) int {
	f.t.Helper()
	order := map[string]string{}
	for _, tr := range f.trades() {
		order[tr.ID] = bias.OrderKey(tr)
	}
	seen := map[string]bool{}
	for _, g := range tags {
		seen[order[g.TradeID]+"\x00"+g.Label] = true
	}
	return len(seen)
}
