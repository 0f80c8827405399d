package digest_test

import (
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/tradecoach/coach"
	"github.com/tradecoach/coach/digest"
)

func TestWeekDays(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		week           digest.Week
		monday, sunday string
	}{
		{digest.Week{Year: 2026, Week: 10}, "2026-03-02", "2026-03-08"},
		{digest.Week{Year: 2026, Week: 1}, "2025-12-29", "2026-01-04"},  // 29 December is in next year's week 1
		{digest.Week{Year: 2020, Week: 53}, "2020-12-28", "2021-01-03"}, // 1 January in the previous year's week 53
		{digest.Week{Year: 2021, Week: 1}, "2021-01-04", "2021-01-10"},
		{digest.Week{Year: 2024, Week: 52}, "2024-12-23", "2024-12-29"},
	} {
		t.Run(tc.week.String(), func(t *testing.T) {
			if got := tc.week.Monday().String(); got != tc.monday {
				t.Errorf("Monday = %s, want %s", got, tc.monday)
			}
			if got := tc.week.Sunday().String(); got != tc.sunday {
				t.Errorf("Sunday = %s, want %s", got, tc.sunday)
			}
			if got := digest.WeekOfDate(tc.week.Monday()); got != tc.week {
				t.Errorf("WeekOfDate(Monday) = %v", got)
			}
			if got := digest.WeekOfDate(tc.week.Sunday()); got != tc.week {
				t.Errorf("WeekOfDate(Sunday) = %v", got)
			}
			if got := tc.week.Next().Prev(); got != tc.week {
				t.Errorf("Next().Prev() = %v", got)
			}
		})
	}
}

// TestWeekBounds checks that a week runs from Monday 00:00 to Monday 00:00 local time, including
// the weeks in which daylight saving time starts (167 hours) or ends (169 hours).
func TestWeekBounds(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		zone  string
		week  digest.Week
		start string // RFC 3339 in UTC
		hours float64
	}{
		{"UTC", digest.Week{Year: 2026, Week: 10}, "2026-03-02T00:00:00Z", 168},
		{"Europe/Berlin", digest.Week{Year: 2026, Week: 10}, "2026-03-01T23:00:00Z", 168},
		{"Europe/Berlin", digest.Week{Year: 2026, Week: 13}, "2026-03-22T23:00:00Z", 167},    // DST starts Sun 29 March
		{"Europe/Berlin", digest.Week{Year: 2026, Week: 43}, "2026-10-18T22:00:00Z", 169},    // DST ends Sun 25 October
		{"America/New_York", digest.Week{Year: 2026, Week: 10}, "2026-03-02T05:00:00Z", 167}, // DST starts Sun 8 March
		{"America/New_York", digest.Week{Year: 2026, Week: 44}, "2026-10-26T04:00:00Z", 169}, // DST ends Sun 1 November
	} {
		t.Run(tc.zone+"/"+tc.week.String(), func(t *testing.T) {
			loc := mustLoc(t, tc.zone)
			start, end := tc.week.Start(loc), tc.week.End(loc)
			if got := start.UTC().Format(time.RFC3339); got != tc.start {
				t.Errorf("Start = %s, want %s", got, tc.start)
			}
			if got := end.Sub(start).Hours(); got != tc.hours {
				t.Errorf("End - Start = %vh, want %vh", got, tc.hours)
			}
			if got := digest.WeekOf(start, loc); got != tc.week {
				t.Errorf("WeekOf(Start) = %v", got)
			}
			if got := digest.WeekOf(end.Add(-time.Nanosecond), loc); got != tc.week {
				t.Errorf("WeekOf(End-1ns) = %v", got)
			}
			if got := digest.WeekOf(end, loc); got != tc.week.Next() {
				t.Errorf("WeekOf(End) = %v, want %v", got, tc.week.Next())
			}
		})
	}
}

// TestWeekOfSundayNight: Sunday 23:30 in New York is Monday in UTC, and still the local week.
func TestWeekOfSundayNight(t *testing.T) {
	t.Parallel()
	ny := mustLoc(t, "America/New_York")
	ts := time.Date(2026, 3, 8, 23, 30, 0, 0, ny) // the Sunday DST started
	if got := ts.UTC().Weekday(); got != time.Monday {
		t.Fatalf("setup: UTC weekday %v", got)
	}
	if got, want := digest.WeekOf(ts, ny), (digest.Week{Year: 2026, Week: 10}); got != want {
		t.Errorf("WeekOf = %v, want %v", got, want)
	}
	if got, want := digest.WeekOf(ts, time.UTC), (digest.Week{Year: 2026, Week: 11}); got != want {
		t.Errorf("WeekOf in UTC = %v, want %v", got, want)
	}
	if got, want := digest.LastFullWeek(ts, ny), (digest.Week{Year: 2026, Week: 9}); got != want {
		t.Errorf("LastFullWeek = %v, want %v", got, want)
	}
}

func TestParseWeek(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		in   string
		want digest.Week
		code coach.Code
	}{
		{in: "2026-W10", want: digest.Week{Year: 2026, Week: 10}},
		{in: "2020-W53", want: digest.Week{Year: 2020, Week: 53}},
		{in: "2026-W01", want: digest.Week{Year: 2026, Week: 1}},
		{in: "2021-W53", code: coach.EINVALID}, // 2021 has 52 weeks
		{in: "2026-W00", code: coach.EINVALID},
		{in: "2026-W54", code: coach.EINVALID},
		{in: "2026-w10", code: coach.EINVALID},
		{in: "2026W10", code: coach.EINVALID},
		{in: "2026-W1", code: coach.EINVALID},
		{in: "0000-W01", code: coach.EINVALID},
		{in: "+026-W10", code: coach.EINVALID},
		{in: "", code: coach.EINVALID},
	} {
		t.Run(tc.in, func(t *testing.T) {
			got, err := digest.ParseWeek(tc.in)
			if code := coach.ErrorCode(err); code != tc.code && !(tc.code == "" && err == nil) {
				t.Fatalf("ParseWeek(%q) error %v, want code %q", tc.in, err, tc.code)
			}
			if tc.code == "" {
				if diff := cmp.Diff(tc.want, got); diff != "" {
					t.Errorf("(-want +got):\n%s", diff)
				}
				if got.String() != tc.in {
					t.Errorf("String() = %q", got.String())
				}
			}
		})
	}
}

func TestWeeksIn(t *testing.T) {
	t.Parallel()
	for year, want := range map[int]int{2015: 53, 2020: 53, 2021: 52, 2026: 53, 2027: 52} {
		if got := digest.WeeksIn(year); got != want {
			t.Errorf("WeeksIn(%d) = %d, want %d", year, got, want)
		}
	}
}

func FuzzParseWeek(f *testing.F) {
	for _, s := range []string{"2026-W10", "2020-W53", "2021-W53", "9999-W52", "0001-W01", "2026-W", "२०२६-W10", "2026-W1\x00"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		w, err := digest.ParseWeek(s)
		if err != nil {
			if coach.ErrorCode(err) != coach.EINVALID {
				t.Fatalf("error code %q", coach.ErrorCode(err))
			}
			return
		}
		if !w.Valid() || w.String() != s {
			t.Fatalf("ParseWeek(%q) = %v (valid %v), String %q", s, w, w.Valid(), w.String())
		}
		if got := digest.WeekOfDate(w.Monday()); got != w {
			t.Fatalf("WeekOfDate(Monday of %v) = %v", w, got)
		}
	})
}
