package main

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/coder/websocket"
	"golang.org/x/crypto/argon2"

	"github.com/tradecoach/coach"
	"github.com/tradecoach/coach/broker/brokertest"
	"github.com/tradecoach/coach/refhost/edge"
	"github.com/tradecoach/coach/refhost/infra"
	transportmemory "github.com/tradecoach/coach/transport/memory"
)

// browserClient is an http.Client that behaves like the host's scripts in a browser: it keeps
// the edge's cookies (sent over plain http to the loopback edge), sends the CSRF token the edge
// last gave on every unsafe request and a fresh Idempotency-Key on every POST.
func browserClient() (*http.Client, func() http.Header) {
	var mu sync.Mutex
	cookies := map[string]string{}
	csrf := ""
	header := func() http.Header {
		mu.Lock()
		defer mu.Unlock()
		h := http.Header{}
		for k, v := range cookies {
			h.Add("Cookie", k+"="+v)
		}
		return h
	}
	return &http.Client{Transport: roundTripFunc(func(r *http.Request) (*http.Response, error) {
		r = r.Clone(r.Context())
		for k, vs := range header() {
			r.Header[k] = vs
		}
		mu.Lock()
		if r.Method != http.MethodGet && csrf != "" {
			r.Header.Set("X-CSRF-Token", csrf)
		}
		mu.Unlock()
		if r.Method == http.MethodPost {
			r.Header.Set("Idempotency-Key", coach.NewID())
		}
		res, err := http.DefaultTransport.RoundTrip(r)
		if err != nil {
			return nil, err
		}
		mu.Lock()
		defer mu.Unlock()
		for _, c := range res.Cookies() {
			if c.MaxAge < 0 || c.Value == "" {
				delete(cookies, c.Name)
			} else {
				cookies[c.Name] = c.Value
			}
		}
		if tok := res.Header.Get("X-CSRF-Token"); tok != "" {
			csrf = tok
		}
		if res.Header.Get("Content-Security-Policy") != edge.CSP {
			return nil, coach.Errorf(coach.EINTERNAL, "%s %s: answered without the edge's CSP", r.Method, r.URL.Path)
		}
		return res, nil
	})}, header
}

// edgeJourney is issue 16's journey (a), shortened, as a browser makes it through the edge: sign
// up and confirm by the emailed link, log in, link a read-only Binance key, see the import's
// trades and the coach's reflections, resume the WebSocket after the first event, log out.
func edgeJourney(t *testing.T, edgeURL string, mail *transportmemory.Mailbox, bn *brokertest.Binance, logs func() string) {
	t.Helper()
	c, cookies := browserClient()
	const email = "journey-edge@example.com"
	const pw = "a long journey password"
	if code := doJSON(t, c, "GET", edgeURL+"/auth/csrf", nil, nil); code != http.StatusOK {
		t.Fatalf("csrf: %d", code)
	}
	creds := map[string]string{"email": email, "password": pw}
	if code := doJSON(t, c, "POST", edgeURL+"/auth/signup", creds, nil); code != http.StatusAccepted {
		t.Fatalf("sign up: %d", code)
	}
	ms := mail.To(email)
	if len(ms) != 1 {
		t.Fatalf("%d mails to the new address", len(ms))
	}
	token := regexp.MustCompile(`#token=([A-Za-z0-9_-]+)`).FindStringSubmatch(ms[0].Text)
	if token == nil {
		t.Fatalf("no link in %q", ms[0].Text)
	}
	if code := doJSON(t, c, "POST", edgeURL+"/auth/signup/confirm", map[string]string{"token": token[1]}, nil); code != http.StatusNoContent {
		t.Fatalf("confirm: %d", code)
	}
	var user coach.User
	if code := doJSON(t, c, "POST", edgeURL+"/auth/login", creds, &user); code != http.StatusOK || user.Email != email {
		t.Fatalf("login: %d %+v", code, user)
	}
	bn.SetKeyPermissions(brokertest.ReadOnlyKey())
	if code := doJSON(t, c, "POST", edgeURL+"/brokers/binance", map[string]any{"apiKey": bn.Config().APIKey, "secretKey": bn.Config().SecretKey}, nil); code != http.StatusCreated {
		t.Fatalf("link Binance: %d", code)
	}
	var evs struct {
		Events []coach.Event `json:"events"`
	}
	waitUntil(t, "the import and the coach's reflections", 3*time.Minute, logs, func() bool {
		doJSON(t, c, "GET", edgeURL+"/events?limit=1000", nil, &evs)
		done, reflections := false, 0
		for _, e := range evs.Events {
			var p coach.ImportProgressPayload
			if e.Type == coach.EventImportProgress && json.Unmarshal(e.Payload, &p) == nil && p.Phase == coach.ImportPhaseDone {
				done = true
			}
			if e.Type == coach.EventCoachReflect {
				reflections++
			}
		}
		return done && reflections > 0
	})
	var page struct {
		Trades []coach.Trade `json:"trades"`
	}
	if code := doJSON(t, c, "GET", edgeURL+"/trades?limit=1000", nil, &page); code != http.StatusOK || len(page.Trades) < 10 {
		t.Fatalf("trades: %d, %d of them", code, len(page.Trades))
	}

	// The WebSocket, resuming after the first event: the rest replay, then ready.
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	ws, _, err := websocket.Dial(ctx, "ws"+strings.TrimPrefix(edgeURL, "http")+"/ws/coach?"+url.Values{"lastEventId": {evs.Events[0].ID}}.Encode(),
		&websocket.DialOptions{HTTPHeader: cookies()})
	if err != nil {
		t.Fatal(err)
	}
	defer ws.CloseNow()
	replayed := 0
	for {
		_, raw, err := ws.Read(ctx)
		if err != nil {
			t.Fatal(err)
		}
		var f struct {
			Type    string `json:"type"`
			EventID string `json:"eventId"`
		}
		if err := json.Unmarshal(raw, &f); err != nil {
			t.Fatal(err)
		}
		if f.EventID != "" {
			replayed++
		}
		if f.Type == "ready" {
			break
		}
	}
	if replayed < len(evs.Events)-1 {
		t.Fatalf("replayed %d events, want at least %d", replayed, len(evs.Events)-1)
	}

	// The edge's operational routes answer with its headers too (browserClient refuses others).
	if code := doJSON(t, c, "GET", edgeURL+"/healthz", nil, nil); code != http.StatusOK {
		t.Fatalf("healthz: %d", code)
	}
	res, err := c.Get(edgeURL + "/openapi.yaml")
	if err != nil {
		t.Fatal(err)
	}
	doc, _ := io.ReadAll(res.Body)
	res.Body.Close()
	if !strings.HasPrefix(string(doc), "openapi: 3.1") {
		t.Fatalf("the document: %.40q", doc)
	}
	if code := doJSON(t, c, "POST", edgeURL+"/auth/logout", nil, nil); code != http.StatusNoContent {
		t.Fatalf("logout: %d", code)
	}
	if code := doJSON(t, c, "GET", edgeURL+"/me", nil, nil); code != http.StatusUnauthorized {
		t.Fatalf("after logout: %d", code)
	}
}

// TestJourneyThroughTheEdge runs the edge journey against `refhost all`, in memory.
func TestJourneyThroughTheEdge(t *testing.T) {
	bn := fakeBinance(t)
	ctx, cancel := context.WithCancel(context.Background())
	type up struct {
		addrs map[string]string
		in    *infra.Infra
	}
	started := make(chan up, 1)
	logs := &lockedBuffer{}
	done := make(chan error, 1)
	env := map[string]string{"REFHOST_BINANCE_API_URL": bn.URL(), "REFHOST_DEMO": "false"}
	go func() {
		done <- run(ctx, []string{"all", "-edge-addr", "127.0.0.1:0", "-core-addr", "127.0.0.1:0", "-worker-addr", "127.0.0.1:0",
			"-aicoach-addr", "127.0.0.1:0", "-log-level", "debug"}, func(k string) string { return env[k] }, io.Discard, logs,
			func(a map[string]string, in *infra.Infra) { started <- up{a, in} })
	}()
	var u up
	select {
	case u = <-started:
	case err := <-done:
		t.Fatalf("refhost all ended: %v\n%s", err, logs)
	}
	mail, ok := u.in.Mailer.(*transportmemory.Mailbox)
	if !ok {
		t.Fatalf("the host's mailer is %T, want the in-memory mailbox", u.in.Mailer)
	}
	edgeJourney(t, u.addrs["edge"], mail, bn, logs.String)
	if strings.Contains(logs.String(), "journey-edge@example.com") || strings.Contains(logs.String(), "a long journey password") {
		t.Fatal("the logs carry the email or the password")
	}
	cancel()
	if err := <-done; err != nil {
		t.Fatalf("shutdown: %v", err)
	}
}

// splitEdges checks two `refhost edge` processes sharing Redis in front of one core: a session
// made through one serves on the other, and once logged out through the first it is refused by
// the second at once (the shared cache lost it; core no longer has it).
func splitEdges(t *testing.T, key []byte, core, one, two string) {
	t.Helper()
	const email, pw = "split-edge@example.com", "a split edge password"
	salt := []byte("split-edge-salt!")
	phc := fmt.Sprintf("$argon2id$v=19$m=19456,t=2,p=1$%s$%s", base64.RawStdEncoding.EncodeToString(salt),
		base64.RawStdEncoding.EncodeToString(argon2.IDKey([]byte(pw), salt, 2, 19456, 1, 32)))
	if code := doJSON(t, signedClient(t, key, ""), "POST", core+"/internal/users", map[string]string{"email": email, "passwordHash": phc}, nil); code != http.StatusCreated {
		t.Fatalf("create the user: %d", code)
	}
	c, cookies := browserClient()
	doJSON(t, c, "GET", one+"/auth/csrf", nil, nil)
	if code := doJSON(t, c, "POST", one+"/auth/login", map[string]string{"email": email, "password": pw}, nil); code != http.StatusOK {
		t.Fatalf("login on the first edge: %d", code)
	}
	if code := doJSON(t, c, "GET", two+"/me", nil, nil); code != http.StatusOK {
		t.Fatalf("the session on the second edge: %d", code)
	}
	stolen := cookies()
	if code := doJSON(t, c, "POST", one+"/auth/logout", nil, nil); code != http.StatusNoContent {
		t.Fatalf("logout: %d", code)
	}
	req, _ := http.NewRequest("GET", two+"/me", nil)
	req.Header = stolen
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	res.Body.Close()
	if res.StatusCode != http.StatusUnauthorized {
		t.Fatalf("the logged-out session on the second edge: %d", res.StatusCode)
	}
}
