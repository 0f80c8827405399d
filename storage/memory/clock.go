package memory

import (
	"github.com/pkg/errors"
	"github.com/tradecoach/coach"
)

// clockOrSystem returns c, or the wall clock when c is nil.
func clockOrSystem(c coach.Clock) coach.Clock {
	if c == nil {
		return coach.SystemClock{}
	}
	return c
}

// ctxError turns a context's error into the error a call returns: ECANCELED, keeping
// context.Canceled or DeadlineExceeded in its chain for errors.Is (coach.ContextError).
func ctxError(err error) error {
	if ce, ok := coach.ContextError(err); ok {
		return ce
	}
	return errors.WithStack(err)
}
