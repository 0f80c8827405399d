package edge_test

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/tradecoach/coach"
	"github.com/tradecoach/coach/refhost/edge"
)

// TestRevokedSessionIsRefusedOnASecondEdge: two edges with caches of their own in front of one
// core. A session revoked through the first is refused there at once; the second, which cached
// it, refuses it once MaxSessionCacheTTL has passed on its clock (advanced, not slept).
func TestRevokedSessionIsRefusedOnASecondEdge(t *testing.T) {
	b := newBackend(t)
	one, two := newFront(t, b, nil), newFront(t, b, nil)
	for _, how := range []string{"revoke by id", "logout"} {
		t.Run(how, func(t *testing.T) {
			ana := one.browser()
			ana.t = t
			ana.signUp(coach.NewID() + "@example.com")
			// The same cookie on the second edge: it resolves the session and caches it.
			there := two.browser()
			there.t = t
			there.cookies[edge.SessionCookie] = ana.cookies[edge.SessionCookie]
			there.must(req{method: "GET", path: "/me"}, http.StatusOK)

			switch how {
			case "revoke by id":
				// From another session of the user, as a user revokes a lost device.
				other := one.browser()
				other.t = t
				var u coach.User
				ana.must(req{method: "GET", path: "/me"}, http.StatusOK).decode(t, &u)
				other.login(u.Email, password)
				var list struct {
					Sessions []coach.Session `json:"sessions"`
				}
				other.must(req{method: "GET", path: "/me/sessions"}, http.StatusOK).decode(t, &list)
				if len(list.Sessions) != 2 {
					t.Fatalf("%d sessions, want 2", len(list.Sessions))
				}
				victim := list.Sessions[1].ID // newest first: the first login is second
				other.must(req{method: "DELETE", path: "/me/sessions/" + victim}, http.StatusNoContent)
			case "logout":
				ana.must(req{method: "POST", path: "/auth/logout"}, http.StatusNoContent)
				ana.cookies[edge.SessionCookie] = there.cookies[edge.SessionCookie] // the browser forgot it; a thief did not
			}
			// The edge that revoked it refuses it at once.
			ana.must(req{method: "GET", path: "/me"}, http.StatusUnauthorized)
			// The second edge may still serve it from its cache, but not beyond the bound.
			two.clock.Advance(edge.MaxSessionCacheTTL)
			there.must(req{method: "GET", path: "/me"}, http.StatusUnauthorized)
		})
	}
}

// TestIdleAndAbsoluteExpiry: a session unused for IdleTimeout is refused; one kept busy is
// refused once AbsoluteTimeout has passed since login.
func TestIdleAndAbsoluteExpiry(t *testing.T) {
	f := newFront(t, newBackend(t), func(c *edge.Config) {
		c.IdleTimeout, c.AbsoluteTimeout = 4*time.Minute, 10*time.Minute
	})
	idle := f.browser()
	idle.signUp("idle@example.com")
	busy := f.browser()
	busy.signUp("busy@example.com")

	step := func(d time.Duration) {
		f.clock.Advance(d)
		busy.must(req{method: "GET", path: "/me"}, http.StatusOK)
	}
	for range 3 { // 3 minutes of use
		step(time.Minute)
	}
	idle.must(req{method: "GET", path: "/me"}, http.StatusOK) // 3 of 4 idle minutes: alive, and now used
	for range 4 {
		step(time.Minute) // 7 minutes
	}
	// Unused for 4 minutes.
	idle.must(req{method: "GET", path: "/me"}, http.StatusUnauthorized)
	for range 2 {
		step(time.Minute) // 9 minutes
	}
	f.clock.Advance(time.Minute + time.Second) // 10 (and the time login took): the absolute end, however busy
	busy.must(req{method: "GET", path: "/me"}, http.StatusUnauthorized)
}

// TestSessionCookieAttributes checks the cookie login sets.
func TestSessionCookieAttributes(t *testing.T) {
	back := newBackend(t)
	f := newFront(t, back, nil)
	b := f.browser()
	b.signUp("ana@example.com")
	b.must(req{method: "POST", path: "/auth/logout"}, http.StatusNoContent)
	b.visit()
	a := b.must(req{method: "POST", path: "/auth/login", body: map[string]string{"email": "ana@example.com", "password": password}}, http.StatusOK)
	var c *http.Cookie
	for _, ck := range (&http.Response{Header: a.header}).Cookies() {
		if ck.Name == edge.SessionCookie {
			c = ck
		}
	}
	if c == nil || !c.Secure || !c.HttpOnly || c.SameSite != http.SameSiteLaxMode || c.Path != "/" || c.Domain != "" || !edge.ParseToken(c.Value) {
		t.Fatalf("session cookie %+v", c)
	}
	// Core holds the token's SHA-256 only, and peppered hashes of the address and user agent.
	sum := sha256.Sum256([]byte(c.Value))
	s, err := back.in.Store.Sessions().ByTokenHash(context.Background(), hex.EncodeToString(sum[:]))
	if err != nil {
		t.Fatalf("the session by the token's SHA-256: %v", err)
	}
	if _, err := back.in.Store.Sessions().ByTokenHash(context.Background(), c.Value); err == nil {
		t.Fatal("core holds the token itself")
	}
	plain := sha256.Sum256([]byte("127.0.0.1"))
	if len(s.IPHash) != 64 || strings.Contains(s.IPHash, "127.0.0.1") || s.IPHash == hex.EncodeToString(plain[:]) || s.UAHash == "" || s.UAHash == "Go-http-client/1.1" {
		t.Fatalf("ipHash %q, uaHash %q", s.IPHash, s.UAHash)
	}
}

// TestEraseEndsTheSession: erasing the account through the edge clears the cookie and the cached
// session at once.
func TestEraseEndsTheSession(t *testing.T) {
	f := newFront(t, newBackend(t), nil)
	ana := f.browser()
	ana.signUp("ana@example.com")
	token := ana.cookies[edge.SessionCookie]
	ana.must(req{method: "DELETE", path: "/me"}, http.StatusAccepted)
	if _, ok := ana.cookies[edge.SessionCookie]; ok {
		t.Fatal("the cookie outlived the account")
	}
	ana.cookies[edge.SessionCookie] = token
	ana.must(req{method: "GET", path: "/me"}, http.StatusUnauthorized)
}
