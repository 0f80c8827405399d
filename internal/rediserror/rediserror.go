// Package rediserror translates go-redis errors into the coach error model, the one way every
// Redis adapter of this module (storage/redis, transport/redis, transport/asynq) does it.
package rediserror

import (
	"errors"
	"io"
	"net"
	"syscall"

	pkgerrors "github.com/pkg/errors"
	goredis "github.com/redis/go-redis/v9"

	"github.com/tradecoach/coach"
)

// Format translates a driver error of operation op into the coach error model: a cancelled
// or expired context is ECANCELED (coach.ContextError); a server that cannot be reached, is
// loading, read-only, out of clients or timing out is EUNAVAILABLE (safe to retry), keeping the
// driver's error as its cause; anything else is an unexpected fault, wrapped with a stack
// (EINTERNAL). goredis.Nil is not handled here: whether an absent key is ENOTFOUND or fine
// depends on the caller. errors.Is(err, context.Canceled) (or DeadlineExceeded) still holds for
// an ended context.
func Format(op string, err error) error {
	if err == nil {
		return nil
	}
	if ce, ok := coach.ContextError(err); ok {
		return ce
	}
	if Unavailable(err) {
		return coach.WrapError(coach.EUNAVAILABLE, err, "redis: %s: server unavailable", op)
	}
	return pkgerrors.Wrap(err, "redis: "+op)
}

// Unavailable reports whether err means the server is down, unreachable or temporarily unable
// to serve.
func Unavailable(err error) bool {
	var netErr net.Error
	var opErr *net.OpError
	switch {
	case errors.Is(err, syscall.ECONNREFUSED),
		errors.Is(err, syscall.ECONNRESET),
		errors.Is(err, syscall.EPIPE),
		errors.Is(err, io.EOF),
		errors.Is(err, io.ErrUnexpectedEOF),
		errors.Is(err, goredis.ErrClosed),
		errors.Is(err, goredis.ErrPoolTimeout),
		errors.Is(err, goredis.ErrPoolExhausted),
		errors.As(err, &opErr),
		errors.As(err, &netErr) && netErr.Timeout(),
		goredis.IsLoadingError(err),
		goredis.IsReadOnlyError(err),
		goredis.IsClusterDownError(err),
		goredis.IsTryAgainError(err),
		goredis.IsMasterDownError(err),
		goredis.IsMaxClientsError(err):
		return true
	}
	return false
}
