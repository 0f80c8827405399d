package jobs

import (
	"context"
	"time"

	"github.com/tradecoach/coach"
	"github.com/tradecoach/coach/transport"
)

// JobEraseUser erases everything a user has, everywhere (privacy.Eraser).
const JobEraseUser = "erase.user"

// EraseRetention is how long a completed erase.user job keeps its id (and its payload, which
// names the user, in the queue): a minute, enough to fold a double click into one run, short
// enough that the queue forgets the erased user soon. A later duplicate runs again, harmlessly:
// erasing is idempotent.
const EraseRetention = time.Minute

// ErasePayload is the input of erase.user: erase the user UserID.
type ErasePayload struct {
	UserID string `json:"userId"`
}

// Validate reports the first invalid field of p.
func (p ErasePayload) Validate() error {
	if !coach.ValidID(p.UserID) {
		return coach.Errorf(coach.EINVALID, "userId: required")
	}
	return nil
}

// ParseErase reads an ErasePayload as ParseImport reads an ImportPayload.
func ParseErase(b []byte) (ErasePayload, error) {
	var p ErasePayload
	return p, parse(b, JobEraseUser, &p, func() error { return p.Validate() })
}

// EraseID is the id of the erasure of a user: "erase:{userId}".
func EraseID(userID string) string { return "erase:" + userID }

// EraseJob returns the erase.user job of p on q_import (the busiest workers' first queue, so an
// erasure does not wait behind the week's digests), with id EraseID and a retention of
// EraseRetention. EINVALID if p is invalid.
func EraseJob(p ErasePayload) (transport.Job, error) {
	if err := p.Validate(); err != nil {
		return transport.Job{}, err
	}
	return job(JobEraseUser, EraseID(p.UserID), transport.QueueImport, p, EraseRetention)
}

// EraseUser is the handler of erase.user: it erases the payload's user (privacy.Eraser.Erase),
// which succeeds, removing nothing more, for a user already erased. Errors are classified as
// Classify says: a store or a server that cannot be reached is retried, and the retry finishes
// what the failed attempt began.
func (h *Handlers) EraseUser(ctx context.Context, j transport.Job) error {
	if !h.constructed() {
		return errNotConstructed
	}
	if h.eraser == nil {
		return unavailable(JobEraseUser, "Eraser")
	}
	p, err := ParseErase(j.Payload)
	if err != nil {
		return err
	}
	_, err = h.eraser.Erase(ctx, p.UserID)
	return h.settle(ctx, j, err)
}
