package memory

import (
	"context"
	"time"

	"github.com/tradecoach/coach"
	"github.com/tradecoach/coach/transport"
)

var _ transport.QueueInspector = (*Queue)(nil)

// Depth counts the jobs of every queue that has held one (see transport.QueueInspector), all at
// one instant: a waiting job is Pending once its time has come, before that Retry if it has failed
// an attempt and Scheduled if not.
func (q *Queue) Depth(ctx context.Context) (map[string]transport.QueueDepth, error) {
	if q == nil || q.tasks == nil {
		return nil, errQueueNotConstructed
	}
	if ce, ok := coach.ContextError(ctx.Err()); ok {
		return nil, ce
	}
	now := time.Now()
	q.mu.Lock()
	defer q.mu.Unlock()
	out := make(map[string]transport.QueueDepth, len(q.ready))
	for name, h := range q.ready {
		var d transport.QueueDepth
		for _, t := range h.items {
			switch {
			case !t.readyAt.After(now):
				d.Pending++
			case t.failures > 0:
				d.Retry++
			default:
				d.Scheduled++
			}
		}
		out[name] = d
	}
	for name, n := range q.active {
		d := out[name]
		d.Active = n
		out[name] = d
	}
	return out, nil
}
