package wire_test

import (
	"context"
	"net/http"
	"testing"
	"time"

	"github.com/tradecoach/coach/internal/wire"
)

func TestRetryAfter(t *testing.T) {
	t.Parallel()
	now := time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)
	year := 365 * 24 * time.Hour
	for _, tc := range []struct {
		name   string
		header string
		want   time.Duration
		wantOK bool
	}{
		{"absent", "", 0, false},
		{"seconds", "7", 7 * time.Second, true},
		{"padded", "  3 ", 3 * time.Second, true},
		{"zero", "0", 0, true},
		{"negative", "-1", 0, false},
		{"capped at a year", "999999999999", year, true},
		{"http date ahead", now.Add(90 * time.Second).Format(http.TimeFormat), 90 * time.Second, true},
		{"http date past", now.Add(-time.Hour).Format(http.TimeFormat), 0, true},
		{"garbage", "soon", 0, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			h := http.Header{}
			if tc.header != "" {
				h.Set("Retry-After", tc.header)
			}
			got, ok := wire.RetryAfter(h, now)
			if got != tc.want || ok != tc.wantOK {
				t.Fatalf("RetryAfter(%q) = %v, %v; want %v, %v", tc.header, got, ok, tc.want, tc.wantOK)
			}
		})
	}
}

func TestBackoff(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		attempt int
		want    time.Duration
	}{
		{1, time.Second}, {2, 2 * time.Second}, {3, 4 * time.Second}, {7, 64 * time.Second},
		{8, 100 * time.Second}, {1000, 100 * time.Second},
	} {
		if got := wire.Backoff(time.Second, 100*time.Second, tc.attempt); got != tc.want {
			t.Errorf("Backoff(1s, 100s, %d) = %v, want %v", tc.attempt, got, tc.want)
		}
	}
	if got := wire.Backoff(time.Minute, time.Second, 1); got != time.Second {
		t.Errorf("Backoff with base over max = %v, want the max", got)
	}
}

func TestRetryWait(t *testing.T) {
	t.Parallel()
	now := time.Unix(0, 0)
	h := http.Header{}
	if got := wire.RetryWait(h, now, time.Second, time.Minute, 3); got != 4*time.Second {
		t.Errorf("no header: %v, want the backoff 4s", got)
	}
	h.Set("Retry-After", "600")
	if got := wire.RetryWait(h, now, time.Second, time.Minute, 3); got != 10*time.Minute {
		t.Errorf("Retry-After 600: %v, want 10m (over max, for the caller to give up)", got)
	}
}

func TestSleepStopsOnCancel(t *testing.T) {
	t.Parallel()
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if err := wire.Sleep(ctx, time.Hour); err != context.Canceled {
		t.Errorf("Sleep(cancelled, 1h) = %v, want context.Canceled", err)
	}
	if err := wire.Sleep(ctx, 0); err != context.Canceled {
		t.Errorf("Sleep(cancelled, 0) = %v, want context.Canceled", err)
	}
	if err := wire.Sleep(context.Background(), time.Nanosecond); err != nil {
		t.Errorf("Sleep(1ns) = %v", err)
	}
}
