package main

import (
	"net/http"
	"strconv"
	"sync"
	"testing"
	"time"

	"github.com/tradecoach/coach"
	"github.com/tradecoach/coach/transport/asynq/asynqtest"
)

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
	redis := asynqtest.StartServer(t)
	bn := fakeBinance(t)
	h := newDrillHost(t, bn, redis.Addr(), 0, "REFHOST_WORKER_CONCURRENCY=1", "REFHOST_IMPORT_LEASE_TTL=5s")
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

	redis.Stop(t)
	drillf(t, "Redis stopped (SIGTERM) with 4 imports accepted: 1 running (held at Binance), 3 waiting in Redis's queue")
	close(release)
	released = true
	time.Sleep(2 * time.Second) // the outage: the running import goes on against Binance and Postgres
	redis.Start(t)
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
