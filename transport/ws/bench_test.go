package ws_test

import (
	"bufio"
	"context"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/tradecoach/coach"
	"github.com/tradecoach/coach/storage/memory"
	"github.com/tradecoach/coach/storage/redis/redistest"
	"github.com/tradecoach/coach/transport"
	transportmem "github.com/tradecoach/coach/transport/memory"
	"github.com/tradecoach/coach/transport/redis"
	"github.com/tradecoach/coach/transport/ws"
)

// BenchmarkCommitToClientLatency measures, for events committed at a steady rate while many
// clients are connected (one per user, users in turn), the time from just before the storage
// append to the Go client's handler: storage → dispatcher → bus → relay → WebSocket → client, all
// in this process over loopback. Run it once: -benchtime=1x.
//
// bus=memory shares one in-process bus; bus=redis publishes through one Redis bus client and
// relays from another, as an edge instance does (skipped without the test Redis).
func BenchmarkCommitToClientLatency(b *testing.B) {
	b.Run("bus=memory", func(b *testing.B) {
		bus := transportmem.NewBus(64)
		b.Cleanup(func() { bus.Close() })
		benchCommitToClient(b, bus, bus)
	})
	b.Run("bus=redis", func(b *testing.B) {
		prefix := redistest.RandomPrefix()
		newBus := func() transport.Bus {
			bus, err := redis.NewBus(redistest.MustOpenClient(b), redis.BusConfig{Prefix: prefix, Buffer: 64})
			if err != nil {
				b.Fatal(err)
			}
			b.Cleanup(func() { bus.Close() })
			return bus
		}
		benchCommitToClient(b, newBus(), newBus())
	})
}

func benchCommitToClient(b *testing.B, publish, relayed transport.Bus) {
	const clients, rate, duration = 1000, 1000, 3 * time.Second
	if raiseFDLimit(b) < 3*clients {
		b.Skip("not enough file descriptors")
	}
	e := newEnv(b, memory.New(), publish)
	_, srv := e.relay(b, ws.RelayConfig{Bus: relayed})

	type stamp struct {
		Seq    int   `json:"seq"`
		SentAt int64 `json:"sentAt"`
	}
	var mu sync.Mutex
	var lat []time.Duration
	var received atomic.Int64
	allIn := make(chan struct{}, 1)
	want := int64(0)
	handle := func(_ context.Context, env coach.Envelope) error {
		now := time.Now()
		var s stamp
		if err := json.Unmarshal(env.Payload, &s); err != nil {
			return err
		}
		mu.Lock()
		lat = append(lat, now.Sub(time.Unix(0, s.SentAt)))
		mu.Unlock()
		if received.Add(1) == atomic.LoadInt64(&want) {
			allIn <- struct{}{}
		}
		return nil
	}
	users := make([]string, clients)
	var readyWG sync.WaitGroup
	ctx, cancel := context.WithCancel(context.Background())
	var runs sync.WaitGroup
	b.Cleanup(func() { cancel(); runs.Wait() })
	for i := range users {
		users[i] = coach.NewID()
		readyWG.Add(1)
		var once sync.Once
		cl := newClient(b, ws.ClientConfig{URL: wsURL(srv), Header: authHeader(users[i]),
			OnReady: func() { once.Do(readyWG.Done) }})
		runs.Go(func() { cl.Run(ctx, handle) })
	}
	readyWG.Wait()

	n := int(duration.Seconds() * rate)
	for b.Loop() {
		received.Store(0)
		atomic.StoreInt64(&want, int64(n))
		start := time.Now()
		for i := range n {
			if d := time.Until(start.Add(time.Duration(i) * time.Second / rate)); d > 0 {
				time.Sleep(d)
			}
			ev, _ := coach.NewEvent(users[i%clients], coach.EventCoachReflect, 1, stamp{Seq: i, SentAt: time.Now().UnixNano()})
			if _, err := e.store.Events().Append(context.Background(), ev); err != nil {
				b.Fatal(err)
			}
			e.disp.Notify()
		}
		select {
		case <-allIn:
		case <-time.After(time.Minute):
			b.Fatalf("received %d of %d events", received.Load(), n)
		}
	}
	slices.Sort(lat)
	pct := func(p float64) float64 {
		return float64(lat[min(len(lat)-1, int(p*float64(len(lat))))]) / float64(time.Millisecond)
	}
	b.ReportMetric(pct(0.50), "p50-ms")
	b.ReportMetric(pct(0.99), "p99-ms")
	b.ReportMetric(pct(1), "max-ms")
	b.ReportMetric(float64(len(lat)), "events")
}

// BenchmarkIdleConnectionMemory holds COACH_WS_IDLE_CONNS (default 10,000) idle connections on
// one relay and reports the memory each costs: the server side in this process (HeapInuse +
// StackInuse after GC, bus subscription included), the Go clients in a child process (the test
// binary running TestIdleClientProcess) so the two do not mix. Run it once: -benchtime=1x.
func BenchmarkIdleConnectionMemory(b *testing.B) {
	n := 10_000
	if s := os.Getenv("COACH_WS_IDLE_CONNS"); s != "" {
		var err error
		if n, err = strconv.Atoi(s); err != nil || n <= 0 {
			b.Fatalf("COACH_WS_IDLE_CONNS=%q", s)
		}
	}
	if limit := raiseFDLimit(b); limit < uint64(n)+200 {
		b.Skipf("file descriptor limit %d is too low for %d connections", limit, n)
	}
	bus := transportmem.NewBus(16) // the relay's own queue is the bound; the bus only hands over
	b.Cleanup(func() { bus.Close() })
	e := newEnv(b, memory.New(), bus)
	relay, srv := e.relay(b, ws.RelayConfig{})

	for b.Loop() {
		before, goBefore := inUse(), runtime.NumGoroutine()
		stackBefore := stackInUse()
		child := exec.Command(os.Args[0], "-test.run=^TestIdleClientProcess$", "-test.count=1")
		child.Env = append(os.Environ(), "COACH_WS_IDLE_CHILD_URL="+wsURL(srv), "COACH_WS_IDLE_CHILD_N="+strconv.Itoa(n))
		child.Stderr = os.Stderr
		stdin, _ := child.StdinPipe()
		stdout, _ := child.StdoutPipe()
		if err := child.Start(); err != nil {
			b.Fatal(err)
		}
		clientPer := -1.0
		sc := bufio.NewScanner(stdout)
		for sc.Scan() {
			if v, ok := strings.CutPrefix(sc.Text(), "CLIENT_BYTES_PER_CONN="); ok {
				clientPer, _ = strconv.ParseFloat(v, 64)
				break
			}
		}
		if clientPer < 0 {
			child.Wait()
			b.Fatal("the client process reported nothing")
		}
		waitUntil(b, "the relay holds every connection", func() bool { return relay.Conns() == n })
		after, goAfter := inUse(), runtime.NumGoroutine()
		stackAfter := stackInUse()
		stdin.Close() // the child hangs up
		for sc.Scan() {
		}
		if err := child.Wait(); err != nil {
			b.Fatalf("client process: %v", err)
		}
		waitUntil(b, "the relay let go", func() bool { return relay.Conns() == 0 })
		b.ReportMetric(float64(after-before)/float64(n), "server-B/conn")
		b.ReportMetric(float64(stackAfter-stackBefore)/float64(n), "server-stack-B/conn")
		b.ReportMetric(clientPer, "client-B/conn")
		b.ReportMetric(float64(goAfter-goBefore)/float64(n), "server-goroutines/conn")
		b.ReportMetric(float64(n), "conns")
	}
}

// inUse is the heap and stack memory in use after a full collection.
func inUse() uint64 {
	runtime.GC()
	runtime.GC()
	var m runtime.MemStats
	runtime.ReadMemStats(&m)
	return m.HeapInuse + m.StackInuse
}

// stackInUse is the goroutine stack memory in use.
func stackInUse() uint64 {
	var m runtime.MemStats
	runtime.ReadMemStats(&m)
	return m.StackInuse
}

// TestIdleClientProcess is the client side of BenchmarkIdleConnectionMemory, run in a child
// process; it skips in a normal test run. It connects N Go clients, prints their memory per
// connection, and holds them until stdin closes.
func TestIdleClientProcess(t *testing.T) {
	url, nStr := os.Getenv("COACH_WS_IDLE_CHILD_URL"), os.Getenv("COACH_WS_IDLE_CHILD_N")
	if url == "" {
		t.Skip("the client side of BenchmarkIdleConnectionMemory")
	}
	n, _ := strconv.Atoi(nStr)
	raiseFDLimit(t)
	ctx, cancel := context.WithCancel(context.Background())
	before := inUse()
	var runs sync.WaitGroup
	sem := make(chan struct{}, 64) // handshakes in flight
	var ready sync.WaitGroup
	for range n {
		sem <- struct{}{}
		ready.Add(1)
		var once sync.Once
		cl, err := ws.NewClient(ws.ClientConfig{URL: url, Header: authHeader(coach.NewID()),
			MinBackoff: 50 * time.Millisecond, MaxBackoff: time.Second,
			OnReady: func() { once.Do(func() { <-sem; ready.Done() }) }})
		if err != nil {
			t.Fatal(err)
		}
		runs.Go(func() { cl.Run(ctx, func(context.Context, coach.Envelope) error { return nil }) })
	}
	ready.Wait()
	fmt.Printf("CLIENT_BYTES_PER_CONN=%.0f\n", float64(inUse()-before)/float64(n))
	bufio.NewReader(os.Stdin).ReadString('\n') // until the parent closes stdin
	cancel()
	runs.Wait()
}
