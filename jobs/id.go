package jobs

import (
	"encoding/json"
	"time"

	"github.com/pkg/errors"

	"github.com/tradecoach/coach"
	"github.com/tradecoach/coach/transport"
)

// DigestRetention is how long a completed digest.weekly job keeps its id: a week and a day, so
// that a fan-out repeated at any time during the following week does not build the digest twice.
const DigestRetention = 8 * 24 * time.Hour

// stamp formats t for an id: RFC 3339 in UTC, with the fractional seconds it needs.
func stamp(t time.Time) string { return t.UTC().Format(time.RFC3339Nano) }

// ImportID is the id of the import of a connection's window starting at windowStart:
// "import:{connectionId}:{windowStart}".
func ImportID(connectionID string, windowStart time.Time) string {
	return "import:" + connectionID + ":" + stamp(windowStart)
}

// ScoreID is the id of the scoring of a user's trades in [from, to) with the definitions of
// definitionVersion: "score:{userId}:{from}:{to}:{definitionVersion}".
func ScoreID(userID string, from, to time.Time, definitionVersion string) string {
	return "score:" + userID + ":" + stamp(from) + ":" + stamp(to) + ":" + definitionVersion
}

// SimulateID is the id of the job that runs simulation run runID: "simulate:{runId}".
func SimulateID(runID string) string { return "simulate:" + runID }

// DigestID is the id of a user's digest of an ISO week ("2026-W04"): "digest:{userId}:{isoWeek}".
func DigestID(userID, isoWeek string) string { return "digest:" + userID + ":" + isoWeek }

// DigestBackfillID is the id of the backfill of a user's digest of an ISO week after the
// scoring of their trades in [from, to) with the definitions of definitionVersion (the score
// job ScoreID names): "digest:{userId}:{isoWeek}:backfill:{from}:{to}:{definitionVersion}". It
// is never DigestID, so a backfill never stands in for, nor is dropped as, the weekly digest the
// fan-out enqueues and mails; and each import's scoring asks for its own rebuild.
func DigestBackfillID(userID, isoWeek string, from, to time.Time, definitionVersion string) string {
	return DigestID(userID, isoWeek) + ":backfill:" + stamp(from) + ":" + stamp(to) + ":" + definitionVersion
}

// ImportJob returns the import.trades job of p on q_import, with id ImportID. EINVALID if p is
// invalid.
func ImportJob(p ImportPayload) (transport.Job, error) {
	if err := p.Validate(); err != nil {
		return transport.Job{}, err
	}
	p.WindowStart, p.WindowEnd = p.WindowStart.UTC(), p.WindowEnd.UTC()
	return job(transport.JobImportTrades, ImportID(p.ConnectionID, p.WindowStart), transport.QueueImport, p, 0)
}

// ScoreJob returns the score.bias job of p on q_score, with id ScoreID. EINVALID if p is invalid.
func ScoreJob(p ScorePayload) (transport.Job, error) {
	if err := p.Validate(); err != nil {
		return transport.Job{}, err
	}
	p.From, p.To = p.From.UTC(), p.To.UTC()
	return job(transport.JobScoreBias, ScoreID(p.UserID, p.From, p.To, p.DefinitionVersion), transport.QueueScore, p, 0)
}

// SimulateJob returns the simulate.simple job of p on q_sim, with id SimulateID. EINVALID if p is
// invalid.
func SimulateJob(p SimulatePayload) (transport.Job, error) {
	if err := p.Validate(); err != nil {
		return transport.Job{}, err
	}
	return job(transport.JobSimulateSimple, SimulateID(p.RunID), transport.QueueSim, p, 0)
}

// DigestJob returns the digest.weekly job of p on q_digest, with id DigestID and a retention of
// DigestRetention. EINVALID if p is invalid.
func DigestJob(p DigestPayload) (transport.Job, error) {
	if err := p.Validate(); err != nil {
		return transport.Job{}, err
	}
	return job(transport.JobDigestWeekly, DigestID(p.UserID, p.Week), transport.QueueDigest, p, DigestRetention)
}

// job makes a job of payload p.
func job(typ, id, queue string, p any, retention time.Duration) (transport.Job, error) {
	b, err := json.Marshal(p)
	if err != nil {
		return transport.Job{}, errors.Wrap(err, "jobs: encode "+typ)
	}
	j := transport.Job{Type: typ, ID: id, Queue: queue, Payload: b, Retention: retention}
	if err := j.Validate(); err != nil {
		return transport.Job{}, coach.Errorf(coach.EINVALID, "%s: %s", typ, coach.ErrorMessage(err))
	}
	return j, nil
}

// DigestBackfillJob returns the digest.weekly job that rebuilds the user's digest of week without
// mailing it (DigestPayload.NoMail), after the scoring of p's window: on q_digest, with id
// DigestBackfillID and the queue's default retention. EINVALID if p or week is invalid.
func DigestBackfillJob(p ScorePayload, week string) (transport.Job, error) {
	if err := p.Validate(); err != nil {
		return transport.Job{}, err
	}
	d := DigestPayload{UserID: p.UserID, Week: week, NoMail: true}
	if err := d.Validate(); err != nil {
		return transport.Job{}, err
	}
	return job(transport.JobDigestWeekly, DigestBackfillID(p.UserID, week, p.From, p.To, p.DefinitionVersion), transport.QueueDigest, d, 0)
}
