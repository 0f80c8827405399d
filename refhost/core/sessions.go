package core

import (
	"net/http"
	"time"

	"github.com/tradecoach/coach"
	"github.com/tradecoach/coach/storage"
	"github.com/tradecoach/coach/transport/httpjson"
)

// sessionRequest creates a session: the edge made the token and sends only its hash.
type sessionRequest struct {
	UserID    string    `json:"userId"`
	TokenHash string    `json:"tokenHash"`
	IPHash    string    `json:"ipHash"`
	UAHash    string    `json:"uaHash"`
	ExpiresAt time.Time `json:"expiresAt"`
}

// createSession stores a signed-in session with a login audit row.
func (a *API) createSession(r *http.Request, _ string) (int, any, error) {
	var in sessionRequest
	if err := httpjson.Decode(r, maxBodyBytes, &in); err != nil {
		return fail(err)
	}
	s := coach.Session{ID: coach.NewID(), UserID: in.UserID, CreatedAt: a.clock.Now().UTC(), ExpiresAt: in.ExpiresAt.UTC(),
		IPHash: in.IPHash, UAHash: in.UAHash, TokenHash: in.TokenHash}
	err := a.store.InTx(r.Context(), func(tx storage.Tx) error {
		if _, err := tx.Users().ByID(r.Context(), s.UserID); err != nil {
			return err
		}
		if err := tx.Sessions().Create(r.Context(), s); err != nil {
			return err
		}
		return a.audit(r, tx, s.UserID, coach.AuditLogin, "sessionId", s.ID)
	})
	if err != nil {
		return fail(err)
	}
	return http.StatusCreated, s, nil
}

// resolveSession answers the live session of a token hash: not_found for an unknown one, gone for
// an expired one (which it deletes).
func (a *API) resolveSession(r *http.Request, _ string) (int, any, error) {
	s, err := a.store.Sessions().ByTokenHash(r.Context(), r.PathValue("tokenHash"))
	if err != nil {
		return fail(err)
	}
	if s.Expired(a.clock.Now()) {
		_ = a.store.Sessions().Delete(r.Context(), s.UserID, s.ID) // a stale row; purged later if this fails
		return fail(coach.Errorf(coach.EGONE, "the session has expired"))
	}
	return ok(s)
}

// expiryRequest moves a session's expiry.
type expiryRequest struct {
	ExpiresAt time.Time `json:"expiresAt"`
}

// touchSession slides a live session's expiry (the edge's idle timeout) to expiresAt: not_found
// for an unknown token hash, gone for an expired session (which stays expired).
func (a *API) touchSession(r *http.Request, _ string) (int, any, error) {
	var in expiryRequest
	if err := httpjson.Decode(r, maxBodyBytes, &in); err != nil {
		return fail(err)
	}
	s, err := a.store.Sessions().ByTokenHash(r.Context(), r.PathValue("tokenHash"))
	if err != nil {
		return fail(err)
	}
	if s.Expired(a.clock.Now()) {
		return fail(coach.Errorf(coach.EGONE, "the session has expired"))
	}
	if err := a.store.Sessions().Touch(r.Context(), s.UserID, s.ID, in.ExpiresAt); err != nil {
		return fail(err)
	}
	s.ExpiresAt = in.ExpiresAt.UTC()
	return ok(s)
}

// endSession signs a session out by its token hash (logout), with a logout audit row.
func (a *API) endSession(r *http.Request, _ string) (int, any, error) {
	err := a.store.InTx(r.Context(), func(tx storage.Tx) error {
		s, err := tx.Sessions().ByTokenHash(r.Context(), r.PathValue("tokenHash"))
		if err != nil {
			return err
		}
		if err := tx.Sessions().Delete(r.Context(), s.UserID, s.ID); err != nil {
			return err
		}
		return a.audit(r, tx, s.UserID, coach.AuditLogout, "sessionId", s.ID)
	})
	if err != nil {
		return fail(err)
	}
	return noContent()
}

// listSessions answers the user's sessions, newest first, for them to review and revoke.
func (a *API) listSessions(r *http.Request, userID string) (int, any, error) {
	ss, err := a.store.Sessions().List(r.Context(), userID)
	if err != nil {
		return fail(err)
	}
	return ok(map[string]any{"sessions": nonNil(ss)})
}

// revokeSession ends one of the user's sessions.
func (a *API) revokeSession(r *http.Request, userID string) (int, any, error) {
	id := r.PathValue("id")
	err := a.store.InTx(r.Context(), func(tx storage.Tx) error {
		if err := tx.Sessions().Delete(r.Context(), userID, id); err != nil {
			return err
		}
		return a.audit(r, tx, userID, coach.AuditLogout, "sessionId", id, "revoked", "true")
	})
	if err != nil {
		return fail(err)
	}
	return noContent()
}
