package asynq

import (
	"context"
	"errors"
	"time"

	pkgerrors "github.com/pkg/errors"
	goredis "github.com/redis/go-redis/v9"

	"github.com/tradecoach/coach"
	"github.com/tradecoach/coach/internal/rediserror"
)

// formatError translates an error of operation op into the coach error model: a cancelled or
// expired context (ctx's, or one in err's chain) is ECANCELED (coach.ContextError), so that
// errors.Is(err, context.Canceled) or DeadlineExceeded still holds; a Redis that cannot be
// reached, is loading, read-only or out of clients is EUNAVAILABLE (safe to retry), keeping err
// as its cause; anything else is an unexpected fault, wrapped with a stack (EINTERNAL).
//
// asynq reports a failed script as text, losing the driver error, so when err itself does not
// tell, formatError asks the server: if it does not answer a PING either, the error is
// EUNAVAILABLE.
func formatError(ctx context.Context, client goredis.UniversalClient, op string, err error) error {
	if err == nil {
		return nil
	}
	if cerr := ctx.Err(); cerr != nil && !errors.Is(err, cerr) {
		err = errors.Join(cerr, err) // asynq may have flattened the context's error into text
	}
	if ce, ok := coach.ContextError(err); ok {
		return ce
	}
	if rediserror.Unavailable(err) {
		return coach.WrapError(coach.EUNAVAILABLE, err, "asynq: %s: redis unavailable", op)
	}
	if client != nil {
		pctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), time.Second)
		defer cancel()
		if perr := client.Ping(pctx).Err(); perr != nil && rediserror.Unavailable(perr) {
			return coach.WrapError(coach.EUNAVAILABLE, errors.Join(err, perr), "asynq: %s: redis unavailable", op)
		}
	}
	return pkgerrors.Wrap(err, "asynq: "+op)
}
