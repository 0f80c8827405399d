package digest

import (
	"fmt"
	"strconv"
	"time"

	"github.com/tradecoach/coach"
)

// Week is an ISO 8601 week: weeks start on Monday, and week 1 of a year is the week with that
// year's first Thursday (so 29 December can be in week 1 of the next year and 1 January in week
// 52 or 53 of the previous one). A user's week runs from Monday 00:00 to the next Monday 00:00 in
// the user's time zone, so it lasts 167 or 169 hours when a daylight-saving change falls in it.
type Week struct {
	Year int
	Week int
}

// WeekOf returns the ISO week of t in loc (nil means UTC): a trade at Sunday 23:30 local time is
// in that Sunday's week even when UTC already says Monday.
func WeekOf(t time.Time, loc *time.Location) Week {
	if loc == nil {
		loc = time.UTC
	}
	y, w := t.In(loc).ISOWeek()
	return Week{Year: y, Week: w}
}

// WeekOfDate returns the ISO week that contains day d.
func WeekOfDate(d coach.Date) Week { return WeekOf(d.In(time.UTC), time.UTC) }

// LastFullWeek returns the latest week that ended at or before now in loc: the week before the
// one that contains now. The weekly digest job builds this one.
func LastFullWeek(now time.Time, loc *time.Location) Week { return WeekOf(now, loc).Prev() }

// ParseWeek parses "2026-W10" (ISO 8601 week notation: a four-digit year, "-W", a two-digit week).
// A week that the year does not have (W00, W54, or W53 of a 52-week year) is EINVALID.
func ParseWeek(s string) (Week, error) {
	bad := coach.Errorf(coach.EINVALID, "week %q: want YYYY-Www such as 2026-W10", clip(s, 20))
	if len(s) != 8 || s[4] != '-' || s[5] != 'W' {
		return Week{}, bad
	}
	for _, i := range []int{0, 1, 2, 3, 6, 7} {
		if s[i] < '0' || s[i] > '9' {
			return Week{}, bad
		}
	}
	y, _ := strconv.Atoi(s[:4])
	n, _ := strconv.Atoi(s[6:])
	w := Week{Year: y, Week: n}
	if !w.Valid() {
		return Week{}, coach.Errorf(coach.EINVALID, "week %q: %d has no week %d", s, y, n)
	}
	return w, nil
}

// Valid reports whether w is a week its year has: Year in 1–9999 and Week from 1 to 52, or 53 in
// a year with 53 ISO weeks.
func (w Week) Valid() bool {
	if w.Year < 1 || w.Year > 9999 || w.Week < 1 {
		return false
	}
	return w.Week <= WeeksIn(w.Year)
}

// WeeksIn returns how many ISO weeks year has: 52 or 53.
func WeeksIn(year int) int {
	_, w := time.Date(year, time.December, 28, 12, 0, 0, 0, time.UTC).ISOWeek()
	return w
}

// String returns the week as "2026-W10".
func (w Week) String() string { return fmt.Sprintf("%04d-W%02d", w.Year, w.Week) }

// Monday returns the first day of w. For a week its year does not have it counts on from the
// year's first week, so Week{2026, 54}.Monday() is the Monday of 2027-W01 (use Valid first).
func (w Week) Monday() coach.Date {
	jan4 := time.Date(w.Year, time.January, 4, 12, 0, 0, 0, time.UTC)
	back := (int(jan4.Weekday()) + 6) % 7 // days since Monday
	return coach.DateOf(jan4.AddDate(0, 0, 7*(w.Week-1)-back))
}

// Sunday returns the last day of w.
func (w Week) Sunday() coach.Date { return w.Monday().AddDays(6) }

// Start returns Monday 00:00 of w in loc (nil means UTC).
func (w Week) Start(loc *time.Location) time.Time {
	if loc == nil {
		loc = time.UTC
	}
	return w.Monday().In(loc)
}

// End returns the start of the next week in loc: w covers [Start, End).
func (w Week) End(loc *time.Location) time.Time {
	if loc == nil {
		loc = time.UTC
	}
	return w.Monday().AddDays(7).In(loc)
}

// Prev returns the week before w.
func (w Week) Prev() Week { return WeekOfDate(w.Monday().AddDays(-7)) }

// Next returns the week after w.
func (w Week) Next() Week { return WeekOfDate(w.Monday().AddDays(7)) }

// clip shortens s to at most n bytes for an error message.
func clip(s string, n int) string {
	if len(s) <= n {
		return s
	}
	return s[:n] + "…"
}
