package jobs

import "github.com/tradecoach/coach/transport"

// Schedule returns the table of every periodic job, for a host to run on its scheduler: one
// transport/asynq Scheduler per entry (SchedulerConfig{Cron: p.Cron, Job: p.Job}), or one
// transport/memory Scheduler for the whole table. Crons are in UTC and spread over the hour so
// that the jobs do not all start at once. Each job's id names its period, so every host may run
// the whole schedule: each job runs once per period.
//
//	digest.fanout           0 * * * *    hourly    FanoutJob
//	sync.fanout             */15 * * * * 15 min    SyncFanoutJob
//	retention.sessions      20 * * * *   hourly    RetentionSessionsJob
//	retention.exports       25 * * * *   hourly    RetentionExportsJob
//	retention.outbox        10 3 * * *   daily     RetentionOutboxJob
//	retention.digests       30 3 * * *   daily     RetentionDigestsJob
//	retention.deadletters   50 3 * * *   daily     RetentionDeadLettersJob
//	retention.webhooks      40 3 * * *   daily     RetentionWebhooksJob
//
// A worker runs the retention jobs only with Config.Retention set, and sync.fanout only with an
// Importer; give them to the workers that run q_digest and q_import.
func Schedule() []transport.Periodic {
	return []transport.Periodic{
		{Name: JobDigestFanout, Cron: "0 * * * *", Job: FanoutJob},
		{Name: JobSyncFanout, Cron: "*/15 * * * *", Job: SyncFanoutJob},
		{Name: JobRetentionSessions, Cron: "20 * * * *", Job: RetentionSessionsJob},
		{Name: JobRetentionExports, Cron: "25 * * * *", Job: RetentionExportsJob},
		{Name: JobRetentionOutbox, Cron: "10 3 * * *", Job: RetentionOutboxJob},
		{Name: JobRetentionDigests, Cron: "30 3 * * *", Job: RetentionDigestsJob},
		{Name: JobRetentionDeadLetters, Cron: "50 3 * * *", Job: RetentionDeadLettersJob},
		{Name: JobRetentionWebhooks, Cron: "40 3 * * *", Job: RetentionWebhooksJob},
	}
}
