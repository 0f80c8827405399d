package edge

import (
	"context"
	"encoding/json"
	"net"
	"net/http"
	"time"

	"github.com/tradecoach/coach"
	"github.com/tradecoach/coach/transport/httpjson"
)

// Cookie names. The __Host- prefix makes browsers refuse them unless Secure, with Path=/ and no
// Domain, so no sibling host can set or read them.
const (
	// SessionCookie holds the session token: 256 random bits; core stores only its SHA-256.
	SessionCookie = "__Host-session"
	// CSRFCookie holds the pre-session token a visitor without a session binds CSRF tokens to
	// (sign-up, login, reset): never a session.
	CSRFCookie = "__Host-csrf"
)

// session is a signed-in request's session, as the edge caches it.
type session struct {
	ID        string    `json:"id"`
	UserID    string    `json:"userId"`
	CreatedAt time.Time `json:"createdAt"`
	ExpiresAt time.Time `json:"expiresAt"`
	TokenHash string    `json:"-"`
}

type sessionKey struct{}

// sessionOf returns the session withSession resolved for the request.
func sessionOf(ctx context.Context) (session, bool) {
	s, ok := ctx.Value(sessionKey{}).(session)
	return s, ok
}

// cacheKey and idKey name a cached session by its token hash, and its token hash by its id (so
// that revoking a session by id drops it from the cache).
func cacheKey(tokenHash string) string { return "edge:session:" + tokenHash }
func idKey(sessionID string) string    { return "edge:session-id:" + sessionID }

// withSession resolves the session cookie, when there is a valid one, into the request's
// context. A cookie that is malformed, unknown, revoked or expired is as good as none (and the
// answer clears a revoked or expired one).
func (e *Edge) withSession(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		c, err := r.Cookie(SessionCookie)
		if err != nil || !ParseToken(c.Value) {
			next.ServeHTTP(w, r)
			return
		}
		s, err := e.resolve(r.Context(), tokenHash(c.Value))
		switch coach.ErrorCode(err) {
		case "":
			r = r.WithContext(context.WithValue(r.Context(), sessionKey{}, s))
			w.Header().Set(csrfHeader, e.csrfFor(s.TokenHash))
		case coach.ENOTFOUND, coach.EGONE:
			clearCookie(w, SessionCookie) // revoked or expired: the browser may as well forget it
		default:
			httpjson.WriteError(w, r, e.cfg.Logger, err)
			return
		}
		next.ServeHTTP(w, r)
	})
}

// resolve returns the live session of a token hash: from the cache when resolved less than
// SessionCacheTTL ago, else from core (which then slides its idle expiry). ENOTFOUND or EGONE
// when there is none.
func (e *Edge) resolve(ctx context.Context, th string) (session, error) {
	now := e.cfg.Clock.Now()
	if raw, err := e.cfg.Cache.Get(ctx, cacheKey(th)); err == nil {
		var s session
		if json.Unmarshal(raw, &s) == nil && s.UserID != "" {
			s.TokenHash = th
			if !e.live(s, now) {
				return session{}, coach.Errorf(coach.EGONE, "the session has expired")
			}
			return s, nil
		}
	}
	var cs coach.Session
	if err := e.core.call(ctx, "", http.MethodGet, "/internal/sessions/"+th, nil, &cs); err != nil {
		return session{}, err
	}
	s := session{ID: cs.ID, UserID: cs.UserID, CreatedAt: cs.CreatedAt, ExpiresAt: cs.ExpiresAt, TokenHash: th}
	if !e.live(s, now) {
		_ = e.core.call(ctx, "", http.MethodDelete, "/internal/sessions/"+th, nil, nil) // core purges it later if this fails
		return session{}, coach.Errorf(coach.EGONE, "the session has expired")
	}
	// The idle timeout slides: core's expiry moves to now+IdleTimeout (never past the absolute
	// end) once a quarter of the idle window has been used, so an active session costs core a
	// write at most every IdleTimeout/4.
	if want := e.expiry(s.CreatedAt, now); want.Sub(s.ExpiresAt) >= e.cfg.IdleTimeout/4 {
		var touched coach.Session
		err := e.core.call(ctx, "", http.MethodPut, "/internal/sessions/"+th+"/expiry", map[string]time.Time{"expiresAt": want}, &touched)
		if err != nil {
			return session{}, err
		}
		s.ExpiresAt = touched.ExpiresAt
	}
	e.remember(ctx, s, now)
	return s, nil
}

// live reports whether s may be used at now: before its (idle) expiry and its absolute end.
func (e *Edge) live(s session, now time.Time) bool {
	return now.Before(s.ExpiresAt) && now.Before(s.CreatedAt.Add(e.cfg.AbsoluteTimeout))
}

// expiry is the idle expiry of a session created at created, used at now.
func (e *Edge) expiry(created, now time.Time) time.Time {
	end := created.Add(e.cfg.AbsoluteTimeout)
	if idle := now.Add(e.cfg.IdleTimeout); idle.Before(end) {
		return idle.UTC()
	}
	return end.UTC()
}

// remember caches s for SessionCacheTTL (less when it expires sooner). A cache that fails costs
// a call to core next time, nothing more.
func (e *Edge) remember(ctx context.Context, s session, now time.Time) {
	ttl := min(e.cfg.SessionCacheTTL, s.ExpiresAt.Sub(now))
	if ttl <= 0 {
		return
	}
	raw, _ := json.Marshal(s) // a struct of strings and times always encodes
	_ = e.cfg.Cache.Set(ctx, cacheKey(s.TokenHash), raw, ttl)
	_ = e.cfg.Cache.Set(ctx, idKey(s.ID), []byte(s.TokenHash), ttl)
}

// forget drops a session from this edge's cache (and, with a shared cache, every edge's), by its
// token hash or by its id.
func (e *Edge) forget(ctx context.Context, th, id string) {
	if th == "" && id != "" {
		if raw, err := e.cfg.Cache.Get(ctx, idKey(id)); err == nil {
			th = string(raw)
		}
	}
	if th != "" {
		_ = e.cfg.Cache.Delete(ctx, cacheKey(th))
	}
	if id != "" {
		_ = e.cfg.Cache.Delete(ctx, idKey(id))
	}
}

// startSession creates a session of userID in core for the request's client and sets its cookie:
// a new random token every time (login and password change rotate it), whatever cookie the
// client brought.
func (e *Edge) startSession(w http.ResponseWriter, r *http.Request, userID string) (session, error) {
	token := newToken()
	now := e.cfg.Clock.Now().UTC()
	in := map[string]any{"userId": userID, "tokenHash": tokenHash(token), "ipHash": e.pepper("ip", clientIP(r)),
		"expiresAt": e.expiry(now, now)}
	if ua := r.UserAgent(); ua != "" {
		in["uaHash"] = e.pepper("ua", ua)
	}
	var cs coach.Session
	if err := e.core.call(r.Context(), "", http.MethodPost, "/internal/sessions", in, &cs); err != nil {
		return session{}, err
	}
	s := session{ID: cs.ID, UserID: cs.UserID, CreatedAt: cs.CreatedAt, ExpiresAt: cs.ExpiresAt, TokenHash: tokenHash(token)}
	http.SetCookie(w, &http.Cookie{Name: SessionCookie, Value: token, Path: "/", Secure: true, HttpOnly: true,
		SameSite: http.SameSiteLaxMode, MaxAge: int(e.cfg.AbsoluteTimeout / time.Second)})
	w.Header().Set(csrfHeader, e.csrfFor(s.TokenHash))
	e.remember(r.Context(), s, now)
	return s, nil
}

// endSession signs the request's session out in core (if it has one), drops it from the cache
// and clears the cookie.
func (e *Edge) endSession(w http.ResponseWriter, r *http.Request) error {
	clearCookie(w, SessionCookie)
	s, ok := sessionOf(r.Context())
	if !ok {
		return nil
	}
	e.forget(r.Context(), s.TokenHash, s.ID)
	err := e.core.call(r.Context(), "", http.MethodDelete, "/internal/sessions/"+s.TokenHash, nil, nil)
	if coach.ErrorCode(err) == coach.ENOTFOUND {
		return nil
	}
	return err
}

func clearCookie(w http.ResponseWriter, name string) {
	http.SetCookie(w, &http.Cookie{Name: name, Value: "", Path: "/", Secure: true, HttpOnly: true, SameSite: http.SameSiteLaxMode, MaxAge: -1})
}

// requireSession answers 401 to a request without a live session.
func (e *Edge) requireSession(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if _, ok := sessionOf(r.Context()); !ok {
			httpjson.WriteError(w, r, nil, coach.Errorf(coach.EUNAUTHORIZED, "sign in first"))
			return
		}
		next.ServeHTTP(w, r)
	})
}

// wsUser is the relay's Authenticate: the user of the handshake's session.
func (e *Edge) wsUser(r *http.Request) (string, error) {
	s, ok := sessionOf(r.Context())
	if !ok {
		return "", coach.Errorf(coach.EUNAUTHORIZED, "sign in first")
	}
	return s.UserID, nil
}

// clientIP is the address of the peer (the edge takes no X-Forwarded-For: it is the first hop).
func clientIP(r *http.Request) string {
	host, _, err := net.SplitHostPort(r.RemoteAddr)
	if err != nil {
		return r.RemoteAddr
	}
	return host
}
