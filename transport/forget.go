package transport

import "context"

// JobForgetter is an optional capability of a Queue: it forgets the jobs about a user, so that
// erasing the user leaves no job carrying their id behind in the queue. A job is about a user
// when its JSON payload's top-level "userId" is the user's (storage.PayloadUserID), as every job
// of the jobs package has.
type JobForgetter interface {
	// ForgetUser deletes the user's jobs that are waiting (queued, delayed, retrying), completed
	// and retained for deduplication, or dead-lettered in the queue, and returns how many. A job
	// whose attempt is running is left to finish; its outcome, if it fails, is dead-lettered as
	// usual. Forgetting a user without jobs deletes nothing and is not an error.
	ForgetUser(ctx context.Context, userID string) (int, error)
}
