package load_test

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/tradecoach/coach"
	"github.com/tradecoach/coach/internal/servicetest"
	"github.com/tradecoach/coach/refhost/load"
)

// fakeTarget answers every read after a fixed delay, fails the routes in failing, and streams
// each user the events in stream (twice each when repeat is set).
type fakeTarget struct {
	delay   time.Duration
	failing map[string]bool
	stream  []coach.Envelope
	repeat  bool
	signUp  error

	mu    sync.Mutex
	reads map[string]map[string]int // user → route → reads
	made  []*fakeUser
	users atomic.Int32
}

func (f *fakeTarget) Name() string { return "fake" }

func (f *fakeTarget) SignUp(_ context.Context, i int) (load.User, error) {
	if f.signUp != nil && i == 2 {
		return nil, f.signUp
	}
	f.users.Add(1)
	u := &fakeUser{f: f, name: fmt.Sprint("user", i)}
	f.mu.Lock()
	f.made = append(f.made, u)
	f.mu.Unlock()
	return u, nil
}

type fakeUser struct {
	f    *fakeTarget
	name string

	mu          sync.Mutex
	live        bool
	acts        int
	actedBefore bool // acted while its stream was not live yet
}

func (u *fakeUser) Act(context.Context) error {
	u.mu.Lock()
	defer u.mu.Unlock()
	u.acts++
	if u.f.stream != nil && !u.live {
		u.actedBefore = true
	}
	if u.name == "user1" {
		return coach.Errorf(coach.ERATELIMITED, "sync now: wait a minute")
	}
	return nil
}

func (u *fakeUser) Get(ctx context.Context, path string) (int, error) {
	select {
	case <-time.After(u.f.delay):
	case <-ctx.Done():
		return 0, ctx.Err()
	}
	u.f.mu.Lock()
	if u.f.reads[u.name] == nil {
		u.f.reads[u.name] = map[string]int{}
	}
	u.f.reads[u.name][path]++
	u.f.mu.Unlock()
	if u.f.failing[path] {
		return 503, nil
	}
	return 200, nil
}

func (u *fakeUser) Listen(ctx context.Context, ready func(), got func(coach.Envelope, time.Time)) error {
	if u.f.stream == nil {
		return load.ErrNoStream
	}
	time.Sleep(10 * time.Millisecond) // a handshake and a replay take a while
	u.mu.Lock()
	u.live = true
	u.mu.Unlock()
	ready()
	for _, e := range u.f.stream {
		got(e, e.TS.Add(3*time.Millisecond))
		if u.f.repeat {
			got(e, e.TS.Add(4*time.Millisecond))
		}
	}
	<-ctx.Done()
	return nil
}

func newFake() *fakeTarget { return &fakeTarget{reads: map[string]map[string]int{}} }

func TestRunReadsEveryRouteForEveryUserAndCountsFailures(t *testing.T) {
	t.Parallel()
	f := newFake()
	f.delay = time.Millisecond
	f.failing = map[string]bool{"/b": true}
	rep, err := load.Run(context.Background(), load.Config{Target: f, Users: 3, Duration: 300 * time.Millisecond,
		Routes: []string{"/a", "/b"}, Concurrency: 4})
	if err != nil {
		t.Fatal(err)
	}
	if got := int(f.users.Load()); got != 3 {
		t.Fatalf("signed up %d users, want 3", got)
	}
	f.mu.Lock()
	for u, routes := range f.reads {
		if routes["/a"] == 0 || routes["/b"] == 0 {
			t.Errorf("%s read %v, want both routes", u, routes)
		}
	}
	if len(f.reads) != 3 {
		t.Errorf("%d users read, want 3", len(f.reads))
	}
	f.mu.Unlock()
	if len(rep.Routes) != 3 || rep.Routes[0].Route != "/a" || rep.Routes[1].Route != "/b" || rep.All().Route != "all" {
		t.Fatalf("rows %+v", rep.Routes)
	}
	a, b, all := rep.Routes[0], rep.Routes[1], rep.All()
	if a.Errors != 0 || a.Requests == 0 || a.P50 < time.Millisecond || a.PerSecond <= 0 {
		t.Errorf("/a: %+v", a)
	}
	if b.Errors != b.Requests || b.Requests == 0 || b.PerSecond != 0 || !strings.Contains(b.FirstError, "503") {
		t.Errorf("/b: %+v, want every read failed with 503 and no throughput", b)
	}
	if all.Requests != a.Requests+b.Requests || all.Errors != b.Errors || all.P50 != a.P50 {
		t.Errorf("all: %+v from %+v and %+v", all, a, b)
	}
	// Closed loop with 4 reads in flight and 1 ms each: far fewer reads than a free-running loop
	// would make, and at least a few per in-flight slot.
	if all.Requests > 4*300 || all.Requests < 8 {
		t.Errorf("%d reads in 300 ms with 4 in flight of ≥1 ms", all.Requests)
	}
	if rep.Events.Measured {
		t.Errorf("events measured without Streams: %+v", rep.Events)
	}
}

func TestRunAtARateMakesAboutThatManyReads(t *testing.T) {
	t.Parallel()
	f := newFake()
	rep, err := load.Run(context.Background(), load.Config{Target: f, Users: 2, Rate: 100, Duration: 500 * time.Millisecond})
	if err != nil {
		t.Fatal(err)
	}
	// 100 a second for half a second: 50 due, and the pacing never lets 3× that through.
	if n := rep.All().Requests; n < 10 || n > 150 {
		t.Errorf("%d reads at 100/s for 0.5 s", n)
	}
	if len(rep.Routes) != len(load.DefaultRoutes)+1 {
		t.Errorf("%d rows, want the default routes and all", len(rep.Routes))
	}
}

func TestRunMeasuresEventDelayOncePerEvent(t *testing.T) {
	t.Parallel()
	f := newFake()
	ts := time.Date(2026, 12, 7, 9, 0, 0, 0, time.UTC)
	f.stream = []coach.Envelope{{EventID: "e1", TS: ts}, {EventID: "e2", TS: ts.Add(time.Second)}}
	f.repeat = true
	rep, err := load.Run(context.Background(), load.Config{Target: f, Users: 2, Duration: 50 * time.Millisecond, Streams: true})
	if err != nil {
		t.Fatal(err)
	}
	// Both users get both events: the ids are the same, so two count and six are repeats.
	ev := rep.Events
	if !ev.Measured || ev.Events != 2 || ev.Repeated != 6 || ev.P50 != 3*time.Millisecond || ev.Max != 3*time.Millisecond {
		t.Errorf("events %+v", ev)
	}
	for _, u := range f.made {
		if u.acts != 1 || u.actedBefore {
			t.Errorf("%s acted %d times (before its stream was live: %v), want once after", u.name, u.acts, u.actedBefore)
		}
	}
	if rep.Actions != 2 || rep.ActionErrors != 1 || !strings.Contains(rep.FirstActionError, "wait a minute") {
		t.Errorf("actions %d, failed %d (%q)", rep.Actions, rep.ActionErrors, rep.FirstActionError)
	}
	var out strings.Builder
	if err := rep.WriteText(&out); err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"target fake: 2 users", "events: 2 delivered (6 repeated arrivals)", "p50 3.00ms", "/dashboard",
		"questions to the coach (one a user, each answer an event): 2, 1 failed (first: sync now: wait a minute)"} {
		if !strings.Contains(out.String(), want) {
			t.Errorf("report lacks %q:\n%s", want, out.String())
		}
	}
}

func TestRunWithoutStreamSaysSo(t *testing.T) {
	t.Parallel()
	rep, err := load.Run(context.Background(), load.Config{Target: newFake(), Users: 1, Duration: 20 * time.Millisecond, Streams: true})
	if err != nil {
		t.Fatal(err)
	}
	var out strings.Builder
	_ = rep.WriteText(&out)
	if rep.Events.Measured || !strings.Contains(out.String(), "not measured") {
		t.Errorf("events %+v:\n%s", rep.Events, out.String())
	}
}

func TestRunStopsAtAFailedSignUp(t *testing.T) {
	t.Parallel()
	f := newFake()
	f.signUp = coach.Errorf(coach.EUNAVAILABLE, "core is down")
	_, err := load.Run(context.Background(), load.Config{Target: f, Users: 5, Rate: 10, Duration: time.Second})
	if coach.ErrorCode(err) != coach.EUNAVAILABLE || !strings.Contains(err.Error(), "user 2") {
		t.Fatalf("got %v", err)
	}
}

// A host that does not answer within the timeout is EUNAVAILABLE saying so, not "internal error".
func TestNoAnswerIsUnavailable(t *testing.T) {
	t.Parallel()
	release := make(chan struct{})
	srv := httptest.NewServer(http.HandlerFunc(func(http.ResponseWriter, *http.Request) { <-release }))
	t.Cleanup(func() { close(release); srv.Close() })
	e, err := load.NewEdge(load.EdgeConfig{URL: srv.URL, Run: "slow", Confirm: func(context.Context, string) (string, error) { return "", nil },
		Timeout: 50 * time.Millisecond})
	if err != nil {
		t.Fatal(err)
	}
	_, err = e.SignUp(context.Background(), 0)
	if coach.ErrorCode(err) != coach.EUNAVAILABLE || !strings.Contains(coach.ErrorMessage(err), "GET /auth/csrf: no answer") {
		t.Fatalf("got %v (%s), want EUNAVAILABLE naming the request that got no answer", err, coach.ErrorMessage(err))
	}
}

func TestRunRefusesOutOfBoundsConfigs(t *testing.T) {
	t.Parallel()
	f := newFake()
	for _, tc := range []struct {
		field string
		cfg   load.Config
	}{
		{"Config.Target", load.Config{Users: 1, Rate: 1, Duration: time.Second}},
		{"Config.Users", load.Config{Target: f, Users: 0, Duration: time.Second}},
		{"Config.Users", load.Config{Target: f, Users: load.MaxUsers + 1, Duration: time.Second}},
		{"Config.Rate", load.Config{Target: f, Users: 1, Rate: -1, Duration: time.Second}},
		{"Config.Rate", load.Config{Target: f, Users: 1, Rate: load.MaxRate + 1, Duration: time.Second}},
		{"Config.Duration", load.Config{Target: f, Users: 1, Duration: 0}},
		{"Config.Duration", load.Config{Target: f, Users: 1, Duration: load.MaxDuration + time.Second}},
		{"Config.Routes", load.Config{Target: f, Users: 1, Duration: time.Second, Routes: []string{"dashboard"}}},
		{"Config.Concurrency", load.Config{Target: f, Users: 1, Duration: time.Second, Concurrency: -1}},
	} {
		_, err := load.Run(context.Background(), tc.cfg)
		servicetest.RefusesField(t, err, tc.field)
	}
	if f.users.Load() != 0 {
		t.Errorf("a refused config signed up %d users", f.users.Load())
	}
}

func TestCheckLoopback(t *testing.T) {
	t.Parallel()
	for raw, ok := range map[string]bool{
		"http://127.0.0.1:8080": true, "http://localhost:1": true, "https://[::1]:443": true, "http://127.8.9.10": true,
		"http://10.0.0.1:80": false, "https://example.com": false, "ftp://127.0.0.1": false, "127.0.0.1:80": false,
		"http://169.254.169.254": false, "http://0.0.0.0:80": false, "": false,
	} {
		err := load.CheckLoopback(raw)
		if (err == nil) != ok {
			t.Errorf("CheckLoopback(%q) = %v, want ok %v", raw, err, ok)
		}
		if err != nil && coach.ErrorCode(err) != coach.EINVALID {
			t.Errorf("CheckLoopback(%q) code %s", raw, coach.ErrorCode(err))
		}
	}
}

func TestCompare(t *testing.T) {
	t.Parallel()
	core := load.Report{Routes: []load.RouteReport{{Route: "all", PerSecond: 1000, P50: 2 * time.Millisecond}}}
	edge := load.Report{Routes: []load.RouteReport{{Route: "all", PerSecond: 600, P50: 3500 * time.Microsecond}}}
	c := load.Compare(edge, core)
	if c.ThroughputRatio != 0.6 || c.AddedP50 != 1500*time.Microsecond {
		t.Errorf("got %+v", c)
	}
	var out strings.Builder
	_ = c.WriteText(&out)
	if got := out.String(); got != "edge vs core: 0.60× core's throughput, 1.50ms added at p50\n" {
		t.Errorf("got %q", got)
	}
	if z := load.Compare(edge, load.Report{}); z.ThroughputRatio != 0 {
		t.Errorf("against no core throughput: %+v", z)
	}
}

func TestCoreRefusesAHostOffLoopback(t *testing.T) {
	t.Parallel()
	key := []byte(strings.Repeat("k", 32))
	_, err := load.NewCore(load.CoreConfig{URL: "http://192.0.2.1:80", Key: key, KeyID: "internal-1", Run: "r"})
	if coach.ErrorCode(err) != coach.EINVALID {
		t.Fatalf("got %v", err)
	}
	_, err = load.NewCore(load.CoreConfig{URL: "http://127.0.0.1:80", Key: key, KeyID: "internal-1"})
	servicetest.RefusesField(t, err, "CoreConfig.Run")
	if _, err := load.NewCore(load.CoreConfig{URL: "http://127.0.0.1:80", Key: key, KeyID: "internal-1", Run: "r"}); err != nil {
		t.Fatal(err)
	}
}

func TestZeroValues(t *testing.T) {
	t.Parallel()
	servicetest.ZeroValues(t, []any{(*load.Core)(nil), (*load.Edge)(nil)})
	var c *load.Core
	if _, err := c.SignUp(context.Background(), 0); coach.ErrorCode(err) != coach.EINVALID {
		t.Errorf("nil Core SignUp: %v", err)
	}
	var e *load.Edge
	if _, err := e.SignUp(context.Background(), 0); coach.ErrorCode(err) != coach.EINVALID {
		t.Errorf("nil Edge SignUp: %v", err)
	}
}

func TestRunsShareUsersSignedUpOnce(t *testing.T) {
	t.Parallel()
	f := newFake()
	users, err := load.SignUp(context.Background(), f, 3)
	if err != nil {
		t.Fatal(err)
	}
	for range 2 {
		rep, err := load.Run(context.Background(), load.Config{Target: f, Ready: users, Duration: 20 * time.Millisecond})
		if err != nil {
			t.Fatal(err)
		}
		if rep.Users != 3 || rep.SignUp != 0 {
			t.Errorf("report %+v", rep)
		}
	}
	if n := f.users.Load(); n != 3 {
		t.Errorf("signed up %d users for two runs of 3, want 3", n)
	}
	for _, u := range f.made {
		if u.acts != 2 {
			t.Errorf("%s acted %d times in two runs", u.name, u.acts)
		}
	}
	if _, err := load.SignUp(context.Background(), f, 0); coach.ErrorCode(err) != coach.EINVALID {
		t.Errorf("SignUp of 0 users: %v", err)
	}
}
