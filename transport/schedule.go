package transport

import (
	"time"

	"github.com/tradecoach/coach"
)

// Periodic is a job enqueued on a schedule: at every firing of Cron a scheduler enqueues
// Job(at), at the firing's time. Job's id must depend only on the period at falls in, so that
// every scheduler and every retry firing for a period enqueue it once (the queue dedupes by id):
// several hosts may run the same schedule.
type Periodic struct {
	// Name names the entry, usually the job's type ("digest.fanout").
	Name string
	// Cron is when to fire: a standard five-field cron spec in UTC ("0 * * * *"), or a
	// descriptor such as "@daily" or "@every 1h".
	Cron string
	// Job returns the job of the firing at at.
	Job func(at time.Time) Job
}

// Validate reports the first invalid field of p (a Cron that does not parse is the scheduler's
// to refuse).
func (p Periodic) Validate() error {
	switch {
	case p.Name == "":
		return coach.Errorf(coach.EINVALID, "periodic job: name: required")
	case p.Cron == "":
		return coach.Errorf(coach.EINVALID, "periodic job %s: cron: required", p.Name)
	case p.Job == nil:
		return coach.Errorf(coach.EINVALID, "periodic job %s: job: required", p.Name)
	}
	return nil
}
