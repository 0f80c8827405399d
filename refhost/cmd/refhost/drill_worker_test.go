package main

import (
	"context"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/tradecoach/coach"
	"github.com/tradecoach/coach/transport/asynq/asynqtest"
)

// myTradesCall is one GET /api/v3/myTrades the fake Binance received.
type myTradesCall struct {
	symbol    string // Binance's name, "BTCUSDT"
	window    bool   // a startTime/endTime scan (a symbol read from the start of the window)
	fromID    int64  // the fromId of a paging request (0 for a scan)
	afterKill bool   // received after the worker was killed
}

// Drill: the worker is killed with SIGKILL in the middle of an import. The fake Binance holds the
// first request for one pair in flight, so that the pairs before it are stored with their
// checkpoints and the pairs from it on are not; the worker is killed there, a new one started.
// asynq gives the job back once the dead worker's lease has expired (about a minute: asynq's
// fixed 30 s lease, its recoverer's 30 s grace and one-minute sweep), the import lease (Redis)
// expires after REFHOST_IMPORT_LEASE_TTL, and the new worker's import resumes: the checkpointed
// pairs are read from their checkpoint on (no scan of the window), the others from the start.
// The store then holds every fill of the broker's in the window, once.
func TestDrillWorkerKilledMidImport(t *testing.T) {
	if testing.Short() {
		t.Skip("builds the binary, starts three processes and waits for asynq to recover the killed worker's job")
	}
	redis := asynqtest.MustOpenDB(t)
	bn := fakeBinance(t)
	h := newDrillHost(t, bn, redis.Options().Addr, redis.Options().DB, "REFHOST_IMPORT_LEASE_TTL=3s")

	// The pairs holding fills, in the order the import reads them; the one in the middle is held.
	var pairs []coach.Symbol
	for _, tr := range bn.Trades() {
		if !slices.Contains(pairs, tr.Symbol) {
			pairs = append(pairs, tr.Symbol)
		}
	}
	slices.Sort(pairs)
	if len(pairs) < 3 {
		t.Fatalf("the demo persona trades %d pairs; the drill needs 3", len(pairs))
	}
	held := pairs[len(pairs)/2]
	var mu sync.Mutex
	var calls []myTradesCall
	killed, holding := false, true
	arrived, release := make(chan struct{}), make(chan struct{})
	bn.SetRequestHook(func(r *http.Request) {
		if r.URL.Path != "/api/v3/myTrades" {
			return
		}
		q := r.URL.Query()
		c := myTradesCall{symbol: q.Get("symbol"), window: q.Get("startTime") != ""}
		c.fromID, _ = strconv.ParseInt(q.Get("fromId"), 10, 64)
		mu.Lock()
		c.afterKill = killed
		calls = append(calls, c)
		hold := holding && c.symbol == held.Concat()
		if hold {
			holding = false
		}
		mu.Unlock()
		if hold {
			close(arrived)
			<-release
		}
	})

	core := h.start("core", "")
	worker := h.start("worker", "")
	user, alice := h.user(core.addr, "drill-worker@example.com")
	conn, code := h.connect(alice, core.addr)
	if code != http.StatusCreated {
		t.Fatalf("link Binance: %d", code)
	}
	select {
	case <-arrived:
	case <-time.After(3 * time.Minute):
		t.Fatalf("the import never reached %s\n%s", held, h.logs())
	}

	// The import is in progress: the pairs before the held one are stored with their checkpoints.
	ctx := context.Background()
	atKill, err := h.db.Checkpoints().List(ctx, user.ID, conn.ID)
	if err != nil {
		t.Fatal(err)
	}
	var before []coach.Symbol
	for _, p := range pairs {
		if p < held {
			before = append(before, p)
		}
	}
	for _, p := range pairs {
		_, has := atKill[string(p)]
		if has != (p < held) {
			t.Fatalf("at the kill, pair %s has a checkpoint: %v (held pair %s; checkpoints %v)", p, has, held, atKill)
		}
	}
	pagesAtKill := phases(h.imports(user.ID, conn.ID))[coach.ImportPhaseFetching]
	storedAtKill := h.checkFills(user.ID, time.Time{}, time.Now().Add(time.Hour)).stored
	worker.kill(t)
	mu.Lock()
	killed = true
	mu.Unlock()
	close(release)
	drillf(t, "worker SIGKILLed mid-import: %d pages stored, checkpoints for %d of %d pairs (%s), %d fills stored; %s was in flight",
		pagesAtKill, len(atKill), len(pairs), strings.Join(symbolNames(before), ", "), storedAtKill, held)
	if storedAtKill == 0 || len(atKill) == 0 {
		t.Fatalf("nothing was stored before the kill\n%s", h.logs())
	}

	restarted := time.Now()
	h.start("worker", "")
	var done coach.ImportProgressPayload
	waitUntil(t, "the resumed import", 4*time.Minute, h.logs, func() bool {
		for _, p := range h.imports(user.ID, conn.ID) {
			if p.Phase == coach.ImportPhaseDone {
				done = p
				return true
			}
		}
		return false
	})
	runs := phases(h.imports(user.ID, conn.ID))
	drillf(t, "a new worker finished the import %s after it started (asynq recovered the dead worker's job); import runs started %d, done %d, failed %d",
		time.Since(restarted).Round(time.Second), runs[coach.ImportPhaseStarted], runs[coach.ImportPhaseDone], runs[coach.ImportPhaseFailed])

	// It resumed: every checkpointed pair was read from its checkpoint, by fromId, never scanned.
	mu.Lock()
	after := slices.DeleteFunc(slices.Clone(calls), func(c myTradesCall) bool { return !c.afterKill })
	mu.Unlock()
	for _, p := range before {
		var mine []myTradesCall
		for _, c := range after {
			if c.symbol == p.Concat() {
				mine = append(mine, c)
			}
		}
		cur := strings.Split(atKill[string(p)], ":") // id:<trade id>:<sides>
		if len(mine) == 0 || mine[0].window || len(cur) < 2 || strconv.FormatInt(mine[0].fromID, 10) != cur[1] {
			t.Fatalf("pair %s (checkpoint %s) was read after the restart as %+v, want from its checkpoint", p, atKill[string(p)], mine)
		}
		for _, c := range mine {
			if c.window {
				t.Fatalf("pair %s was scanned again after the restart: %+v", p, mine)
			}
		}
	}
	scanned := 0
	for _, c := range after {
		if c.window {
			scanned++
		}
	}
	drillf(t, "the restarted worker resumed at the checkpoints: checkpointed pairs read from their checkpoint by fromId, never scanned: %d; %d window scans for the %d pairs without one; the resumed run fetched %d fills, %d new, %d already stored",
		len(before), scanned, len(pairs)-len(before), done.Fetched, done.Inserted, done.Duplicates)

	fc := h.checkFills(user.ID, done.WindowStart, done.WindowEnd)
	drillf(t, "after the resumed import: %s", fc)
	if !fc.ok() {
		t.Fatalf("the stored fills differ from the broker's: %s", fc)
	}
	if done.Inserted != fc.stored-storedAtKill {
		t.Fatalf("the resumed run inserted %d fills, want the %d not stored before the kill", done.Inserted, fc.stored-storedAtKill)
	}
}

// symbolNames are the symbols as strings.
func symbolNames(ss []coach.Symbol) []string {
	out := make([]string, len(ss))
	for i, s := range ss {
		out[i] = string(s)
	}
	return out
}
