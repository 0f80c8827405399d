package main

import (
	"context"
	"net"
	"net/http"
	"os/exec"
	"strconv"
	"sync"
	"syscall"
	"testing"
	"time"

	goredis "github.com/redis/go-redis/v9"

	"github.com/tradecoach/coach"
	"github.com/tradecoach/coach/transport/asynq/asynqtest"
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
