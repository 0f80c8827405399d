// Package jobs is the seed's background work as SDK functions: the payloads, the deterministic
// ids and one handler each for import.trades, score.bias, simulate.simple and digest.weekly, on
// the queues q_import, q_score, q_sim and q_digest (transport.Queue* and transport.Job*).
//
// # Ids
//
// A job's id says exactly what makes two jobs the same, so that enqueueing the same work twice
// runs it once (transport.Queue dedupes by id while the job is queued, running or retained):
//
//	import:{connectionId}:{windowStart}                      ImportID
//	score:{userId}:{from}:{to}:{definitionVersion}           ScoreID
//	simulate:{runId}                                         SimulateID
//	digest:{userId}:{isoWeek}                                DigestID
//	digest:{userId}:{isoWeek}:backfill:{from}:{to}:{defVer}  DigestBackfillID
//	digest.fanout:{hourStart}                                FanoutID
//	retention.outbox:{dayStart}                              RetentionID (daily)
//	retention.digests:{dayStart}                             RetentionID (daily)
//	retention.deadletters:{dayStart}                         RetentionID (daily)
//	retention.webhooks:{dayStart}                            RetentionID (daily)
//	retention.sessions:{hourStart}                           RetentionID (hourly)
//	retention.exports:{hourStart}                            RetentionID (hourly)
//	sync.fanout:{slotStart}                                  SyncFanoutID
//
// Times are RFC 3339 in UTC with as many fractional digits as they need (none for whole
// seconds). A score job names the imported window and the bias definitions it scores with: a
// later import (another window) is never dropped as a duplicate of an earlier score, and new
// definitions score again what the old ones scored.
//
// # Handlers
//
// Handlers (built by New from a Config of the capability services) run each job through its
// service and are idempotent: importing a window again stores no duplicate, scoring again
// replaces the same tags and emits nothing new, running an ended simulation run returns it, and a
// digest of unchanged data stores nothing new. The import handler asks for the scoring of what it
// touched: after a successful import it enqueues score.bias for the imported window. The hourly
// digest.fanout (FanoutJob, scheduled every hour) enqueues digest.weekly for each user whose
// week has just ended in their own time zone (digest.Service.Due); with Config.Mailer,
// digest.weekly then mails the digest (DigestMail) to a user who opted in and marks it delivered,
// once.
//
// # Past weeks: the digest backfill
//
// An import brings fills of past weeks (a first import reaches back a month), whose digests the
// fan-out, which builds only the week just ended, would never build. So score.bias, after scoring
// an imported window, enqueues digest.weekly for each complete week of the user's time zone that
// the window's trades touch, among the last Config.DigestBackfill (digest.DefaultBackfillWeeks,
// 8) weeks that have ended (digest.Service.BackfillWeeks), with DigestPayload.NoMail set and the
// id DigestBackfillID — never DigestID. Such a job builds and stores the digest (a digest of that
// week already stored is rebuilt from the new fills, keeping its id and DeliveredAt) and mails
// nothing; the weekly job of the week just ended keeps its own id and mails its digest once,
// whether it runs before or after the backfill. The backfill waits for the scoring, so the digests
// it builds carry the labels (P/L by label) of the imported trades. Running it again changes
// nothing and mails nothing.
//
// The sync.fanout (SyncFanoutJob,
// every 15 minutes) enqueues import.trades for each active API connection due for sync, from its
// sync mark (storage.Syncs) to the slot; Syncer.SyncNow does the same for one connection when its
// user asks, at most once a minute.
//
// # Retention and the schedule
//
// With Config.Retention the retention jobs run on q_digest, each for its period (its payload's
// day or hour, from which its cut-offs count back, so a late or repeated run deletes the same
// things): retention.outbox makes the outbox partitions ahead and drops events past 90 days
// (outbox.Retention; never the present month), retention.digests archives digests older than
// 6 months to the blob store as JSON (DigestArchiveKey) and then deletes them — archive first,
// delete only what was archived, never archive the same bytes twice — retention.sessions purges
// expired sessions, retention.exports asks an ExportPurger to purge expired exports, and
// retention.deadletters expires dead letters after 30 days, and retention.webhooks deletes webhook
// deliveries 30 days after they settled (never one still being retried). Schedule is the table of every
// periodic job (the fan-out and the retention jobs) with its cron, for transport/asynq's
// Scheduler or transport/memory's.
//
// Errors are mapped by their code (Classify): a job whose subject is gone or refuses for good
// (ENOTFOUND, EUNAUTHORIZED, EFORBIDDEN, EGONE, or a paused or revoked connection) is skipped —
// logged, and completed so that it is not retried; a job that is itself wrong (EINVALID: a
// malformed payload) is returned as EINVALID, which the queue dead-letters at once; every other
// error (EUNAVAILABLE, ERATELIMITED, ERETRYABLE, ECONFLICT, ECANCELED, EINTERNAL) is returned
// so that the queue retries with backoff and dead-letters the job when its retries run out.
package jobs
