package wire

import (
	"context"
	"net/http"
	"strconv"
	"strings"
	"time"
)

// Defaults of the bounded, Retry-After-aware retries that the HTTP broker clients make on rate
// limits, 5xx answers and network errors.
const (
	// DefaultMaxAttempts is how many times one call is tried in all.
	DefaultMaxAttempts = 6
	// DefaultBaseDelay is the wait after the first failed attempt when the server names none.
	DefaultBaseDelay = time.Second
	// DefaultMaxDelay caps every wait; a server asking for longer ends the retries.
	DefaultMaxDelay = 2 * time.Minute
)

// Sleep waits d, or returns ctx's error as soon as ctx is done. A d ≤ 0 does not wait: it
// returns ctx.Err(), so a cancelled context still stops a retry loop.
func Sleep(ctx context.Context, d time.Duration) error {
	if d <= 0 {
		return ctx.Err()
	}
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
		return ctx.Err()
	case <-t.C:
		return nil
	}
}

// RetryAfter reads a Retry-After header: delay-seconds (capped at a year) or an HTTP date, taken
// relative to now (a date in the past means 0). ok is false when the header is absent, negative or
// unreadable.
func RetryAfter(h http.Header, now time.Time) (d time.Duration, ok bool) {
	v := strings.TrimSpace(h.Get("Retry-After"))
	if v == "" {
		return 0, false
	}
	if n, err := strconv.ParseInt(v, 10, 64); err == nil {
		if n < 0 {
			return 0, false
		}
		if n > int64(365*24*time.Hour/time.Second) {
			n = int64(365 * 24 * time.Hour / time.Second)
		}
		return time.Duration(n) * time.Second, true
	}
	if t, err := http.ParseTime(v); err == nil {
		if d := t.Sub(now); d > 0 {
			return d, true
		}
		return 0, true
	}
	return 0, false
}

// Backoff is the wait before try attempt+1 (attempt counts from 1) when the server said nothing:
// base doubled per attempt after the first, never more than max.
func Backoff(base, max time.Duration, attempt int) time.Duration {
	d := base
	for i := 1; i < attempt && d < max; i++ {
		d *= 2
	}
	if d > max {
		d = max
	}
	return d
}

// RetryWait is the wait before try attempt+1 after a retryable answer with header h: the
// server's Retry-After when it gives one (which may exceed max; the caller then gives up), else
// Backoff(base, max, attempt).
func RetryWait(h http.Header, now time.Time, base, max time.Duration, attempt int) time.Duration {
	if d, ok := RetryAfter(h, now); ok {
		return d
	}
	return Backoff(base, max, attempt)
}
