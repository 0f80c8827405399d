package edge_test

import (
	"context"
	"net/http"
	"net/url"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/tradecoach/coach"
	"github.com/tradecoach/coach/digest"
	"github.com/tradecoach/coach/refhost/openapi"
	"github.com/tradecoach/coach/refhost/openapi/contracttest"
)

// checkHeaders fails unless h carries every security header, once, with a value that says what
// the edge promises.
func checkHeaders(t *testing.T, what string, h http.Header) {
	t.Helper()
	once := func(name string) string {
		vs := h.Values(name)
		if len(vs) != 1 {
			t.Errorf("%s: %s given %d times: %q", what, name, len(vs), vs)
			return ""
		}
		return vs[0]
	}
	csp := once("Content-Security-Policy")
	for _, d := range []string{"default-src 'self'", "script-src 'self'", "style-src 'self'", "object-src 'none'", "base-uri 'none'",
		"frame-ancestors 'none'", "form-action 'self'", "require-trusted-types-for 'script'", "trusted-types "} {
		if !strings.Contains(csp, d) {
			t.Errorf("%s: CSP %q lacks %q", what, csp, d)
		}
	}
	if strings.Contains(csp, "unsafe-") {
		t.Errorf("%s: CSP %q allows something unsafe", what, csp)
	}
	if m := regexp.MustCompile(`max-age=(\d+)`).FindStringSubmatch(once("Strict-Transport-Security")); m == nil || len(m[1]) < 8 {
		t.Errorf("%s: HSTS %q, want at least a year", what, h.Get("Strict-Transport-Security"))
	}
	for name, want := range map[string]string{"X-Content-Type-Options": "nosniff", "X-Frame-Options": "DENY",
		"Cross-Origin-Opener-Policy": "same-origin"} {
		if got := once(name); got != want {
			t.Errorf("%s: %s %q, want %q", what, name, got, want)
		}
	}
	if rp := once("Referrer-Policy"); rp != "strict-origin-when-cross-origin" && rp != "no-referrer" && rp != "same-origin" {
		t.Errorf("%s: Referrer-Policy %q", what, rp)
	}
}

// concrete fills a path template's parameters with v.
func concrete(path, v string) string {
	return regexp.MustCompile(`\{[^}]+\}`).ReplaceAllString(path, v)
}

// TestSecurityHeadersOnEveryAnswer calls every operation of the OpenAPI document, signed out and
// signed in, plus pages, the document itself, the WebSocket handshake and error answers (unknown
// routes, wrong methods, CSRF refusals), and checks the security headers of each answer.
func TestSecurityHeadersOnEveryAnswer(t *testing.T) {
	f := newFront(t, newBackend(t), nil)
	doc, err := openapi.Load()
	if err != nil {
		t.Fatal(err)
	}
	ops := openapi.Operations(doc)
	// Erasing the account and logging out go last: the calls after them would be signed out.
	last := []string{"POST /auth/password", "POST /auth/logout", "DELETE /me"}
	ops = slices.DeleteFunc(ops, func(op string) bool { return slices.Contains(last, op) })
	ops = append(ops, last...)

	anon := f.browser()
	user := f.browser()
	user.signUp("ana@example.com")
	statuses := map[int]bool{}
	for _, op := range ops {
		method, path, _ := strings.Cut(op, " ")
		for _, b := range []*browser{anon, user} {
			a := b.do(req{method: method, path: concrete(path, "x"), body: map[string]any{}})
			statuses[a.status] = true
			checkHeaders(t, op+" → "+strconv.Itoa(a.status), a.header)
		}
	}
	pages := f.browser()
	for _, r := range []req{
		{method: "GET", path: "/"},
		{method: "GET", path: "/dashboard/page/that/does/not/exist"},
		{method: "GET", path: "/openapi.yaml"},
		{method: "GET", path: "/auth/csrf"},
		{method: "GET", path: "/ws/coach"},
		{method: "PATCH", path: "/trades"},
		{method: "POST", path: "/nowhere"},
		{method: "POST", path: "/auth/login", header: map[string]string{"Origin": "https://evil.example"}},
		{method: "GET", path: "/internal/users/by-email?email=a%40example.com"},
	} {
		a := pages.do(r)
		statuses[a.status] = true
		checkHeaders(t, r.method+" "+r.path+" → "+strconv.Itoa(a.status), a.header)
	}
	// The table reached answers of every kind.
	for _, s := range []int{200, 202, 204, 400, 401, 403, 404} {
		if !statuses[s] {
			t.Errorf("no answer had status %d: the table is not reaching it", s)
		}
	}
}

// TestInternalRoutesAreNotServed: core's /internal/ routes are not reachable through the edge, by
// any spelling.
func TestInternalRoutesAreNotServed(t *testing.T) {
	f := newFront(t, newBackend(t), nil)
	b := f.browser()
	b.signUp("ana@example.com")
	for _, p := range []string{"/internal/users/by-email?email=ana%40example.com", "/internal/sessions/x", "/trades/..%2Finternal%2Fusers",
		"/internal/events/newest"} {
		a := b.do(req{method: "GET", path: p})
		if a.status != http.StatusNotFound || strings.Contains(string(a.body), "passwordHash") {
			t.Errorf("GET %s: %d %s", p, a.status, a.body)
		}
	}
}

// TestClientCannotNameTheSubject: the signed subject is the session's user, whatever internal
// headers the client sends.
func TestClientCannotNameTheSubject(t *testing.T) {
	f := newFront(t, newBackend(t), nil)
	ana, bob := f.browser(), f.browser()
	ana.signUp("ana@example.com")
	bu := bob.signUp("bob@example.com")
	forged := map[string]string{"X-Coach-Subject": bu.ID, "X-Coach-Key-Id": "internal-1"}
	var me coach.User
	ana.must(req{method: "GET", path: "/me", header: forged}, http.StatusOK).decode(t, &me)
	if me.Email != "ana@example.com" {
		t.Fatalf("ana's forged subject made her %s", me.Email)
	}
	f.browser().must(req{method: "GET", path: "/me", header: forged}, http.StatusUnauthorized)
}

// TestCSRF refuses every unsafe request without the session's token (header or form field), or
// from another origin, with 403.
func TestCSRF(t *testing.T) {
	f := newFront(t, newBackend(t), nil)
	ana := f.browser()
	ana.signUp("ana@example.com")
	bob := f.browser()
	bob.signUp("bob@example.com")
	visitor := f.browser()
	visitor.visit()
	right := ana.csrf
	rule := map[string]any{"kind": "maxTradesPerDay", "params": map[string]any{"n": 3}}
	form := func(token string) url.Values {
		return url.Values{"csrf_token": {token}, "kind": {"maxTradesPerDay"}}
	}
	for _, tc := range []struct {
		name   string
		r      req
		forbid bool
	}{
		{"the session's token", req{method: "POST", path: "/rules", body: rule}, false},
		{"no token", req{method: "POST", path: "/rules", body: rule, header: map[string]string{"X-CSRF-Token": ""}}, true},
		{"a wrong token", req{method: "POST", path: "/rules", body: rule, header: map[string]string{"X-CSRF-Token": strings.Repeat("A", 43)}}, true},
		{"a malformed token", req{method: "POST", path: "/rules", body: rule, header: map[string]string{"X-CSRF-Token": right + "x"}}, true},
		{"another user's token", req{method: "POST", path: "/rules", body: rule, header: map[string]string{"X-CSRF-Token": bob.csrf}}, true},
		{"a visitor's token", req{method: "POST", path: "/rules", body: rule, header: map[string]string{"X-CSRF-Token": visitor.csrf}}, true},
		{"another origin", req{method: "POST", path: "/rules", body: rule, header: map[string]string{"Origin": "https://evil.example"}}, true},
		{"a cross-site fetch", req{method: "POST", path: "/rules", body: rule, header: map[string]string{"Sec-Fetch-Site": "cross-site"}}, true},
		{"a same-site fetch", req{method: "POST", path: "/rules", body: rule, header: map[string]string{"Sec-Fetch-Site": "same-site"}}, true},
		{"same origin", req{method: "POST", path: "/rules", body: rule, header: map[string]string{"Sec-Fetch-Site": "same-origin", "Origin": f.srv.URL}}, false},
		{"form with the token", req{method: "POST", path: "/rules", body: form(right), header: map[string]string{"X-CSRF-Token": ""}}, false},
		{"form with a wrong token", req{method: "POST", path: "/rules", body: form(bob.csrf), header: map[string]string{"X-CSRF-Token": ""}}, true},
		{"form without a token", req{method: "POST", path: "/rules", body: url.Values{"kind": {"x"}}, header: map[string]string{"X-CSRF-Token": ""}}, true},
		{"DELETE without a token", req{method: "DELETE", path: "/rules/x", header: map[string]string{"X-CSRF-Token": ""}}, true},
		{"PUT without a token", req{method: "PUT", path: "/rules/x", body: rule, header: map[string]string{"X-CSRF-Token": ""}}, true},
		{"PATCH without a token", req{method: "PATCH", path: "/me/settings", body: map[string]any{}, header: map[string]string{"X-CSRF-Token": ""}}, true},
		{"logout without a token", req{method: "POST", path: "/auth/logout", header: map[string]string{"X-CSRF-Token": ""}}, true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			ana.t = t
			a := ana.do(tc.r)
			if got := a.status == http.StatusForbidden && a.code() == coach.EFORBIDDEN; got != tc.forbid {
				t.Fatalf("%d %s; want forbidden: %v", a.status, a.body, tc.forbid)
			}
		})
	}
	// Signed out: login needs the pre-session cookie and its token.
	stranger := f.browser()
	login := req{method: "POST", path: "/auth/login", body: map[string]string{"email": "ana@example.com", "password": password}}
	stranger.must(login, http.StatusForbidden)
	stranger.visit()
	tok := stranger.csrf
	stranger.csrf = ""
	stranger.must(login, http.StatusForbidden)
	stranger.csrf = tok
	delete(stranger.cookies, "__Host-csrf")
	stranger.must(login, http.StatusForbidden)
}

// TestOtherUsersResourcesAreNotFound: user A calls every operation of the OpenAPI document that
// names a resource with user B's ids, and gets not_found each time; every list A reads holds none
// of B's ids; B's resources are all still there afterwards. The operations come from the document,
// so a new route is covered (or the test asks for a resource of B's to aim it at).
func TestOtherUsersResourcesAreNotFound(t *testing.T) {
	back := newBackend(t)
	f := newFront(t, back, nil)
	a, b := f.browser(), f.browser()
	doc, err := openapi.Load()
	if err != nil {
		t.Fatal(err)
	}
	tr, err := contracttest.New(doc, nil)
	if err != nil {
		t.Fatal(err)
	}
	a.client = &http.Client{Transport: tr} // A's answers must be the document's too
	a.signUp("a@example.com")
	bu := b.signUp("b@example.com")

	ids := map[string]string{} // a path prefix → B's resource there
	var r coach.Rule
	b.must(req{method: "POST", path: "/rules", body: map[string]any{"kind": "maxTradesPerDay", "params": map[string]any{"n": 3}}}, 201).decode(t, &r)
	ids["/rules/"] = r.ID
	var c coach.BrokerConnection
	b.must(req{method: "POST", path: "/brokers/demo"}, 201).decode(t, &c)
	ids["/brokers/connections/"] = c.ID
	b.must(req{method: "POST", path: "/brokers/csv", body: "ts,symbol,side,qty,price,fee,feeAsset,extId\n" +
		"2026-03-02T09:00:00Z,BTC-USDT,BUY,0.01,64000,0.64,USDT,f1\n2026-03-02T10:00:00Z,BTC-USDT,SELL,0.01,64500,0.64,USDT,f2\n"}, 200)
	var trades struct {
		Trades []coach.Trade `json:"trades"`
	}
	b.must(req{method: "GET", path: "/trades"}, 200).decode(t, &trades)
	if len(trades.Trades) == 0 {
		t.Fatal("B has no trades")
	}
	ids["/trades/"] = trades.Trades[0].ID
	var sim coach.SimulationRun
	b.must(req{method: "POST", path: "/simulations/simple", body: map[string]any{"scenario": map[string]any{"kind": "holdInstead", "label": "FOMO", "until": "nCandles", "n": 3},
		"from": "2026-03-01T00:00:00Z", "to": "2026-03-03T00:00:00Z", "interval": "1h", "fees": map[string]any{"slippageBps": 5}}}, 202).decode(t, &sim)
	ids["/simulations/"] = sim.ID
	var ex coach.Export
	b.must(req{method: "POST", path: "/me/export"}, 202).decode(t, &ex)
	ids["/me/exports/"] = ex.ID
	var sessions struct {
		Sessions []coach.Session `json:"sessions"`
	}
	b.must(req{method: "GET", path: "/me/sessions"}, 200).decode(t, &sessions)
	ids["/me/sessions/"] = sessions.Sessions[0].ID
	d, err := back.svc.Digester.Weekly(context.Background(), bu.ID, digest.LastFullWeek(time.Now(), time.UTC))
	if err != nil {
		t.Fatal(err)
	}
	ids["/digests/weekly/"] = d.ID
	var hook struct {
		Endpoint coach.WebhookEndpoint `json:"endpoint"`
	}
	b.must(req{method: "POST", path: "/webhooks", body: map[string]any{"url": "https://hooks.example.com/b"}}, 201).decode(t, &hook)
	ids["/webhooks/"] = hook.Endpoint.ID
	var test coach.WebhookDelivery
	b.must(req{method: "POST", path: "/webhooks/" + hook.Endpoint.ID + "/test"}, 202).decode(t, &test)
	ids["/webhooks/deliveries/"] = test.ID

	bodies := map[string]any{
		"PUT /rules/{id}":                          map[string]any{"kind": "maxTradesPerDay", "params": map[string]any{"n": 4}, "active": false},
		"POST /trades/{id}/notes":                  map[string]any{"text": "mine now"},
		"PUT /trades/{id}/tags/{label}/dispute":    map[string]any{"reason": "plan", "note": "mine"},
		"DELETE /trades/{id}/tags/{label}/dispute": nil,
		"PUT /webhooks/{id}":                       map[string]any{"url": "https://hooks.example.com/a"},
	}
	var named, lists int
	for _, op := range openapi.Operations(doc) {
		method, path, _ := strings.Cut(op, " ")
		if strings.HasPrefix(path, "/auth/") {
			continue
		}
		if !strings.Contains(path, "{") {
			if method == http.MethodGet {
				lists++
				got := a.do(req{method: method, path: path})
				for _, id := range ids {
					if strings.Contains(string(got.body), id) {
						t.Errorf("%s as A shows B's %s", op, id)
					}
				}
			}
			continue
		}
		id, longest := "", ""
		for prefix, v := range ids { // the longest prefix: /webhooks/deliveries/ before /webhooks/
			if strings.HasPrefix(path, prefix) && len(prefix) > len(longest) {
				id, longest = v, prefix
			}
		}
		if id == "" {
			t.Errorf("%s names a resource, but the test has none of B's to aim it at: add one", op)
			continue
		}
		named++
		p := strings.ReplaceAll(concrete(strings.Replace(path, "{id}", id, 1), "FOMO"), "{label}", "FOMO")
		got := a.do(req{method: method, path: p, body: bodies[op]})
		if got.status != http.StatusNotFound || got.code() != coach.ENOTFOUND {
			t.Errorf("%s as A on B's %s: %d %s, want not_found", op, id, got.status, got.body)
		}
	}
	t.Logf("%d operations on B's resources refused, %d lists free of B's ids", named, lists)
	if named < 15 || lists < 8 {
		t.Fatalf("%d operations on resources and %d lists checked: the document was not walked", named, lists)
	}
	// B still has everything.
	for _, p := range []string{"/rules/" + r.ID, "/trades/" + ids["/trades/"], "/simulations/" + sim.ID, "/me/exports/" + ex.ID, "/digests/weekly/" + d.ID} {
		b.must(req{method: "GET", path: p}, http.StatusOK)
	}
	var conns struct {
		Connections []coach.BrokerConnection `json:"connections"`
	}
	b.must(req{method: "GET", path: "/brokers/connections"}, 200).decode(t, &conns)
	if len(conns.Connections) == 0 {
		t.Fatal("B's connection is gone")
	}
	b.must(req{method: "GET", path: "/me"}, http.StatusOK)
}

// TestIdempotencyKeys: every POST needs a key; the same key and body replays the first answer; the
// same key with another body is a conflict in the one error shape; a form may carry the key.
func TestIdempotencyKeys(t *testing.T) {
	f := newFront(t, newBackend(t), nil)
	ana := f.browser()
	ana.signUp("ana@example.com")
	rule := func(n int) map[string]any {
		return map[string]any{"kind": "maxTradesPerDay", "params": map[string]any{"n": n}}
	}
	key := map[string]string{"Idempotency-Key": "rule-1"}
	first := ana.must(req{method: "POST", path: "/rules", body: rule(3), header: key}, http.StatusCreated)
	again := ana.must(req{method: "POST", path: "/rules", body: rule(3), header: key}, http.StatusCreated)
	if string(first.body) != string(again.body) || again.header.Get("Idempotent-Replayed") != "true" {
		t.Fatalf("replay: %s %v, first %s", again.body, again.header, first.body)
	}
	var list struct {
		Rules []coach.Rule `json:"rules"`
	}
	ana.must(req{method: "GET", path: "/rules"}, http.StatusOK).decode(t, &list)
	if len(list.Rules) != 1 {
		t.Fatalf("%d rules after a replay, want 1", len(list.Rules))
	}
	other := ana.must(req{method: "POST", path: "/rules", body: rule(4), header: key}, http.StatusConflict)
	if other.code() != coach.ECONFLICT {
		t.Fatalf("another body: %s", other.body)
	}
	missing := ana.must(req{method: "POST", path: "/rules", body: rule(3), header: map[string]string{"Idempotency-Key": ""}}, http.StatusBadRequest)
	if !strings.Contains(string(missing.body), `"field":"Idempotency-Key"`) {
		t.Fatalf("no key: %s", missing.body)
	}
	// Keys are the user's own: Bob's "rule-1" is a request of his.
	bob := f.browser()
	bob.signUp("bob@example.com")
	bob.must(req{method: "POST", path: "/rules", body: rule(5), header: key}, http.StatusCreated)
	// A form carries the key (and the CSRF token) in hidden fields.
	form := url.Values{"csrf_token": {ana.csrf}, "idempotency_key": {"form-1"}, "kind": {"maxTradesPerDay"}}
	noHeaders := map[string]string{"X-CSRF-Token": "", "Idempotency-Key": ""}
	one := ana.do(req{method: "POST", path: "/rules", body: form, header: noHeaders})
	two := ana.do(req{method: "POST", path: "/rules", body: form, header: noHeaders})
	if one.status == http.StatusForbidden || strings.Contains(string(one.body), "Idempotency-Key") || two.header.Get("Idempotent-Replayed") != "true" {
		t.Fatalf("form: %d %s then %d %v", one.status, one.body, two.status, two.header)
	}
}
