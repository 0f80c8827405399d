package ws_test

import (
	"bufio"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"maps"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"runtime/pprof"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/coder/websocket"
	goredis "github.com/redis/go-redis/v9"

	"github.com/tradecoach/coach/storage/memory"
	"github.com/tradecoach/coach/storage/redis/redistest"
	"github.com/tradecoach/coach/transport/redis"
	"github.com/tradecoach/coach/transport/ws"
)

// The roles a BenchmarkFleet child plays (COACH_WS_FLEET_ROLE).
const (
	fleetRoleRelay   = "relay"
	fleetRoleClients = "clients"
)

// fleetLine starts every line a child writes for the benchmark on its stdout.
const fleetLine = "FLEET "

// fleetChild is a child process of BenchmarkFleet: this test binary running TestFleetProcess.
// It talks in lines: the parent writes commands to its stdin, it answers with fleetLine and a
// JSON object on its stdout, and it ends when its stdin closes (so also when the parent dies).
type fleetChild struct {
	name  string
	cmd   *exec.Cmd
	stdin io.WriteCloser
	lines chan string // the child's fleet lines; closed at its stdout's end
}

func startFleetChild(b *testing.B, role string, env ...string) *fleetChild {
	b.Helper()
	cmd := exec.Command(os.Args[0], "-test.run=^TestFleetProcess$", "-test.count=1") // #nosec G204 -- this test binary
	cmd.Env = append(append(os.Environ(), "COACH_WS_FLEET_ROLE="+role), env...)
	cmd.Stderr = os.Stderr
	stdin, err := cmd.StdinPipe()
	if err != nil {
		b.Fatal(err)
	}
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		b.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		b.Fatal(err)
	}
	c := &fleetChild{name: role, cmd: cmd, stdin: stdin, lines: make(chan string, 4)}
	go func() {
		defer close(c.lines)
		sc := bufio.NewScanner(stdout)
		sc.Buffer(make([]byte, 64<<10), 256<<20)
		for sc.Scan() {
			if v, ok := strings.CutPrefix(sc.Text(), fleetLine); ok {
				c.lines <- v
			}
		}
		_, _ = io.Copy(io.Discard, stdout)
	}()
	return c
}

// send writes a command line to the child.
func (c *fleetChild) send(b *testing.B, line string) {
	b.Helper()
	if _, err := io.WriteString(c.stdin, line+"\n"); err != nil {
		b.Fatalf("%s: %v", c.name, err)
	}
}

// recv decodes the child's next fleet line into v.
func (c *fleetChild) recv(b *testing.B, v any, within time.Duration) {
	b.Helper()
	select {
	case line, ok := <-c.lines:
		if !ok {
			b.Fatalf("%s ended without answering", c.name)
		}
		if err := json.Unmarshal([]byte(line), v); err != nil {
			b.Fatalf("%s answered %q: %v", c.name, line, err)
		}
	case <-time.After(within):
		b.Fatalf("%s did not answer within %s", c.name, within)
	}
}

// stop closes the child's stdin and waits for it to end, killing it after 30 s.
func (c *fleetChild) stop(b *testing.B) {
	_ = c.stdin.Close()
	ended := make(chan struct{})
	go func() {
		for range c.lines {
		}
		close(ended)
	}()
	select {
	case <-ended:
	case <-time.After(30 * time.Second):
		b.Errorf("%s did not end; killed", c.name)
		_ = c.cmd.Process.Kill()
		<-ended
	}
	_ = c.cmd.Wait()
}

// fleetSay writes one fleet line with v as JSON.
func fleetSay(v any) {
	b, err := json.Marshal(v)
	if err != nil {
		panic(err)
	}
	fmt.Printf("%s%s\n", fleetLine, b)
}

// TestFleetProcess is a child process of BenchmarkFleet (a relay or a set of clients); it skips
// in a normal test run.
func TestFleetProcess(t *testing.T) {
	role := os.Getenv("COACH_WS_FLEET_ROLE")
	if role == "" {
		t.Skip("a child process of BenchmarkFleet")
	}
	raiseFDLimit(t)
	defer pprof.StopCPUProfile() // started by "mark" with COACH_WS_FLEET_PROFILE
	switch role {
	case fleetRoleRelay:
		fleetRelay(t)
	case fleetRoleClients:
		fleetClients(t)
	default:
		t.Fatalf("COACH_WS_FLEET_ROLE=%q", role)
	}
}

// fleetMark is a child's answer to "mark": it starts the CPU profile when COACH_WS_FLEET_PROFILE
// names a directory, and returns the CPU time used so far.
func fleetMark(t *testing.T) time.Duration {
	if dir := os.Getenv("COACH_WS_FLEET_PROFILE"); dir != "" {
		f, err := os.Create(filepath.Join(dir, os.Getenv("COACH_WS_FLEET_NAME")+".pprof"))
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { _ = f.Close() })
		if err := pprof.StartCPUProfile(f); err != nil {
			t.Fatal(err)
		}
	}
	return cpuTime()
}

// fleetRelayStats is a relay's answer to "stats".
type fleetRelayStats struct {
	Conns  int            // connections held
	Closes map[string]int // connections closed so far, by reason
	CPU    time.Duration  // CPU time used since "mark"
}

// fleetRelay serves a relay on the Redis bus of COACH_WS_FLEET_PREFIX, as an edge instance does,
// with an empty Replayer (the benchmark's clients never resume). It says its URL, notes its CPU
// time at "mark", answers any other line of stdin with its stats, and ends at stdin's end.
func fleetRelay(t *testing.T) {
	client := goredis.NewClient(&goredis.Options{Addr: redistest.Addr()})
	defer client.Close()
	bus, err := redis.NewBus(client, redis.BusConfig{Prefix: os.Getenv("COACH_WS_FLEET_PREFIX"), Buffer: 64})
	if err != nil {
		t.Fatal(err)
	}
	defer bus.Close()
	var mu sync.Mutex
	closes := map[string]int{}
	relay, err := ws.NewRelay(ws.RelayConfig{Bus: bus, Replayer: memory.New().Events(), Authenticate: bearer, Logger: quiet,
		OnClose: func(_ string, _ int, reason string) {
			mu.Lock()
			closes[reason]++
			mu.Unlock()
		}})
	if err != nil {
		t.Fatal(err)
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	mux := http.NewServeMux()
	mux.Handle(ws.Path, relay)
	srv := &http.Server{Handler: mux, ReadHeaderTimeout: hang}
	go func() { _ = srv.Serve(ln) }()
	fleetSay(struct{ URL string }{"ws://" + ln.Addr().String() + ws.Path})
	in := bufio.NewScanner(os.Stdin)
	var mark time.Duration
	for in.Scan() {
		if in.Text() == "mark" {
			mark = fleetMark(t)
			continue
		}
		pprof.StopCPUProfile() // the events have flowed
		mu.Lock()
		s := fleetRelayStats{Conns: relay.Conns(), Closes: maps.Clone(closes), CPU: cpuTime() - mark}
		mu.Unlock()
		fleetSay(s)
	}
	_ = relay.Close()
	_ = srv.Close()
}

// fleetReady is a client process's answer once its connections are live.
type fleetReady struct {
	Ready, Failed int
	Err           string // the first dial error
}

// fleetReport is a client process's answer to "done <n>": what its connections received of the
// n events published.
type fleetReport struct {
	Lost, Repeated, Disordered, Dropped int
	CPU                                 time.Duration // CPU time used since "mark"
	Lat                                 []int64       // commit → frame read of each event received, ns
	Seq                                 []int         // the event of each Lat
}

// fleetConn is one client connection and what it received.
type fleetConn struct {
	user int

	mu    sync.Mutex
	seqs  []int
	ids   []string
	lat   []int64
	ended error // why the connection ended early
}

// fleetClients connects users [COACH_WS_FLEET_FROM, COACH_WS_FLEET_TO) of COACH_WS_FLEET_USERS,
// user i to relay i mod len(COACH_WS_FLEET_URLS), says when they are all live, notes its CPU time
// at "mark", and at "done <n>" waits (up to a minute) for every event of theirs among n and
// reports.
func fleetClients(t *testing.T) {
	urls := strings.Split(os.Getenv("COACH_WS_FLEET_URLS"), ",")
	users, _ := strconv.Atoi(os.Getenv("COACH_WS_FLEET_USERS"))
	from, _ := strconv.Atoi(os.Getenv("COACH_WS_FLEET_FROM"))
	to, _ := strconv.Atoi(os.Getenv("COACH_WS_FLEET_TO"))
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	var received atomic.Int64
	var runs, ready sync.WaitGroup
	var failed atomic.Int64
	var firstErr atomic.Value
	sem := make(chan struct{}, 32) // handshakes in flight
	conns := make([]*fleetConn, 0, to-from)
	for u := from; u < to; u++ {
		c := &fleetConn{user: u}
		conns = append(conns, c)
		sem <- struct{}{}
		ready.Add(1)
		runs.Go(func() {
			var once sync.Once
			live := func() { once.Do(func() { <-sem; ready.Done() }) }
			defer live()
			wc, err := fleetDial(ctx, urls[u%len(urls)], fleetUser(u))
			if err != nil {
				failed.Add(1)
				firstErr.CompareAndSwap(nil, err.Error())
				return
			}
			defer wc.CloseNow()
			c.run(ctx, wc, live, &received)
		})
	}
	ready.Wait()
	errText, _ := firstErr.Load().(string)
	fleetSay(fleetReady{Ready: len(conns) - int(failed.Load()), Failed: int(failed.Load()), Err: errText})

	in := bufio.NewScanner(os.Stdin)
	var mark time.Duration
	for in.Scan() {
		if in.Text() == "mark" {
			mark = fleetMark(t)
			continue
		}
		var n int
		if _, err := fmt.Sscanf(in.Text(), "done %d", &n); err != nil {
			t.Fatalf("command %q", in.Text())
		}
		want := 0
		for _, c := range conns {
			want += fleetExpected(c.user, users, n)
		}
		for deadline := time.Now().Add(time.Minute); received.Load() < int64(want) && time.Now().Before(deadline); {
			time.Sleep(10 * time.Millisecond)
		}
		pprof.StopCPUProfile() // the events have flowed
		r := fleetReport{CPU: cpuTime() - mark}
		for _, c := range conns {
			c.check(users, n, &r)
		}
		fleetSay(r)
	}
	cancel()
	runs.Wait()
}

// fleetDial opens a bare WebSocket as user, trying again a few times when the machine is too
// busy to answer a handshake in time.
func fleetDial(ctx context.Context, url, user string) (*websocket.Conn, error) {
	var err error
	for attempt := range 5 {
		dctx, cancel := context.WithTimeout(ctx, hang)
		var wc *websocket.Conn
		wc, _, err = websocket.Dial(dctx, url, &websocket.DialOptions{HTTPHeader: authHeader(user)})
		cancel()
		if err == nil {
			return wc, nil
		}
		time.Sleep(time.Duration(attempt+1) * 100 * time.Millisecond)
	}
	return nil, err
}

// run reads c's frames until the connection ends, calling live at the ready frame (or the end).
func (c *fleetConn) run(ctx context.Context, wc *websocket.Conn, live func(), received *atomic.Int64) {
	for {
		_, b, err := wc.Read(ctx)
		now := time.Now()
		if err != nil {
			if ctx.Err() == nil {
				c.mu.Lock()
				c.ended = err
				c.mu.Unlock()
			}
			return
		}
		// One lean decode (the frames' validity is the relay tests' business): the clients share
		// the machine with what they measure.
		var f struct {
			Type, EventID string
			Payload       fleetStamp
		}
		if err := json.Unmarshal(b, &f); err != nil {
			c.mu.Lock()
			c.ended = err
			c.mu.Unlock()
			return
		}
		if f.EventID == "" {
			if f.Type == ws.FrameReady {
				live()
			}
			continue
		}
		s := f.Payload
		c.mu.Lock()
		c.seqs = append(c.seqs, s.Seq)
		c.ids = append(c.ids, f.EventID)
		c.lat = append(c.lat, now.Sub(time.Unix(0, s.SentAt)).Nanoseconds())
		c.mu.Unlock()
		received.Add(1)
	}
}

// check adds to r what c received of n events: an event of another user, or one received again,
// counts as repeated; one out of id order as disordered; one missing as lost.
func (c *fleetConn) check(users, n int, r *fleetReport) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.ended != nil {
		r.Dropped++
	}
	seen := make(map[int]bool, len(c.seqs))
	for i, s := range c.seqs {
		if s%users != c.user || s >= n || seen[s] {
			r.Repeated++
			continue
		}
		seen[s] = true
		if i > 0 && c.ids[i] <= c.ids[i-1] {
			r.Disordered++
		}
		r.Lat = append(r.Lat, c.lat[i])
		r.Seq = append(r.Seq, s)
	}
	r.Lost += fleetExpected(c.user, users, n) - len(seen)
}
