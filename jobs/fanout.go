package jobs

import (
	"context"
	"time"

	"github.com/tradecoach/coach"
	"github.com/tradecoach/coach/transport"
)

// JobDigestFanout is the job type of the hourly digest fan-out, on q_digest.
const JobDigestFanout = "digest.fanout"

// Fan-out bounds.
const (
	// FanoutRetention is how long a completed fan-out keeps its id: a day, so that every
	// scheduler and retry firing for the same hour that day enqueues it once.
	FanoutRetention = 24 * time.Hour
	// fanoutPage is how many due digests the fan-out lists at a time.
	fanoutPage = 500
)

// FanoutPayload is the input of digest.fanout: enqueue the weekly digest of every user whose week
// ended in the hour up to Hour, a whole UTC hour (digest.Service.Due).
type FanoutPayload struct {
	Hour time.Time `json:"hour"`
}

// Validate reports the first invalid field of p.
func (p FanoutPayload) Validate() error {
	if p.Hour.IsZero() || !p.Hour.Truncate(time.Hour).Equal(p.Hour) || p.Hour.Year() < 2000 || p.Hour.Year() > 9999 {
		return coach.Errorf(coach.EINVALID, "hour: want a whole UTC hour")
	}
	return nil
}

// ParseFanout reads a FanoutPayload as ParseImport reads an ImportPayload.
func ParseFanout(b []byte) (FanoutPayload, error) {
	var p FanoutPayload
	return p, parse(b, JobDigestFanout, &p, func() error { return p.Validate() })
}

// FanoutID is the id of the fan-out of the hour up to hourStart: "digest.fanout:{hourStart}".
func FanoutID(hourStart time.Time) string { return JobDigestFanout + ":" + stamp(hourStart) }

// FanoutJob returns the digest.fanout job of the hour that starts at or last started before at
// (at truncated to the UTC hour), on q_digest, with id FanoutID and a retention of
// FanoutRetention. Its signature is that of transport/asynq's SchedulerConfig.Job: schedule it
// every hour ("0 * * * *"), and every scheduler firing in the same hour enqueues it once.
func FanoutJob(at time.Time) transport.Job {
	hour := at.UTC().Truncate(time.Hour)
	j, err := job(JobDigestFanout, FanoutID(hour), transport.QueueDigest, FanoutPayload{Hour: hour}, FanoutRetention)
	if err != nil {
		// A whole hour's payload always encodes; should it not, the job is refused at Enqueue.
		return transport.Job{Type: JobDigestFanout, Queue: transport.QueueDigest}
	}
	return j
}

// DigestFanout is the handler of digest.fanout: it pages through the digests due in the payload's
// hour (digest.Service.Due: each user whose local week ended in that hour, in their time zone)
// and enqueues the digest.weekly job of each (DigestJob, id digest:{userId}:{isoWeek}). Due only
// reads and the ids dedupe, so a fan-out run twice, or by two workers at once, enqueues each
// digest once; a failed enqueue fails the fan-out, whose retry enqueues again what is left. An
// hour after the Digester's clock is EINVALID (a week that has not ended is never due).
func (h *Handlers) DigestFanout(ctx context.Context, j transport.Job) error {
	if !h.constructed() {
		return errNotConstructed
	}
	if h.digester == nil {
		return unavailable(JobDigestFanout, "Digester")
	}
	p, err := ParseFanout(j.Payload)
	if err != nil {
		return err
	}
	for after := ""; ; {
		page, err := h.digester.Due(ctx, p.Hour, after, fanoutPage)
		if err != nil {
			return err
		}
		for _, d := range page.Due {
			dj, err := DigestJob(DigestPayload{UserID: d.UserID, Week: d.Week.String()})
			if err != nil {
				return err
			}
			if _, err := h.queue.Enqueue(ctx, dj); err != nil {
				return err
			}
		}
		if page.Next == "" {
			return nil
		}
		after = page.Next
	}
}
