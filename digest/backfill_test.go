package digest_test

import (
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/tradecoach/coach/digest"
)

// TestPastWeeks: the weeks an import of [from, to) touches that have ended where the user lives,
// among the last n, oldest first.
func TestPastWeeks(t *testing.T) {
	t.Parallel()
	at := func(s string) time.Time { return utcHour(t, s) }
	wed := at("2026-01-21T12:00:00Z") // the last full UTC week is 2026-W03 (Jan 12–18)
	for _, tc := range []struct {
		name     string
		from, to time.Time
		now      time.Time
		zone     string
		n        int
		want     []string
	}{
		{"three weeks and the week in progress", at("2025-12-29T00:00:00Z"), wed, wed, "UTC", 8, []string{"2026-W01", "2026-W02", "2026-W03"}},
		{"bounded to the last two", at("2025-12-29T00:00:00Z"), wed, wed, "UTC", 2, []string{"2026-W02", "2026-W03"}},
		{"bounded to the last one", at("2025-12-01T00:00:00Z"), wed, wed, "UTC", 1, []string{"2026-W03"}},
		{"only the week in progress", at("2026-01-19T00:00:00Z"), wed, wed, "UTC", 8, nil},
		{"to is exclusive", at("2026-01-05T00:00:00Z"), at("2026-01-12T00:00:00Z"), wed, "UTC", 8, []string{"2026-W02"}},
		{"older than the bound", at("2025-10-01T00:00:00Z"), at("2025-11-01T00:00:00Z"), wed, "UTC", 8, nil},
		// Monday 03:00 UTC is still Sunday in New York: its W03 has not ended, and Monday 00:00
		// UTC is still in its W02.
		{"New York, its Sunday not over", at("2026-01-12T00:00:00Z"), at("2026-01-19T00:00:00Z"), at("2026-01-19T03:00:00Z"), "America/New_York", 8, []string{"2026-W02"}},
		{"UTC, the same instants", at("2026-01-12T00:00:00Z"), at("2026-01-19T00:00:00Z"), at("2026-01-19T03:00:00Z"), "UTC", 8, []string{"2026-W03"}},
		// Sunday 10:00 UTC is Monday 00:00 in Kiritimati (UTC+14): its W03 has just ended.
		{"Kiritimati, ended at now", at("2026-01-12T00:00:00Z"), at("2026-01-18T10:00:00Z"), at("2026-01-18T10:00:00Z"), "Pacific/Kiritimati", 8, []string{"2026-W03"}},
		{"a 53-week year", at("2026-12-21T00:00:00Z"), at("2027-01-06T00:00:00Z"), at("2027-01-06T00:00:00Z"), "UTC", 8, []string{"2026-W52", "2026-W53"}},
		{"n = 0", at("2025-12-29T00:00:00Z"), wed, wed, "UTC", 0, nil},
		{"an empty window", wed, wed, wed, "UTC", 8, nil},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var got []string
			for _, w := range digest.PastWeeks(tc.from, tc.to, tc.now, mustLoc(t, tc.zone), tc.n) {
				got = append(got, w.String())
			}
			if diff := cmp.Diff(tc.want, got); diff != "" {
				t.Errorf("weeks (-want +got):\n%s", diff)
			}
		})
	}
}
