package edge

import (
	"net/mail"
	"unicode/utf8"

	"github.com/tradecoach/coach/transport/httpjson"
)

// maxAuthBody bounds the body of an /auth/ request.
const maxAuthBody = 8 << 10

// Password lengths, in characters (OWASP: at least 12 without composition rules, long
// passphrases allowed).
const (
	MinPasswordChars = 12
	MaxPasswordChars = 1024
)

// Credentials is the body of sign-up and login.
type Credentials struct {
	Email    string `json:"email"`
	Password string `json:"password"`
}

// Validate names each invalid field.
func (c Credentials) Validate() error {
	return fieldErrors(emailField("email", c.Email), passwordField("password", c.Password))
}

// PasswordChange is the body of POST /auth/password.
type PasswordChange struct {
	CurrentPassword string `json:"currentPassword"`
	NewPassword     string `json:"newPassword"`
}

// Validate names each invalid field.
func (p PasswordChange) Validate() error {
	var cur *httpjson.FieldError
	if p.CurrentPassword == "" || len(p.CurrentPassword) > 4*MaxPasswordChars {
		cur = &httpjson.FieldError{Field: "currentPassword", Message: "required"}
	}
	return fieldErrors(cur, passwordField("newPassword", p.NewPassword))
}

// ResetRequest is the body of POST /auth/reset.
type ResetRequest struct {
	Email string `json:"email"`
}

// Validate names an invalid email.
func (r ResetRequest) Validate() error { return fieldErrors(emailField("email", r.Email)) }

// ResetConfirm is the body of POST /auth/reset/confirm: the emailed link's token and the new
// password.
type ResetConfirm struct {
	Token    string `json:"token"`
	Password string `json:"password"`
}

// Validate names each invalid field.
func (r ResetConfirm) Validate() error {
	var tok *httpjson.FieldError
	if r.Token == "" || len(r.Token) > maxResetToken {
		tok = &httpjson.FieldError{Field: "token", Message: "required"}
	}
	return fieldErrors(tok, passwordField("password", r.Password))
}

// SignupConfirm is the body of POST /auth/signup/confirm: the emailed link's token.
type SignupConfirm struct {
	Token string `json:"token"`
}

// Validate names an invalid token.
func (s SignupConfirm) Validate() error {
	if !ParseToken(s.Token) {
		return httpjson.Field("token", "the link is invalid, used or expired")
	}
	return nil
}

func emailField(name, v string) *httpjson.FieldError {
	if v == "" || len(v) > 254 {
		return &httpjson.FieldError{Field: name, Message: "want an email address"}
	}
	if a, err := mail.ParseAddress(v); err != nil || a.Address != v || a.Name != "" {
		return &httpjson.FieldError{Field: name, Message: "want a plain email address such as ana@example.com"}
	}
	return nil
}

func passwordField(name, v string) *httpjson.FieldError {
	n := utf8.RuneCountInString(v)
	if !utf8.ValidString(v) || n < MinPasswordChars || n > MaxPasswordChars {
		return &httpjson.FieldError{Field: name, Message: "want 12 to 1024 characters"}
	}
	return nil
}

// fieldErrors is the FieldErrors of the non-nil fields, or nil.
func fieldErrors(fs ...*httpjson.FieldError) error {
	var out httpjson.FieldErrors
	for _, f := range fs {
		if f != nil {
			out = append(out, *f)
		}
	}
	if len(out) == 0 {
		return nil
	}
	return out
}
