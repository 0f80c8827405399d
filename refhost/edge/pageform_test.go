package edge_test

import (
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"

	"github.com/tradecoach/coach"
	"github.com/tradecoach/coach/refhost/edge"
	"github.com/tradecoach/coach/refhost/web"
	"github.com/tradecoach/coach/storage/memory"
	"github.com/tradecoach/coach/transport/hmac"
)

// noFollow is a client that hands redirects back, as a test of them needs.
var noFollow = &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}

// formEcho is a web stack that answers what reached it: the subject, the CSRF token (and
// whether its MAC holds, for a separate process), the method and the form body.
func formEcho(verifyMAC bool) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		mac := "-"
		if verifyMAC {
			mac = "bad"
			if r.Header.Get(web.HeaderCSRFMAC) == web.CSRFMAC(internalKey, hmac.Subject(r), r.Header.Get(web.HeaderCSRF)) {
				mac = "ok"
			}
		}
		w.Header().Set("Content-Type", "text/plain")
		_, _ = io.WriteString(w, "subject="+hmac.Subject(r)+" csrf="+r.Header.Get(web.HeaderCSRF)+" mac="+mac+" "+r.Method+" "+string(body))
	})
}

// TestPageFormsGoToTheWebStack: a page's GET carries the CSRF token its forms need (a visitor's,
// bound to a pre-session cookie the edge sets, or the session's); a signed-in user's form POST
// under /app reaches the web stack once per idempotency key; a visitor's is sent to /signin; a
// POST elsewhere is not found.
func TestPageFormsGoToTheWebStack(t *testing.T) {
	back := newBackend(t)
	verifier, err := hmac.NewVerifier(hmac.VerifierConfig{Keys: []hmac.Key{hmac.NewKey(edge.KeyID, internalKey)},
		Nonces: memory.NewNonces(coach.SystemClock{})})
	if err != nil {
		t.Fatal(err)
	}
	split := httptest.NewServer(verifier.Middleware(formEcho(true)))
	t.Cleanup(split.Close)
	for name, change := range map[string]func(*edge.Config){
		"in the process": func(c *edge.Config) { c.Web = formEcho(false) },
		"signed request": func(c *edge.Config) { c.WebURL = split.URL },
	} {
		t.Run(name, func(t *testing.T) {
			f := newFront(t, back, change)
			anon := f.browser()
			anon.t, anon.client = t, noFollow
			a := anon.must(req{method: "GET", path: "/signin", header: map[string]string{web.HeaderCSRF: "forged"}}, http.StatusOK)
			token := between(string(a.body), "csrf=", " ")
			if token == "" || token == "forged" || anon.cookies[edge.CSRFCookie] == "" || strings.Contains(string(a.body), "mac=bad") {
				t.Fatalf("a visitor's page: %q, cookies %v", a.body, anon.cookies)
			}
			// The visitor's token is the one /auth/csrf gives for the same cookie.
			anon.visit()
			if anon.csrf != token {
				t.Fatalf("the page's token %q, /auth/csrf's %q", token, anon.csrf)
			}
			form := url.Values{"csrf_token": {token}, "idempotency_key": {coach.NewID()}, "x": {"1"}}
			a = anon.must(req{method: "POST", path: "/app/rules", body: form, header: map[string]string{"X-CSRF-Token": ""}}, http.StatusSeeOther)
			if a.header.Get("Location") != "/signin" {
				t.Fatalf("a visitor's form: to %q", a.header.Get("Location"))
			}

			ana := f.browser()
			ana.t, ana.client = t, noFollow
			u := ana.signUp(coach.NewID() + "@example.com")
			a = ana.must(req{method: "GET", path: "/app"}, http.StatusOK)
			token = between(string(a.body), "csrf=", " ")
			if !strings.HasPrefix(string(a.body), "subject="+u.ID+" ") || token != ana.csrf || strings.Contains(string(a.body), "mac=bad") {
				t.Fatalf("a user's page: %q (token %q)", a.body, ana.csrf)
			}
			key := coach.NewID()
			form = url.Values{"csrf_token": {token}, "idempotency_key": {key}, "text": {"a note"}}
			post := req{method: "POST", path: "/app/trades/x", body: form, header: map[string]string{"X-CSRF-Token": "", "Idempotency-Key": ""}}
			a = ana.must(post, http.StatusOK)
			if got := string(a.body); !strings.HasPrefix(got, "subject="+u.ID+" ") || !strings.Contains(got, " POST ") || !strings.Contains(got, "text=a+note") {
				t.Fatalf("a user's form: %q", got)
			}
			if again := ana.must(post, http.StatusOK); again.header.Get(edge.ReplayedHeader) != "true" {
				t.Fatal("the same idempotency key ran the form twice")
			}
			form.Del("idempotency_key")
			ana.must(req{method: "POST", path: "/app/trades/x", body: form, header: map[string]string{"X-CSRF-Token": "", "Idempotency-Key": ""}}, http.StatusBadRequest)
			form.Set("idempotency_key", coach.NewID())
			form.Set("csrf_token", "wrong-token-wrong-token-wrong-token-wrong12")
			ana.must(req{method: "POST", path: "/app/trades/x", body: form, header: map[string]string{"X-CSRF-Token": "", "Idempotency-Key": ""}}, http.StatusForbidden)
			ana.must(req{method: "POST", path: "/elsewhere", body: url.Values{"idempotency_key": {coach.NewID()}}}, http.StatusNotFound)
		})
	}
}

// TestAuthForms: the /auth/ routes take a page's urlencoded form and answer 303, to the next page
// or back to the form with ?error=<code>; a safe ?next= page of the app is honoured, another is
// not; JSON keeps its answers.
func TestAuthForms(t *testing.T) {
	f := newFront(t, newBackend(t), nil)
	b := f.browser()
	b.client = noFollow
	email := coach.NewID() + "@example.com"
	b.signUp(email)
	b.must(req{method: "POST", path: "/auth/logout"}, http.StatusNoContent)

	v := f.browser()
	v.client = noFollow
	v.visit()
	form := func(fields ...string) req {
		f := url.Values{"csrf_token": {v.csrf}, "idempotency_key": {coach.NewID()}}
		for i := 0; i+1 < len(fields); i += 2 {
			f.Add(fields[i], fields[i+1])
		}
		return req{method: "POST", path: "", body: f, header: map[string]string{"X-CSRF-Token": "", "Idempotency-Key": ""}}
	}
	to := func(path string, r req, want string) {
		t.Helper()
		r.path = path
		a := v.must(r, http.StatusSeeOther)
		if got := a.header.Get("Location"); got != want {
			t.Fatalf("%s: to %q, want %q", path, got, want)
		}
		if len(a.body) > 0 && strings.Contains(string(a.body), `"code"`) {
			t.Fatalf("%s answered JSON to a form: %s", path, a.body)
		}
	}
	to("/auth/login", form("email", email, "password", "not the password at all"), "/signin?error=unauthorized")
	to("/auth/login", form("email", "not an email", "password", password), "/signin?error=invalid_email")
	to("/auth/login", form("email", email, "password", password, "next", "//evil.example/app"), "/app")
	if v.cookies[edge.SessionCookie] == "" {
		t.Fatal("a form login set no session cookie")
	}
	v.visit() // the session's token now
	to("/auth/logout", form(), "/signin?notice=signedout")
	v.visit()
	to("/auth/login", form("email", email, "password", password, "next", "/app/trades/abc"), "/app/trades/abc")
	v.visit()
	to("/auth/logout", form(), "/signin?notice=signedout")
	v.visit()
	to("/auth/signup", form("email", coach.NewID()+"@example.com", "password", "a long new password"), "/signup/sent")
	to("/auth/signup", form("email", "x@example.com", "password", "short"), "/signup?error=invalid_password")
	to("/auth/signup/confirm", form("token", "nope"), "/signup/confirm?error=invalid_token")
	to("/auth/reset", form("email", email), "/reset/sent")
	to("/auth/reset/confirm", form("token", "nope", "password", "a long new password"), "/reset/confirm?error=invalid_token")
	to("/auth/signup", form("email", "x@example.com", "email", "y@example.com", "password", "a long new password"), "/signup?error=invalid_email")
	if !strings.Contains(f.mail.To(email)[len(f.mail.To(email))-1].Text, "/reset/confirm#token=") {
		t.Fatal("the reset link does not open /reset/confirm")
	}
}

// between is the text of s after prefix up to the next stop ("" when absent).
func between(s, prefix, stop string) string {
	_, rest, ok := strings.Cut(s, prefix)
	if !ok {
		return ""
	}
	out, _, _ := strings.Cut(rest, stop)
	return out
}
