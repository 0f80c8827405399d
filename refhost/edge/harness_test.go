package edge_test

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/tradecoach/coach"
	"github.com/tradecoach/coach/broker/seal"
	"github.com/tradecoach/coach/refhost/brokers"
	"github.com/tradecoach/coach/refhost/config"
	"github.com/tradecoach/coach/refhost/core"
	"github.com/tradecoach/coach/refhost/demo"
	"github.com/tradecoach/coach/refhost/edge"
	"github.com/tradecoach/coach/refhost/infra"
	"github.com/tradecoach/coach/refhost/services"
	"github.com/tradecoach/coach/refhost/worker"
	"github.com/tradecoach/coach/storage"
	"github.com/tradecoach/coach/storage/memory"
	transportmemory "github.com/tradecoach/coach/transport/memory"
)

var (
	internalKey = bytes.Repeat([]byte("k"), 32)
	edgeSecret  = bytes.Repeat([]byte("s"), 32)
)

// fastPassword makes Argon2id cheap for tests that are not about its cost.
var fastPassword = edge.PasswordParams{Memory: 64, Time: 1, Threads: 1}

// roomy are limits no functional test reaches.
var roomy = edge.Limits{
	IP:           storage.Limit{Rate: 100000, Burst: 100000, Period: time.Minute},
	User:         storage.Limit{Rate: 100000, Burst: 100000, Period: time.Minute},
	LoginIP:      storage.Limit{Rate: 100000, Burst: 100000, Period: time.Minute},
	LoginAccount: storage.Limit{Rate: 100000, Burst: 100000, Period: time.Minute},
	Account:      storage.Limit{Rate: 100000, Burst: 100000, Period: time.Minute},
}

// backend is a core API over the in-memory adapters with a worker running its jobs.
type backend struct {
	in   *infra.Infra
	svc  *services.Services
	core *httptest.Server
}

func newBackend(t testing.TB) *backend {
	t.Helper()
	ctx := context.Background()
	log := slog.New(slog.DiscardHandler)
	clock := coach.SystemClock{}
	in, err := infra.Open(ctx, config.Config{CoreAddr: "127.0.0.1:0"}, clock, log)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = in.Close() })
	market, err := demo.Market(11, clock.Now())
	if err != nil {
		t.Fatal(err)
	}
	kek, err := seal.NewLocalKEK(bytes.Repeat([]byte("w"), seal.KeySize))
	if err != nil {
		t.Fatal(err)
	}
	sealer, err := seal.New(seal.Config{KEK: kek, DataKeys: seal.StoredKeys{Keys: in.Store.DataKeys()}})
	if err != nil {
		t.Fatal(err)
	}
	svc, err := services.Build(services.Config{Infra: in, ErasureKey: bytes.Repeat([]byte("e"), 32), Candles: market,
		WebhookSealer: brokers.WebhookSealer{Sealer: sealer}, Clock: clock, Logger: log})
	if err != nil {
		t.Fatal(err)
	}
	wk, err := worker.Start(worker.Config{Infra: in, Services: svc, Brokers: demo.Brokers(market), Concurrency: 2, Logger: log})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(wk.Shutdown)
	api, err := core.New(core.Config{Infra: in, Services: svc, Key: internalKey, Clock: clock, Logger: log})
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(api)
	t.Cleanup(srv.Close)
	return &backend{in: in, svc: svc, core: srv}
}

// front is one edge instance in front of a backend, with its own cache, limiter and mailbox.
type front struct {
	t     testing.TB
	e     *edge.Edge
	srv   *httptest.Server
	mail  *transportmemory.Mailbox
	clock *coach.ManualClock
}

// newFront starts an edge whose clock is a manual one starting now; change(cfg) adjusts its
// configuration first.
func newFront(t testing.TB, b *backend, change func(*edge.Config)) *front {
	t.Helper()
	clock := coach.NewManualClock(time.Now())
	srv := httptest.NewUnstartedServer(nil)
	mail := &transportmemory.Mailbox{}
	cfg := edge.Config{CoreURL: b.core.URL, Key: internalKey, Secret: edgeSecret, PublicURL: "http://" + srv.Listener.Addr().String(),
		Cache: memory.NewCache(clock), Idempotency: memory.NewIdempotency(clock), Limiter: memory.NewRateLimiter(clock),
		Bus: b.in.Bus, Mailer: mail, Clock: clock, Password: fastPassword, Limits: roomy}
	if change != nil {
		change(&cfg)
	}
	e, err := edge.New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	srv.Config.Handler = e
	srv.Start()
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		_ = e.Shutdown(ctx)
		srv.Close()
	})
	return &front{t: t, e: e, srv: srv, mail: mail, clock: clock}
}

// browser is a client of an edge that keeps its cookies and CSRF token as a browser's script
// would.
type browser struct {
	t       testing.TB
	f       *front
	cookies map[string]string
	csrf    string
	client  *http.Client // http.DefaultClient when nil
}

func (f *front) browser() *browser {
	return &browser{t: f.t, f: f, cookies: map[string]string{}}
}

// answer is an edge's answer.
type answer struct {
	status int
	header http.Header
	body   []byte
}

func (a answer) decode(t testing.TB, v any) {
	t.Helper()
	if err := json.Unmarshal(a.body, v); err != nil {
		t.Fatalf("decode %d %s: %v", a.status, a.body, err)
	}
}

// code is the error code of an error answer.
func (a answer) code() coach.Code {
	var b struct {
		Code coach.Code `json:"code"`
	}
	_ = json.Unmarshal(a.body, &b)
	return b.Code
}

// req is one request: by default JSON for a non-string body, the browser's CSRF token on an
// unsafe method and a fresh Idempotency-Key on a POST. header overrides (an empty value removes).
type req struct {
	method, path string
	body         any
	header       map[string]string
}

func (b *browser) do(r req) answer {
	b.t.Helper()
	var rd io.Reader
	ct := ""
	switch v := r.body.(type) {
	case nil:
	case string:
		rd, ct = strings.NewReader(v), "text/csv"
	case url.Values:
		rd, ct = strings.NewReader(v.Encode()), "application/x-www-form-urlencoded"
	default:
		raw, err := json.Marshal(v)
		if err != nil {
			b.t.Fatal(err)
		}
		rd, ct = bytes.NewReader(raw), "application/json"
	}
	hr, err := http.NewRequest(r.method, b.f.srv.URL+r.path, rd)
	if err != nil {
		b.t.Fatal(err)
	}
	if ct != "" {
		hr.Header.Set("Content-Type", ct)
	}
	for name, v := range b.cookies {
		hr.AddCookie(&http.Cookie{Name: name, Value: v})
	}
	if r.method != http.MethodGet && r.method != http.MethodHead && b.csrf != "" {
		hr.Header.Set("X-CSRF-Token", b.csrf)
	}
	if r.method == http.MethodPost {
		hr.Header.Set("Idempotency-Key", coach.NewID())
	}
	for k, v := range r.header {
		if v == "" {
			hr.Header.Del(k)
		} else {
			hr.Header.Set(k, v)
		}
	}
	client := b.client
	if client == nil {
		client = http.DefaultClient
	}
	res, err := client.Do(hr)
	if err != nil {
		b.t.Fatal(err)
	}
	defer res.Body.Close()
	body, _ := io.ReadAll(res.Body)
	for _, c := range res.Cookies() {
		if c.MaxAge < 0 || c.Value == "" {
			delete(b.cookies, c.Name)
		} else {
			b.cookies[c.Name] = c.Value
		}
	}
	if tok := res.Header.Get("X-CSRF-Token"); tok != "" {
		b.csrf = tok
	}
	return answer{status: res.StatusCode, header: res.Header, body: body}
}

// must sends r and fails the test unless the status is want.
func (b *browser) must(r req, want int) answer {
	b.t.Helper()
	a := b.do(r)
	if a.status != want {
		b.t.Fatalf("%s %s: %d %s, want %d", r.method, r.path, a.status, a.body, want)
	}
	return a
}

// visit gets a visitor's CSRF token (and pre-session cookie).
func (b *browser) visit() {
	b.t.Helper()
	b.must(req{method: "GET", path: "/auth/csrf"}, http.StatusOK)
}

var linkToken = regexp.MustCompile(`#token=([A-Za-z0-9._-]+)`)

// lastToken is the token of the last link mailed to addr.
func (f *front) lastToken(addr string) string {
	f.t.Helper()
	ms := f.mail.To(addr)
	if len(ms) == 0 {
		f.t.Fatalf("no mail to %s", addr)
	}
	m := linkToken.FindStringSubmatch(ms[len(ms)-1].Text)
	if m == nil {
		f.t.Fatalf("no link in the last mail to %s: %q", addr, ms[len(ms)-1].Text)
	}
	return m[1]
}

const password = "correct horse battery staple"

// signUp creates an account through the edge (sign-up and the emailed confirmation) and logs the
// browser in; it returns the user.
func (b *browser) signUp(email string) coach.User {
	b.t.Helper()
	b.visit()
	b.must(req{method: "POST", path: "/auth/signup", body: map[string]string{"email": email, "password": password}}, http.StatusAccepted)
	b.must(req{method: "POST", path: "/auth/signup/confirm", body: map[string]string{"token": b.f.lastToken(email)}}, http.StatusNoContent)
	return b.login(email, password)
}

func (b *browser) login(email, pw string) coach.User {
	b.t.Helper()
	if b.csrf == "" {
		b.visit()
	}
	var u coach.User
	b.must(req{method: "POST", path: "/auth/login", body: map[string]string{"email": email, "password": pw}}, http.StatusOK).decode(b.t, &u)
	return u
}

// waitFor polls cond until it holds, failing the test after a minute.
func waitFor(t testing.TB, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(time.Minute)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
		time.Sleep(20 * time.Millisecond)
	}
}
