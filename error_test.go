package coach_test

import (
	stderrors "errors"
	"fmt"
	"testing"

	"github.com/pkg/errors"

	"github.com/tradecoach/coach"
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
		wantCode string
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
