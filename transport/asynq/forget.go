package asynq

import (
	"context"
	"errors"
	"strings"

	"github.com/hibiken/asynq"

	"github.com/tradecoach/coach/storage"
	"github.com/tradecoach/coach/transport"
)

var _ transport.JobForgetter = (*Queue)(nil)

// forgetPage is how many tasks ForgetUser lists at a time.
const forgetPage = 200

// ForgetUser deletes the user's pending, scheduled, retrying, archived and completed tasks from
// every queue (see transport.JobForgetter). It lists every task of those states, so its cost
// grows with the queues' size; run it from the erase job, not on a request.
func (q *Queue) ForgetUser(ctx context.Context, userID string) (int, error) {
	if !q.constructed() {
		return 0, errNotConstructed
	}
	if userID == "" {
		return 0, nil
	}
	queues, err := q.inspector.Queues()
	if err != nil {
		return 0, formatError(ctx, q.redis, "forget user: queues", err)
	}
	type lister func(queue string, opts ...asynq.ListOption) ([]*asynq.TaskInfo, error)
	listers := []lister{q.inspector.ListPendingTasks, q.inspector.ListScheduledTasks, q.inspector.ListRetryTasks,
		q.inspector.ListArchivedTasks, q.inspector.ListCompletedTasks}
	n := 0
	for _, queue := range queues {
		// Collect first, then delete: deleting while paging would shift the pages.
		var ids []string
		for _, list := range listers {
			for page := 1; ; page++ {
				if err := ctx.Err(); err != nil {
					return n, formatError(ctx, nil, "forget user", err)
				}
				tasks, err := list(queue, asynq.PageSize(forgetPage), asynq.Page(page))
				if err != nil {
					return n, formatError(ctx, q.redis, "forget user: list "+queue, err)
				}
				for _, t := range tasks {
					if storage.PayloadUserID(t.Payload) == userID {
						ids = append(ids, t.ID)
					}
				}
				if len(tasks) < forgetPage {
					break
				}
			}
		}
		for _, id := range ids {
			err := q.inspector.DeleteTask(queue, id)
			if err == nil {
				n++
				continue
			}
			// A task that started or finished meanwhile: running tasks are left to finish, and a
			// task that is gone needs no deleting.
			if errors.Is(err, asynq.ErrTaskNotFound) || strings.Contains(err.Error(), "active state") {
				continue
			}
			return n, formatError(ctx, q.redis, "forget user: delete", err)
		}
	}
	return n, nil
}
