package memory

import (
	"context"

	"github.com/tradecoach/coach"
	"github.com/tradecoach/coach/storage"
	"github.com/tradecoach/coach/transport"
)

var _ transport.JobForgetter = (*Queue)(nil)

// ForgetUser deletes the user's jobs that are not running (see transport.JobForgetter): their
// ids are free again, and they leave the ready and expiry heaps.
func (q *Queue) ForgetUser(ctx context.Context, userID string) (int, error) {
	if q == nil || q.tasks == nil {
		return 0, errQueueNotConstructed
	}
	if ce, ok := coach.ContextError(ctx.Err()); ok {
		return 0, ce
	}
	if userID == "" {
		return 0, nil
	}
	q.mu.Lock()
	defer q.mu.Unlock()
	gone := map[*task]bool{}
	for k, t := range q.tasks {
		if t.state != stateActive && storage.PayloadUserID(t.job.Payload) == userID {
			gone[t] = true
			delete(q.tasks, k)
		}
	}
	if len(gone) == 0 {
		return 0, nil
	}
	keep := func(h *heap[*task]) {
		items := h.items
		h.items = nil
		for _, t := range items {
			if !gone[t] {
				h.push(t)
			}
		}
	}
	for _, h := range q.ready {
		keep(h)
	}
	keep(q.expiry)
	return len(gone), nil
}
