package main

import (
	"context"
	"net"
	"net/http"
	"net/url"
	"os/exec"
	"slices"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/coder/websocket"
	goredis "github.com/redis/go-redis/v9"

	"github.com/tradecoach/coach"
	"github.com/tradecoach/coach/transport/asynq/asynqtest"
	"github.com/tradecoach/coach/transport/ws"
)

// ownRedis is a redis-server of the test's own on a free port, configured as production is (every
// write in the append-only file, fsynced before the answer: what "a job accepted" rests on), its
// data in a temporary directory. Never the shared test Redis.
type ownRedis struct {
	bin, dir string
	port     int
	cmd      *exec.Cmd
	exited   chan struct{}
}

func startOwnRedis(t *testing.T) *ownRedis {
	t.Helper()
	bin, err := exec.LookPath("redis-server")
	if err != nil {
		asynqtest.Unavailable(t, "redis-server not installed: %v", err)
	}
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	r := &ownRedis{bin: bin, dir: t.TempDir(), port: l.Addr().(*net.TCPAddr).Port}
	l.Close()
	r.start(t)
	t.Cleanup(func() {
		if r.running() {
			_ = r.cmd.Process.Kill()
			<-r.exited
		}
	})
	return r
}

func (r *ownRedis) addr() string { return "127.0.0.1:" + strconv.Itoa(r.port) }

func (r *ownRedis) running() bool {
	select {
	case <-r.exited:
		return false
	default:
		return true
	}
}

// start runs the server on its port and directory and waits until it answers.
func (r *ownRedis) start(t *testing.T) {
	t.Helper()
	r.cmd = exec.Command(r.bin, "--port", strconv.Itoa(r.port), "--bind", "127.0.0.1", "--dir", r.dir,
		"--appendonly", "yes", "--appendfsync", "always", "--save", "", "--daemonize", "no")
	if err := r.cmd.Start(); err != nil {
		t.Fatalf("start redis-server: %v", err)
	}
	r.exited = make(chan struct{})
	go func(cmd *exec.Cmd, exited chan struct{}) { _ = cmd.Wait(); close(exited) }(r.cmd, r.exited)
	c := goredis.NewClient(&goredis.Options{Addr: r.addr()})
	defer c.Close()
	deadline := time.Now().Add(30 * time.Second)
	for c.Ping(context.Background()).Err() != nil {
		if time.Now().After(deadline) || !r.running() {
			t.Fatalf("redis-server on %s did not answer", r.addr())
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// stop ends the server with SIGTERM (what a restart by an orchestrator sends) and waits for it.
func (r *ownRedis) stop(t *testing.T) {
	t.Helper()
	if err := r.cmd.Process.Signal(syscall.SIGTERM); err != nil {
		t.Fatalf("stop redis-server: %v", err)
	}
	select {
	case <-r.exited:
	case <-time.After(30 * time.Second):
		t.Fatal("redis-server still runs 30s after SIGTERM")
	}
}

// wsFollower follows one user's events over the edge's /ws/coach as a browser does: it resumes
// after every dropped connection from the last event it received (lastEventId), and counts every
// event frame it is sent — no deduplication, so a repeat is seen.
type wsFollower struct {
	mu     sync.Mutex
	got    map[string]int // event id → frames received
	last   string         // the resume cursor: the last event received, or the first ready's
	ready  int            // connections that reached ready
	drops  int            // connections that ended
	reason string         // why the last one ended
}

// followEvents starts a follower of the user whose edge session header carries; it runs until
// the test ends.
func followEvents(t *testing.T, edgeURL string, header func() http.Header) *wsFollower {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	f := &wsFollower{got: map[string]int{}}
	done := make(chan struct{})
	t.Cleanup(func() { cancel(); <-done })
	go func() {
		defer close(done)
		for ctx.Err() == nil {
			err := f.session(ctx, edgeURL, header())
			f.mu.Lock()
			f.drops++
			if err != nil {
				f.reason = err.Error()
			}
			f.mu.Unlock()
			select {
			case <-ctx.Done():
			case <-time.After(200 * time.Millisecond):
			}
		}
	}()
	return f
}

// session is one connection, from the dial to its end.
func (f *wsFollower) session(ctx context.Context, edgeURL string, header http.Header) error {
	u := "ws" + strings.TrimPrefix(edgeURL, "http") + ws.Path
	f.mu.Lock()
	if f.last != "" {
		u += "?" + url.Values{"lastEventId": {f.last}}.Encode()
	}
	f.mu.Unlock()
	dctx, cancel := context.WithTimeout(ctx, 10*time.Second)
	c, _, err := websocket.Dial(dctx, u, &websocket.DialOptions{HTTPHeader: header})
	cancel()
	if err != nil {
		return err
	}
	defer c.CloseNow()
	for {
		_, raw, err := c.Read(ctx)
		if err != nil {
			return err
		}
		fr, err := ws.ParseServerFrame(raw)
		if err != nil {
			return err
		}
		f.mu.Lock()
		switch {
		case fr.IsEvent():
			f.got[fr.EventID]++
			f.last = fr.EventID
		case fr.Type == ws.FrameReady:
			f.ready++
			if f.last == "" {
				f.last = fr.LastEventID
			}
		}
		f.mu.Unlock()
	}
}

// state returns how many connections reached ready and how many ended.
func (f *wsFollower) state() (ready, drops int, reason string) {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.ready, f.drops, f.reason
}

// compare checks the events received against want (the user's events in the store): how many
// of them were received, how many frames repeated one, and how many received events are not in
// want.
func (f *wsFollower) compare(want []coach.Event) (received, repeats, unknown int) {
	f.mu.Lock()
	defer f.mu.Unlock()
	ids := map[string]bool{}
	for _, e := range want {
		ids[e.ID] = true
		if n := f.got[e.ID]; n > 0 {
			received++
		}
	}
	for id, n := range f.got {
		repeats += n - 1
		if !ids[id] {
			unknown++
		}
	}
	return received, repeats, unknown
}

// loginOnEdge logs email in on the edge with drillPassword and returns the session's headers.
func loginOnEdge(t *testing.T, edgeURL, email string) (*http.Client, func() http.Header) {
	t.Helper()
	c, header := browserClient()
	doJSON(t, c, "GET", edgeURL+"/auth/csrf", nil, nil)
	if code := doJSON(t, c, "POST", edgeURL+"/auth/login", map[string]string{"email": email, "password": drillPassword}, nil); code != http.StatusOK {
		t.Fatalf("login %s on the edge: %d", email, code)
	}
	return c, header
}

// Drill: Redis is restarted during a run. Four users link Binance; the worker runs one job at a
// time and the fake Binance holds the first import in flight, so when Redis is stopped (SIGTERM)
// one import is running and three are accepted and waiting in Redis. Redis comes back on the same
// port and data (AOF, fsync always). Every accepted import then completes exactly once, with
// every fill stored once, and the first user's WebSocket, which the outage dropped, resumes and
// receives each of the user's events exactly once.
func TestDrillRedisRestarted(t *testing.T) {
	if testing.Short() {
		t.Skip("builds the binary, starts a redis-server and three processes")
	}
	redis := startOwnRedis(t)
	bn := fakeBinance(t)
	h := newDrillHost(t, bn, redis.addr(), 0, "REFHOST_WORKER_CONCURRENCY=1", "REFHOST_IMPORT_LEASE_TTL=5s")
	core := h.start("core", "")
	h.start("worker", "")
	edge := h.start("edge", core.addr)

	var once sync.Once
	arrived, release := make(chan struct{}), make(chan struct{})
	bn.SetRequestHook(func(r *http.Request) {
		if r.URL.Path != "/api/v3/myTrades" {
			return
		}
		first := false
		once.Do(func() { first = true })
		if first {
			close(arrived)
			<-release
		}
	})
	released := false
	defer func() {
		if !released {
			close(release)
		}
	}()

	type linked struct {
		user coach.User
		conn coach.BrokerConnection
	}
	var users []linked
	for i := range 4 {
		u, c := h.user(core.addr, "drill-redis-"+strconv.Itoa(i)+"@example.com")
		users = append(users, linked{user: u})
		if i == 0 {
			_, header := loginOnEdge(t, edge.addr, u.Email)
			f := followEvents(t, edge.addr, header)
			waitUntil(t, "the WebSocket's ready", time.Minute, h.logs, func() bool { r, _, _ := f.state(); return r > 0 })
			defer func() { h.checkFollower(t, f, u.ID) }()
		}
		conn, code := h.connect(c, core.addr)
		if code != http.StatusCreated {
			t.Fatalf("link Binance for user %d: %d", i, code)
		}
		users[i].conn = conn
		if i == 0 {
			select {
			case <-arrived:
			case <-time.After(3 * time.Minute):
				t.Fatalf("the first import never reached Binance\n%s", h.logs())
			}
		}
	}
	for _, u := range users {
		if n := phases(h.imports(u.user.ID, u.conn.ID))[coach.ImportPhaseDone]; n != 0 {
			t.Fatalf("an import finished before the outage")
		}
	}

	redis.stop(t)
	drillf(t, "Redis stopped (SIGTERM) with 4 imports accepted: 1 running (held at Binance), 3 waiting in Redis's queue")
	close(release)
	released = true
	time.Sleep(2 * time.Second) // the outage: the running import goes on against Binance and Postgres
	redis.start(t)
	drillf(t, "Redis started again on the same port and append-only file")

	for i, u := range users {
		waitUntil(t, "import "+strconv.Itoa(i)+" after the restart", 4*time.Minute, h.logs, func() bool {
			return phases(h.imports(u.user.ID, u.conn.ID))[coach.ImportPhaseDone] > 0
		})
		ps := h.imports(u.user.ID, u.conn.ID)
		n := phases(ps)
		var done coach.ImportProgressPayload
		for _, p := range ps {
			if p.Phase == coach.ImportPhaseDone {
				done = p
			}
		}
		fc := h.checkFills(u.user.ID, done.WindowStart, done.WindowEnd)
		drillf(t, "user %d's accepted import: runs started %d, done %d, failed %d; %s", i, n[coach.ImportPhaseStarted],
			n[coach.ImportPhaseDone], n[coach.ImportPhaseFailed], fc)
		if n[coach.ImportPhaseDone] != 1 || !fc.ok() {
			t.Errorf("user %d: %d imports done, %s; want 1 and the broker's fills once", i, n[coach.ImportPhaseDone], fc)
		}
	}
}

// waitReflected waits for the coach's reflections on the user's imported trades: the last
// events of an import's chain (import, score, reflect), stored once its import job has ended.
func (h *drillHost) waitReflected(t *testing.T, userID string) {
	t.Helper()
	waitUntil(t, "the coach's reflections", 2*time.Minute, h.logs, func() bool {
		return slices.ContainsFunc(h.events(userID), func(e coach.Event) bool { return e.Type == coach.EventCoachReflect })
	})
}

// checkFollower waits until the user's imports have led to the coach's reflections and the
// follower has received every event of the user in the store, and checks it received none twice
// and none of another user's.
func (h *drillHost) checkFollower(t *testing.T, f *wsFollower, userID string) {
	t.Helper()
	if t.Failed() {
		return
	}
	h.waitReflected(t, userID)
	var want []coach.Event
	waitUntil(t, "every event over the WebSocket", 2*time.Minute, func() string {
		got, repeats, unknown := f.compare(want)
		ready, drops, reason := f.state()
		return "received " + strconv.Itoa(got) + " of " + strconv.Itoa(len(want)) + " events, " + strconv.Itoa(repeats) + " repeats, " +
			strconv.Itoa(unknown) + " unknown; " + strconv.Itoa(ready) + " connections ready, " + strconv.Itoa(drops) + " dropped (" + reason + ")\n" + h.logs()
	}, func() bool {
		want = h.events(userID)
		got, _, _ := f.compare(want)
		return got == len(want)
	})
	got, repeats, unknown := f.compare(want)
	ready, drops, reason := f.state()
	drillf(t, "WebSocket: %d connections reached ready, %d dropped (last: %s); received %d of the user's %d events, %d repeated, %d not the user's",
		ready, drops, reason, got, len(want), repeats, unknown)
	if repeats != 0 || unknown != 0 || len(want) == 0 {
		t.Errorf("the WebSocket received %d repeats and %d unknown events (of %d)", repeats, unknown, len(want))
	}
}
