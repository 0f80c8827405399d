package ws_test

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	goredis "github.com/redis/go-redis/v9"

	"github.com/tradecoach/coach"
	"github.com/tradecoach/coach/storage/memory"
	"github.com/tradecoach/coach/storage/redis/redistest"
	"github.com/tradecoach/coach/transport"
	"github.com/tradecoach/coach/transport/redis"
)

// BenchmarkFleet measures commit → client latency with ten thousand live clients (issue 20): a
// publisher commits events at a steady rate, spread over the users in turn (event i belongs to
// user i mod clients, one connection per user), into a memory store whose outbox.Dispatcher
// publishes them on a Redis bus; relay processes on that bus (each with its own Redis bus
// client, as edge instances are) serve the clients, which are held by client processes of their
// own, since a process may hold at most 20,000 open files here. Every process is a child of the
// benchmark (this test binary run again as TestFleetProcess) and ends with it.
//
// The clients are bare WebSocket connections, not ws.Client (which drops repeats itself): each
// checks that it receives every event of its user exactly once, in id order, and records the
// time from just before the storage append (a wall-clock stamp in the payload: every process is
// on one machine) to the frame read. A connection the relay closes is not reconnected: the
// relays' Replayer is empty, so what it missed counts as lost.
//
// Sub-benchmarks, run in this order in one process:
//   - redis-pubsub: the anchor, raw go-redis PUBLISH → SUBSCRIBE of the same stamps at the same
//     rate over as many channels, one publisher and one subscriber connection in this process;
//   - relays=1: every client on one relay process;
//   - relays=2: the clients split over two relay processes (the target: p99 ≤ 5 ms, nothing
//     lost or repeated).
//
// Each reports p50-ms, p99-ms and max-ms; the relay runs also lost, repeated, disordered and
// dropped (connections that ended early), x-pubsub-p99 (their p99 over the anchor's in the same
// run) and relays=2 x-1relay-p99. load-1m is the machine's load average as the run ends.
// Run it once: -benchtime=1x. COACH_WS_FLEET_CLIENTS (10,000), COACH_WS_FLEET_RATE (5,000
// events/s), COACH_WS_FLEET_SECONDS (10) and COACH_WS_FLEET_PROCS (client processes, 2) change
// the load; COACH_WS_FLEET_PROFILE=<dir> makes every child write there a CPU profile of the time
// the events flow; COACH_WS_FLEET_SERIAL=1 hides the bus's PublishBatch from the dispatcher, which
// then publishes one event per round trip (as it did before transport.BatchPublisher).
func BenchmarkFleet(b *testing.B) {
	cfg := fleetConfigFromEnv(b)
	client := redistest.MustOpenClient(b)
	if limit := raiseFDLimit(b); limit < 1000 {
		b.Skipf("file descriptor limit %d is too low", limit)
	}
	var anchor, one fleetResult
	b.Run("redis-pubsub", func(b *testing.B) {
		for b.Loop() {
			anchor = fleetPubSub(b, client, cfg)
		}
		anchor.report(b, fleetResult{}, fleetResult{})
	})
	b.Run("relays=1", func(b *testing.B) {
		for b.Loop() {
			one = runFleet(b, cfg, 1)
		}
		one.report(b, anchor, fleetResult{})
	})
	b.Run("relays=2", func(b *testing.B) {
		var two fleetResult
		for b.Loop() {
			two = runFleet(b, cfg, 2)
		}
		two.report(b, anchor, one)
	})
}

// fleetConfig is the load of a BenchmarkFleet run.
type fleetConfig struct {
	clients, rate, procs int
	duration             time.Duration
}

// events is how many events a run publishes.
func (c fleetConfig) events() int { return int(c.duration.Seconds() * float64(c.rate)) }

func fleetConfigFromEnv(tb testing.TB) fleetConfig {
	cfg := fleetConfig{clients: 10_000, rate: 5_000, procs: 2, duration: 10 * time.Second}
	for _, f := range []struct {
		env string
		v   *int
	}{
		{"COACH_WS_FLEET_CLIENTS", &cfg.clients}, {"COACH_WS_FLEET_RATE", &cfg.rate}, {"COACH_WS_FLEET_PROCS", &cfg.procs},
	} {
		if s := os.Getenv(f.env); s != "" {
			n, err := strconv.Atoi(s)
			if err != nil || n <= 0 {
				tb.Fatalf("%s=%q: want a positive number", f.env, s)
			}
			*f.v = n
		}
	}
	if s := os.Getenv("COACH_WS_FLEET_SECONDS"); s != "" {
		n, err := strconv.ParseFloat(s, 64)
		if err != nil || n <= 0 {
			tb.Fatalf("COACH_WS_FLEET_SECONDS=%q: want a positive number", s)
		}
		cfg.duration = time.Duration(n * float64(time.Second))
	}
	return cfg
}

// fleetUser is the id of user i of a run.
func fleetUser(i int) string { return fmt.Sprintf("fleet-%05d", i) }

// fleetExpected is how many of n events (event i to user i mod users) user u gets.
func fleetExpected(u, users, n int) int {
	if u >= n {
		return 0
	}
	return (n-u-1)/users + 1
}

// fleetStamp is the payload of a benchmark event.
type fleetStamp struct {
	Seq    int   `json:"seq"`
	SentAt int64 `json:"sentAt"` // UnixNano, just before the append
}

// fleetResult is what a run measured.
type fleetResult struct {
	lat                                   []time.Duration // sorted
	events                                int             // published
	lost, repeated, disordered, dropped   int
	relayCloses                           map[string]int
	clientsOnline, relayConns, relayCount int
	// CPU time used while the events were published and received, by the benchmark's process
	// (publisher and dispatcher), the Redis server, the relays and the client processes.
	parentCPU, redisCPU, relayCPU, clientCPU time.Duration
}

// p returns the p-th quantile of the latencies, in milliseconds.
func (r fleetResult) p(q float64) float64 {
	if len(r.lat) == 0 {
		return 0
	}
	return float64(r.lat[min(len(r.lat)-1, int(q*float64(len(r.lat))))]) / float64(time.Millisecond)
}

// report reports r's metrics, and its p99 over those of the anchors that ran.
func (r fleetResult) report(b *testing.B, pubsub, oneRelay fleetResult) {
	b.ReportMetric(r.p(0.50), "p50-ms")
	b.ReportMetric(r.p(0.99), "p99-ms")
	b.ReportMetric(r.p(1), "max-ms")
	b.ReportMetric(float64(r.events), "events")
	b.ReportMetric(float64(r.lost), "lost")
	b.ReportMetric(float64(r.repeated), "repeated")
	if r.relayCount > 0 {
		b.ReportMetric(float64(r.disordered), "disordered")
		b.ReportMetric(float64(r.dropped), "dropped")
		b.ReportMetric(float64(r.clientsOnline), "clients")
	}
	if r.relayCount > 0 && r.events > 0 {
		perEvent := func(d time.Duration) float64 { return float64(d.Microseconds()) / float64(r.events) }
		b.ReportMetric(perEvent(r.parentCPU), "publisher-cpu-µs/event")
		b.ReportMetric(perEvent(r.redisCPU), "redis-cpu-µs/event")
		b.ReportMetric(perEvent(r.relayCPU), "relays-cpu-µs/event")
		b.ReportMetric(perEvent(r.clientCPU), "clients-cpu-µs/event")
	}
	if len(pubsub.lat) > 0 {
		b.ReportMetric(r.p(0.99)/pubsub.p(0.99), "x-pubsub-p99")
	}
	if len(oneRelay.lat) > 0 {
		b.ReportMetric(r.p(0.99)/oneRelay.p(0.99), "x-1relay-p99")
	}
	b.ReportMetric(loadAverage(), "load-1m")
	if len(r.relayCloses) > 0 {
		b.Logf("relay closes by reason: %v", r.relayCloses)
	}
}

// loadAverage is the machine's one-minute load average (0 where /proc/loadavg is missing).
func loadAverage() float64 {
	b, err := os.ReadFile("/proc/loadavg")
	if err != nil {
		return 0
	}
	f, _ := strconv.ParseFloat(strings.Fields(string(b))[0], 64)
	return f
}

// pace calls publish(i) for i in [0, n) at rate per second, each at its due time (late ones at
// once, to keep the rate), and stops at the first error.
func pace(n, rate int, publish func(i int) error) error {
	start := time.Now()
	for i := range n {
		if d := time.Until(start.Add(time.Duration(i) * time.Second / time.Duration(rate))); d > 0 {
			time.Sleep(d)
		}
		if err := publish(i); err != nil {
			return err
		}
	}
	return nil
}

// fleetPubSub is the anchor: the same stamps PUBLISHed at the same rate on cfg.clients channels
// to one subscriber connection, with go-redis and nothing of this module in between.
func fleetPubSub(b *testing.B, client *goredis.Client, cfg fleetConfig) fleetResult {
	ctx := context.Background()
	prefix := redistest.RandomPrefix() + "raw:"
	ps := client.Subscribe(ctx)
	defer ps.Close()
	channels := make([]string, cfg.clients)
	for i := range channels {
		channels[i] = prefix + strconv.Itoa(i)
	}
	for chunk := range slices.Chunk(channels, 1000) {
		if err := ps.Subscribe(ctx, chunk...); err != nil {
			b.Fatal(err)
		}
	}
	for range channels { // every confirmation
		if _, err := ps.Receive(ctx); err != nil {
			b.Fatal(err)
		}
	}
	n := cfg.events()
	seen := make([]bool, n)
	res := fleetResult{events: n, lat: make([]time.Duration, 0, n)}
	got := make(chan struct{})
	go func() {
		defer close(got)
		for received := 0; received < n; {
			msg, err := ps.ReceiveTimeout(ctx, hang)
			now := time.Now()
			if err != nil {
				b.Errorf("after %d of %d messages: %v", received, n, err)
				return
			}
			m, ok := msg.(*goredis.Message)
			if !ok {
				continue
			}
			var s fleetStamp
			if err := json.Unmarshal([]byte(m.Payload), &s); err != nil || s.Seq < 0 || s.Seq >= n {
				b.Errorf("bad message %q", m.Payload)
				return
			}
			if seen[s.Seq] {
				res.repeated++
				continue
			}
			seen[s.Seq] = true
			received++
			res.lat = append(res.lat, now.Sub(time.Unix(0, s.SentAt)))
		}
	}()
	err := pace(n, cfg.rate, func(i int) error {
		payload := fmt.Sprintf(`{"seq":%d,"sentAt":%d}`, i, time.Now().UnixNano())
		return client.Publish(ctx, channels[i%len(channels)], payload).Err()
	})
	if err != nil {
		b.Fatal(err)
	}
	<-got
	res.lost = n - len(res.lat)
	slices.Sort(res.lat)
	return res
}

// runFleet runs relays relay processes and cfg.procs client processes, publishes cfg.events()
// events and gathers what the clients received.
func runFleet(b *testing.B, cfg fleetConfig, relays int) fleetResult {
	prefix := redistest.RandomPrefix()
	rc := redistest.MustOpenClient(b)
	pub, err := redis.NewBus(rc, redis.BusConfig{Prefix: prefix})
	if err != nil {
		b.Fatal(err)
	}
	defer pub.Close()
	var bus transport.Bus = pub
	if os.Getenv("COACH_WS_FLEET_SERIAL") == "1" {
		bus = struct{ transport.Bus }{pub} // no PublishBatch: one PUBLISH round trip per event
	}
	e := newEnv(b, memory.New(), bus)

	urls := make([]string, relays)
	relayProcs := make([]*fleetChild, relays)
	for i := range relays {
		relayProcs[i] = startFleetChild(b, fleetRoleRelay, "COACH_WS_FLEET_PREFIX="+prefix,
			"COACH_WS_FLEET_NAME=relay-"+strconv.Itoa(i))
		var hello struct{ URL string }
		relayProcs[i].recv(b, &hello, hang)
		urls[i] = hello.URL
	}
	defer func() {
		for _, c := range relayProcs {
			c.stop(b)
		}
	}()
	clientProcs := make([]*fleetChild, cfg.procs)
	for i := range cfg.procs {
		from, to := i*cfg.clients/cfg.procs, (i+1)*cfg.clients/cfg.procs
		clientProcs[i] = startFleetChild(b, fleetRoleClients, "COACH_WS_FLEET_URLS="+strings.Join(urls, ","),
			"COACH_WS_FLEET_USERS="+strconv.Itoa(cfg.clients), "COACH_WS_FLEET_FROM="+strconv.Itoa(from),
			"COACH_WS_FLEET_TO="+strconv.Itoa(to), "COACH_WS_FLEET_NAME=clients-"+strconv.Itoa(i))
	}
	defer func() {
		for _, c := range clientProcs {
			c.stop(b)
		}
	}()
	res := fleetResult{relayCount: relays, relayCloses: map[string]int{}}
	for _, c := range clientProcs {
		var ready fleetReady
		c.recv(b, &ready, 5*time.Minute)
		res.clientsOnline += ready.Ready
		if ready.Failed > 0 {
			b.Fatalf("%d clients could not connect: %s", ready.Failed, ready.Err)
		}
	}

	n := cfg.events()
	res.events = n
	dump := newFleetDump(b, prefix, n, relays)
	for _, c := range append(slices.Clone(relayProcs), clientProcs...) {
		c.send(b, "mark")
	}
	redisCPU, parentCPU := redisCPUTime(rc), cpuTime()
	err = pace(n, cfg.rate, func(i int) error {
		ev, err := coach.NewEvent(fleetUser(i%cfg.clients), coach.EventCoachReflect, 1, fleetStamp{Seq: i, SentAt: time.Now().UnixNano()})
		if err != nil {
			return err
		}
		if _, err := e.store.Events().Append(context.Background(), ev); err != nil {
			return err
		}
		e.disp.Notify()
		return nil
	})
	if err != nil {
		b.Fatal(err)
	}
	for _, c := range clientProcs {
		c.send(b, fmt.Sprintf("done %d", n))
	}
	for _, c := range clientProcs {
		var r fleetReport
		c.recv(b, &r, 2*time.Minute)
		res.lost += r.Lost
		res.repeated += r.Repeated
		res.disordered += r.Disordered
		res.dropped += r.Dropped
		res.clientCPU += r.CPU
		for i, ns := range r.Lat {
			res.lat = append(res.lat, time.Duration(ns))
			if dump != nil {
				dump.at[r.Seq[i]] = ns
			}
		}
	}
	res.parentCPU, res.redisCPU = cpuTime()-parentCPU, redisCPUTime(rc)-redisCPU
	for _, c := range relayProcs {
		c.send(b, "stats")
		var s fleetRelayStats
		c.recv(b, &s, hang)
		res.relayConns += s.Conns
		res.relayCPU += s.CPU
		for k, v := range s.Closes {
			res.relayCloses[k] += v
		}
	}
	slices.Sort(res.lat)
	dump.write(b)
	return res
}

// redisCPUTime is the CPU time the Redis server has used (INFO cpu), 0 if it does not say.
func redisCPUTime(client *goredis.Client) time.Duration {
	info, err := client.Info(context.Background(), "cpu").Result()
	if err != nil {
		return 0
	}
	var seconds float64
	for line := range strings.SplitSeq(info, "\r\n") {
		for _, key := range []string{"used_cpu_sys:", "used_cpu_user:"} {
			if v, ok := strings.CutPrefix(line, key); ok {
				f, _ := strconv.ParseFloat(v, 64)
				seconds += f
			}
		}
	}
	return time.Duration(seconds * float64(time.Second))
}
