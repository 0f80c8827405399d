package webhook

import (
	"time"

	"github.com/tradecoach/coach"
)

// RetryPolicy is when a failed delivery is tried again: after Base, then twice as long each
// time up to Cap, each wait drawn with jitter from its upper half, until For has gone by since
// the first attempt (the attempts the policy makes in For, counted without jitter).
type RetryPolicy struct {
	Base time.Duration
	Cap  time.Duration
	For  time.Duration
}

// DefaultRetryPolicy retries after 5 s, 10 s, 20 s … up to 6 h between attempts, for 3 days.
func DefaultRetryPolicy() RetryPolicy {
	return RetryPolicy{Base: 5 * time.Second, Cap: 6 * time.Hour, For: 72 * time.Hour}
}

// Validate reports the first field out of range.
func (p RetryPolicy) Validate() error {
	switch {
	case p.Base <= 0:
		return coach.Errorf(coach.EINVALID, "webhook: RetryPolicy.Base: must be positive")
	case p.Cap < p.Base:
		return coach.Errorf(coach.EINVALID, "webhook: RetryPolicy.Cap: must be at least Base")
	case p.For < p.Base:
		return coach.Errorf(coach.EINVALID, "webhook: RetryPolicy.For: must be at least Base")
	}
	return nil
}

// wait returns the upper bound of the wait after the n-th failed attempt (n ≥ 1).
func (p RetryPolicy) wait(n int) time.Duration {
	w := p.Base
	for i := 1; i < n && w < p.Cap; i++ {
		w *= 2
	}
	return min(w, p.Cap)
}

// Backoff returns the wait after the n-th failed attempt, with jitter r in [0, 1): a value in
// [wait/2, wait).
func (p RetryPolicy) Backoff(n int, r float64) time.Duration {
	w := p.wait(n)
	return w/2 + time.Duration(r*float64(w/2))
}

// Attempts is how many attempts a delivery gets: the first and the retries whose (unjittered)
// waits add up to at most For.
func (p RetryPolicy) Attempts() int {
	n, total := 1, time.Duration(0)
	for {
		total += p.wait(n)
		if total > p.For {
			return n
		}
		n++
	}
}
