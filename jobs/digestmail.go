package jobs

import (
	"context"

	"github.com/tradecoach/coach"
	"github.com/tradecoach/coach/digest"
	"github.com/tradecoach/coach/transport"
)

// digestMailFooter closes every digest email: why it came, and how to stop it.
const digestMailFooter = "\n--\nYou get this email because you turned on the weekly digest by email in your settings. " +
	"Turn it off there to stop it.\n"

// DigestMail returns the email of digest d for user u: to u.Email, the digest as plain text
// (digest.RenderText) with a footer saying why it came and how to stop it, and the id
// DigestID(u.ID, week), so that a message sent again after a failure carries the same
// Message-ID. EINVALID when u has no email or d's payload does not parse.
func DigestMail(u coach.User, d coach.Digest) (transport.Mail, error) {
	if u.Email == "" {
		return transport.Mail{}, coach.Errorf(coach.EINVALID, "digest mail: the user has no email address")
	}
	p, err := digest.ParsePayload(d.Payload)
	if err != nil {
		return transport.Mail{}, err
	}
	text, err := digest.RenderText(p)
	if err != nil {
		return transport.Mail{}, err
	}
	// The week of the digest's first day: the ISO week the digest is of, whatever its payload says.
	week := digest.WeekOfDate(d.PeriodStart).String()
	return transport.Mail{
		To:      u.Email,
		Subject: "Your weekly trading digest, " + week,
		Text:    text + digestMailFooter,
		ID:      DigestID(u.ID, week),
	}, nil
}

// deliverDigest sends digest d by email when its user opted in (coach.User.DigestByEmail) and has
// an email address, then sets its DeliveredAt. A digest whose DeliveredAt is set already is not
// sent again, so a retried job sends at most once after a success; a failed Send returns its
// error and leaves DeliveredAt unset, so the job retries. Users who did not opt in get nothing,
// and their digest's DeliveredAt stays unset.
func (h *Handlers) deliverDigest(ctx context.Context, userID string, d coach.Digest) error {
	u, err := h.store.Users().ByID(ctx, userID)
	if err != nil {
		return err
	}
	if !u.DigestByEmail || u.Email == "" {
		return nil
	}
	cur, err := h.store.Digests().Get(ctx, userID, d.ID)
	if err != nil {
		return err
	}
	if cur.DeliveredAt != nil {
		return nil
	}
	m, err := DigestMail(u, cur)
	if err != nil {
		return err
	}
	if err := h.mailer.Send(ctx, m); err != nil {
		return err
	}
	if err := h.store.Digests().MarkDelivered(ctx, userID, cur.ID, h.clock.Now().UTC()); err != nil {
		return err
	}
	h.log.InfoContext(ctx, "jobs: digest delivered by email", "userId", userID, "digestId", cur.ID, "mailId", m.ID)
	return nil
}
