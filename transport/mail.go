package transport

import (
	"context"
	"net/mail"
	"strings"

	"github.com/tradecoach/coach"
)

// Mail is one message to one recipient, in plain text with an optional HTML alternative.
type Mail struct {
	// To is the recipient: a plain address (no display name), as coach.User.Email holds it.
	To string
	// Subject is one line.
	Subject string
	// Text is the plain-text body. Required: every message reads without HTML.
	Text string
	// HTML is an optional alternative body; "" sends text only.
	HTML string
	// ID identifies the message for idempotency and tracing (e.g. "digest:{userId}:{isoWeek}");
	// adapters put it in the Message-ID header. Required.
	ID string
}

// Validate reports the first invalid field of m, as EINVALID naming it. Header fields may not
// hold line breaks, so a caller cannot inject headers through a subject or an address.
func (m Mail) Validate() error {
	switch {
	case m.To == "" || len(m.To) > 254:
		return coach.Errorf(coach.EINVALID, "mail: To: want an address of 1 to 254 bytes")
	case m.Subject == "" || len(m.Subject) > 998 || strings.ContainsAny(m.Subject, "\r\n"):
		return coach.Errorf(coach.EINVALID, "mail: Subject: want one line of 1 to 998 bytes")
	case m.Text == "":
		return coach.Errorf(coach.EINVALID, "mail: Text: required")
	case m.ID == "" || len(m.ID) > 200 || strings.ContainsAny(m.ID, "\r\n<> "):
		return coach.Errorf(coach.EINVALID, "mail: ID: want 1 to 200 bytes without spaces, angle brackets or line breaks")
	}
	if a, err := mail.ParseAddress(m.To); err != nil || a.Address != m.To || a.Name != "" {
		return coach.Errorf(coach.EINVALID, "mail: To: not a plain address")
	}
	return nil
}

// Mailer sends mail. Send returns nil once the message is accepted for delivery (by the relay,
// or by the in-memory mailbox), EINVALID for a message that fails Validate (nothing is sent),
// EUNAVAILABLE when the relay cannot be reached or refuses for now (the caller may retry; the
// same ID may then arrive twice, so receivers and logs dedupe by it) and ECANCELED when ctx ends
// first. Implementations are safe for concurrent use and never log the recipient's address in
// clear or the body (a password-reset link is a secret).
type Mailer interface {
	Send(ctx context.Context, m Mail) error
}
