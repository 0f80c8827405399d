package httpjson

import (
	"time"

	"github.com/tradecoach/coach"
)

// RetryAfterError is an ERATELIMITED error that tells when to come back: WriteError sets the
// Retry-After header from it.
type RetryAfterError struct {
	// After is how long to wait; Message says what was limited, safe to show.
	After   time.Duration
	Message string
}

// RateLimited returns a RetryAfterError.
func RateLimited(after time.Duration, format string, args ...any) *RetryAfterError {
	return &RetryAfterError{After: after, Message: coach.Errorf(coach.ERATELIMITED, format, args...).Message}
}

func (e *RetryAfterError) Error() string { return e.Message }

// CoachCode makes a RetryAfterError an ERATELIMITED coach.Coded error.
func (e *RetryAfterError) CoachCode() string { return string(coach.ERATELIMITED) }

// RetryAfterSeconds is After in whole seconds, rounded up, at least 1.
func (e *RetryAfterError) RetryAfterSeconds() int {
	s := int((e.After + time.Second - 1) / time.Second)
	return max(s, 1)
}
