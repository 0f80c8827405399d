package core_test

import (
	"net/http"
	"net/url"
	"testing"
	"time"

	"github.com/tradecoach/coach"
	"github.com/tradecoach/coach/transport/httpjson"
)

const hash = "$argon2id$v=19$m=19456,t=2,p=1$c2FsdHNhbHRzYWx0$aGFzaGhhc2hoYXNoaGFzaGhhc2hoYXNoaGFzaGhhc2g"

// The edge's account routes: users by email with their hash, sessions by token hash, logout,
// revocation, and a password change that signs the user out everywhere.
func TestAccountsAndSessions(t *testing.T) {
	h := newHost(t)
	var e httpjson.Body
	if code := h.call("", "POST", "/internal/users", map[string]any{"email": "Ana@Example.com", "passwordHash": "hunter2"}, &e); code != 400 || e.Fields[0].Field != "passwordHash" {
		t.Fatalf("a clear password: %d %+v", code, e)
	}
	var u coach.User
	if code := h.call("", "POST", "/internal/users", map[string]any{"email": "Ana@Example.com", "passwordHash": hash}, &u); code != 201 || u.Email != "ana@example.com" {
		t.Fatalf("create: %d %+v", code, u)
	}
	if code := h.call("", "POST", "/internal/users", map[string]any{"email": "ana@example.com", "passwordHash": hash}, &e); code != 409 || e.Code != coach.ECONFLICT {
		t.Fatalf("a taken email: %d %+v", code, e)
	}
	var cred struct {
		User         coach.User `json:"user"`
		PasswordHash string     `json:"passwordHash"`
	}
	if code := h.call("", "GET", "/internal/users/by-email?email="+url.QueryEscape("ANA@example.com"), nil, &cred); code != 200 || cred.User.ID != u.ID || cred.PasswordHash != hash {
		t.Fatalf("by email: %d %+v", code, cred)
	}
	if code := h.call("", "GET", "/internal/users/by-email?email=nobody@example.com", nil, nil); code != 404 {
		t.Fatalf("an unknown email: %d", code)
	}

	newSession := func(token string, ttl time.Duration) coach.Session {
		var s coach.Session
		if code := h.call("", "POST", "/internal/sessions", map[string]any{"userId": u.ID, "tokenHash": token, "ipHash": "ip1",
			"expiresAt": h.clock.Now().Add(ttl).Format(time.RFC3339Nano)}, &s); code != 201 {
			t.Fatalf("create session: %d", code)
		}
		return s
	}
	s1, s2 := newSession("tok-1", 2*time.Minute), newSession("tok-2", time.Hour)
	var got coach.Session
	if code := h.call("", "GET", "/internal/sessions/tok-1", nil, &got); code != 200 || got.ID != s1.ID || got.UserID != u.ID {
		t.Fatalf("resolve: %d %+v", code, got)
	}
	var list struct {
		Sessions []coach.Session `json:"sessions"`
	}
	if code := h.call(u.ID, "GET", "/me/sessions", nil, &list); code != 200 || len(list.Sessions) != 2 {
		t.Fatalf("list: %d %+v", code, list)
	}
	// The user revokes the second session; the first expires with time.
	if code := h.call(u.ID, "DELETE", "/me/sessions/"+s2.ID, nil, nil); code != http.StatusNoContent {
		t.Fatalf("revoke: %d", code)
	}
	if code := h.call("", "GET", "/internal/sessions/tok-2", nil, nil); code != 404 {
		t.Fatalf("a revoked session resolves: %d", code)
	}
	// (Within the signatures' 5-minute skew: the API's clock also checks them.)
	h.clock.Advance(3 * time.Minute)
	var gone httpjson.Body
	if code := h.call("", "GET", "/internal/sessions/tok-1", nil, &gone); code != http.StatusGone || gone.Code != coach.EGONE {
		t.Fatalf("an expired session: %d %+v", code, gone)
	}

	// Logout by token, and a password change that ends every session.
	newSession("tok-3", time.Hour)
	if code := h.call("", "DELETE", "/internal/sessions/tok-3", nil, nil); code != http.StatusNoContent {
		t.Fatalf("logout: %d", code)
	}
	newSession("tok-4", time.Hour)
	if code := h.call("", "PUT", "/internal/users/"+u.ID+"/password", map[string]any{"passwordHash": hash}, nil); code != http.StatusNoContent {
		t.Fatalf("password change: %d", code)
	}
	if code := h.call("", "GET", "/internal/sessions/tok-4", nil, nil); code != 404 {
		t.Fatalf("a session outlived the password change: %d", code)
	}
	// Another user cannot revoke these sessions.
	if code := h.call(h.user(), "DELETE", "/me/sessions/"+s1.ID, nil, nil); code != 404 {
		t.Fatalf("another user's revoke: %d", code)
	}
}
