package core

import (
	"net/http"
	"strings"
	"time"

	"github.com/tradecoach/coach"
	"github.com/tradecoach/coach/transport/httpjson"
)

// The routes under /internal/ act for nobody: the edge calls them to sign users up and in, before
// there is a user to name in the subject. They take and give password hashes (Argon2id, made by
// the edge), never passwords.

// userRequest creates a user.
type userRequest struct {
	Email        string `json:"email"`
	PasswordHash string `json:"passwordHash"`
	TimeZone     string `json:"timeZone"`
}

func (u userRequest) Validate() error {
	var errs httpjson.FieldErrors
	if !validPasswordHash(u.PasswordHash) {
		errs = append(errs, httpjson.FieldError{Field: "passwordHash", Message: "want an Argon2id hash in PHC form ($argon2id$v=19$…)"})
	}
	if u.TimeZone != "" {
		if _, err := time.LoadLocation(u.TimeZone); err != nil || u.TimeZone == "Local" {
			errs = append(errs, httpjson.FieldError{Field: "timeZone", Message: "want an IANA time zone such as Europe/Berlin"})
		}
	}
	if len(errs) > 0 {
		return errs
	}
	return nil
}

// validPasswordHash reports whether h looks like an Argon2id PHC string: core refuses to store
// anything that could be a password in clear.
func validPasswordHash(h string) bool {
	return strings.HasPrefix(h, "$argon2id$v=19$") && strings.Count(h, "$") == 5 && len(h) <= 256
}

// createUser stores a new user; an email already taken is ECONFLICT (the edge answers a sign-up
// with a taken address as it answers a fresh one).
func (a *API) createUser(r *http.Request, _ string) (int, any, error) {
	var in userRequest
	if err := httpjson.Decode(r, maxBodyBytes, &in); err != nil {
		return fail(err)
	}
	u := coach.User{ID: coach.NewID(), Email: coach.NormalizeEmail(in.Email), PasswordHash: in.PasswordHash,
		CreatedAt: a.clock.Now().UTC(), TimeZone: in.TimeZone}
	if err := a.store.Users().Create(r.Context(), u); err != nil {
		return fail(err)
	}
	return http.StatusCreated, u, nil
}

// credentials is a user with their password hash, for the edge's login check only.
type credentials struct {
	User         coach.User `json:"user"`
	PasswordHash string     `json:"passwordHash"`
}

// userByEmail answers the user with that address and their password hash, or not_found.
func (a *API) userByEmail(r *http.Request, _ string) (int, any, error) {
	email := r.URL.Query().Get("email")
	if email == "" {
		return fail(httpjson.Field("email", "required"))
	}
	u, err := a.store.Users().ByEmail(r.Context(), email)
	if err != nil {
		return fail(err)
	}
	return ok(credentials{User: u, PasswordHash: u.PasswordHash})
}

// userByID answers the user and their password hash, for the edge's password change and reset
// checks only.
func (a *API) userByID(r *http.Request, _ string) (int, any, error) {
	u, err := a.store.Users().ByID(r.Context(), r.PathValue("id"))
	if err != nil {
		return fail(err)
	}
	return ok(credentials{User: u, PasswordHash: u.PasswordHash})
}

type passwordRequest struct {
	PasswordHash string `json:"passwordHash"`
}

// setPassword replaces a user's password hash and ends every session of theirs (a password
// change or reset signs the user out everywhere).
func (a *API) setPassword(r *http.Request, _ string) (int, any, error) {
	var in passwordRequest
	if err := httpjson.Decode(r, maxBodyBytes, &in); err != nil {
		return fail(err)
	}
	if !validPasswordHash(in.PasswordHash) {
		return fail(httpjson.Field("passwordHash", "want an Argon2id hash in PHC form ($argon2id$v=19$…)"))
	}
	u, err := a.store.Users().ByID(r.Context(), r.PathValue("id"))
	if err != nil {
		return fail(err)
	}
	u.PasswordHash = in.PasswordHash
	if err := a.store.Users().Update(r.Context(), u); err != nil {
		return fail(err)
	}
	if _, err := a.store.Sessions().DeleteAll(r.Context(), u.ID); err != nil {
		return fail(err)
	}
	return noContent()
}
