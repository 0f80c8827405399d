package jobs

import (
	"context"

	"github.com/tradecoach/coach/digest"
	"github.com/tradecoach/coach/transport"
)

// DigestWeekly is the handler of digest.weekly: it builds and stores the user's digest of the
// payload's ISO week (digest.Service.Weekly), which stores nothing new and emits no second
// digest.ready when run again on unchanged data. With Config.Mailer, it then sends the digest by
// email to a user who opted in (coach.User.DigestByEmail) and has an address, and sets the
// digest's DeliveredAt: once it is set, a retried or repeated job sends nothing more; a failed
// send leaves it unset and returns the Mailer's error (EUNAVAILABLE: the job retries). A payload
// with NoMail (the backfill after an import, DigestBackfillJob) builds and stores the digest and
// sends nothing, leaving DeliveredAt as it was, so the weekly job of the same week, run before
// or after it, still mails that digest once. A user that is gone is skipped; other errors are
// classified as Classify says.
//
// The payload names one user: the hourly fan-out (DigestFanout) enqueues one such job per user
// whose local week has ended. The week-wide job of transport.WeeklyDigestJob (payload {"week":
// …}, no user, fired Mondays 00:00 UTC, which ends no one's week but London's) is not this
// handler's: it is EINVALID here, dead-lettered for a person to see; schedule FanoutJob hourly
// instead.
func (h *Handlers) DigestWeekly(ctx context.Context, j transport.Job) error {
	if !h.constructed() {
		return errNotConstructed
	}
	if h.digester == nil {
		return unavailable(transport.JobDigestWeekly, "Digester")
	}
	p, err := ParseDigest(j.Payload)
	if err != nil {
		return err
	}
	week, err := digest.ParseWeek(p.Week)
	if err != nil {
		return err
	}
	d, err := h.digester.Weekly(ctx, p.UserID, week)
	if err == nil && h.mailer != nil && !p.NoMail {
		err = h.deliverDigest(ctx, p.UserID, d)
	}
	return h.settle(ctx, j, err)
}
