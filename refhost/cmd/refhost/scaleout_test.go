package main

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"maps"
	"net/http"
	"os"
	"os/exec"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/tradecoach/coach"
	"github.com/tradecoach/coach/digest"
	"github.com/tradecoach/coach/jobs"
	promcoach "github.com/tradecoach/coach/metrics/prometheus"
	"github.com/tradecoach/coach/refhost/edge"
	"github.com/tradecoach/coach/refhost/slo"
	"github.com/tradecoach/coach/storage/memory"
	"github.com/tradecoach/coach/storage/postgres/postgrestest"
	"github.com/tradecoach/coach/storage/s3/s3test"
	"github.com/tradecoach/coach/transport/asynq"
	"github.com/tradecoach/coach/transport/asynq/asynqtest"
	"github.com/tradecoach/coach/transport/ws"
)

// scaledOut is issue 19's scaled-out set: one core; two aicoach processes behind a proxy, which
// core and both workers call; two workers on one Redis queue; two edges behind the proxy browsers
// reach; all on one Postgres schema, one Redis database and one S3 bucket.
type scaledOut struct {
	key     []byte
	queue   *asynq.Queue // the workers' queue, to put jobs on as the scheduler would
	core    *process
	aicoach []*process
	workers []*process
	edges   []*process
	front   *tcpProxy // before the edges: what browsers reach
	aiFront *tcpProxy // before the aicoach processes
}

// startScaledOut starts the set from bin, logging at level, with the edges' rate limits scaled for
// clients that all come from one address.
func startScaledOut(tb testing.TB, bin, level string) *scaledOut {
	tb.Helper()
	schema := postgrestest.RandomTestSchema(tb)
	tb.Cleanup(func() { postgrestest.DropTestSchema(tb, postgrestest.TestURL(), schema) })
	redis := asynqtest.MustOpenDB(tb)
	s3cfg := s3test.Config(s3test.Server(tb))
	key, kek := make([]byte, 32), make([]byte, 32)
	_, _ = rand.Read(key)
	_, _ = rand.Read(kek)
	env := append(os.Environ(), "REFHOST_POSTGRES_URL="+postgrestest.TestURL(), "REFHOST_POSTGRES_SCHEMA="+schema,
		"REFHOST_REDIS_ADDR="+redis.Options().Addr, fmt.Sprintf("REFHOST_REDIS_DB=%d", redis.Options().DB),
		"REFHOST_S3_ENDPOINT="+s3cfg.Endpoint, "REFHOST_S3_BUCKET="+s3cfg.Bucket,
		"REFHOST_S3_ACCESS_KEY_ID="+s3cfg.AccessKey, "REFHOST_S3_SECRET_ACCESS_KEY="+s3cfg.SecretKey,
		"REFHOST_INTERNAL_KEY="+hex.EncodeToString(key), "REFHOST_KEK="+hex.EncodeToString(kek),
		"REFHOST_EDGE_SECRET="+strings.Repeat("ed", 32), "REFHOST_ERASURE_KEY="+strings.Repeat("e7", 32),
		"REFHOST_EDGE_LIMIT_SCALE=1000", "REFHOST_LOG_LEVEL="+level)
	migrate := exec.Command(bin, "migrate")
	migrate.Env = env
	if out, err := migrate.CombinedOutput(); err != nil {
		tb.Fatalf("migrate: %v\n%s", err, out)
	}
	dl := memory.New()
	tb.Cleanup(func() { dl.Close() })
	queue, err := asynq.New(redis, asynq.Config{DeadLetters: dl.DeadLetters()})
	if err != nil {
		tb.Fatal(err)
	}
	s := &scaledOut{key: key, queue: queue}
	for range 2 {
		s.aicoach = append(s.aicoach, startStack(tb, bin, "aicoach", env, "-aicoach-addr", "127.0.0.1:0"))
	}
	s.aiFront = startProxy(tb, s.aicoach[0].addr, s.aicoach[1].addr)
	s.core = startStack(tb, bin, "core", env, "-core-addr", "127.0.0.1:0", "-aicoach-url", s.aiFront.URL())
	for range 2 {
		// Two jobs at a time each, so that a burst of jobs is shared between them.
		s.workers = append(s.workers, startStack(tb, bin, "worker", env, "-worker-addr", "127.0.0.1:0", "-aicoach-url", s.aiFront.URL(),
			"-worker-concurrency", "2"))
	}
	// The edges' public address is the proxy's: it is the origin browsers send.
	s.front = startProxy(tb)
	edgeEnv := append(slices.Clone(env), "REFHOST_CORE_URL="+s.core.addr, "REFHOST_PUBLIC_URL="+s.front.URL())
	for range 2 {
		s.edges = append(s.edges, startStack(tb, bin, "edge", edgeEnv, "-edge-addr", "127.0.0.1:0", "-edge-metrics-addr", "127.0.0.1:0"))
	}
	s.front.route(s.edges[0].addr, s.edges[1].addr)
	for _, p := range s.processes() {
		if res, err := http.Get(p.addr + "/readyz"); err != nil || res.StatusCode != http.StatusOK {
			tb.Fatalf("%s /readyz: %v %v", p.addr, res, err)
		}
	}
	return s
}

func (s *scaledOut) processes() []*process {
	return slices.Concat([]*process{s.core}, s.aicoach, s.workers, s.edges)
}

// metricsURLs are the /metrics of every process still running.
func (s *scaledOut) metricsURLs(tb testing.TB) []string {
	var urls []string
	for _, p := range slices.Concat([]*process{s.core}, s.aicoach, s.workers) {
		urls = append(urls, p.addr+"/metrics")
	}
	for _, e := range s.edges {
		if !e.killed.Load() {
			urls = append(urls, e.serverURL(tb, "edge-metrics")+"/metrics")
		}
	}
	return urls
}

// logs is every process's log, for a failure's message.
func (s *scaledOut) logs() string {
	var b strings.Builder
	for _, p := range s.processes() {
		fmt.Fprintf(&b, "== %s\n%s\n", p.addr, p.logs)
	}
	return b.String()
}

// jobRuns scrapes one worker's jobs_run_total: attempts by job type and outcome.
func jobRuns(tb testing.TB, worker *process) map[[2]string]float64 {
	tb.Helper()
	fams := slo.Families{}
	if err := scrape(context.Background(), worker.addr+"/metrics", 10*time.Second, fams); err != nil {
		tb.Fatal(err)
	}
	out := map[[2]string]float64{}
	fam := fams[promcoach.DefaultNamespace+"_"+coach.MetricJobsRun]
	if fam == nil {
		return out
	}
	for _, m := range fam.GetMetric() {
		out[[2]string{label(m, "type"), label(m, "outcome")}] += m.GetCounter().GetValue()
	}
	return out
}

// attempts are the job attempts each worker has counted, of any type and outcome.
func (s *scaledOut) attempts(tb testing.TB) [2]float64 {
	var each [2]float64
	for i, w := range s.workers {
		for _, n := range jobRuns(tb, w) {
			each[i] += n
		}
	}
	return each
}

// trader is a signed-in user of the scaled-out set, as a browser behind the front proxy.
type trader struct {
	id     string
	client *http.Client
	header func() http.Header
	core   *http.Client // signed internal calls as the user, straight to core
}

const scaledOutPassword = "a scaled-out password"

// scaledOutHash is scaledOutPassword's Argon2id hash, made once for every user of the set.
var scaledOutHash = sync.OnceValue(func() string { return edge.HashPassword(scaledOutPassword, edge.OWASPParams()) })

// newTrader makes user i through core's internal API and signs them in through the front proxy.
func (s *scaledOut) newTrader(tb testing.TB, i int) *trader {
	tb.Helper()
	var u coach.User
	email := fmt.Sprintf("scaled-%d-%s@example.com", i, coach.NewID())
	if code := doJSON(tb, signedClient(tb, s.key, ""), "POST", s.core.addr+"/internal/users",
		map[string]string{"email": email, "passwordHash": scaledOutHash()}, &u); code != http.StatusCreated {
		tb.Fatalf("create trader %d: %d", i, code)
	}
	c, header := browserClient()
	doJSON(tb, c, "GET", s.front.URL()+"/auth/csrf", nil, nil)
	if code := doJSON(tb, c, "POST", s.front.URL()+"/auth/login", map[string]string{"email": email, "password": scaledOutPassword}, nil); code != http.StatusOK {
		tb.Fatalf("trader %d logs in through the proxy: %d", i, code)
	}
	return &trader{id: u.ID, client: c, header: header, core: signedClient(tb, s.key, u.ID)}
}

// events are the user's committed events after since, from core.
func (tr *trader) events(tb testing.TB, core, since string) []coach.Event {
	tb.Helper()
	var all []coach.Event
	for {
		var page struct {
			Events []coach.Event `json:"events"`
			Next   string        `json:"next"`
		}
		if code := doJSON(tb, tr.core, "GET", core+"/events?since="+since, nil, &page); code != http.StatusOK {
			tb.Fatalf("core /events: %d", code)
		}
		all = append(all, page.Events...)
		if page.Next == "" {
			return all
		}
		since = page.Next
	}
}

// stream is one browser connection's record of what arrived: each event id and how often.
type stream struct {
	mu    sync.Mutex
	got   map[string]int
	ready int // connections that went live (the first, then each resume)
}

func (st *stream) counts() (map[string]int, int) {
	st.mu.Lock()
	defer st.mu.Unlock()
	return maps.Clone(st.got), st.ready
}

// open follows the trader's events through url (the front proxy) from since, on a connection of
// its own, until the test ends.
func (tr *trader) open(tb testing.TB, url, since string) *stream {
	tb.Helper()
	st := &stream{got: map[string]int{}}
	h := tr.header()
	h.Set("Origin", url)
	live := make(chan struct{}, 1)
	c, err := ws.NewClient(ws.ClientConfig{URL: url + "/ws/coach", Header: h, LastEventID: since,
		HTTPClient: &http.Client{Transport: &http.Transport{}}, MaxBackoff: time.Second,
		OnReady: func() {
			st.mu.Lock()
			st.ready++
			st.mu.Unlock()
			select {
			case live <- struct{}{}:
			default:
			}
		}})
	if err != nil {
		tb.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() {
		defer close(done)
		_ = c.Run(ctx, func(_ context.Context, e coach.Envelope) error {
			st.mu.Lock()
			st.got[e.EventID]++
			st.mu.Unlock()
			return nil
		})
	}()
	tb.Cleanup(func() { cancel(); <-done })
	select {
	case <-live:
	case <-time.After(time.Minute):
		tb.Fatalf("a WebSocket through the proxy did not go live")
	}
	return st
}

// newest is the id of the user's newest event, or "" when they have none.
func (tr *trader) newest(tb testing.TB, core string) string {
	evs := tr.events(tb, core, "")
	if len(evs) == 0 {
		return ""
	}
	return evs[len(evs)-1].ID
}

// delivered waits until every stream of the trader holds exactly the user's events after since,
// each once, and fails naming what is missing, repeated or foreign.
func delivered(tb testing.TB, s *scaledOut, tr *trader, since string, streams []*stream, limit time.Duration) int {
	tb.Helper()
	var problem string
	for deadline := time.Now().Add(limit); ; time.Sleep(100 * time.Millisecond) {
		want := map[string]bool{}
		for _, e := range tr.events(tb, s.core.addr, since) {
			want[e.ID] = true
		}
		problem = ""
		for i, st := range streams {
			got, _ := st.counts()
			for id, n := range got {
				switch {
				case !want[id]:
					problem = fmt.Sprintf("connection %d got event %s, not one of the user's", i, id)
				case n > 1:
					problem = fmt.Sprintf("connection %d got event %s %d times", i, id, n)
				}
			}
			for id := range want {
				if got[id] == 0 && problem == "" {
					problem = fmt.Sprintf("connection %d is missing event %s (has %d of %d)", i, id, len(got), len(want))
				}
			}
		}
		if problem == "" {
			return len(want)
		}
		if time.Now().After(deadline) {
			tb.Fatalf("user %s: %s\n%s", tr.id, problem, s.logs())
		}
	}
}

// Issue 19's scale-out: two edges behind a loopback proxy, two workers and two aicoach processes
// on one Postgres and Redis. A login on one edge holds on the other; every event reaches each of
// its user's connections (spread over both edges) once and no one else's; every job the traders
// start runs once, the two workers sharing them; then the drill: an edge killed with browsers
// connected, who reconnect through the proxy to the other edge and miss nothing.
func TestScaledOut(t *testing.T) {
	if testing.Short() {
		t.Skip("builds the binary and starts seven processes")
	}
	s := startScaledOut(t, buildBinary(t), "info")

	splitEdges(t, s.key, s.core.addr, s.edges[0].addr, s.edges[1].addr)
	drillf(t, "scale-out: a login on edge 1 holds on edge 2; the session logged out on edge 1 is refused by edge 2")

	const traders, perTrader = 4, 2
	var trs []*trader
	since := map[string]string{}
	streams := map[string][]*stream{}
	for i := range traders {
		tr := s.newTrader(t, i)
		trs = append(trs, tr)
		since[tr.id] = tr.newest(t, s.core.addr)
		for range perTrader {
			streams[tr.id] = append(streams[tr.id], tr.open(t, s.front.URL(), since[tr.id]))
		}
	}
	_, ws0 := s.front.served(s.edges[0].addr)
	_, ws1 := s.front.served(s.edges[1].addr)
	if ws0 == 0 || ws1 == 0 {
		t.Fatalf("the proxy put the %d connections on one edge: %d and %d", traders*perTrader, ws0, ws1)
	}
	drillf(t, "scale-out: %d traders, %d WebSockets through the proxy: %d on edge 1, %d on edge 2", traders, traders*perTrader, ws0, ws1)

	// Each trader, through the proxy: the demo broker (its import), two simulations once the
	// trades are in, a question to the coach.
	runs := map[string][]string{}
	for _, tr := range trs {
		if code := doJSON(t, tr.client, "POST", s.front.URL()+"/brokers/demo", nil, nil); code != http.StatusCreated {
			t.Fatalf("connect the demo broker: %d", code)
		}
	}
	for _, tr := range trs {
		waitUntil(t, "the demo import", 3*time.Minute, s.logs, func() bool {
			var page struct {
				Trades []coach.Trade `json:"trades"`
			}
			return doJSON(t, tr.client, "GET", s.front.URL()+"/trades?limit=1", nil, &page) == http.StatusOK && len(page.Trades) > 0
		})
		for _, label := range []string{"FOMO", "PANIC"} {
			var run coach.SimulationRun
			if code := doJSON(t, tr.client, "POST", s.front.URL()+"/simulations/simple", map[string]any{
				"scenario": map[string]any{"kind": "skipLabel", "label": label},
				"from":     time.Now().AddDate(0, 0, -40).UTC().Format(time.RFC3339), "to": time.Now().UTC().Format(time.RFC3339),
				"fees": map[string]any{}}, &run); code != http.StatusAccepted {
				t.Fatalf("simulate: %d", code)
			}
			runs[tr.id] = append(runs[tr.id], run.ID)
		}
		if code := doJSON(t, tr.client, "POST", s.front.URL()+"/coach/questions", map[string]string{"question": "Why do I buy after a run-up?"}, nil); code != http.StatusCreated {
			t.Fatalf("ask the coach: %d", code)
		}
	}
	for _, tr := range trs {
		for _, id := range runs[tr.id] {
			waitUntil(t, "a simulation", 3*time.Minute, s.logs, func() bool {
				var run coach.SimulationRun
				return doJSON(t, tr.client, "GET", s.front.URL()+"/simulations/"+id, nil, &run) == http.StatusOK && run.Status == coach.SimulationDone
			})
		}
	}
	total := 0
	for _, tr := range trs {
		total += delivered(t, s, tr, since[tr.id], streams[tr.id], 2*time.Minute)
	}
	drillf(t, "scale-out: %d events committed for %d traders; each reached every one of its user's %d connections once, and no other user's", total, traders, perTrader)

	// Every job once: the attempts both workers counted, by type.
	byWorker := []map[[2]string]float64{jobRuns(t, s.workers[0]), jobRuns(t, s.workers[1])}
	sum := func(typ string) (ok, other float64) {
		for _, w := range byWorker {
			for k, n := range w {
				if k[0] == typ && k[1] == coach.OutcomeOK {
					ok += n
				} else if k[0] == typ {
					other += n
				}
			}
		}
		return ok, other
	}
	for typ, want := range map[string]float64{"import.trades": traders, "simulate.simple": traders * 2} {
		if ok, other := sum(typ); ok != want || other != 0 {
			t.Errorf("%s: %g attempts ok and %g otherwise over both workers, want %g ok and none otherwise", typ, ok, other, want)
		}
	}
	each := s.attempts(t)
	drillf(t, "scale-out: %d imports and %d simulations ran once each over the two workers (%g and %g job attempts in all)", traders, traders*2, each[0], each[1])
	// Which worker takes a job is the queue's choice: bursts of weekly digests, as the hourly
	// fan-out would enqueue them, until both have run some.
	for round := 0; each[0] == 0 || each[1] == 0; round++ {
		if round == 5 {
			t.Fatalf("after 5 bursts of digests one worker still ran no job: %g and %g attempts", each[0], each[1])
		}
		var u coach.User
		if code := doJSON(t, signedClient(t, s.key, ""), "POST", s.core.addr+"/internal/users",
			map[string]string{"email": fmt.Sprintf("burst-%d-%s@example.com", round, coach.NewID()), "passwordHash": scaledOutHash()}, &u); code != http.StatusCreated {
			t.Fatalf("create a user: %d", code)
		}
		want := each[0] + each[1] + 12
		for week, k := digest.LastFullWeek(time.Now(), time.UTC), 0; k < 12; week, k = week.Prev(), k+1 {
			j, err := jobs.DigestJob(jobs.DigestPayload{UserID: u.ID, Week: week.String()})
			if err != nil {
				t.Fatal(err)
			}
			if _, err := s.queue.Enqueue(context.Background(), j); err != nil {
				t.Fatal(err)
			}
		}
		waitUntil(t, "a burst of digests", 2*time.Minute, s.logs, func() bool { each = s.attempts(t); return each[0]+each[1] >= want })
		drillf(t, "scale-out: a burst of 12 weekly digests: the workers' attempts now %g and %g", each[0], each[1])
	}
	served := 0
	for _, ai := range s.aicoach {
		if strings.Contains(ai.logs.String(), `"path":"/v1/`) {
			served++
		}
	}
	drillf(t, "scale-out: %d of the 2 aicoach processes served the workers and core through their proxy", served)

	// The drill: kill the edge holding connections; events committed while those browsers are
	// away reach them once they are back, through the proxy, on the other edge.
	victim, survivor, held := 0, 1, ws0
	if ws1 > ws0 {
		victim, survivor, held = 1, 0, ws1
	}
	_, before := s.front.served(s.edges[survivor].addr)
	readyBefore := 0
	for _, tr := range trs {
		for _, st := range streams[tr.id] {
			_, r := st.counts()
			readyBefore += r
		}
	}
	s.front.hold()
	s.edges[victim].kill(t)
	for _, tr := range trs {
		var asked coach.Question
		if code := doJSON(t, tr.core, "POST", s.core.addr+"/coach/questions", map[string]string{"question": "What did I do after my losses?"}, &asked); code != http.StatusCreated {
			t.Fatalf("ask the coach while an edge is down: %d", code)
		}
	}
	s.front.release()
	total = 0
	for _, tr := range trs {
		total += delivered(t, s, tr, since[tr.id], streams[tr.id], 2*time.Minute)
	}
	_, after := s.front.served(s.edges[survivor].addr)
	readyAfter := 0
	for _, tr := range trs {
		for _, st := range streams[tr.id] {
			_, r := st.counts()
			readyAfter += r
		}
	}
	if moved, resumed := after-before, readyAfter-readyBefore; moved < held || resumed < held {
		t.Fatalf("the killed edge held %d connections; %d handshakes reached the other since, %d connections resumed", held, moved, resumed)
	}
	drillf(t, "edge killed (SIGKILL) with %d WebSockets on it: %d resumed through the proxy on the other edge; %d events committed while they were away (the proxy held their reconnections until then); all %d events of the %d traders reached every connection once",
		held, readyAfter-readyBefore, traders, total, traders)
	if code := doJSON(t, trs[0].client, "GET", s.front.URL()+"/me", nil, nil); code != http.StatusOK {
		t.Fatalf("the session through the surviving edge: %d", code)
	}
}
