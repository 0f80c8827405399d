package core_test

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/tradecoach/coach"
	"github.com/tradecoach/coach/digest"
	"github.com/tradecoach/coach/refhost/config"
	"github.com/tradecoach/coach/refhost/core"
	"github.com/tradecoach/coach/refhost/openapi"
	"github.com/tradecoach/coach/refhost/openapi/contracttest"
	"github.com/tradecoach/coach/transport/hmac"
)

// TestEveryRouteIsInTheDocument fails when a route of core's table is missing from the public
// API's OpenAPI document (path and method), or, for a route under /internal/ that only the edge
// calls, from internal.yaml (and present in the public one), so a new route cannot be forgotten.
func TestEveryRouteIsInTheDocument(t *testing.T) {
	pub, err := openapi.Load()
	if err != nil {
		t.Fatal(err)
	}
	in, err := openapi.Internal()
	if err != nil {
		t.Fatal(err)
	}
	public, internal := openapi.Operations(pub), openapi.Operations(in)
	patterns := core.Patterns()
	if len(patterns) < 25 {
		t.Fatalf("core.Patterns gives %d routes, want the whole table", len(patterns))
	}
	for _, p := range patterns {
		method, path, ok := strings.Cut(p, " ")
		switch {
		case !ok || method == "" || !strings.HasPrefix(path, "/"):
			t.Errorf("route %q: want \"METHOD /path\"", p)
		case strings.HasPrefix(path, openapi.InternalPrefix) && slices.Contains(public, p):
			t.Errorf("%s is core's route for the edge alone but is in the public document", p)
		case strings.HasPrefix(path, openapi.InternalPrefix) && !slices.Contains(internal, p):
			t.Errorf("%s is a route of core but not an operation of refhost/openapi/internal.yaml", p)
		case !strings.HasPrefix(path, openapi.InternalPrefix) && !slices.Contains(public, p):
			t.Errorf("%s is a route of core but not an operation of refhost/openapi/openapi.yaml", p)
		}
	}
}

// checked sends signed requests to a host through one contracttest.Transport, which remembers
// the operations that answered with success.
type checked struct {
	t  *testing.T
	h  *host
	tr *contracttest.Transport
}

func newChecked(t *testing.T, h *host) *checked {
	doc, err := openapi.Internal()
	if err != nil {
		t.Fatal(err)
	}
	signer, err := hmac.NewSigner(hmac.SignerConfig{Key: hmac.NewKey(core.KeyID, internalKey)})
	if err != nil {
		t.Fatal(err)
	}
	tr, err := contracttest.New(doc, signer)
	if err != nil {
		t.Fatal(err)
	}
	return &checked{t: t, h: h, tr: tr}
}

// call sends a JSON body (or a CSV one, given as a string) for subject, fails the test on any
// contract violation or a status other than want, and decodes the answer into out.
func (c *checked) call(subject, method, path string, body any, want int, out any) {
	c.t.Helper()
	var rd io.Reader
	ct := "application/json"
	if s, ok := body.(string); ok {
		rd, ct = strings.NewReader(s), "text/csv"
	} else if body != nil {
		raw, _ := json.Marshal(body)
		rd = bytes.NewReader(raw)
	}
	req, err := http.NewRequest(method, c.h.srv.URL+path, rd)
	if err != nil {
		c.t.Fatal(err)
	}
	if rd != nil {
		req.Header.Set("Content-Type", ct)
	}
	if subject != "" {
		req.Header.Set(hmac.HeaderSubject, subject)
	}
	res, err := (&http.Client{Transport: c.tr}).Do(req)
	if err != nil {
		c.t.Fatal(err)
	}
	defer res.Body.Close()
	raw, _ := io.ReadAll(res.Body)
	if res.StatusCode != want {
		c.t.Fatalf("%s %s: %d %s, want %d", method, path, res.StatusCode, raw, want)
	}
	if out != nil {
		if err := json.Unmarshal(raw, out); err != nil {
			c.t.Fatalf("%s %s: %v", method, path, err)
		}
	}
}

// TestEveryRouteAnswersAsDocumented calls every route of core's table with a request that
// succeeds and checks each answer against the document; it fails when a route of the table was
// not exercised, so a new route needs a call here.
func TestEveryRouteAnswersAsDocumented(t *testing.T) {
	ch := newConnectHost(t, config.Config{}) // a host whose brokers include fake Coinbase and Binance
	h := ch.host
	c := newChecked(t, h)
	u := h.user()

	// The edge's account routes: sign-up, login, the user's sessions, logout, a password change.
	const hash = "$argon2id$v=19$m=19456,t=2,p=1$c2FsdHNhbHRzYWx0$aGFzaGhhc2hoYXNoaGFzaGhhc2hoYXNoaGFzaGhhc2g"
	var ana coach.User
	c.call("", "POST", "/internal/users", map[string]any{"email": "ana@example.com", "passwordHash": hash, "timeZone": "UTC"}, 201, &ana)
	c.call("", "GET", "/internal/users/by-email?email=ana%40example.com", nil, 200, nil)
	var s coach.Session
	c.call("", "POST", "/internal/sessions", map[string]any{"userId": ana.ID, "tokenHash": "t1", "ipHash": "ip", "uaHash": "ua",
		"expiresAt": h.clock.Now().Add(time.Hour).Format(time.RFC3339)}, 201, &s)
	c.call("", "POST", "/internal/sessions", map[string]any{"userId": ana.ID, "tokenHash": "t2", "ipHash": "ip",
		"expiresAt": h.clock.Now().Add(time.Hour).Format(time.RFC3339)}, 201, nil)
	c.call("", "GET", "/internal/sessions/t1", nil, 200, nil)
	c.call("", "PUT", "/internal/sessions/t1/expiry", map[string]any{"expiresAt": h.clock.Now().Add(2 * time.Hour).Format(time.RFC3339)}, 200, nil)
	c.call("", "GET", "/internal/users/"+ana.ID, nil, 200, nil)
	c.call(ana.ID, "GET", "/me/sessions", nil, 200, nil)
	c.call(ana.ID, "DELETE", "/me/sessions/"+s.ID, nil, 204, nil)
	c.call("", "DELETE", "/internal/sessions/t2", nil, 204, nil)
	c.call("", "PUT", "/internal/users/"+ana.ID+"/password", map[string]any{"passwordHash": hash}, 204, nil)

	c.call(u, "GET", "/me", nil, 200, nil)
	c.call(u, "PATCH", "/me/settings", map[string]any{"timeZone": "Asia/Tokyo"}, 200, nil)

	file := "ts,symbol,side,qty,price,fee,feeAsset,extId\n" +
		"2026-03-02T09:00:00Z,BTC-USDT,BUY,0.01,64000,0.64,USDT,f1\n2026-03-02T10:00:00Z,BTC-USDT,SELL,0.01,64500,0.64,USDT,f2\n"
	c.call(u, "POST", "/brokers/csv", file, 200, nil)
	var conn coach.BrokerConnection
	c.call(u, "POST", "/brokers/demo", nil, 201, &conn)
	c.call(u, "GET", "/brokers/connections", nil, 200, nil)
	c.call(u, "POST", "/brokers/connections/"+conn.ID+"/pause", nil, 200, nil)
	c.call(u, "POST", "/brokers/connections/"+conn.ID+"/resume", nil, 200, nil)
	// A connection with no import queued yet can be synced on request.
	idle := coach.BrokerConnection{ID: coach.NewID(), UserID: u, Broker: coach.BrokerDemo, Status: coach.ConnectionActive,
		AccessEnc: []byte("demo: no credential"), CreatedAt: time.Now().UTC()}
	if err := h.in.Store.Connections().Create(context.Background(), idle); err != nil {
		t.Fatal(err)
	}
	c.call(u, "POST", "/brokers/connections/"+idle.ID+"/sync", nil, 202, nil)
	var auth struct {
		URL string `json:"url"`
	}
	c.call(u, "GET", "/brokers/coinbase/authorize", nil, 200, &auth)
	code, state := consent(t, auth.URL)
	c.call(u, "GET", "/brokers/coinbase/callback?"+url.Values{"code": {code}, "state": {state}}.Encode(), nil, 201, nil)
	c.call(u, "POST", "/brokers/binance", map[string]any{"apiKey": ch.bn.Config().APIKey, "secretKey": ch.bn.Config().SecretKey}, 201, nil)

	// Wait for a tagged trade of the demo import to dispute.
	var tagged struct {
		Trade coach.Trade            `json:"trade"`
		Tags  []coach.TagWithDispute `json:"tags"`
	}
	waitFor(t, "a tagged trade", func() bool {
		var p struct {
			Trades []coach.Trade `json:"trades"`
		}
		c.call(u, "GET", "/trades?limit=10000", nil, 200, &p)
		for _, tr := range p.Trades {
			if c.call(u, "GET", "/trades/"+tr.ID, nil, 200, &tagged); len(tagged.Tags) > 0 {
				return true
			}
		}
		return false
	})
	id, label := tagged.Trade.ID, tagged.Tags[0].Label
	c.call(u, "POST", "/trades/"+id+"/notes", map[string]any{"text": "planned"}, 201, nil)
	c.call(u, "PUT", "/trades/"+id+"/tags/"+label+"/dispute", map[string]any{"reason": "plan", "note": "my plan"}, 200, nil)
	c.call(u, "DELETE", "/trades/"+id+"/tags/"+label+"/dispute", nil, 204, nil)
	c.call(u, "DELETE", "/trades/"+id, nil, 204, nil)

	var rule coach.Rule
	c.call(u, "POST", "/rules", map[string]any{"kind": "maxTradesPerDay", "params": map[string]any{"n": 3}}, 201, &rule)
	c.call(u, "GET", "/rules", nil, 200, nil)
	c.call(u, "GET", "/rules/"+rule.ID, nil, 200, nil)
	c.call(u, "PUT", "/rules/"+rule.ID, map[string]any{"kind": "maxTradesPerDay", "params": map[string]any{"n": 4}, "active": false}, 200, nil)
	c.call(u, "GET", "/rules/evaluation?from=2026-01-01T00:00:00Z", nil, 200, nil)
	c.call(u, "DELETE", "/rules/"+rule.ID, nil, 204, nil)

	var run coach.SimulationRun
	c.call(u, "POST", "/simulations/simple", map[string]any{"scenario": map[string]any{"kind": "holdInstead", "label": "FOMO", "until": "nCandles", "n": 3},
		"from": "2026-03-01T00:00:00Z", "to": "2026-03-03T00:00:00Z", "interval": "1h", "fees": map[string]any{"slippageBps": 5}}, 202, &run)
	c.call(u, "GET", "/simulations/"+run.ID, nil, 200, nil)
	c.call(u, "GET", "/simulations?limit=1", nil, 200, nil)

	if _, err := h.svc.Digester.Weekly(context.Background(), u, digest.LastFullWeek(time.Now(), time.UTC)); err != nil {
		t.Fatal(err)
	}
	var d coach.Digest
	c.call(u, "GET", "/digests/weekly/latest", nil, 200, &d)
	c.call(u, "GET", "/digests/weekly/"+d.ID, nil, 200, nil)
	var byWeek coach.Digest
	c.call(u, "GET", "/digests/weekly/"+digest.WeekOfDate(d.PeriodStart).String(), nil, 200, &byWeek)
	if byWeek.ID != d.ID {
		t.Fatalf("the digest of week %s is %s, want %s", digest.WeekOfDate(d.PeriodStart), byWeek.ID, d.ID)
	}
	c.call(u, "GET", "/digests/weekly/2001-W01", nil, 404, nil)
	c.call(u, "GET", "/digests/weekly?limit=5", nil, 200, nil)
	c.call(u, "GET", "/dashboard?bucket=week&from=2026-01-01T00:00:00Z&to=2026-06-01T00:00:00Z", nil, 200, nil)
	c.call(u, "GET", "/events?limit=2", nil, 200, nil)
	c.call(u, "GET", "/internal/events/newest", nil, 200, nil)

	c.call(u, "GET", "/account/metrics", nil, 200, nil)

	// The coach answers from the evidence (no model configured: the deterministic coach).
	var asked coach.Question
	c.call(u, "POST", "/coach/questions", map[string]any{"question": "Why do I keep buying the top?"}, 201, &asked)
	if asked.Source != coach.AnswerDeterministic || asked.Answer == "" {
		t.Fatalf("question %+v: want a deterministic answer", asked)
	}
	c.call(u, "POST", "/coach/questions", map[string]any{"question": ""}, 400, nil)
	c.call(u, "GET", "/coach/questions?limit=5", nil, 200, nil)

	var exp coach.Export
	c.call(u, "POST", "/me/export", nil, 202, &exp)
	waitFor(t, "the export", func() bool {
		c.call(u, "GET", "/me/exports/"+exp.ID, nil, 200, &exp)
		return exp.Status == coach.ExportDone
	})
	c.call(u, "GET", "/me/exports?limit=5", nil, 200, nil)
	c.call(u, "GET", "/me/exports/"+exp.ID+"/download", nil, 200, nil)

	c.call(u, "DELETE", "/brokers/connections/"+conn.ID, nil, 204, nil)

	// Webhooks: an endpoint on a loopback receiver (the test mode), a test event delivered by the
	// worker's Deliverer, then replayed with the same webhook-id.
	ids := make(chan string, 16)
	recv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		select {
		case ids <- r.Header.Get("webhook-id"):
		default:
		}
		w.WriteHeader(http.StatusNoContent)
	}))
	t.Cleanup(recv.Close)
	var created struct {
		Endpoint coach.WebhookEndpoint `json:"endpoint"`
		Secret   string                `json:"secret"`
	}
	c.call(u, "POST", "/webhooks", map[string]any{"url": recv.URL + "/hook", "eventTypes": []string{"rule.broken"}}, 201, &created)
	ep := created.Endpoint.ID
	c.call(u, "GET", "/webhooks", nil, 200, nil)
	c.call(u, "GET", "/webhooks/"+ep, nil, 200, nil)
	c.call(u, "PUT", "/webhooks/"+ep, map[string]any{"url": recv.URL + "/hook", "eventTypes": []string{"rule.broken", "digest.ready"}}, 200, nil)
	c.call(u, "POST", "/webhooks/"+ep+"/rotate", nil, 200, nil)
	c.call(u, "POST", "/webhooks", map[string]any{"url": "https://169.254.169.254/latest/meta-data/"}, 403, nil)
	var test coach.WebhookDelivery
	c.call(u, "POST", "/webhooks/"+ep+"/test", nil, 202, &test)
	waitFor(t, "the test delivery", func() bool {
		var p struct {
			Deliveries []coach.WebhookDelivery `json:"deliveries"`
		}
		c.call(u, "GET", "/webhooks/"+ep+"/deliveries?limit=5", nil, 200, &p)
		return len(p.Deliveries) == 1 && p.Deliveries[0].Status == coach.DeliverySucceeded
	})
	c.call(u, "POST", "/webhooks/deliveries/"+test.ID+"/replay", nil, 202, nil)
	for range 2 {
		select {
		case id := <-ids:
			if id != test.MessageID {
				t.Errorf("received webhook-id %q, want %q both times", id, test.MessageID)
			}
		case <-time.After(30 * time.Second):
			t.Fatal("the replayed delivery did not arrive")
		}
	}
	c.call(u, "DELETE", "/webhooks/"+ep, nil, 204, nil)

	// Erasure last, of a user of its own.
	c.call(h.user(), "DELETE", "/me", nil, 202, nil)

	seen := c.tr.Exercised()
	for _, p := range core.Patterns() {
		if !slices.Contains(seen, p) {
			t.Errorf("%s was not exercised with a success answer: add a call to this test", p)
		}
	}
}
