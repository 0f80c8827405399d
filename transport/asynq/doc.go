// Package asynq implements the transport job queue on Redis with github.com/hibiken/asynq.
//
// Queue enqueues jobs with the job's deterministic ID as the asynq task id: an id already queued,
// running, dead-lettered or completed within its Retention is reported as Duplicate, not as an
// error (asynq.ErrTaskIDConflict, asynq.ErrDuplicateTask). Enqueue returns only once Redis has
// acknowledged the task, so with Redis persistence of appendfsync always an accepted job survives
// a Redis restart. Workers (asynq servers) run jobs from the queues of transport.Priorities by
// weight, retry failures with a transport.Backoff, and mirror a job's final failure to
// storage.DeadLetters (asynq's own archive is capped), from where Queue.Requeue puts it back.
// Scheduler enqueues the weekly digest fan-out once per ISO week however many schedulers run.
//
// asynq keeps times in whole seconds: a job's Timeout and Retention are rounded up to a second,
// and its ProcessAt up to the next second, so a job never runs before its ProcessAt.
package asynq
