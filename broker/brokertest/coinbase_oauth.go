package brokertest

import (
	"crypto/rand"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/base64"
	"net/http"
	"net/url"
	"strings"
	"time"

	"golang.org/x/oauth2"
)

// authorize is GET /oauth2/auth: it checks the client, redirect URI, state and PKCE challenge,
// and, the user consenting at once, redirects back with a code and the state.
func (f *Coinbase) authorize(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	redirect := q.Get("redirect_uri")
	if redirect == "" {
		redirect = f.cfg.RedirectURL
	}
	method := q.Get("code_challenge_method")
	if method == "" {
		method = "plain"
	}
	switch {
	case q.Get("response_type") != "code":
		cbOAuthError(w, http.StatusBadRequest, "unsupported_response_type")
		return
	case q.Get("client_id") != f.cfg.ClientID:
		cbOAuthError(w, http.StatusBadRequest, "invalid_client")
		return
	case redirect != f.cfg.RedirectURL:
		cbOAuthError(w, http.StatusBadRequest, "invalid_request")
		return
	case q.Has("state") && len(q.Get("state")) < 8:
		cbOAuthError(w, http.StatusBadRequest, "invalid_state")
		return
	case method != "S256" && method != "plain":
		cbOAuthError(w, http.StatusBadRequest, "invalid_request")
		return
	}
	code := cbRandomToken("code")
	f.mu.Lock()
	f.codes[code] = cbCode{challenge: q.Get("code_challenge"), method: method, redirect: redirect,
		scope: q.Get("scope"), expires: f.cfg.Clock.Now().Add(10 * time.Minute)}
	f.mu.Unlock()
	back := url.Values{"code": {code}}
	if q.Has("state") {
		back.Set("state", q.Get("state"))
	}
	http.Redirect(w, r, redirect+"?"+back.Encode(), http.StatusFound)
}

// token is POST /oauth2/token: authorization_code (one use, PKCE checked) and refresh_token (one
// use, rotated) grants, with RFC 6749 JSON errors.
func (f *Coinbase) token(w http.ResponseWriter, r *http.Request) {
	if err := r.ParseForm(); err != nil {
		cbOAuthError(w, http.StatusBadRequest, "invalid_request")
		return
	}
	if !f.clientOK(r) {
		cbOAuthError(w, http.StatusUnauthorized, "invalid_client")
		return
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	now := f.cfg.Clock.Now()
	switch r.PostForm.Get("grant_type") {
	case "authorization_code":
		code := r.PostForm.Get("code")
		c, ok := f.codes[code]
		delete(f.codes, code) // one use, whatever the outcome
		if !ok || now.After(c.expires) || r.PostForm.Get("redirect_uri") != c.redirect || !cbPKCEOK(c, r.PostForm.Get("code_verifier")) {
			cbOAuthError(w, http.StatusBadRequest, "invalid_grant")
			return
		}
		wireJSON(w, http.StatusOK, cbTokenBody(f.issueLocked(c.scope), f.cfg.AccessTTL, c.scope))
	case "refresh_token":
		rt := r.PostForm.Get("refresh_token")
		g, ok := f.refresh[rt]
		if !ok || g.used || !now.Before(g.expires) {
			cbOAuthError(w, http.StatusBadRequest, "invalid_grant")
			return
		}
		g.used = true
		f.refresh[rt] = g
		f.refreshes++
		wireJSON(w, http.StatusOK, cbTokenBody(f.issueLocked(g.scope), f.cfg.AccessTTL, g.scope))
	default:
		cbOAuthError(w, http.StatusBadRequest, "unsupported_grant_type")
	}
}

// revoke is POST /oauth2/revoke: with the client's credentials and a bearer token, it revokes
// the access token named by the form (and its refresh token). Like Coinbase it answers 200 for a
// token it does not know.
func (f *Coinbase) revoke(w http.ResponseWriter, r *http.Request) {
	if err := r.ParseForm(); err != nil {
		cbOAuthError(w, http.StatusBadRequest, "invalid_request")
		return
	}
	if !f.clientOK(r) {
		cbOAuthError(w, http.StatusUnauthorized, "invalid_client")
		return
	}
	if !strings.HasPrefix(r.Header.Get("Authorization"), "Bearer ") && r.PostForm.Get("access_token") == "" {
		cbOAuthError(w, http.StatusUnauthorized, "invalid_request")
		return
	}
	f.mu.Lock()
	tok := r.PostForm.Get("token")
	if a, ok := f.access[tok]; ok {
		a.revoked = true
		f.access[tok] = a
		if g, ok := f.refresh[a.refresh]; ok {
			g.used = true
			f.refresh[a.refresh] = g
		}
	}
	f.mu.Unlock()
	w.WriteHeader(http.StatusOK)
}

// clientOK checks the client credentials, in the form or in Basic auth.
func (f *Coinbase) clientOK(r *http.Request) bool {
	id, secret, basic := r.BasicAuth()
	if !basic {
		id, secret = r.PostForm.Get("client_id"), r.PostForm.Get("client_secret")
	}
	return id == f.cfg.ClientID && subtle.ConstantTimeCompare([]byte(secret), []byte(f.cfg.ClientSecret)) == 1
}

// issueLocked mints an access token, and a refresh token when scope has offline_access. f.mu is
// held.
func (f *Coinbase) issueLocked(scope string) *oauth2.Token {
	now := f.cfg.Clock.Now()
	tok := &oauth2.Token{AccessToken: cbRandomToken("cbat"), TokenType: "bearer", Expiry: now.Add(f.cfg.AccessTTL),
		ExpiresIn: int64(f.cfg.AccessTTL / time.Second)}
	if cbHasScope(scope, "offline_access") {
		tok.RefreshToken = cbRandomToken("cbrt")
		f.refresh[tok.RefreshToken] = cbRefresh{scope: scope, expires: now.Add(f.cfg.RefreshTTL)}
	}
	f.access[tok.AccessToken] = cbAccess{expires: tok.Expiry, refresh: tok.RefreshToken}
	cp := *tok
	f.lastIssued = &cp
	return tok
}

func cbTokenBody(t *oauth2.Token, ttl time.Duration, scope string) map[string]any {
	b := map[string]any{"access_token": t.AccessToken, "token_type": "bearer", "expires_in": int64(ttl / time.Second), "scope": scope}
	if t.RefreshToken != "" {
		b["refresh_token"] = t.RefreshToken
	}
	return b
}

// cbHasScope reports whether scope, separated by commas, spaces or '+', includes want.
func cbHasScope(scope, want string) bool {
	for _, s := range strings.FieldsFunc(scope, func(r rune) bool { return r == ',' || r == ' ' || r == '+' }) {
		if s == want {
			return true
		}
	}
	return false
}

// cbPKCEOK checks the verifier against the code's challenge (RFC 7636). A code issued without a
// challenge needs no verifier.
func cbPKCEOK(c cbCode, verifier string) bool {
	if c.challenge == "" {
		return true
	}
	if len(verifier) < 43 || len(verifier) > 128 {
		return false
	}
	got := verifier
	if c.method == "S256" {
		sum := sha256.Sum256([]byte(verifier))
		got = base64.RawURLEncoding.EncodeToString(sum[:])
	}
	return subtle.ConstantTimeCompare([]byte(got), []byte(c.challenge)) == 1
}

var cbOAuthText = map[string]string{
	"invalid_grant":   "The provided authorization grant is invalid, expired, revoked, does not match the redirection URI used in the authorization request, or was issued to another client.",
	"invalid_request": "The request is missing a required parameter, includes an unsupported parameter value, or is otherwise malformed.",
	"invalid_client":  "Client authentication failed.",
}

// cbOAuthError writes an RFC 6749 error body, with Coinbase's legacy descriptions.
func cbOAuthError(w http.ResponseWriter, status int, code string) {
	desc := cbOAuthText[code]
	if desc == "" {
		desc = code
	}
	wireJSON(w, status, map[string]string{"error": code, "error_description": desc})
}

// cbRandomToken returns prefix and 32 random bytes, URL-safe.
func cbRandomToken(prefix string) string {
	var b [32]byte
	_, _ = rand.Read(b[:])
	return prefix + "_" + base64.RawURLEncoding.EncodeToString(b[:])
}
