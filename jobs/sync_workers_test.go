package jobs_test

import (
	"context"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	goredis "github.com/redis/go-redis/v9"

	"github.com/tradecoach/coach"
	"github.com/tradecoach/coach/broker"
	"github.com/tradecoach/coach/broker/binance"
	"github.com/tradecoach/coach/broker/brokertest"
	"github.com/tradecoach/coach/broker/seal"
	"github.com/tradecoach/coach/jobs"
	"github.com/tradecoach/coach/storage"
	"github.com/tradecoach/coach/storage/memory"
	"github.com/tradecoach/coach/storage/redis"
	"github.com/tradecoach/coach/storage/redis/redistest"
	"github.com/tradecoach/coach/transport"
	"github.com/tradecoach/coach/transport/asynq"
	"github.com/tradecoach/coach/transport/asynq/asynqtest"
	transportmemory "github.com/tradecoach/coach/transport/memory"
)

// fastClock runs speed times faster than the wall clock from start, and sleeps accordingly, so
// that minutes of Binance weight pass in seconds while the fake and the workers run for real.
type fastClock struct {
	start, t0 time.Time
	speed     time.Duration
}

func (c *fastClock) Now() time.Time { return c.start.Add(time.Since(c.t0) * c.speed) }

func (c *fastClock) sleep(ctx context.Context, d time.Duration) error {
	t := time.NewTimer(d / c.speed)
	defer t.Stop()
	select {
	case <-ctx.Done():
		return ctx.Err()
	case <-t.C:
		return nil
	}
}

// syncWorker is what one worker process has of its own: its queue handle, its Leases and
// WeightBudget handles (on one shared Redis, or the process's memory).
type syncWorker struct {
	queue  transport.Queue
	worker transport.Worker
	leases storage.Leases
	budget storage.WeightBudget
}

// exclusive counts, per connection, the imports in flight and the most there ever were.
type exclusive struct {
	mu       sync.Mutex
	inFlight map[string]int
	most     map[string]int
	calls    map[string]int
}

// guard is a broker.Broker that records in ex the Fills calls of connection conn.
type guard struct {
	broker.Broker
	conn string
	ex   *exclusive
}

func (g guard) Fills(ctx context.Context, req broker.FillsRequest, emit func(broker.FillPage) error) error {
	g.ex.mu.Lock()
	g.ex.inFlight[g.conn]++
	g.ex.calls[g.conn]++
	g.ex.most[g.conn] = max(g.ex.most[g.conn], g.ex.inFlight[g.conn])
	g.ex.mu.Unlock()
	defer func() {
		g.ex.mu.Lock()
		g.ex.inFlight[g.conn]--
		g.ex.mu.Unlock()
	}()
	return g.Broker.Fills(ctx, req, emit)
}

// syncUnderLoad runs the acceptance scenario of scheduled sync on two workers: two schedulers
// fire the sync fan-out of a slot, then of the slot an hour later; each connection's import of
// each slot runs once, no connection ever has two imports at once, and the fake Binance (which
// every connection reads, drawing on one weight budget) never sees a minute past its limit
// although the imports together need several minutes of it.
func syncUnderLoad(t *testing.T, workers [2]syncWorker) {
	ctx := context.Background()
	slot := time.Date(2024, 1, 3, 0, 0, 0, 0, time.UTC)
	// A Binance minute is a second of the wall clock.
	clock := &fastClock{start: slot.Add(50 * time.Second), t0: time.Now(), speed: 60}
	fake := brokertest.NewBinance(brokertest.BinanceConfig{Clock: clock, WeightLimit: 100, Symbols: []coach.Symbol{"BTC-USDT"},
		FillsFrom: slot.Add(-48 * time.Hour), FillsTo: slot.Add(-24 * time.Hour), Seed: 7})
	t.Cleanup(fake.Close)
	fake.AddFills(40)
	want := len(fake.Trades())

	manual := coach.NewManualClock(slot)
	store := memory.New(memory.WithClock(manual))
	t.Cleanup(func() { store.Close() })
	// Five connections of four users (one has two accounts), all of the fake's one account.
	var conns []coach.BrokerConnection
	for i := range 4 {
		u := coach.User{ID: coach.NewID(), CreatedAt: slot.Add(-72 * time.Hour)}
		must(t, store.Users().Create(ctx, u), "create user")
		for range 1 + i/3 {
			c := coach.BrokerConnection{ID: coach.NewID(), UserID: u.ID, Broker: coach.BrokerBinance, Status: coach.ConnectionActive,
				AccessEnc: []byte("sealed"), CreatedAt: slot.Add(-24 * time.Hour)}
			must(t, store.Connections().Create(ctx, c), "create connection")
			conns = append(conns, c)
		}
	}
	ex := &exclusive{inFlight: map[string]int{}, most: map[string]int{}, calls: map[string]int{}}
	var runs [2]*ran
	for i, w := range workers {
		imp, err := broker.NewImporter(broker.ImporterConfig{Store: store, Clock: manual, Leases: w.leases})
		must(t, err, "importer")
		brokers := jobs.BrokersFunc(func(_ context.Context, c coach.BrokerConnection) (broker.Broker, error) {
			// The host unseals the connection's key; every connection here holds the fake's.
			client, err := binance.New(binance.Config{BaseURL: fake.URL(), APIKey: fake.Config().APIKey,
				SecretKey: seal.NewToken(fake.Config().SecretKey), Symbols: []coach.Symbol{"BTC-USDT"}, Clock: clock, Sleep: clock.sleep,
				HTTPClient: &http.Client{Timeout: 10 * time.Second}, PageSize: 10, WeightLimit: 100, Budget: w.budget})
			if err != nil {
				return nil, err
			}
			return guard{Broker: client, conn: c.ID, ex: ex}, nil
		})
		h, err := jobs.New(jobs.Config{Store: store, Queue: w.queue, Importer: imp, Brokers: brokers, Clock: manual,
			Sync: jobs.SyncConfig{Backfill: 48 * time.Hour}})
		must(t, err, "jobs.New")
		mux, err := transport.NewMux(transport.MuxConfig{})
		must(t, err, "NewMux")
		must(t, h.Register(mux), "Register")
		runs[i] = &ran{}
		must(t, w.worker.Start(runs[i].handler(mux.Run)), "Start")
		t.Cleanup(w.worker.Shutdown)
	}
	all := func() []attempt {
		var out []attempt
		for _, r := range runs {
			r.mu.Lock()
			out = append(out, r.runs...)
			r.mu.Unlock()
		}
		return out
	}
	waitFor := func(ids ...string) {
		t.Helper()
		deadline := time.Now().Add(2 * time.Minute)
		for _, id := range ids {
			for !runs[0].succeeded(id) && !runs[1].succeeded(id) {
				if time.Now().After(deadline) {
					t.Fatalf("job %s did not succeed; runs: %+v", id, all())
				}
				time.Sleep(20 * time.Millisecond)
			}
		}
	}
	// importOf waits for an import of connection c to succeed whose id is not in seen, and returns
	// its id. The schedule's import starts at the connection's sync mark as the fan-out reads it,
	// which the host's own import (queued beside it) may or may not have moved by then: its id is
	// found by its connection, not foretold.
	importOf := func(c coach.BrokerConnection, seen map[string]bool) string {
		t.Helper()
		deadline := time.Now().Add(2 * time.Minute)
		for {
			for _, a := range all() {
				if a.err == nil && a.typ == transport.JobImportTrades && strings.HasPrefix(a.id, "import:"+c.ID+":") && !seen[a.id] {
					seen[a.id] = true
					return a.id
				}
			}
			if time.Now().After(deadline) {
				t.Fatalf("no new import of connection %s succeeded; runs: %+v", c.ID, all())
			}
			time.Sleep(20 * time.Millisecond)
		}
	}
	fire := func(slot time.Time, seen map[string]bool) []string {
		t.Helper()
		for i, w := range workers { // two schedulers, one per worker, fire in the same slot
			enq, err := w.queue.Enqueue(ctx, jobs.SyncFanoutJob(slot.Add(time.Duration(i)*time.Second)))
			must(t, err, "enqueue the fan-out")
			if enq.Duplicate != (i == 1) {
				t.Errorf("fan-out of %s from scheduler %d: duplicate %v", slot, i, enq.Duplicate)
			}
		}
		waitFor(jobs.SyncFanoutID(slot))
		var ids []string
		for _, c := range conns {
			ids = append(ids, importOf(c, seen))
		}
		return ids
	}

	// A host's own import of the first connection (another window, so another id) is queued
	// with the schedule's: the import lease keeps the two from running at once (the loser gets
	// ECONFLICT and is retried).
	extra, err := jobs.ImportJob(jobs.ImportPayload{UserID: conns[0].UserID, ConnectionID: conns[0].ID,
		WindowStart: slot.Add(-24 * time.Hour), WindowEnd: slot})
	must(t, err, "ImportJob")
	_, err = workers[0].queue.Enqueue(ctx, extra)
	must(t, err, "enqueue the host's import")
	seen := map[string]bool{extra.ID: true}
	first := fire(slot, seen)
	waitFor(extra.ID)
	manual.Advance(time.Hour)
	second := fire(slot.Add(time.Hour), seen)

	// Each job succeeded once; the only failures are imports that found the lease held.
	succeeded, conflicts := map[string]int{}, 0
	for _, a := range all() {
		switch {
		case a.err == nil:
			succeeded[a.id]++
		case a.typ == transport.JobImportTrades && coach.ErrorCode(a.err) == coach.ECONFLICT:
			conflicts++
		default:
			t.Errorf("job %s failed: %v", a.id, a.err)
		}
	}
	for _, id := range append(append([]string{jobs.SyncFanoutID(slot), jobs.SyncFanoutID(slot.Add(time.Hour)), extra.ID}, first...), second...) {
		if succeeded[id] != 1 {
			t.Errorf("job %s succeeded %d times, want once", id, succeeded[id])
		}
	}
	if n := len(succeeded); n != 3+2*len(conns) {
		t.Errorf("%d distinct jobs succeeded, want the 2 fan-outs, the host's import and %d imports: %v", n, 2*len(conns), succeeded)
	}
	for i, c := range conns {
		want := 2
		if i == 0 {
			want = 3 // and the host's import
		}
		if ex.most[c.ID] != 1 || ex.calls[c.ID] != want {
			t.Errorf("connection %s: %d Fills calls, at most %d at once; want %d, one at a time", c.ID, ex.calls[c.ID], ex.most[c.ID], want)
		}
		st, err := store.Syncs().State(ctx, c.UserID, c.ID)
		must(t, err, "State")
		if !st.SyncedThrough.Equal(slot.Add(time.Hour)) {
			t.Errorf("connection %s synced through %s, want the second slot", c.ID, st.SyncedThrough)
		}
	}
	// Every user has the account's trades once, however many connections they have to it.
	for _, c := range conns {
		got, err := storage.ListAll(ctx, store.Trades(), c.UserID, storage.TradeFilter{})
		must(t, err, "trades")
		if len(got) != want {
			t.Errorf("user %s has %d trades, want the account's %d", c.UserID, len(got), want)
		}
	}
	if n := fake.Overruns(); n != 0 {
		t.Errorf("the fake saw %d requests past its weight limit (peak %d of 100 a minute)", n, fake.PeakWeight())
	}
	// The budget, not luck, kept them under: the imports needed more than a minute of weight.
	if used := 20 * fake.RequestsTo("/api/v3/myTrades"); used <= 100 {
		t.Errorf("the imports used %d weight: too little to test the budget", used)
	}
	t.Logf("myTrades requests %d, peak weight a minute %d of 100; imports that found the lease held %d",
		fake.RequestsTo("/api/v3/myTrades"), fake.PeakWeight(), conflicts)
}

// importQueues is what the sync workers serve.
var importQueues = map[string]int{transport.QueueImport: 1}

// retrySoon retries an import that found its connection's lease held within a second.
var retrySoon = transport.ExponentialBackoff(100*time.Millisecond, time.Second)

func TestScheduledSyncOnTwoAsynqWorkers(t *testing.T) {
	t.Parallel()
	dl := memory.New()
	t.Cleanup(func() { dl.Close() })
	client := asynqtest.MustOpenDB(t)
	shared := redistest.MustOpen(t)
	var workers [2]syncWorker
	for i := range workers {
		c := client
		if i == 1 { // the second worker has connections of its own to the same Redis database
			c = goredis.NewClient(client.Options())
			t.Cleanup(func() { c.Close() })
		}
		q, err := asynq.New(c, asynq.Config{DeadLetters: dl.DeadLetters()})
		must(t, err, "asynq.New")
		w, err := q.NewWorker(asynq.WorkerConfig{Concurrency: 4, Queues: importQueues, PollInterval: 50 * time.Millisecond,
			ShutdownTimeout: 5 * time.Second, Backoff: retrySoon})
		must(t, err, "NewWorker")
		kv, err := redis.New(redistest.MustOpenClient(t), redis.Config{Prefix: shared.Prefix()})
		must(t, err, "redis.New")
		workers[i] = syncWorker{queue: q, worker: w, leases: kv.Leases(), budget: kv.WeightBudget()}
	}
	syncUnderLoad(t, workers)
}

func TestScheduledSyncOnTwoMemoryWorkers(t *testing.T) {
	t.Parallel()
	dl := memory.New()
	t.Cleanup(func() { dl.Close() })
	q, err := transportmemory.NewQueue(transportmemory.QueueConfig{DeadLetters: dl.DeadLetters()})
	must(t, err, "NewQueue")
	leases, budget := memory.NewLeases(nil), memory.NewWeightBudget()
	var workers [2]syncWorker
	for i := range workers {
		w, err := q.NewWorker(transportmemory.WorkerConfig{Concurrency: 4, Queues: importQueues, Backoff: retrySoon})
		must(t, err, "NewWorker")
		workers[i] = syncWorker{queue: q, worker: w, leases: leases, budget: budget}
	}
	syncUnderLoad(t, workers)
}
