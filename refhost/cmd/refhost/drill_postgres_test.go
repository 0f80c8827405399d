package main

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/tradecoach/coach"
	"github.com/tradecoach/coach/storage/postgres/postgrestest"
	"github.com/tradecoach/coach/transport/asynq/asynqtest"
)

// backends counts the server backends of each of the host's stacks (by application_name), and
// with terminate ends them first (pg_terminate_backend), from a connection of the test's own.
func (h *drillHost) backends(t *testing.T, terminate bool) map[string]int {
	t.Helper()
	ctx := context.Background()
	conn, err := pgx.Connect(ctx, postgrestest.TestURL())
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close(ctx)
	q := `SELECT application_name, count(*) FROM pg_stat_activity
		WHERE starts_with(application_name, $1) AND pid <> pg_backend_pid() GROUP BY 1`
	if terminate {
		q = `SELECT application_name, count(pg_terminate_backend(pid)) FROM pg_stat_activity
		WHERE starts_with(application_name, $1) AND pid <> pg_backend_pid() GROUP BY 1`
	}
	rows, err := conn.Query(ctx, q, h.app+"_")
	if err != nil {
		t.Fatal(err)
	}
	out := map[string]int{}
	for rows.Next() {
		var name string
		var n int
		if err := rows.Scan(&name, &n); err != nil {
			t.Fatal(err)
		}
		out[strings.TrimPrefix(name, h.app+"_")] = n
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	return out
}

// countsString renders a stack → count map in a stable order.
func countsString(m map[string]int) string {
	var parts []string
	for k, v := range m {
		parts = append(parts, fmt.Sprintf("%s %d", k, v))
	}
	sort.Strings(parts)
	return strings.Join(parts, ", ")
}

// Drill: every Postgres backend of the stacks is terminated (pg_terminate_backend, as a failover
// or an administrator does), and every stack serves again without a restart: /readyz answers
// 200, core's API and the edge's answer, a new import job runs, and its events reach the
// WebSocket opened before, each once. Only this test's backends are ended: each stack connects
// with an application_name made of the test's schema and the stack's name.
func TestDrillPostgresBackendsTerminated(t *testing.T) {
	if testing.Short() {
		t.Skip("builds the binary and starts four processes")
	}
	redis := asynqtest.MustOpenDB(t)
	bn := fakeBinance(t)
	h := newDrillHost(t, bn, redis.Options().Addr, redis.Options().DB)
	ai := h.start("aicoach", "")
	core := h.start("core", "")
	worker := h.start("worker", "", "REFHOST_AICOACH_URL="+ai.addr)
	edge := h.start("edge", core.addr)
	stacks := map[string]*process{"aicoach": ai, "core": core, "worker": worker, "edge": edge}

	user, alice := h.user(core.addr, "drill-postgres@example.com")
	browser, header := loginOnEdge(t, edge.addr, user.Email)
	f := followEvents(t, edge.addr, header)
	waitUntil(t, "the WebSocket's ready", time.Minute, h.logs, func() bool { r, _, _ := f.state(); return r > 0 })
	conn, code := h.connect(alice, core.addr)
	if code != http.StatusCreated {
		t.Fatalf("link Binance: %d", code)
	}
	waitUntil(t, "the first import", 3*time.Minute, h.logs, func() bool {
		return phases(h.imports(user.ID, conn.ID))[coach.ImportPhaseDone] == 1
	})
	h.waitReflected(t, user.ID) // the import job has ended: a sync of the connection is not refused

	before := h.backends(t, false)
	ended := h.backends(t, true)
	drillf(t, "terminated every Postgres backend of the stacks: %s (the edge holds none by design)", countsString(ended))
	if ended["core"] == 0 || ended["worker"] == 0 {
		t.Fatalf("no backend of core or worker to terminate (%v, before %v)", ended, before)
	}

	// The next request to each stack is answered as before: its readiness (a ping of Postgres on a
	// pooled connection the server ended must not fail it) and core's and the edge's API.
	for _, name := range []string{"aicoach", "core", "worker", "edge"} {
		res, err := http.Get(stacks[name].addr + "/readyz")
		if err != nil {
			t.Fatalf("%s /readyz: %v", name, err)
		}
		body, _ := io.ReadAll(res.Body)
		res.Body.Close()
		if res.StatusCode != http.StatusOK {
			t.Errorf("%s /readyz right after the termination: %d %s", name, res.StatusCode, body)
			continue
		}
		drillf(t, "%s: the first /readyz after the termination answers 200, same process", name)
	}
	if t.Failed() {
		t.FailNow()
	}

	// Core's API and the edge's answer, the backends ended again first.
	drillf(t, "terminated again before the API calls: %s", countsString(h.backends(t, true)))
	var page struct {
		Trades []coach.Trade `json:"trades"`
	}
	if code := doJSON(t, alice, "GET", core.addr+"/trades?limit=1000", nil, &page); code != http.StatusOK || len(page.Trades) == 0 {
		t.Fatalf("core /trades after the termination: %d, %d trades\n%s", code, len(page.Trades), h.logs())
	}
	n := len(page.Trades)
	if code := doJSON(t, browser, "GET", edge.addr+"/trades?limit=1000", nil, &page); code != http.StatusOK || len(page.Trades) != n {
		t.Fatalf("edge /trades after the termination: %d, %d trades, want %d\n%s", code, len(page.Trades), n, h.logs())
	}
	var me coach.User
	if code := doJSON(t, browser, "GET", edge.addr+"/me", nil, &me); code != http.StatusOK || me.ID != user.ID {
		t.Fatalf("edge /me after the termination: %d %+v", code, me)
	}
	drillf(t, "the first API calls after it answer 200: core GET /trades, the edge's GET /trades and /me (%d trades both ways)", n)

	// A new job runs, the backends ended again first: a sync of the connection, through the edge;
	// core's outbox dispatcher then publishes its events, which the WebSocket receives.
	drillf(t, "terminated again before the new job: %s", countsString(h.backends(t, true)))
	if code := doJSON(t, browser, "POST", edge.addr+"/brokers/connections/"+conn.ID+"/sync", nil, nil); code != http.StatusAccepted {
		t.Fatalf("sync now through the edge: %d\n%s", code, h.logs())
	}
	waitUntil(t, "the sync's import", 2*time.Minute, h.logs, func() bool {
		return phases(h.imports(user.ID, conn.ID))[coach.ImportPhaseDone] == 2
	})
	var first, done coach.ImportProgressPayload
	for _, p := range h.imports(user.ID, conn.ID) {
		if p.Phase == coach.ImportPhaseDone {
			if first.Phase == "" {
				first = p
			}
			done = p
		}
	}
	fc := h.checkFills(user.ID, first.WindowStart, done.WindowEnd)
	drillf(t, "a sync asked through the edge ran on the worker: import done (fetched %d, %d new); %s", done.Fetched, done.Inserted, fc)
	if !fc.ok() {
		t.Fatalf("fills after the sync: %s", fc)
	}
	h.checkFollower(t, f, user.ID)

	after := h.backends(t, false)
	for name, p := range stacks {
		if p.exitedNow() {
			t.Fatalf("%s exited\n%s", name, h.logs())
		}
	}
	drillf(t, "no stack restarted (4 processes, the same pids); backends now: %s", countsString(after))
}
