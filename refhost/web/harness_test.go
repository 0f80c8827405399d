package web_test

import (
	"bytes"
	"context"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/http/httptest"
	"net/url"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"golang.org/x/crypto/argon2"

	"github.com/tradecoach/coach"
	"github.com/tradecoach/coach/broker/brokertest"
	"github.com/tradecoach/coach/broker/seal"
	"github.com/tradecoach/coach/outbox"
	"github.com/tradecoach/coach/refhost/brokers"
	"github.com/tradecoach/coach/refhost/config"
	"github.com/tradecoach/coach/refhost/core"
	"github.com/tradecoach/coach/refhost/demo"
	"github.com/tradecoach/coach/refhost/edge"
	"github.com/tradecoach/coach/refhost/infra"
	"github.com/tradecoach/coach/refhost/services"
	"github.com/tradecoach/coach/refhost/web"
	"github.com/tradecoach/coach/refhost/worker"
	"github.com/tradecoach/coach/storage"
	"github.com/tradecoach/coach/storage/memory"
	"github.com/tradecoach/coach/transport/hmac"
	transportmemory "github.com/tradecoach/coach/transport/memory"
)

var (
	internalKey = bytes.Repeat([]byte("k"), 32)
	edgeSecret  = bytes.Repeat([]byte("s"), 32)
)

// roomy are limits no functional test reaches.
var roomy = edge.Limits{
	IP:           storage.Limit{Rate: 100000, Burst: 100000, Period: time.Minute},
	User:         storage.Limit{Rate: 100000, Burst: 100000, Period: time.Minute},
	LoginIP:      storage.Limit{Rate: 100000, Burst: 100000, Period: time.Minute},
	LoginAccount: storage.Limit{Rate: 100000, Burst: 100000, Period: time.Minute},
	Account:      storage.Limit{Rate: 100000, Burst: 100000, Period: time.Minute},
}

// host is core (with a worker running its jobs) over the in-memory adapters, the pages in the
// edge's process, and the edge, as `refhost all` builds them.
type host struct {
	t      testing.TB
	in     *infra.Infra
	svc    *services.Services
	market *brokertest.Demo
	core   *httptest.Server
	edge   *httptest.Server
	mail   *transportmemory.Mailbox
	logs   *bytes.Buffer
	// cut closes every connection to the edge (the WebSocket's too).
	cut func()
}

func newHost(t testing.TB) *host {
	t.Helper()
	ctx := context.Background()
	logs := &bytes.Buffer{}
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
	coreSrv := httptest.NewServer(api)
	t.Cleanup(coreSrv.Close)
	// The outbox's events reach the bus (and the WebSocket relay) as core's dispatcher sends them.
	dispatcher, err := outbox.NewDispatcher(outbox.DispatcherConfig{Store: in.Store, Bus: in.Bus, Clock: clock, Logger: log})
	if err != nil {
		t.Fatal(err)
	}
	dctx, stop := context.WithCancel(context.Background())
	dispatched := make(chan struct{})
	go func() { defer close(dispatched); _ = dispatcher.Run(dctx) }()
	t.Cleanup(func() { stop(); <-dispatched })
	pages, err := web.New(web.Config{CoreURL: coreSrv.URL, Key: internalKey, InProcess: true,
		Logger: slog.New(slog.NewTextHandler(logs, nil))})
	if err != nil {
		t.Fatal(err)
	}
	h := &host{t: t, in: in, svc: svc, market: market, core: coreSrv, logs: logs}
	return h.withEdge(func(c *edge.Config) { c.Web = pages })
}

// withEdge returns a copy of h behind a new edge of its own (cache, limits, mailbox), whose
// configuration change adjusts.
func (h *host) withEdge(change func(*edge.Config)) *host {
	t := h.t
	t.Helper()
	clock := coach.SystemClock{}
	srv := httptest.NewUnstartedServer(nil)
	conns := &tracking{Listener: srv.Listener}
	srv.Listener = conns
	mail := &transportmemory.Mailbox{}
	cfg := edge.Config{CoreURL: h.core.URL, Key: internalKey, Secret: edgeSecret, PublicURL: "http://" + srv.Listener.Addr().String(),
		Cache: memory.NewCache(clock), Idempotency: memory.NewIdempotency(clock), Limiter: memory.NewRateLimiter(clock),
		Bus: h.in.Bus, Mailer: mail, Password: edge.PasswordParams{Memory: 64, Time: 1, Threads: 1}, Limits: roomy}
	change(&cfg)
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
	out := *h
	out.edge, out.mail, out.cut = srv, mail, conns.cut
	return &out
}

// tracking is a listener that can cut every connection it accepted (WebSockets included, which
// the HTTP server forgets once upgraded).
type tracking struct {
	net.Listener
	mu    sync.Mutex
	conns []net.Conn
}

func (l *tracking) Accept() (net.Conn, error) {
	c, err := l.Listener.Accept()
	if err == nil {
		l.mu.Lock()
		l.conns = append(l.conns, c)
		l.mu.Unlock()
	}
	return c, err
}

// cut closes every connection accepted so far.
func (l *tracking) cut() {
	l.mu.Lock()
	defer l.mu.Unlock()
	for _, c := range l.conns {
		_ = c.Close()
	}
	l.conns = nil
}

// user creates an account with password through core's internal API and returns its id.
func (h *host) user(email, password string) string {
	h.t.Helper()
	salt := []byte("web-test-salt-16")
	phc := fmt.Sprintf("$argon2id$v=19$m=64,t=1,p=1$%s$%s", base64.RawStdEncoding.EncodeToString(salt),
		base64.RawStdEncoding.EncodeToString(argon2.IDKey([]byte(password), salt, 1, 64, 1, 32)))
	signer, err := hmac.NewSigner(hmac.SignerConfig{Key: hmac.NewKey(edge.KeyID, internalKey)})
	if err != nil {
		h.t.Fatal(err)
	}
	body := fmt.Sprintf(`{"email":%q,"passwordHash":%q}`, email, phc)
	req, _ := http.NewRequest("POST", h.core.URL+"/internal/users", strings.NewReader(body))
	req.Header.Set("Content-Type", "application/json")
	res, err := (&http.Client{Transport: signer}).Do(req)
	if err != nil {
		h.t.Fatal(err)
	}
	defer res.Body.Close()
	raw, _ := io.ReadAll(res.Body)
	if res.StatusCode != http.StatusCreated {
		h.t.Fatalf("create %s: %d %s", email, res.StatusCode, raw)
	}
	id := regexp.MustCompile(`"id":"([^"]+)"`).FindSubmatch(raw)
	if id == nil {
		h.t.Fatalf("no id in %s", raw)
	}
	return string(id[1])
}

// browser is a browser without JavaScript: it keeps cookies, follows no redirect by itself, and
// posts forms with the hidden fields of the page it last read.
type browser struct {
	t       testing.TB
	h       *host
	cookies map[string]string
	last    page
}

// page is an answer of the edge.
type page struct {
	path   string
	status int
	header http.Header
	body   string // decompressed
	wire   int    // bytes on the wire
}

func (h *host) browser() *browser { return &browser{t: h.t, h: h, cookies: map[string]string{}} }

// do sends one request; gzip asks for a compressed answer (decompressed by the transport).
func (b *browser) do(method, path, contentType string, body io.Reader, header map[string]string) page {
	b.t.Helper()
	req, err := http.NewRequest(method, b.h.edge.URL+path, body)
	if err != nil {
		b.t.Fatal(err)
	}
	if contentType != "" {
		req.Header.Set("Content-Type", contentType)
	}
	for k, v := range b.cookies {
		req.AddCookie(&http.Cookie{Name: k, Value: v})
	}
	for k, v := range header {
		req.Header.Set(k, v)
	}
	client := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	res, err := client.Do(req)
	if err != nil {
		b.t.Fatal(err)
	}
	defer res.Body.Close()
	raw, _ := io.ReadAll(res.Body)
	for _, c := range res.Cookies() {
		if c.MaxAge < 0 || c.Value == "" {
			delete(b.cookies, c.Name)
		} else {
			b.cookies[c.Name] = c.Value
		}
	}
	p := page{path: path, status: res.StatusCode, header: res.Header, body: string(raw), wire: len(raw)}
	if res.Uncompressed {
		p.wire = -1 // the transport decompressed it: size unknown here
	}
	return p
}

// get reads a page and remembers it for the next form.
func (b *browser) get(path string) page {
	b.t.Helper()
	p := b.do("GET", path, "", nil, nil)
	if p.status == http.StatusOK {
		b.last = p
	}
	return p
}

var hiddenCSRF = regexp.MustCompile(`name="csrf_token" value="([^"]*)"`)

// post submits a form to action with the CSRF token of the last page read and a fresh
// idempotency key, as the page's own form would.
func (b *browser) post(action string, fields url.Values) page {
	b.t.Helper()
	m := hiddenCSRF.FindStringSubmatch(b.last.body)
	if m == nil {
		b.t.Fatalf("no CSRF field on the last page (%s)", b.last.path)
	}
	f := url.Values{"csrf_token": {m[1]}, "idempotency_key": {coach.NewID()}}
	for k, v := range fields {
		f[k] = v
	}
	return b.do("POST", action, "application/x-www-form-urlencoded", strings.NewReader(f.Encode()),
		map[string]string{"Origin": b.h.edge.URL, "Sec-Fetch-Site": "same-origin"})
}

// mustStatus fails unless p has status want.
func (p page) mustStatus(t testing.TB, want int) page {
	t.Helper()
	if p.status != want {
		t.Fatalf("%s: %d, want %d\n%.2000s", p.path, p.status, want, p.body)
	}
	return p
}

// signIn signs b in as email through the sign-in page's form.
func (b *browser) signIn(email, password string) {
	b.t.Helper()
	b.get("/signin").mustStatus(b.t, http.StatusOK)
	p := b.post("/auth/login", url.Values{"email": {email}, "password": {password}})
	if p.status != http.StatusSeeOther || p.header.Get("Location") != "/app" {
		b.t.Fatalf("sign in: %d to %q, want 303 to /app\n%s", p.status, p.header.Get("Location"), p.body)
	}
}

// coreGet calls core's GET path as user and decodes the answer into out; it returns the status.
func (h *host) coreGet(user, path string, out any) int {
	h.t.Helper()
	signer, err := hmac.NewSigner(hmac.SignerConfig{Key: hmac.NewKey(edge.KeyID, internalKey)})
	if err != nil {
		h.t.Fatal(err)
	}
	req, _ := http.NewRequest("GET", h.core.URL+path, nil)
	req.Header.Set(hmac.HeaderSubject, user)
	res, err := (&http.Client{Transport: signer}).Do(req)
	if err != nil {
		h.t.Fatal(err)
	}
	defer res.Body.Close()
	if out != nil {
		_ = json.NewDecoder(res.Body).Decode(out)
	}
	return res.StatusCode
}

// waitFor polls cond every 50 ms until it holds, failing the test after limit.
func waitFor(t testing.TB, what string, limit time.Duration, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(limit)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// demoUser signs a new user in and imports the demo trader's fills through the onboarding
// form, waiting until the coach has labelled them; it returns the browser, the user's id and
// a trade that carries a label.
func (h *host) demoUser(email string) (*browser, string, string) {
	h.t.Helper()
	const password = "a long enough password"
	id := h.user(email, password)
	b := h.browser()
	b.signIn(email, password)
	b.get("/app/onboarding").mustStatus(h.t, http.StatusOK)
	p := b.post("/app/onboarding", url.Values{"action": {"demo"}})
	if p.status != http.StatusSeeOther || !strings.HasPrefix(p.header.Get("Location"), "/app/onboarding?connection=") {
		h.t.Fatalf("connect the demo: %d to %q\n%.2000s", p.status, p.header.Get("Location"), p.body)
	}
	b.get(p.header.Get("Location")).mustStatus(h.t, http.StatusOK)
	tagged := ""
	waitFor(h.t, "the demo import and its labels", 2*time.Minute, func() bool {
		var evs struct {
			Events []coach.Event `json:"events"`
		}
		h.coreGet(id, "/events?limit=1000", &evs)
		for _, e := range evs.Events {
			var r coach.ReflectPayload
			if e.Type == coach.EventCoachReflect && json.Unmarshal(e.Payload, &r) == nil && r.TradeID != "" {
				tagged = r.TradeID
				return true
			}
		}
		return false
	})
	return b, id, tagged
}
