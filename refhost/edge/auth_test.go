package edge_test

import (
	"net/http"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/tradecoach/coach"
	"github.com/tradecoach/coach/internal/servicetest"
	"github.com/tradecoach/coach/refhost/edge"
	"github.com/tradecoach/coach/refhost/openapi"
	"github.com/tradecoach/coach/refhost/openapi/contracttest"
	"github.com/tradecoach/coach/storage"
	"github.com/tradecoach/coach/storage/memory"
	transportmemory "github.com/tradecoach/coach/transport/memory"
)

func TestZeroValues(t *testing.T) { servicetest.ZeroValues(t, []any{(*edge.Edge)(nil)}) }

func TestNewRefusesAnIncompleteConfig(t *testing.T) {
	b := newBackend(t)
	base := func() edge.Config {
		return edge.Config{CoreURL: b.core.URL, Key: internalKey, Secret: edgeSecret, PublicURL: "https://coach.example",
			Cache: b.in.Cache, Idempotency: memory.NewIdempotency(coach.SystemClock{}), Limiter: b.in.Limiter, Bus: b.in.Bus,
			Mailer: &transportmemory.Mailbox{}, Password: fastPassword}
	}
	if _, err := edge.New(base()); err != nil {
		t.Fatalf("the base config: %v", err)
	}
	for name, change := range map[string]func(*edge.Config){
		"no core":             func(c *edge.Config) { c.CoreURL = "" },
		"short key":           func(c *edge.Config) { c.Key = []byte("short") },
		"secret is the key":   func(c *edge.Config) { c.Secret = internalKey },
		"no public url":       func(c *edge.Config) { c.PublicURL = "" },
		"public url has path": func(c *edge.Config) { c.PublicURL = "https://x.example/app" },
		"no cache":            func(c *edge.Config) { c.Cache = nil },
		"no mailer":           func(c *edge.Config) { c.Mailer = nil },
		"cache bound too long": func(c *edge.Config) {
			c.SessionCacheTTL = 6 * time.Second
		},
		"weak password cost": func(c *edge.Config) { c.Password = edge.PasswordParams{Memory: 1, Time: 1, Threads: 1} },
	} {
		t.Run(name, func(t *testing.T) {
			cfg := base()
			change(&cfg)
			if _, err := edge.New(cfg); coach.ErrorCode(err) != coach.EINVALID {
				t.Fatalf("New: %v, want invalid", err)
			}
		})
	}
}

// TestSignupWithATakenEmailAnswersLikeAFreshOne compares the two answers byte for byte (status,
// headers but the date, body); the owner of the taken address gets an email saying someone tried.
func TestSignupWithATakenEmailAnswersLikeAFreshOne(t *testing.T) {
	f := newFront(t, newBackend(t), nil)
	owner := f.browser()
	owner.signUp("taken@example.com")

	b := f.browser()
	b.visit()
	signup := func(email string) answer {
		return b.must(req{method: "POST", path: "/auth/signup", body: map[string]string{"email": email, "password": "another password 123"}}, http.StatusAccepted)
	}
	fresh, taken := signup("fresh@example.com"), signup("taken@example.com")
	if diff := cmp.Diff(string(fresh.body), string(taken.body)); diff != "" {
		t.Errorf("body (-fresh +taken):\n%s", diff)
	}
	for _, h := range []http.Header{fresh.header, taken.header} {
		h.Del("Date")
	}
	if diff := cmp.Diff(fresh.header, taken.header); diff != "" {
		t.Errorf("headers (-fresh +taken):\n%s", diff)
	}
	ms := f.mail.To("taken@example.com")
	if len(ms) != 2 || !strings.Contains(ms[1].Subject, "Someone tried") {
		t.Fatalf("mail to the taken address: %+v", ms)
	}
	// The attempt changed nothing: the owner's password still works, the attacker's does not.
	f.browser().login("taken@example.com", password)
	b.visit()
	if a := b.do(req{method: "POST", path: "/auth/login", body: map[string]string{"email": "taken@example.com", "password": "another password 123"}}); a.status != http.StatusUnauthorized {
		t.Fatalf("login with the attempt's password: %d %s", a.status, a.body)
	}
	// The fresh address has no account until its link is followed.
	if a := b.do(req{method: "POST", path: "/auth/login", body: map[string]string{"email": "fresh@example.com", "password": "another password 123"}}); a.status != http.StatusUnauthorized {
		t.Fatalf("login before confirming: %d %s", a.status, a.body)
	}
	b.must(req{method: "POST", path: "/auth/signup/confirm", body: map[string]string{"token": f.lastToken("fresh@example.com")}}, http.StatusNoContent)
	b.login("fresh@example.com", "another password 123")
}

// TestLoginAnswersAnUnknownEmailLikeAWrongPassword checks the two failures answer alike.
func TestLoginAnswersAnUnknownEmailLikeAWrongPassword(t *testing.T) {
	f := newFront(t, newBackend(t), nil)
	f.browser().signUp("ana@example.com")
	b := f.browser()
	b.visit()
	wrong := b.must(req{method: "POST", path: "/auth/login", body: map[string]string{"email": "ana@example.com", "password": "not her password"}}, http.StatusUnauthorized)
	unknown := b.must(req{method: "POST", path: "/auth/login", body: map[string]string{"email": "nobody@example.com", "password": "not her password"}}, http.StatusUnauthorized)
	if string(wrong.body) != string(unknown.body) {
		t.Fatalf("wrong password %s, unknown email %s", wrong.body, unknown.body)
	}
}

// TestSessionFixationIsPrevented plants cookies before login (a made-up token, and a live
// session of the attacker's): the cookie after login is a new one, and the planted one is no
// session of the victim's.
func TestSessionFixationIsPrevented(t *testing.T) {
	f := newFront(t, newBackend(t), nil)
	attacker := f.browser()
	attacker.signUp("mallory@example.com")
	victim := f.browser()
	victim.signUp("victim@example.com")
	victim.must(req{method: "POST", path: "/auth/logout"}, http.StatusNoContent)

	for name, planted := range map[string]string{
		"made-up token":          "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA",
		"the attacker's session": attacker.cookies[edge.SessionCookie],
	} {
		t.Run(name, func(t *testing.T) {
			v := f.browser()
			v.cookies[edge.SessionCookie] = planted
			v.visit()
			pre := v.cookies[edge.CSRFCookie]
			v.login("victim@example.com", password)
			got := v.cookies[edge.SessionCookie]
			if got == "" || got == planted || got == pre {
				t.Fatalf("session after login %q: planted %q, pre-session %q", got, planted, pre)
			}
			// The planted cookie does not act for the victim.
			other := f.browser()
			other.cookies[edge.SessionCookie] = planted
			a := other.do(req{method: "GET", path: "/me"})
			var u coach.User
			if a.status == http.StatusOK {
				a.decode(t, &u)
			}
			if u.Email == "victim@example.com" {
				t.Fatal("the planted cookie is the victim's session")
			}
		})
	}
}

// TestPasswordChangeRotatesAndEndsOtherSessions: the changing client gets a new cookie; its old
// one and every other session of the user stop working at once on this edge.
func TestPasswordChangeRotatesAndEndsOtherSessions(t *testing.T) {
	f := newFront(t, newBackend(t), nil)
	laptop := f.browser()
	laptop.signUp("ana@example.com")
	phone := f.browser()
	phone.login("ana@example.com", password)
	phone.must(req{method: "GET", path: "/me"}, http.StatusOK)
	old := laptop.cookies[edge.SessionCookie]

	laptop.must(req{method: "POST", path: "/auth/password", body: map[string]string{"currentPassword": "wrong wrong wrong", "newPassword": "a brand new passphrase"}}, http.StatusBadRequest)
	laptop.must(req{method: "POST", path: "/auth/password", body: map[string]string{"currentPassword": password, "newPassword": "a brand new passphrase"}}, http.StatusNoContent)
	if laptop.cookies[edge.SessionCookie] == old || laptop.cookies[edge.SessionCookie] == "" {
		t.Fatal("the session was not rotated")
	}
	laptop.must(req{method: "GET", path: "/me"}, http.StatusOK)
	phone.must(req{method: "GET", path: "/me"}, http.StatusUnauthorized)
	stale := f.browser()
	stale.cookies[edge.SessionCookie] = old
	stale.must(req{method: "GET", path: "/me"}, http.StatusUnauthorized)
	f.browser().login("ana@example.com", "a brand new passphrase")
}

// TestResetLinkWorksOnceAndExpires follows an emailed reset link: it sets the password and ends
// the user's sessions; the same link then fails, and a new link fails once its time has passed.
func TestResetLinkWorksOnceAndExpires(t *testing.T) {
	f := newFront(t, newBackend(t), func(c *edge.Config) { c.ResetTTL = 2 * time.Minute })
	signedIn := f.browser()
	signedIn.signUp("ana@example.com")

	b := f.browser()
	b.visit()
	ask := func(email string) answer {
		return b.must(req{method: "POST", path: "/auth/reset", body: map[string]string{"email": email}}, http.StatusAccepted)
	}
	known, unknown := ask("ana@example.com"), ask("nobody@example.com")
	if string(known.body) != string(unknown.body) {
		t.Fatalf("reset answers differ: %s and %s", known.body, unknown.body)
	}
	if len(f.mail.To("nobody@example.com")) != 0 {
		t.Fatal("mail sent to an address without an account")
	}
	token := f.lastToken("ana@example.com")
	confirm := func(token, pw string) answer {
		return b.do(req{method: "POST", path: "/auth/reset/confirm", body: map[string]string{"token": token, "password": pw}})
	}
	if a := confirm(token, "my new long password"); a.status != http.StatusNoContent {
		t.Fatalf("first use: %d %s", a.status, a.body)
	}
	signedIn.must(req{method: "GET", path: "/me"}, http.StatusUnauthorized)
	f.browser().login("ana@example.com", "my new long password")
	if a := confirm(token, "yet another password"); a.status != http.StatusBadRequest || a.code() != coach.EINVALID {
		t.Fatalf("second use: %d %s", a.status, a.body)
	}

	ask("ana@example.com")
	late := f.lastToken("ana@example.com")
	f.clock.Advance(2*time.Minute + time.Second) // within the internal signatures' skew
	if a := confirm(late, "too late password"); a.status != http.StatusBadRequest {
		t.Fatalf("expired link: %d %s", a.status, a.body)
	}
	for _, forged := range []string{strings.Replace(late, ".", "x.", 1), late + "A", "a.b.c"} {
		if a := confirm(forged, "forged link password"); a.status != http.StatusBadRequest {
			t.Fatalf("forged link %q: %d %s", forged, a.status, a.body)
		}
	}
	f.browser().login("ana@example.com", "my new long password")
}

// TestBruteForceIsThrottled: guesses at one account are refused with 429 and Retry-After once the
// account's burst is used, whatever the address; guesses from one address at many accounts too.
func TestBruteForceIsThrottled(t *testing.T) {
	f := newFront(t, newBackend(t), func(c *edge.Config) {
		c.Limits.LoginAccount = storage.Limit{Rate: 5, Burst: 3, Period: time.Hour}
		c.Limits.LoginIP = storage.Limit{Rate: 10, Burst: 8, Period: time.Hour}
	})
	f.browser().signUp("ana@example.com")
	b := f.browser()
	b.visit()
	guess := func(email string) answer {
		return b.do(req{method: "POST", path: "/auth/login", body: map[string]string{"email": email, "password": "guess guess guess"}})
	}
	var statuses []int
	for range 4 {
		statuses = append(statuses, guess("ana@example.com").status)
	}
	// The signUp's own login used one of the account's three.
	if !slices.Equal(statuses, []int{401, 401, 429, 429}) {
		t.Fatalf("statuses %v", statuses)
	}
	a := guess("ana@example.com")
	if a.code() != coach.ERATELIMITED || a.header.Get("Retry-After") == "" {
		t.Fatalf("throttled answer: %d %s %v", a.status, a.body, a.header)
	}
	// The same address trying other accounts runs out too (8 a burst; 6 used above).
	statuses = statuses[:0]
	for i := range 3 {
		statuses = append(statuses, guess("other"+string(rune('a'+i))+"@example.com").status)
	}
	if !slices.Equal(statuses, []int{401, 401, 429}) {
		t.Fatalf("per-address statuses %v", statuses)
	}
	// Time heals.
	f.clock.Advance(time.Hour)
	if a := guess("ana@example.com"); a.status != http.StatusUnauthorized {
		t.Fatalf("after an hour: %d", a.status)
	}
}

// TestStrictDecoding: unknown and repeated fields, wrong types, bodies too large and non-JSON
// bodies are refused with field-level errors in the one error shape.
func TestStrictDecoding(t *testing.T) {
	f := newFront(t, newBackend(t), nil)
	b := f.browser()
	b.visit()
	for name, tc := range map[string]struct {
		body  string
		ct    string
		field string
	}{
		"unknown field":   {`{"email":"a@example.com","password":"long enough password","admin":true}`, "application/json", "admin"},
		"field twice":     {`{"email":"a@example.com","email":"b@example.com","password":"long enough password"}`, "application/json", "email"},
		"case-folded":     {`{"Email":"a@example.com","password":"long enough password"}`, "application/json", "Email"},
		"wrong type":      {`{"email":1,"password":"long enough password"}`, "application/json", "email"},
		"short password":  {`{"email":"a@example.com","password":"short"}`, "application/json", "password"},
		"not an address":  {`{"email":"Ana <a@example.com>","password":"long enough password"}`, "application/json", "email"},
		"too large":       {`{"email":"a@example.com","password":"` + strings.Repeat("x", 9000) + `"}`, "application/json", ""},
		"not json":        {`email=a@example.com`, "text/plain", ""},
		"two json values": {`{"email":"a@example.com","password":"long enough password"}{}`, "application/json", ""},
	} {
		t.Run(name, func(t *testing.T) {
			a := b.do(req{method: "POST", path: "/auth/signup", body: tc.body, header: map[string]string{"Content-Type": tc.ct}})
			var e struct {
				Code   coach.Code `json:"code"`
				Fields []struct {
					Field string `json:"field"`
				} `json:"fields"`
			}
			a.decode(t, &e)
			if a.status != http.StatusBadRequest || e.Code != coach.EINVALID {
				t.Fatalf("%d %s", a.status, a.body)
			}
			if tc.field != "" && (len(e.Fields) == 0 || e.Fields[0].Field != tc.field) {
				t.Fatalf("fields %+v, want %s", e.Fields, tc.field)
			}
		})
	}
}

// TestRequestsAreLimitedPerUserAndPerAddress: past the burst, 429 with Retry-After, for a user's
// API calls and for any request of an address.
func TestRequestsAreLimitedPerUserAndPerAddress(t *testing.T) {
	f := newFront(t, newBackend(t), func(c *edge.Config) {
		c.Limits.User = storage.Limit{Rate: 1, Burst: 3, Period: time.Hour}
	})
	ana := f.browser()
	ana.signUp("ana@example.com")
	var statuses []int
	for range 4 {
		statuses = append(statuses, ana.do(req{method: "GET", path: "/rules"}).status)
	}
	if !slices.Equal(statuses, []int{200, 200, 200, 429}) {
		t.Fatalf("a user's statuses %v", statuses)
	}
	if a := ana.do(req{method: "GET", path: "/rules"}); a.code() != coach.ERATELIMITED || a.header.Get("Retry-After") == "" {
		t.Fatalf("throttled: %d %s %v", a.status, a.body, a.header)
	}
	// Another user of the same address is not held back by Ana's limit.
	bob := f.browser()
	bob.signUp("bob@example.com")
	bob.must(req{method: "GET", path: "/rules"}, http.StatusOK)

	g := newFront(t, newBackend(t), func(c *edge.Config) {
		c.Limits.IP = storage.Limit{Rate: 1, Burst: 2, Period: time.Hour}
	})
	v := g.browser()
	statuses = statuses[:0]
	for range 3 {
		statuses = append(statuses, v.do(req{method: "GET", path: "/"}).status)
	}
	if !slices.Equal(statuses, []int{200, 200, 429}) {
		t.Fatalf("an address's statuses %v", statuses)
	}
}

// TestAuthRoutesAnswerAsDocumented walks the account routes through a contracttest.Transport of
// the public document: every request and answer must match it, and each /auth/ operation must
// have answered with success.
func TestAuthRoutesAnswerAsDocumented(t *testing.T) {
	f := newFront(t, newBackend(t), nil)
	doc, err := openapi.Load()
	if err != nil {
		t.Fatal(err)
	}
	tr, err := contracttest.New(doc, nil)
	if err != nil {
		t.Fatal(err)
	}
	b := f.browser()
	b.client = &http.Client{Transport: tr}
	b.signUp("ana@example.com")
	b.must(req{method: "POST", path: "/auth/password", body: map[string]string{"currentPassword": password, "newPassword": "another long password"}}, http.StatusNoContent)
	b.must(req{method: "POST", path: "/auth/logout"}, http.StatusNoContent)
	b.visit()
	b.must(req{method: "POST", path: "/auth/reset", body: map[string]string{"email": "ana@example.com"}}, http.StatusAccepted)
	b.must(req{method: "POST", path: "/auth/reset/confirm", body: map[string]string{"token": f.lastToken("ana@example.com"), "password": password}}, http.StatusNoContent)
	b.login("ana@example.com", password)
	b.must(req{method: "GET", path: "/me/sessions"}, http.StatusOK)
	// Error answers are checked too.
	b.must(req{method: "POST", path: "/auth/login", body: map[string]string{"email": "ana@example.com"}}, http.StatusBadRequest)
	seen := tr.Exercised()
	for _, op := range openapi.Operations(doc) {
		if strings.Contains(op, " /auth/") && !slices.Contains(seen, op) {
			t.Errorf("%s was not exercised with a success answer", op)
		}
	}
}
