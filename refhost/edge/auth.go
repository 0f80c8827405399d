package edge

import (
	"context"
	"encoding/json"
	"net/http"
	"net/url"

	"github.com/tradecoach/coach"
	"github.com/tradecoach/coach/transport/httpjson"
)

// credentials is core's answer about a user for a password check.
type credentials struct {
	User         coach.User `json:"user"`
	PasswordHash string     `json:"passwordHash"`
}

// pending is a sign-up waiting for its emailed link to be followed, kept in the cache.
type pending struct {
	Email        string `json:"email"`
	PasswordHash string `json:"passwordHash"`
}

func signupKey(token string) string { return "edge:signup:" + tokenHash(token) }

// authRoutes are the edge's own routes under /auth/, each a POST with an idempotency key. Each
// answers JSON, or, to a page's urlencoded form, a 303 (see formAnswer).
func (e *Edge) authRoutes() map[string]http.Handler {
	routes := map[string]func(http.ResponseWriter, *http.Request) error{
		"POST /auth/signup":         e.signup,
		"POST /auth/signup/confirm": e.confirmSignup,
		"POST /auth/login":          e.login,
		"POST /auth/logout":         e.logout,
		"POST /auth/password":       e.changePassword,
		"POST /auth/reset":          e.requestReset,
		"POST /auth/reset/confirm":  e.confirmReset,
	}
	out := make(map[string]http.Handler, len(routes))
	for pattern, fn := range routes {
		out[pattern] = e.idempotent(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			if target, ok := authForms[pattern]; ok && isForm(r) {
				e.formAnswer(w, r, target, fn)
				return
			}
			if err := fn(w, r); err != nil {
				httpjson.WriteError(w, r, e.cfg.Logger, err)
			}
		}))
	}
	return out
}

// accepted is the answer of sign-up and reset requests, whatever the address.
var accepted = map[string]string{"status": "accepted"}

// signup answers 202 for any well-formed request. A new address gets a link to confirm it (the
// account exists once the link is followed); a taken one gets an email saying someone tried, and
// the same answer, after the same Argon2id work.
func (e *Edge) signup(w http.ResponseWriter, r *http.Request) error {
	var in Credentials
	if err := decodeAuth(r, &in); err != nil {
		return err
	}
	if err := e.allow(r.Context(), "edge:rate:account:"+e.pepper("ip", clientIP(r)), e.limits.Account, "account requests"); err != nil {
		return err
	}
	email := coach.NormalizeEmail(in.Email)
	hash, err := e.hasher.hash(r.Context(), in.Password)
	if err != nil {
		return err
	}
	_, err = e.userByEmail(r.Context(), email)
	switch coach.ErrorCode(err) {
	case "":
		err = e.mail(r.Context(), email, "signup-taken", "Someone tried to sign up with your address",
			"Someone tried to create a tradecoach account with this address, which already has one.\n\n"+
				"If it was you, log in instead, or reset your password at "+e.link("/reset")+".\nIf not, you can ignore this email.")
	case coach.ENOTFOUND:
		token := newToken()
		raw, _ := json.Marshal(pending{Email: email, PasswordHash: hash}) // strings always encode
		if err := e.cfg.Cache.Set(r.Context(), signupKey(token), raw, e.cfg.SignupTTL); err != nil {
			return err
		}
		err = e.mail(r.Context(), email, "signup", "Confirm your tradecoach account",
			"Follow this link to confirm your address and create your account:\n\n"+e.link("/signup/confirm#token="+token)+
				"\n\nIt works once, for "+e.cfg.SignupTTL.String()+". If you did not sign up, ignore this email.")
	}
	if err != nil {
		return err
	}
	httpjson.WriteJSON(w, http.StatusAccepted, accepted)
	return nil
}

// confirmSignup creates the account of a pending sign-up (once: the link is then used up).
func (e *Edge) confirmSignup(w http.ResponseWriter, r *http.Request) error {
	var in SignupConfirm
	if err := decodeAuth(r, &in); err != nil {
		return err
	}
	if err := e.allow(r.Context(), "edge:rate:account:"+e.pepper("ip", clientIP(r)), e.limits.Account, "account requests"); err != nil {
		return err
	}
	raw, err := e.cfg.Cache.Get(r.Context(), signupKey(in.Token))
	var p pending
	if err != nil || json.Unmarshal(raw, &p) != nil {
		return httpjson.Field("token", "the link is invalid, used or expired")
	}
	if err := e.cfg.Cache.Delete(r.Context(), signupKey(in.Token)); err != nil {
		return err
	}
	err = e.core.call(r.Context(), "", http.MethodPost, "/internal/users", map[string]string{"email": p.Email, "passwordHash": p.PasswordHash}, nil)
	if err != nil && coach.ErrorCode(err) != coach.ECONFLICT { // taken meanwhile: the owner's account stays as it is
		return err
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}

// login checks an email and password under the per-address and per-account limits, spending the
// same Argon2id work for an unknown email (against a dummy hash), and answers 401 alike for an
// unknown email and a wrong password. On success it ends the session the client brought, if any,
// and starts a new one (a new token: a cookie planted before login is never the session after).
func (e *Edge) login(w http.ResponseWriter, r *http.Request) error {
	var in Credentials
	if err := decodeAuth(r, &in); err != nil {
		return err
	}
	email := coach.NormalizeEmail(in.Email)
	if err := e.allow(r.Context(), "edge:rate:login-ip:"+e.pepper("ip", clientIP(r)), e.limits.LoginIP, "login attempts"); err != nil {
		return err
	}
	if err := e.allow(r.Context(), "edge:rate:login-account:"+e.pepper("email", email), e.limits.LoginAccount, "login attempts"); err != nil {
		return err
	}
	c, err := e.userByEmail(r.Context(), email)
	hash := c.PasswordHash
	switch coach.ErrorCode(err) {
	case "":
	case coach.ENOTFOUND:
		hash = e.dummy
	default:
		return err
	}
	ok, err := e.hasher.verify(r.Context(), hash, in.Password)
	if err != nil {
		return err
	}
	if !ok || c.User.ID == "" {
		return coach.Errorf(coach.EUNAUTHORIZED, "the email or the password is wrong")
	}
	if err := e.endSession(w, r); err != nil {
		return err
	}
	if _, err := e.startSession(w, r, c.User.ID); err != nil {
		return err
	}
	httpjson.WriteJSON(w, http.StatusOK, c.User)
	return nil
}

// logout ends the request's session.
func (e *Edge) logout(w http.ResponseWriter, r *http.Request) error {
	if _, ok := sessionOf(r.Context()); !ok {
		return coach.Errorf(coach.EUNAUTHORIZED, "sign in first")
	}
	if err := e.endSession(w, r); err != nil {
		return err
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}

// changePassword checks the current password, sets the new one (core ends every session of the
// user) and starts a new session for this client: the privilege change rotates the token.
func (e *Edge) changePassword(w http.ResponseWriter, r *http.Request) error {
	s, ok := sessionOf(r.Context())
	if !ok {
		return coach.Errorf(coach.EUNAUTHORIZED, "sign in first")
	}
	var in PasswordChange
	if err := decodeAuth(r, &in); err != nil {
		return err
	}
	if err := e.allow(r.Context(), "edge:rate:password:"+s.UserID, e.limits.LoginAccount, "password attempts"); err != nil {
		return err
	}
	var c credentials
	if err := e.core.call(r.Context(), "", http.MethodGet, "/internal/users/"+url.PathEscape(s.UserID), nil, &c); err != nil {
		return err
	}
	ok, err := e.hasher.verify(r.Context(), c.PasswordHash, in.CurrentPassword)
	if err != nil {
		return err
	}
	if !ok {
		return httpjson.Field("currentPassword", "wrong password")
	}
	if err := e.setPassword(r.Context(), s.UserID, in.NewPassword); err != nil {
		return err
	}
	clearCookie(w, SessionCookie)
	if _, err := e.startSession(w, r, s.UserID); err != nil {
		return err
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}

// requestReset answers 202 for any well-formed request, and emails a reset link when the address
// has an account.
func (e *Edge) requestReset(w http.ResponseWriter, r *http.Request) error {
	var in ResetRequest
	if err := decodeAuth(r, &in); err != nil {
		return err
	}
	email := coach.NormalizeEmail(in.Email)
	if err := e.allow(r.Context(), "edge:rate:account:"+e.pepper("ip", clientIP(r)), e.limits.Account, "account requests"); err != nil {
		return err
	}
	if err := e.allow(r.Context(), "edge:rate:reset:"+e.pepper("email", email), e.limits.Account, "reset requests"); err != nil {
		return err
	}
	c, err := e.userByEmail(r.Context(), email)
	switch coach.ErrorCode(err) {
	case "":
		exp := e.cfg.Clock.Now().Add(e.cfg.ResetTTL)
		token := e.resetToken(c.User.ID, c.PasswordHash, exp)
		err = e.mail(r.Context(), email, "reset", "Reset your tradecoach password",
			"Follow this link to choose a new password:\n\n"+e.link("/reset/confirm#token="+token)+
				"\n\nIt works once, for "+e.cfg.ResetTTL.String()+", and signs you out everywhere. If you did not ask, ignore this email.")
	case coach.ENOTFOUND:
		err = nil
	}
	if err != nil {
		return err
	}
	httpjson.WriteJSON(w, http.StatusAccepted, accepted)
	return nil
}

// confirmReset sets a new password through an emailed link's token: once, before it expires, and
// only while the password is the one the link was made for.
func (e *Edge) confirmReset(w http.ResponseWriter, r *http.Request) error {
	var in ResetConfirm
	if err := decodeAuth(r, &in); err != nil {
		return err
	}
	if err := e.allow(r.Context(), "edge:rate:account:"+e.pepper("ip", clientIP(r)), e.limits.Account, "account requests"); err != nil {
		return err
	}
	invalid := httpjson.Field("token", "the link is invalid, used or expired")
	claim, err := ParseResetToken(in.Token)
	if err != nil {
		return invalid
	}
	var c credentials
	err = e.core.call(r.Context(), "", http.MethodGet, "/internal/users/"+url.PathEscape(claim.UserID), nil, &c)
	switch {
	case coach.ErrorCode(err) == coach.ENOTFOUND:
		return invalid
	case err != nil:
		return err
	case !e.checkReset(claim, c.PasswordHash, e.cfg.Clock.Now()):
		return invalid
	}
	if err := e.setPassword(r.Context(), claim.UserID, in.Password); err != nil {
		return err
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}

// setPassword hashes password and stores it for userID; core ends every session of the user, and
// the edge drops those it knows from its cache at once (other edges within SessionCacheTTL).
func (e *Edge) setPassword(ctx context.Context, userID, password string) error {
	hash, err := e.hasher.hash(ctx, password)
	if err != nil {
		return err
	}
	var list struct {
		Sessions []coach.Session `json:"sessions"`
	}
	if err := e.core.call(ctx, userID, http.MethodGet, "/me/sessions", nil, &list); err != nil {
		return err
	}
	if err := e.core.call(ctx, "", http.MethodPut, "/internal/users/"+url.PathEscape(userID)+"/password", map[string]string{"passwordHash": hash}, nil); err != nil {
		return err
	}
	for _, s := range list.Sessions {
		e.forget(ctx, "", s.ID)
	}
	return nil
}

// userByEmail asks core for the user of an address and their hash.
func (e *Edge) userByEmail(ctx context.Context, email string) (credentials, error) {
	var c credentials
	err := e.core.call(ctx, "", http.MethodGet, "/internal/users/by-email?"+url.Values{"email": {email}}.Encode(), nil, &c)
	return c, err
}
