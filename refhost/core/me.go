package core

import (
	"net/http"
	"time"

	"github.com/tradecoach/coach"
	"github.com/tradecoach/coach/transport/httpjson"
)

// me answers the signed user's profile (never the password hash).
func (a *API) me(r *http.Request, userID string) (int, any, error) {
	u, err := a.store.Users().ByID(r.Context(), userID)
	if err != nil {
		return fail(err)
	}
	return ok(u)
}

// settingsRequest changes the user's settings; an absent field is left as it is.
type settingsRequest struct {
	TimeZone          *string `json:"timeZone"`
	ReportingCurrency *string `json:"reportingCurrency"`
	// DigestByEmail opts in to (true) or out of (false) receiving each weekly digest by email.
	DigestByEmail *bool `json:"digestByEmail"`
}

func (s settingsRequest) Validate() error {
	var errs httpjson.FieldErrors
	if s.TimeZone != nil {
		if _, err := time.LoadLocation(*s.TimeZone); err != nil || *s.TimeZone == "Local" {
			errs = append(errs, httpjson.FieldError{Field: "timeZone", Message: "want an IANA time zone such as Europe/Berlin"})
		}
	}
	if s.ReportingCurrency != nil && !coach.ValidCurrency(*s.ReportingCurrency) {
		errs = append(errs, httpjson.FieldError{Field: "reportingCurrency", Message: "want an asset code such as USD or EUR"})
	}
	if len(errs) > 0 {
		return errs
	}
	return nil
}

// updateSettings changes the time zone and reporting currency the user's days, weeks and
// figures are reported in, and whether their weekly digest comes by email too. Opting in needs
// an email address on the account (400 on digestByEmail otherwise).
func (a *API) updateSettings(r *http.Request, userID string) (int, any, error) {
	var in settingsRequest
	if err := httpjson.Decode(r, maxBodyBytes, &in); err != nil {
		return fail(err)
	}
	u, err := a.store.Users().ByID(r.Context(), userID)
	if err != nil {
		return fail(err)
	}
	if in.TimeZone != nil {
		u.TimeZone = *in.TimeZone
	}
	if in.ReportingCurrency != nil {
		u.ReportingCurrency = *in.ReportingCurrency
	}
	if in.DigestByEmail != nil {
		if *in.DigestByEmail && u.Email == "" {
			return fail(httpjson.FieldErrors{{Field: "digestByEmail", Message: "the account has no email address to send the digest to"}})
		}
		u.DigestByEmail = *in.DigestByEmail
	}
	if err := a.store.Users().Update(r.Context(), u); err != nil {
		return fail(err)
	}
	return ok(u)
}
