package web_test

import (
	"bytes"
	"html"
	"mime/multipart"
	"net/http"
	"net/http/httptest"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/tradecoach/coach"
	"github.com/tradecoach/coach/internal/servicetest"
	"github.com/tradecoach/coach/refhost/edge"
	"github.com/tradecoach/coach/refhost/web"
	"github.com/tradecoach/coach/storage/memory"
)

func TestZeroValues(t *testing.T) {
	servicetest.ZeroValues(t, []any{(*web.Web)(nil)})
}

// inline finds what the CSP refuses: an inline script, a style element or attribute, an event
// handler attribute, a javascript: URL.
var inline = regexp.MustCompile(`(?i)<script(?:\s[^>]*)?>\s*[^<\s]|<style[\s>]|\sstyle\s*=|\son[a-z]+\s*=|javascript:`)

// checkPage fails on what no page may carry: content the CSP refuses, or a stack trace.
func checkPage(t *testing.T, p page) {
	t.Helper()
	if m := inline.FindString(p.body); m != "" {
		t.Errorf("%s carries %q, which the CSP refuses", p.path, m)
	}
	// "pgx" alone occurs inside ids: a driver message says "pgx:" or names pgconn.
	for _, leak := range []string{"goroutine ", ".go:", "panic:", "runtime error", "sql:", "pgx:", "pgconn"} {
		if strings.Contains(p.body, leak) {
			t.Errorf("%s shows %q", p.path, leak)
		}
	}
}

func TestVisitorIsSentToSignIn(t *testing.T) {
	h := newHost(t)
	b := h.browser()
	for _, path := range []string{"/", "/app", "/app/trades/x", "/app/settings"} {
		p := b.get(path)
		if p.status != http.StatusSeeOther || !strings.HasPrefix(p.header.Get("Location"), "/signin") {
			t.Errorf("GET %s as a visitor: %d to %q, want 303 to /signin", path, p.status, p.header.Get("Location"))
		}
	}
	for _, path := range []string{"/signin", "/signup", "/signup/sent", "/signup/confirm", "/reset", "/reset/sent", "/reset/confirm"} {
		checkPage(t, b.get(path).mustStatus(t, http.StatusOK))
	}
	checkPage(t, b.get("/no/such/page").mustStatus(t, http.StatusNotFound))
}

func TestSignedInPagesRender(t *testing.T) {
	h := newHost(t)
	h.user("ana@example.com", "a long enough password")
	b := h.browser()
	b.signIn("ana@example.com", "a long enough password")
	if p := b.get("/"); p.status != http.StatusSeeOther || p.header.Get("Location") != "/app" {
		t.Fatalf("/ when signed in: %d to %q", p.status, p.header.Get("Location"))
	}
	for _, path := range []string{"/app", "/app/onboarding", "/app/coach", "/app/digest", "/app/simulations", "/app/rules", "/app/settings"} {
		p := b.get(path).mustStatus(t, http.StatusOK)
		checkPage(t, p)
		if !strings.Contains(p.body, `action="/auth/logout"`) {
			t.Errorf("%s has no sign-out button", path)
		}
	}
	p := b.post("/auth/logout", nil)
	if p.status != http.StatusSeeOther || !strings.HasPrefix(p.header.Get("Location"), "/signin") {
		t.Fatalf("sign out: %d to %q", p.status, p.header.Get("Location"))
	}
	if p := b.get("/app"); p.status != http.StatusSeeOther {
		t.Fatalf("/app after sign-out: %d", p.status)
	}
}

func TestDemoUserPages(t *testing.T) {
	h := newHost(t)
	b, _, tagged := h.demoUser("demo@example.com")
	// The demo's month of fills reaches into past weeks: once scored, their digests are built
	// (never mailed), so P/L by label and the Digest page are not empty on the first day.
	var dash page
	waitFor(t, "the P/L by label of the demo's past weeks", 2*time.Minute, func() bool {
		dash = b.get("/app").mustStatus(t, http.StatusOK)
		return strings.Contains(dash.body, "Realized P/L by label")
	})
	checkPage(t, dash)
	for _, want := range []string{"Realized P/L", "<svg", "Recent trades", `href="/app/trades/`, "From your weekly digests"} {
		if !strings.Contains(dash.body, want) {
			t.Errorf("the dashboard lacks %q", want)
		}
	}
	if strings.Contains(dash.body, "This fills in once your first weekly digest is ready.") {
		t.Error("the dashboard still says P/L by label waits for the first digest")
	}
	if dig := b.get("/app/digest").mustStatus(t, http.StatusOK); strings.Contains(dig.body, "Your first weekly digest arrives") {
		t.Error("the Digest page is empty after the demo's past weeks were imported")
	}
	trade := b.get("/app/trades/"+tagged).mustStatus(t, http.StatusOK)
	checkPage(t, trade)
	for _, want := range []string{"What the coach noticed", "Why?", "Definition version", "This does not fit", "Add a note"} {
		if !strings.Contains(trade.body, want) {
			t.Errorf("the trade page lacks %q", want)
		}
	}
	label := regexp.MustCompile(`name="label" value="([A-Z_]+)"`).FindStringSubmatch(trade.body)
	if label == nil {
		t.Fatal("no label to dispute")
	}
	// In the trader's own zone (+09:00, no daylight saving), the fills' times read as the heading's.
	if p := b.post("/app/settings", url.Values{"action": {"prefs"}, "form": {"prefs"}, "timeZone": {"Asia/Tokyo"}}); p.status != http.StatusSeeOther {
		t.Fatalf("setting the time zone: %d", p.status)
	}
	tokyo := b.get("/app/trades/"+tagged).mustStatus(t, http.StatusOK)
	heading := regexp.MustCompile(`, (\d\d:\d\d) JST · `).FindStringSubmatch(tokyo.body)
	if heading == nil || !regexp.MustCompile(`<tr><td>`+heading[1]+`:\d\d</td>`).MatchString(tokyo.body) {
		t.Errorf("in Asia/Tokyo the fills' times do not read as the heading's (%v)", heading)
	}
	ask := regexp.MustCompile(`<a href="(/app/coach\?q=[^"]+?)#ask">Ask the coach about this trade</a>`).FindStringSubmatch(trade.body)
	if ask == nil {
		t.Fatal("the trade page has no link asking the coach about it")
	}
	asked := b.get(html.UnescapeString(ask[1])).mustStatus(t, http.StatusOK)
	if !regexp.MustCompile(`<textarea id="question"[^>]*>Why was my (buy|sell) of [A-Z]+-[A-Z]+ on [A-Z][a-z]+ \d+ labelled [^<]*` + label[1]).MatchString(asked.body) {
		t.Errorf("the coach's box is not filled in about the trade and its label %s", label[1])
	}
	p := b.post("/app/trades/"+tagged, url.Values{"action": {"dispute"}, "label": {label[1]}, "reason": {"plan"}, "note": {"my plan"}})
	if p.status != http.StatusSeeOther || !strings.HasPrefix(p.header.Get("Location"), "/app/trades/"+tagged) {
		t.Fatalf("dispute: %d to %q\n%.1500s", p.status, p.header.Get("Location"), p.body)
	}
	after := b.get("/app/trades/"+tagged).mustStatus(t, http.StatusOK)
	if !strings.Contains(after.body, "You disputed this label: “my plan”") || !strings.Contains(after.body, "Withdraw the dispute") {
		t.Error("the dispute does not show after the redirect")
	}
	p = b.post("/app/trades/"+tagged, url.Values{"action": {"note"}, "text": {"entered on the breakout"}})
	if p.status != http.StatusSeeOther {
		t.Fatalf("note: %d\n%.1500s", p.status, p.body)
	}
	if !strings.Contains(b.get("/app/trades/"+tagged).body, "entered on the breakout") {
		t.Error("the note does not show")
	}
	// An empty note renders the form again with the field's message, 422.
	p = b.post("/app/trades/"+tagged, url.Values{"action": {"note"}, "text": {"  "}})
	if p.status != http.StatusUnprocessableEntity || !strings.Contains(p.body, "Write the note first.") {
		t.Fatalf("an empty note: %d\n%.1500s", p.status, p.body)
	}
	checkPage(t, p)
	// Another user's trade, or none, is a plain not-found page.
	if p := b.get("/app/trades/nosuchtrade"); p.status != http.StatusNotFound || !strings.Contains(p.body, "does not exist") {
		t.Fatalf("an unknown trade: %d", p.status)
	}
}

// TestHostileForms: a form the page never made gets a plain-words page, never a stack or a
// driver's message, and what it carried is escaped.
func TestHostileForms(t *testing.T) {
	h := newHost(t)
	b, _, tagged := h.demoUser("hostile@example.com")
	b.get("/app/trades/"+tagged).mustStatus(t, http.StatusOK)
	for name, tc := range map[string]struct {
		action string
		fields url.Values
		status int
		want   string
	}{
		"an unknown action":     {"/app/onboarding", url.Values{"action": {"<script>alert(1)</script>"}}, http.StatusUnprocessableEntity, "choose one of the ways"},
		"a label it lacks":      {"/app/trades/" + tagged, url.Values{"action": {"dispute"}, "label": {"NOPE"}, "reason": {"plan"}}, http.StatusNotFound, "does not exist"},
		"a reason core refuses": {"/app/trades/" + tagged, url.Values{"action": {"dispute"}, "label": {"FOMO"}, "reason": {"<b>x</b>"}}, 0, ""},
		"another user's trade":  {"/app/trades/nosuch", url.Values{"action": {"note"}, "text": {"hi"}}, http.StatusNotFound, "does not exist"},
		"a note far too long":   {"/app/trades/" + tagged, url.Values{"action": {"note"}, "text": {strings.Repeat("<i>", 5000)}}, http.StatusUnprocessableEntity, ""},
		"a binance key missing": {"/app/onboarding", url.Values{"action": {"binance"}, "apiKey": {" "}}, http.StatusUnprocessableEntity, "Paste the API key."},
	} {
		t.Run(name, func(t *testing.T) {
			p := b.post(tc.action, tc.fields)
			if tc.status != 0 && p.status != tc.status {
				t.Fatalf("%d, want %d\n%.1500s", p.status, tc.status, p.body)
			}
			if p.status < 400 {
				t.Fatalf("accepted: %d", p.status)
			}
			if !strings.Contains(p.body, tc.want) {
				t.Errorf("the page lacks %q\n%.1500s", tc.want, p.body)
			}
			if strings.Contains(p.body, "<script>alert") || strings.Contains(p.body, "<b>x</b>") || strings.Contains(p.body, "<i><i>") {
				t.Error("the page carries the form's markup unescaped")
			}
			checkPage(t, p)
		})
	}
	// A body that is no form at all.
	p := b.do("POST", "/app/onboarding", "application/json", strings.NewReader(`{"action":"demo"}`),
		map[string]string{"Idempotency-Key": coach.NewID(), "X-CSRF-Token": hiddenCSRF.FindStringSubmatch(b.last.body)[1]})
	if p.status != http.StatusBadRequest || !strings.Contains(p.body, "could not be read") {
		t.Fatalf("a JSON body: %d\n%.1500s", p.status, p.body)
	}
	checkPage(t, p)
}

// TestSeparateProcess: `refhost web` behind an edge's WebURL verifies the edge's signature (an
// unsigned request is refused) and renders the same pages, its forms carrying the edge's token.
func TestSeparateProcess(t *testing.T) {
	h := newHost(t)
	pages, err := web.New(web.Config{CoreURL: h.core.URL, Key: internalKey, Nonces: memory.NewNonces(coach.SystemClock{})})
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(pages)
	t.Cleanup(srv.Close)
	res, err := http.Get(srv.URL + "/signin")
	if err != nil {
		t.Fatal(err)
	}
	res.Body.Close()
	if res.StatusCode != http.StatusUnauthorized {
		t.Fatalf("an unsigned request: %d, want 401", res.StatusCode)
	}
	split := h.withEdge(func(c *edge.Config) { c.Web, c.WebURL = nil, srv.URL })
	split.user("split@example.com", "a long enough password")
	b := split.browser()
	b.signIn("split@example.com", "a long enough password")
	p := b.get("/app/settings").mustStatus(t, http.StatusOK)
	checkPage(t, p)
	if m := hiddenCSRF.FindStringSubmatch(p.body); m == nil || m[1] == "" {
		t.Fatal("the form carries no CSRF token")
	}
}

// TestSignUpThroughThePages: a visitor signs up with the page's form, follows the emailed link
// to the confirm page and posts its form, signs in, and meets a dashboard that says what to do
// first; a wrong password comes back as a plain sentence.
func TestSignUpThroughThePages(t *testing.T) {
	h := newHost(t)
	b := h.browser()
	const email, pw = "new@example.com", "a long new password"
	b.get("/signup").mustStatus(t, http.StatusOK)
	p := b.post("/auth/signup", url.Values{"email": {email}, "password": {pw}})
	if p.status != http.StatusSeeOther || p.header.Get("Location") != "/signup/sent" {
		t.Fatalf("sign up: %d to %q", p.status, p.header.Get("Location"))
	}
	if !strings.Contains(b.get("/signup/sent").body, "Check your email") {
		t.Fatal("no check-your-email page")
	}
	ms := h.mail.To(email)
	if len(ms) != 1 {
		t.Fatalf("%d mails", len(ms))
	}
	link := regexp.MustCompile(`(/signup/confirm)#token=([A-Za-z0-9_-]+)`).FindStringSubmatch(ms[0].Text)
	if link == nil {
		t.Fatalf("no link in %q", ms[0].Text)
	}
	confirm := b.get(link[1]).mustStatus(t, http.StatusOK)
	if !strings.Contains(confirm.body, `name="token"`) || !strings.Contains(confirm.body, "confirm.js") {
		t.Fatal("the confirm page has no token field or no module to fill it")
	}
	p = b.post("/auth/signup/confirm", url.Values{"token": {link[2]}})
	if p.status != http.StatusSeeOther || p.header.Get("Location") != "/signin?notice=confirmed" {
		t.Fatalf("confirm: %d to %q", p.status, p.header.Get("Location"))
	}
	if !strings.Contains(b.get("/signin?notice=confirmed").body, "Your account is ready") {
		t.Fatal("no notice after confirming")
	}
	p = b.post("/auth/login", url.Values{"email": {email}, "password": {"a wrong password here"}})
	if p.header.Get("Location") != "/signin?error=unauthorized" {
		t.Fatalf("a wrong password: to %q", p.header.Get("Location"))
	}
	if !strings.Contains(b.get("/signin?error=unauthorized").body, "The email or the password is wrong.") {
		t.Fatal("the error is not said in plain words")
	}
	b.signIn(email, pw)
	dash := b.get("/app").mustStatus(t, http.StatusOK)
	checkPage(t, dash)
	if !strings.Contains(dash.body, "No trades yet.") || !strings.Contains(dash.body, `href="/app/onboarding"`) {
		t.Fatalf("the new user's dashboard does not say what to do\n%.2000s", dash.body)
	}
}

// TestCSVUpload: the onboarding page's multipart form uploads a file to core as CSV; a file with
// a bad row comes back under the field in plain words (422), and with "skip rows" its good rows
// are imported.
func TestCSVUpload(t *testing.T) {
	h := newHost(t)
	h.user("csv@example.com", "a long enough password")
	b := h.browser()
	b.signIn("csv@example.com", "a long enough password")
	b.get("/app/onboarding").mustStatus(t, http.StatusOK)
	file := "ts,symbol,side,qty,price\n2026-03-01T10:00:00Z,BTC-USDT,BUY,0.01,64000\n2026-03-01T11:00:00Z,BTC-USDT,HOLD,0.01,64000\n"
	upload := func(skip bool) page {
		var body bytes.Buffer
		mw := multipart.NewWriter(&body)
		_ = mw.WriteField("csrf_token", hiddenCSRF.FindStringSubmatch(b.last.body)[1])
		_ = mw.WriteField("idempotency_key", coach.NewID())
		_ = mw.WriteField("action", "csv")
		if skip {
			_ = mw.WriteField("skipBadRows", "on")
		}
		fw, _ := mw.CreateFormFile("file", "trades.csv")
		_, _ = fw.Write([]byte(file))
		_ = mw.Close()
		return b.do("POST", "/app/onboarding", mw.FormDataContentType(), &body,
			map[string]string{"Origin": h.edge.URL, "Sec-Fetch-Site": "same-origin"})
	}
	p := upload(false)
	if p.status != http.StatusUnprocessableEntity || !strings.Contains(p.body, `id="file-error"`) {
		t.Fatalf("a bad row: %d\n%.2000s", p.status, p.body)
	}
	checkPage(t, p)
	p = upload(true)
	if p.status != http.StatusSeeOther || p.header.Get("Location") != "/app/onboarding?duplicates=0&imported=1" {
		t.Fatalf("skipping the bad row: %d to %q\n%.1500s", p.status, p.header.Get("Location"), p.body)
	}
	if !strings.Contains(b.get(p.header.Get("Location")).body, "New fills imported: 1") {
		t.Fatal("the upload's outcome is not shown")
	}
}
