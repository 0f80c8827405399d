package asynq

import (
	"context"
	"errors"

	"github.com/hibiken/asynq"

	"github.com/tradecoach/coach"
	"github.com/tradecoach/coach/transport"
)

var _ transport.QueueInspector = (*Queue)(nil)

// Depth counts the jobs of every queue asynq knows in this Redis database (see
// transport.QueueInspector) with asynq's Inspector: its pending, scheduled, retry and active
// tasks. asynq moves a scheduled or retry task to pending within seconds of its time, so a task
// may still count as scheduled or retry just after its time has come.
//
// The Inspector takes no context: when ctx ends first, Depth returns ECANCELED at once and the
// read finishes in the background; one read runs at a time, and a call made while one is still
// running waits for it (or for its own context). EUNAVAILABLE if Redis does not answer.
func (q *Queue) Depth(ctx context.Context) (map[string]transport.QueueDepth, error) {
	if !q.constructed() {
		return nil, errNotConstructed
	}
	if ce, ok := coach.ContextError(ctx.Err()); ok {
		return nil, ce
	}
	select {
	case q.inspecting <- struct{}{}:
	case <-ctx.Done():
		return nil, formatError(ctx, nil, "depth", ctx.Err())
	}
	type result struct {
		depth map[string]transport.QueueDepth
		err   error
	}
	done := make(chan result, 1)
	go func() {
		defer func() { <-q.inspecting }()
		d, err := q.depth()
		done <- result{d, err}
	}()
	select {
	case r := <-done:
		if r.err != nil {
			return nil, formatError(ctx, q.redis, "depth", r.err)
		}
		return r.depth, nil
	case <-ctx.Done():
		return nil, formatError(ctx, nil, "depth", ctx.Err())
	}
}

// depth reads the queues' counts; a queue deleted meanwhile is left out.
func (q *Queue) depth() (map[string]transport.QueueDepth, error) {
	queues, err := q.inspector.Queues()
	if err != nil {
		return nil, err
	}
	out := make(map[string]transport.QueueDepth, len(queues))
	for _, name := range queues {
		info, err := q.inspector.GetQueueInfo(name)
		switch {
		case errors.Is(err, asynq.ErrQueueNotFound):
			continue
		case err != nil:
			return nil, err
		}
		out[name] = transport.QueueDepth{Pending: info.Pending, Scheduled: info.Scheduled, Retry: info.Retry, Active: info.Active}
	}
	return out, nil
}
