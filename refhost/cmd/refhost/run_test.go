package main

import (
	"bytes"
	"context"
	"encoding/hex"
	"encoding/json"
	"io"
	"net/http"
	"net/http/cookiejar"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/tradecoach/coach"
	"github.com/tradecoach/coach/bias"
	"github.com/tradecoach/coach/refhost/aicoach"
	"github.com/tradecoach/coach/refhost/core"
	"github.com/tradecoach/coach/refhost/demo"
	"github.com/tradecoach/coach/refhost/infra"
	"github.com/tradecoach/coach/transport"
	"github.com/tradecoach/coach/transport/hmac"
)

// lockedBuffer collects the process's output from several goroutines.
type lockedBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (l *lockedBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.Write(p)
}

func (l *lockedBuffer) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.String()
}

// startAll runs `refhost all` on free loopback ports until the test ends and returns the stacks'
// addresses and the process's log.
func startAll(t *testing.T, env map[string]string) (map[string]string, *lockedBuffer, *lockedBuffer, func() error) {
	t.Helper()
	addrs, _, logs, out, stop := startAllIn(t, env)
	return addrs, logs, out, stop
}

// startAllIn is startAll that also returns the process's adapters.
func startAllIn(t *testing.T, env map[string]string) (map[string]string, *infra.Infra, *lockedBuffer, *lockedBuffer, func() error) {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	type startedWith struct {
		addrs map[string]string
		in    *infra.Infra
	}
	addrs := make(chan startedWith, 1)
	logs, out := &lockedBuffer{}, &lockedBuffer{}
	done := make(chan error, 1)
	args := []string{"all", "-edge-addr", "127.0.0.1:0", "-core-addr", "127.0.0.1:0", "-worker-addr", "127.0.0.1:0", "-aicoach-addr", "127.0.0.1:0", "-log-level", "debug"}
	go func() {
		done <- run(ctx, args, func(k string) string { return env[k] }, out, logs, func(a map[string]string, in *infra.Infra) { addrs <- startedWith{a, in} })
	}()
	var stop func() error
	stopped := false
	stop = func() error {
		if stopped {
			return nil
		}
		stopped = true
		cancel()
		return <-done
	}
	t.Cleanup(func() { _ = stop() })
	select {
	case a := <-addrs:
		return a.addrs, a.in, logs, out, stop
	case err := <-done:
		t.Fatalf("refhost all ended before serving: %v\n%s", err, logs)
	case <-time.After(time.Minute):
		t.Fatal("refhost all did not start within a minute")
	}
	return nil, nil, nil, nil, nil
}

func get(t *testing.T, url string) (int, string) {
	t.Helper()
	res, err := http.Get(url)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	b, _ := io.ReadAll(res.Body)
	return res.StatusCode, string(b)
}

func TestAllImportsAndScoresTheDemoTraderThenShutsDown(t *testing.T) {
	key := strings.Repeat("5a", 32)
	addrs, logs, out, stop := startAll(t, map[string]string{"REFHOST_INTERNAL_KEY": key})
	for _, stack := range []string{"core", "worker", "aicoach"} {
		if code, _ := get(t, addrs[stack]+"/readyz"); code != http.StatusOK {
			t.Fatalf("%s /readyz = %d", stack, code)
		}
	}
	// The demo trader's import job asks for scoring; both run on the worker.
	deadline := time.Now().Add(2 * time.Minute)
	for {
		_, m := get(t, addrs["worker"]+"/metrics")
		if strings.Contains(m, `coach_jobs_run_total{outcome="ok",type="score.bias"} 1`) &&
			strings.Contains(m, `coach_jobs_run_total{outcome="ok",type="import.trades"} 1`) {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("the demo trader was not imported and scored:\n%s\nlogs:\n%s", grep(m, "coach_jobs"), logs)
		}
		time.Sleep(50 * time.Millisecond)
	}

	// The AI-coach service answers a request signed with the internal key, and no other.
	ai, err := aicoach.NewClient(addrs["aicoach"], mustHex(t, key))
	if err != nil {
		t.Fatal(err)
	}
	res, err := ai.Indicators(context.Background(), bias.IndicatorRequest{Name: bias.IndicatorSMA, Params: []float64{2}, Close: []float64{1, 2, 3}})
	if err != nil || len(res.Series["value"]) != 3 || res.Series["value"][2] != 2.5 {
		t.Fatalf("signed SMA(2) of 1,2,3 = %v, %v; want [NaN 1.5 2.5]", res, err)
	}
	unsigned, err := http.Post(addrs["aicoach"]+"/v1/indicators", "application/json", strings.NewReader(`{}`))
	if err != nil {
		t.Fatal(err)
	}
	unsigned.Body.Close()
	if unsigned.StatusCode != http.StatusUnauthorized {
		t.Fatalf("unsigned request = %d, want 401", unsigned.StatusCode)
	}

	// Core answers the demo trader's trades to a request signed for them.
	m := regexp.MustCompile(`demo trader (\S+):`).FindStringSubmatch(out.String())
	if m == nil {
		t.Fatalf("no demo trader in the output:\n%s", out)
	}
	signer, err := hmac.NewSigner(hmac.SignerConfig{Key: hmac.NewKey(core.KeyID, mustHex(t, key))})
	if err != nil {
		t.Fatal(err)
	}
	req, _ := http.NewRequest(http.MethodGet, addrs["core"]+"/trades?limit=5", nil)
	req.Header.Set(hmac.HeaderSubject, m[1])
	res2, err := (&http.Client{Transport: signer}).Do(req)
	if err != nil {
		t.Fatal(err)
	}
	var page struct {
		Trades []coach.Trade `json:"trades"`
	}
	err = json.NewDecoder(res2.Body).Decode(&page)
	res2.Body.Close()
	if err != nil || res2.StatusCode != http.StatusOK || len(page.Trades) != 5 || page.Trades[0].UserID != m[1] {
		t.Fatalf("core /trades for the demo trader: %d %v %d trades", res2.StatusCode, err, len(page.Trades))
	}
	// The demo's month of fills reaches into past weeks, whose digests the scoring has built
	// (the backfill): the dashboard's P/L by label, read from them, is there on the first day.
	for deadline := time.Now().Add(2 * time.Minute); ; time.Sleep(50 * time.Millisecond) {
		req, _ := http.NewRequest(http.MethodGet, addrs["core"]+"/dashboard", nil)
		req.Header.Set(hmac.HeaderSubject, m[1])
		res, err := (&http.Client{Transport: signer}).Do(req)
		if err != nil {
			t.Fatal(err)
		}
		var dash struct {
			PnLByLabel map[string]json.RawMessage `json:"pnlByLabel"`
		}
		err = json.NewDecoder(res.Body).Decode(&dash)
		res.Body.Close()
		if err == nil && res.StatusCode == http.StatusOK && len(dash.PnLByLabel) > 0 {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("the demo trader's dashboard has no P/L by label (%d, %v)", res.StatusCode, err)
		}
	}

	// The demo trader signs in on the edge with the password the host printed, and with no other.
	pw := regexp.MustCompile(`as \S+ with the password (\S+) `).FindStringSubmatch(out.String())
	if pw == nil {
		t.Fatalf("no demo password in the output:\n%s", out)
	}
	if code := demoLogin(t, addrs["edge"], pw[1]+"x"); code != http.StatusUnauthorized {
		t.Fatalf("a wrong demo password: %d, want 401", code)
	}
	if code := demoLogin(t, addrs["edge"], pw[1]); code != http.StatusOK {
		t.Fatalf("the printed demo password: %d, want 200", code)
	}
	if strings.Contains(logs.String(), pw[1]) {
		t.Fatal("the logs carry the demo password")
	}

	if err := stop(); err != nil {
		t.Fatalf("shutdown: %v", err)
	}
	if _, err := http.Get(addrs["worker"] + "/healthz"); err == nil {
		t.Fatal("the worker still answers after shutdown")
	}
	for _, secret := range []string{demo.Email, key} {
		if strings.Contains(logs.String(), secret) {
			t.Fatalf("the logs carry %q", secret)
		}
	}
	if !strings.Contains(logs.String(), `"msg":"shutting down"`) {
		t.Fatalf("no shutdown line in the logs:\n%s", logs)
	}
}

func TestSplitStacksNeedTheInternalKey(t *testing.T) {
	err := run(context.Background(), []string{"aicoach"}, func(string) string { return "" }, io.Discard, io.Discard, nil)
	if err == nil || !strings.Contains(err.Error(), "REFHOST_INTERNAL_KEY") {
		t.Fatalf("aicoach without a key: %v", err)
	}
	err = run(context.Background(), []string{"edge"}, func(string) string { return "" }, io.Discard, io.Discard, nil)
	if err == nil || !strings.Contains(err.Error(), "REFHOST_EDGE_SECRET") {
		t.Fatalf("edge without its secret: %v", err)
	}
	err = run(context.Background(), []string{"edge"}, func(k string) string {
		return map[string]string{"REFHOST_EDGE_SECRET": strings.Repeat("5b", 32)}[k]
	}, io.Discard, io.Discard, nil)
	if err == nil || !strings.Contains(err.Error(), "REFHOST_INTERNAL_KEY") {
		t.Fatalf("edge without the internal key: %v", err)
	}
	err = run(context.Background(), []string{"web"}, func(string) string { return "" }, io.Discard, io.Discard, nil)
	if err == nil || !strings.Contains(err.Error(), "REFHOST_INTERNAL_KEY") {
		t.Fatalf("web without the internal key: %v", err)
	}
	err = run(context.Background(), []string{"nosuch"}, func(string) string { return "" }, io.Discard, io.Discard, nil)
	if err == nil || !strings.Contains(err.Error(), "unknown stack") {
		t.Fatalf("an unknown stack: %v", err)
	}
	err = run(context.Background(), []string{"migrate"}, func(string) string { return "" }, io.Discard, io.Discard, nil)
	if err == nil || !strings.Contains(err.Error(), "REFHOST_POSTGRES_URL") {
		t.Fatalf("migrate without Postgres: %v", err)
	}
}

func grep(s, sub string) string {
	var out []string
	for _, l := range strings.Split(s, "\n") {
		if strings.Contains(l, sub) {
			out = append(out, l)
		}
	}
	return strings.Join(out, "\n")
}

func mustHex(t *testing.T, s string) []byte {
	t.Helper()
	b, err := hex.DecodeString(s)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// Journeys (a) and (b) again with every stack in one process (`refhost all`), in memory.
func TestJourneyInAllMode(t *testing.T) {
	bn, cb := fakeBinance(t), fakeCoinbase(t)
	ctx, cancel := context.WithCancel(context.Background())
	type up struct {
		addrs map[string]string
		in    *infra.Infra
	}
	started := make(chan up, 1)
	logs := &lockedBuffer{}
	done := make(chan error, 1)
	env := coinbaseEnv(cb)
	env["REFHOST_BINANCE_API_URL"], env["REFHOST_INTERNAL_KEY"] = bn.URL(), strings.Repeat("5a", 32)
	go func() {
		done <- run(ctx, []string{"all", "-edge-addr", "127.0.0.1:0", "-core-addr", "127.0.0.1:0", "-worker-addr", "127.0.0.1:0", "-aicoach-addr", "127.0.0.1:0",
			"-log-level", "debug"}, func(k string) string { return env[k] }, io.Discard, logs,
			func(a map[string]string, in *infra.Infra) { started <- up{a, in} })
	}()
	var u up
	select {
	case u = <-started:
	case err := <-done:
		t.Fatalf("refhost all ended: %v\n%s", err, logs)
	}
	jh := journeyHost{core: u.addrs["core"], key: mustHex(t, env["REFHOST_INTERNAL_KEY"]), binance: bn,
		enqueue: func(j transport.Job) error { _, err := u.in.Queue.Enqueue(context.Background(), j); return err },
		logs:    logs.String}
	binanceJourney(t, jh)
	coinbaseJourney(t, jh, cb, auditsOf(t, u.in.Store))
	cancel()
	if err := <-done; err != nil {
		t.Fatalf("shutdown: %v", err)
	}
}

// demoLogin signs the demo trader in on the edge at base with password, as a script would (the
// CSRF token of a pre-session cookie, an idempotency key), and returns the status.
func demoLogin(t *testing.T, base, password string) int {
	t.Helper()
	jar, _ := cookiejar.New(nil)
	c := &http.Client{Jar: jar}
	res, err := c.Get(base + "/auth/csrf")
	if err != nil {
		t.Fatal(err)
	}
	var tok struct {
		CSRFToken string `json:"csrfToken"`
	}
	err = json.NewDecoder(res.Body).Decode(&tok)
	res.Body.Close()
	if err != nil {
		t.Fatal(err)
	}
	body, _ := json.Marshal(map[string]string{"email": demo.Email, "password": password})
	req, _ := http.NewRequest(http.MethodPost, base+"/auth/login", bytes.NewReader(body))
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("X-CSRF-Token", tok.CSRFToken)
	req.Header.Set("Idempotency-Key", coach.NewID())
	res, err = c.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	res.Body.Close()
	return res.StatusCode
}
