package rediserror

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"os"
	"strings"
	"syscall"
	"testing"

	goredis "github.com/redis/go-redis/v9"

	"github.com/tradecoach/coach"
)

// serverError is a reply error of the Redis server, as go-redis recognizes them.
type serverError string

func (e serverError) Error() string { return string(e) }
func (serverError) RedisError()     {}

func TestFormatError(t *testing.T) {
	t.Parallel()
	refused := &net.OpError{Op: "dial", Net: "tcp", Err: os.NewSyscallError("connect", syscall.ECONNREFUSED)}
	for _, tc := range []struct {
		name string
		err  error
		want coach.Code
	}{
		{"nil", nil, ""},
		{"connection refused", refused, coach.EUNAVAILABLE},
		{"wrapped refused", fmt.Errorf("dial: %w", refused), coach.EUNAVAILABLE},
		{"deadline", context.DeadlineExceeded, coach.ECANCELED},
		{"i/o timeout", &net.OpError{Op: "read", Net: "tcp", Err: os.ErrDeadlineExceeded}, coach.EUNAVAILABLE},
		{"eof", io.EOF, coach.EUNAVAILABLE},
		{"closed client", goredis.ErrClosed, coach.EUNAVAILABLE},
		{"pool timeout", goredis.ErrPoolTimeout, coach.EUNAVAILABLE},
		{"loading", serverError("LOADING Redis is loading the dataset in memory"), coach.EUNAVAILABLE},
		{"readonly", serverError("READONLY You can't write against a read only replica."), coach.EUNAVAILABLE},
		{"max clients", serverError("ERR max number of clients reached"), coach.EUNAVAILABLE},
		{"wrongtype", serverError("WRONGTYPE Operation against a key holding the wrong kind of value"), coach.EINTERNAL},
		{"script error", serverError("ERR Error running script"), coach.EINTERNAL},
		{"canceled", context.Canceled, coach.ECANCELED},
		{"canceled wrapped", fmt.Errorf("read: %w", context.Canceled), coach.ECANCELED},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			got := Format("op", tc.err)
			if code := coach.ErrorCode(got); code != tc.want {
				t.Errorf("code %q (%v), want %q", code, got, tc.want)
			}
			if tc.err != nil && !errors.Is(got, tc.err) {
				t.Errorf("%s error %v does not keep its cause %v", tc.want, got, tc.err)
			}
			if tc.err != nil && tc.want != coach.EINTERNAL && strings.Contains(coach.ErrorMessage(got), tc.err.Error()) {
				t.Errorf("message %q shows the driver's text", coach.ErrorMessage(got))
			}
		})
	}
}
