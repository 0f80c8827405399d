package edge

import (
	"context"

	"github.com/tradecoach/coach"
	"github.com/tradecoach/coach/transport"
)

// mail sends one plain-text message; its ID is kind and a random id (never the address, which the
// logs of a mailer must not show either).
func (e *Edge) mail(ctx context.Context, to, kind, subject, text string) error {
	return e.cfg.Mailer.Send(ctx, transport.Mail{To: to, Subject: subject, Text: text, ID: kind + ":" + coach.NewID()})
}

// link is an absolute link to path on the public origin.
func (e *Edge) link(path string) string { return e.public.String() + path }
