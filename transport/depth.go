package transport

import "context"

// QueueDepth counts the jobs of one queue by state, at one moment. A job is in exactly one of
// them until it completes or is dead-lettered, when it leaves all four.
type QueueDepth struct {
	// Pending jobs are ready to run and wait for a worker: new jobs, and retries and delayed
	// jobs whose time has come.
	Pending int
	// Scheduled jobs wait for their ProcessAt.
	Scheduled int
	// Retry jobs failed an attempt and wait out their backoff before the next one.
	Retry int
	// Active jobs have an attempt running on a worker.
	Active int
}

// QueueInspector is the optional capability of a Queue that counts its jobs, so that a host can
// export how much work waits (and scale its workers on it). The workers stack's /metrics reads it
// at every scrape.
type QueueInspector interface {
	// Depth returns the job counts of every queue of this Queue that holds a job in one of
	// QueueDepth's states, by queue name; it may list other queues it knows of, with zero counts.
	// A queue it does not list holds no job in those states. It only reads: no job changes state.
	// Counts of different queues (and states) need not be taken at the same instant, since a job
	// may move while they are read. With an ended context it is ECANCELED, wrapping the context's
	// error; a queue server that does not answer is EUNAVAILABLE.
	Depth(ctx context.Context) (map[string]QueueDepth, error)
}
