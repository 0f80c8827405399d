package coach_test

import (
	"context"
	stderrors "errors"
	"fmt"
	"net"
	"strings"
	"testing"

	"github.com/pkg/errors"

	"github.com/tradecoach/coach"
	"github.com/tradecoach/coach/bias/indicator"
)

func TestErrorf(t *testing.T) {
	t.Parallel()
	err := coach.Errorf(coach.ENOTFOUND, "trade %s: %d", "t1", 7)
	if err.Code != coach.ENOTFOUND || err.Message != "trade t1: 7" {
		t.Errorf("Errorf = %+v", err)
	}
	if got, want := err.Error(), "coach error: code=not_found message=trade t1: 7"; got != want {
		t.Errorf("Error() = %q, want %q", got, want)
	}
	if got := (*coach.Error)(nil).Error(); got != "coach error: nil" {
		t.Errorf("nil Error() = %q", got)
	}
}

func TestErrorCodeAndMessage(t *testing.T) {
	t.Parallel()
	conflict := coach.Errorf(coach.ECONFLICT, "trade exists")
	driver := stderrors.New("pq: duplicate key value violates unique constraint")
	for _, tc := range []struct {
		name     string
		err      error
		wantCode coach.Code
		wantMsg  string
	}{
		{"nil", nil, "", ""},
		{"coach error", conflict, coach.ECONFLICT, "trade exists"},
		{"wrapped with fmt %w", fmt.Errorf("upsert: %w", conflict), coach.ECONFLICT, "trade exists"},
		{"wrapped twice", fmt.Errorf("service: %w", fmt.Errorf("store: %w", conflict)), coach.ECONFLICT, "trade exists"},
		{"pkg/errors Wrap", errors.Wrap(conflict, "postgres: upsert"), coach.ECONFLICT, "trade exists"},
		{"pkg/errors WithStack", errors.WithStack(conflict), coach.ECONFLICT, "trade exists"},
		{"pkg/errors Wrap then %w", fmt.Errorf("job: %w", errors.Wrap(conflict, "store")), coach.ECONFLICT, "trade exists"},
		{"joined with a driver error", stderrors.Join(driver, conflict), coach.ECONFLICT, "trade exists"},
		{"driver error", driver, coach.EINTERNAL, "internal error"},
		{"driver error wrapped with pkg/errors", errors.Wrap(driver, "postgres: upsert"), coach.EINTERNAL, "internal error"},
		{"driver error with %v (chain broken)", fmt.Errorf("x: %v", conflict), coach.EINTERNAL, "internal error"},
		{"typed nil", (*coach.Error)(nil), coach.EINTERNAL, "internal error"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			if tc.name == "typed nil" {
				// A nil *Error stored in an error interface is not nil: it is a programming
				// mistake, and ErrorCode must not pretend it is a real code (or panic).
				defer func() {
					if r := recover(); r != nil {
						t.Errorf("ErrorCode panicked on a typed nil: %v", r)
					}
				}()
			}
			if got := coach.ErrorCode(tc.err); got != tc.wantCode {
				t.Errorf("ErrorCode = %q, want %q", got, tc.wantCode)
			}
			if got := coach.ErrorMessage(tc.err); got != tc.wantMsg {
				t.Errorf("ErrorMessage = %q, want %q", got, tc.wantMsg)
			}
		})
	}
}

func TestWrapErrorKeepsCause(t *testing.T) {
	t.Parallel()
	dial := &net.OpError{Op: "dial", Net: "tcp", Err: stderrors.New("connect: connection refused 10.0.0.7:5432 secret-host")}
	err := coach.WrapError(coach.EUNAVAILABLE, dial, "database %s", "unavailable")
	if err.Code != coach.EUNAVAILABLE || err.Message != "database unavailable" || err.Err != dial {
		t.Fatalf("WrapError = %+v", err)
	}
	if err.Unwrap() != dial {
		t.Errorf("Unwrap = %v, want the dial error", err.Unwrap())
	}
	if (*coach.Error)(nil).Unwrap() != nil || coach.Errorf(coach.EINVALID, "x").Unwrap() != nil {
		t.Error("Unwrap of a nil *Error or an Error without cause is not nil")
	}
	if got := err.Error(); !strings.Contains(got, "code=unavailable") || !strings.Contains(got, "secret-host") {
		t.Errorf("Error() = %q, want the code and the cause for the log", got)
	}
	for _, tc := range []struct {
		name string
		err  error
	}{
		{"bare", err},
		{"fmt %w", fmt.Errorf("open: %w", err)},
		{"pkg/errors Wrap", errors.Wrap(err, "postgres: open")},
		{"joined", stderrors.Join(stderrors.New("other"), err)},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			if !stderrors.Is(tc.err, dial) {
				t.Error("errors.Is does not reach the cause")
			}
			var op *net.OpError
			if !stderrors.As(tc.err, &op) || op != dial {
				t.Error("errors.As does not reach the *net.OpError cause")
			}
			var ce *coach.Error
			if !stderrors.As(tc.err, &ce) || ce != err {
				t.Error("errors.As does not find the *coach.Error")
			}
			if got := coach.ErrorCode(tc.err); got != coach.EUNAVAILABLE {
				t.Errorf("ErrorCode = %q, want unavailable", got)
			}
			if got := coach.ErrorMessage(tc.err); got != "database unavailable" {
				t.Errorf("ErrorMessage = %q, want the message without the cause", got)
			}
		})
	}
}

func TestErrorMessageNeverShowsCause(t *testing.T) {
	t.Parallel()
	const secret = "password=hunter2"
	cause := stderrors.New("pgx: " + secret)
	for _, err := range []error{
		coach.WrapError(coach.EUNAVAILABLE, cause, "database unavailable"),
		coach.WrapError(coach.EINTERNAL, cause, "internal error"),
		coach.WrapError(coach.ECANCELED, fmt.Errorf("%w: %w", context.Canceled, cause), "the request was canceled"),
		fmt.Errorf("store: %w", coach.WrapError(coach.ERETRYABLE, cause, "retry it")),
		// A coded error whose cause is itself a coded error shows the outer message only.
		coach.WrapError(coach.ECONFLICT, coach.Errorf(coach.EINVALID, "inner %s", secret), "outer"),
	} {
		if msg := coach.ErrorMessage(err); strings.Contains(msg, secret) || msg == "" {
			t.Errorf("ErrorMessage(%v) = %q", err, msg)
		}
	}
	// The outer code wins over a coded cause.
	if got := coach.ErrorCode(coach.WrapError(coach.ECONFLICT, coach.Errorf(coach.EINVALID, "inner"), "outer")); got != coach.ECONFLICT {
		t.Errorf("ErrorCode of a coded error over a coded cause = %q, want conflict", got)
	}
}

func TestContextError(t *testing.T) {
	t.Parallel()
	canceled, cancel := context.WithCancel(context.Background())
	cancel()
	expired, cancel2 := context.WithTimeout(context.Background(), -1)
	defer cancel2()
	for _, tc := range []struct {
		name   string
		err    error
		want   bool
		target error
	}{
		{"nil", nil, false, nil},
		{"other error", stderrors.New("boom"), false, nil},
		{"unavailable", coach.Errorf(coach.EUNAVAILABLE, "down"), false, nil},
		{"canceled", context.Canceled, true, context.Canceled},
		{"ctx.Err of a cancelled context", canceled.Err(), true, context.Canceled},
		{"deadline", context.DeadlineExceeded, true, context.DeadlineExceeded},
		{"ctx.Err of an expired context", expired.Err(), true, context.DeadlineExceeded},
		{"wrapped by a driver", &net.OpError{Op: "read", Err: fmt.Errorf("conn: %w", context.Canceled)}, true, context.Canceled},
		{"pkg/errors Wrap", errors.Wrap(context.DeadlineExceeded, "redis: get"), true, context.DeadlineExceeded},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			got, ok := coach.ContextError(tc.err)
			if ok != tc.want || (got != nil) != tc.want {
				t.Fatalf("ContextError = %v, %v; want ok %v", got, ok, tc.want)
			}
			if !ok {
				return
			}
			if coach.ErrorCode(got) != coach.ECANCELED {
				t.Errorf("code = %q, want canceled", coach.ErrorCode(got))
			}
			if !stderrors.Is(got, tc.target) {
				t.Errorf("errors.Is(%v, %v) = false", got, tc.target)
			}
			if msg := coach.ErrorMessage(got); msg == "" || strings.Contains(msg, "context") {
				t.Errorf("message = %q, want a user-facing text without the driver's", msg)
			}
		})
	}
}

// declared is an error that declares its own code, as packages below the root do.
type declared struct{ code string }

func (d declared) Error() string     { return "declared " + d.code }
func (d declared) CoachCode() string { return d.code }

func TestErrorCodeOfCoded(t *testing.T) {
	t.Parallel()
	_, periodErr := indicator.NewSMA(0)
	if periodErr == nil {
		t.Fatal("NewSMA(0) accepted a period of 0")
	}
	for _, tc := range []struct {
		name     string
		err      error
		wantCode coach.Code
		wantMsg  string
	}{
		{"indicator.ErrInvalidParam", indicator.ErrInvalidParam, coach.EINVALID, "indicator: invalid parameter"},
		{"wrapping ErrInvalidParam", fmt.Errorf("bias: %w", indicator.ErrInvalidParam), coach.EINVALID, "indicator: invalid parameter"},
		{"constructor error", periodErr, coach.EINVALID, periodErr.Error()},
		{"constructor error wrapped", errors.Wrap(periodErr, "bias"), coach.EINVALID, periodErr.Error()},
		{"declared not_found", declared{"not_found"}, coach.ENOTFOUND, "declared not_found"},
		{"declared unknown code", declared{"teapot"}, coach.EINTERNAL, "internal error"},
		{"declared internal", declared{"internal"}, coach.EINTERNAL, "internal error"},
		{"coach.Error before a declared one", coach.WrapError(coach.ECONFLICT, declared{"invalid"}, "c"), coach.ECONFLICT, "c"},
		{"declared before a coach.Error", fmt.Errorf("%w", stderrors.Join(declared{"gone"}, coach.Errorf(coach.EINVALID, "i"))), coach.EGONE, "declared gone"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			if got := coach.ErrorCode(tc.err); got != tc.wantCode {
				t.Errorf("ErrorCode = %q, want %q", got, tc.wantCode)
			}
			if got := coach.ErrorMessage(tc.err); got != tc.wantMsg {
				t.Errorf("ErrorMessage = %q, want %q", got, tc.wantMsg)
			}
		})
	}
	if !stderrors.Is(periodErr, indicator.ErrInvalidParam) {
		t.Error("a constructor error no longer wraps ErrInvalidParam")
	}
	if !strings.Contains(periodErr.Error(), "SMA") {
		t.Errorf("constructor error %q does not name the indicator", periodErr)
	}
}

func TestCodeKnown(t *testing.T) {
	t.Parallel()
	for _, c := range []coach.Code{coach.EINVALID, coach.ENOTFOUND, coach.ECONFLICT, coach.EUNAUTHORIZED,
		coach.EFORBIDDEN, coach.ERATELIMITED, coach.EGONE, coach.EUNAVAILABLE, coach.ECANCELED,
		coach.ERETRYABLE, coach.EINTERNAL} {
		if !c.Known() {
			t.Errorf("%q is not Known", c)
		}
	}
	if coach.Code("canceled") != coach.ECANCELED || coach.Code("retryable") != coach.ERETRYABLE {
		t.Error("the new codes are not spelled canceled and retryable")
	}
	for _, c := range []coach.Code{"", "Invalid", "cancelled", "NoSuchKey"} {
		if c.Known() {
			t.Errorf("%q is Known", c)
		}
	}
}
