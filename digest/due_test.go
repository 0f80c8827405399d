package digest_test

import (
	"testing"
	"time"

	"github.com/tradecoach/coach"
	"github.com/tradecoach/coach/digest"
)

// utcHour parses an RFC 3339 instant in UTC.
func utcHour(t testing.TB, s string) time.Time {
	t.Helper()
	at, err := time.Parse(time.RFC3339, s)
	if err != nil {
		t.Fatal(err)
	}
	return at.UTC()
}

// TestClosedWeekNewYorkAndKiritimati pins the hour in which each week is reported closed for a
// UTC−5 trader (New York, across both daylight-saving changes of 2026) and a UTC+14 one
// (Kiritimati, no daylight saving): the first hour starting at or after their local Sunday 24:00,
// never Monday 00:00 UTC.
func TestClosedWeekNewYorkAndKiritimati(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		zone string
		week digest.Week
		hour string // the one hour (UTC) in which ClosedWeek reports it
	}{
		{"America/New_York", digest.Week{Year: 2026, Week: 9}, "2026-03-02T05:00:00Z"},  // EST
		{"America/New_York", digest.Week{Year: 2026, Week: 10}, "2026-03-09T04:00:00Z"}, // DST started Sun 8 March: 167 hours, ends in EDT
		{"America/New_York", digest.Week{Year: 2026, Week: 11}, "2026-03-16T04:00:00Z"},
		{"America/New_York", digest.Week{Year: 2026, Week: 43}, "2026-10-26T04:00:00Z"}, // EDT
		{"America/New_York", digest.Week{Year: 2026, Week: 44}, "2026-11-02T05:00:00Z"}, // DST ended Sun 1 November: 169 hours, ends in EST
		{"America/New_York", digest.Week{Year: 2026, Week: 45}, "2026-11-09T05:00:00Z"},
		{"America/New_York", digest.Week{Year: 2026, Week: 53}, "2027-01-04T05:00:00Z"},  // the 53rd week
		{"Pacific/Kiritimati", digest.Week{Year: 2026, Week: 9}, "2026-03-01T10:00:00Z"}, // Sunday in UTC
		{"Pacific/Kiritimati", digest.Week{Year: 2026, Week: 10}, "2026-03-08T10:00:00Z"},
		{"Pacific/Kiritimati", digest.Week{Year: 2026, Week: 44}, "2026-11-01T10:00:00Z"},
		{"Pacific/Kiritimati", digest.Week{Year: 2026, Week: 45}, "2026-11-08T10:00:00Z"},
		{"Asia/Kolkata", digest.Week{Year: 2026, Week: 44}, "2026-11-01T19:00:00Z"}, // ends 18:30 UTC
		{"UTC", digest.Week{Year: 2026, Week: 44}, "2026-11-02T00:00:00Z"},
	} {
		t.Run(tc.zone+"/"+tc.week.String(), func(t *testing.T) {
			loc := mustLoc(t, tc.zone)
			hour := utcHour(t, tc.hour)
			got, ok := digest.ClosedWeek(hour, loc)
			if !ok || got != tc.week {
				t.Fatalf("ClosedWeek(%s) = %v, %v; want %v", tc.hour, got, ok, tc.week)
			}
			// Not an hour earlier nor an hour later: the week is reported once.
			for _, other := range []time.Time{hour.Add(-time.Hour), hour.Add(time.Hour)} {
				if w, ok := digest.ClosedWeek(other, loc); ok {
					t.Errorf("ClosedWeek(%s) = %v as well", other.Format(time.RFC3339), w)
				}
			}
			// The week covers the whole local Sunday, up to its last instant.
			sunday := tc.week.Sunday().In(loc)
			end := tc.week.End(loc)
			if sunday.Weekday() != time.Sunday || sunday.Before(tc.week.Start(loc)) || !end.After(sunday) {
				t.Errorf("local Sunday %s is not inside [%s, %s)", sunday, tc.week.Start(loc), end)
			}
			if local := end.Add(-time.Nanosecond).In(loc); local.Weekday() != time.Sunday || local.Hour() != 23 {
				t.Errorf("the week's last instant is %s local, want Sunday 23:59:59.999999999", local)
			}
			if d := hour.Sub(end); d < 0 || d >= time.Hour {
				t.Errorf("reported %s after the week's end %s, want within the hour after", d, end.UTC())
			}
		})
	}
}

// sweepZones are zones with whole-hour, half-hour and 45-minute offsets, both extremes (UTC−12
// and UTC+14), daylight saving in both hemispheres, a 30-minute daylight shift (Lord Howe), and
// Samoa, which skipped Friday 30 December 2011 to move from UTC−10 to UTC+14.
var sweepZones = []string{
	"UTC", "America/New_York", "Pacific/Kiritimati", "Etc/GMT+12", "Pacific/Pago_Pago", "Asia/Kolkata",
	"Asia/Kathmandu", "Pacific/Chatham", "Australia/Lord_Howe", "America/St_Johns", "Pacific/Apia",
	"America/Santiago", "America/Sao_Paulo", "Asia/Tehran", "Europe/London", "Europe/Berlin",
	"Africa/Casablanca", "Asia/Gaza", "America/Havana", "Asia/Beirut", "Australia/Sydney", "America/Asuncion",
}

// TestClosedWeekSweep calls ClosedWeek for every hour of several years in each zone of
// sweepZones: every week is reported in exactly one hour, in order and without a gap, within the
// hour after it ended, and the week reported covers the local days up to that end.
func TestClosedWeekSweep(t *testing.T) {
	t.Parallel()
	for _, span := range []struct{ from, to string }{
		{"2011-11-28T00:00:00Z", "2012-01-16T00:00:00Z"}, // Samoa's skipped day
		{"2025-12-01T00:00:00Z", "2027-01-18T00:00:00Z"}, // 2026 with its 53 weeks, every DST change
	} {
		for _, zone := range sweepZones {
			t.Run(zone+"/"+span.from[:4], func(t *testing.T) {
				t.Parallel()
				loc := mustLoc(t, zone)
				from, to := utcHour(t, span.from), utcHour(t, span.to)
				var last digest.Week
				n := 0
				for h := from; h.Before(to); h = h.Add(time.Hour) {
					w, ok := digest.ClosedWeek(h, loc)
					if !ok {
						continue
					}
					n++
					if last != (digest.Week{}) && w != last.Next() {
						t.Fatalf("%s: week %v reported after %v, want %v", h.Format(time.RFC3339), w, last, last.Next())
					}
					last = w
					end := w.End(loc)
					if d := h.Sub(end); d < 0 || d >= time.Hour {
						t.Fatalf("%s: week %v ended %s, %s before", h.Format(time.RFC3339), w, end.UTC().Format(time.RFC3339), d)
					}
					if got := digest.WeekOf(end.Add(-time.Nanosecond), loc); got != w {
						t.Fatalf("%v: the instant before its end is in %v", w, got)
					}
					if got := digest.WeekOf(end, loc); got != w.Next() {
						t.Fatalf("%v: its end is in %v, want the next week", w, got)
					}
					if got := digest.WeekOf(h, loc); got != w.Next() {
						t.Fatalf("%v: reported at %s, which is in %v locally", w, h.Format(time.RFC3339), got)
					}
				}
				// Every week whose end lies in the span was reported.
				want := 0
				for w := digest.WeekOf(from.Add(-8*24*time.Hour), loc); w.Start(loc).Before(to); w = w.Next() {
					if end := w.End(loc); end.After(from.Add(-time.Hour)) && !end.After(to.Add(-time.Hour)) {
						want++
					}
				}
				if n != want {
					t.Errorf("%d weeks reported, want %d", n, want)
				}
			})
		}
	}
}

// TestDueWeek checks the user-level rule: the user's zone with its UTC fallback, and the
// creation time.
func TestDueWeek(t *testing.T) {
	t.Parallel()
	w44 := digest.Week{Year: 2026, Week: 44}
	created := utcHour(t, "2026-10-01T00:00:00Z")
	for _, tc := range []struct {
		name string
		user coach.User
		hour string
		want digest.Week
		due  bool
	}{
		{"New York", coach.User{TimeZone: "America/New_York", CreatedAt: created}, "2026-11-02T05:00:00Z", w44, true},
		{"New York at Monday 00:00 UTC", coach.User{TimeZone: "America/New_York", CreatedAt: created}, "2026-11-02T00:00:00Z", digest.Week{}, false},
		{"Kiritimati", coach.User{TimeZone: "Pacific/Kiritimati", CreatedAt: created}, "2026-11-01T10:00:00Z", w44, true},
		{"no zone is UTC", coach.User{CreatedAt: created}, "2026-11-02T00:00:00Z", w44, true},
		{"an unknown zone is UTC", coach.User{TimeZone: "Mars/Olympus", CreatedAt: created}, "2026-11-02T00:00:00Z", w44, true},
		{"Local is UTC", coach.User{TimeZone: "Local", CreatedAt: created}, "2026-11-02T00:00:00Z", w44, true},
		{"an unknown zone not at New York's hour", coach.User{TimeZone: "Mars/Olympus", CreatedAt: created}, "2026-11-02T05:00:00Z", digest.Week{}, false},
		{"created mid-week", coach.User{TimeZone: "America/New_York", CreatedAt: utcHour(t, "2026-10-28T16:00:00Z")}, "2026-11-02T05:00:00Z", w44, true},
		{"created a second before the end", coach.User{TimeZone: "America/New_York", CreatedAt: utcHour(t, "2026-11-02T04:59:59Z")}, "2026-11-02T05:00:00Z", w44, true},
		{"created at the end", coach.User{TimeZone: "America/New_York", CreatedAt: utcHour(t, "2026-11-02T05:00:00Z")}, "2026-11-02T05:00:00Z", digest.Week{}, false},
		{"created after the end, in the hour", coach.User{TimeZone: "Asia/Kolkata", CreatedAt: utcHour(t, "2026-11-01T18:45:00Z")}, "2026-11-01T19:00:00Z", digest.Week{}, false},
		{"created before the end, in the hour", coach.User{TimeZone: "Asia/Kolkata", CreatedAt: utcHour(t, "2026-11-01T18:15:00Z")}, "2026-11-01T19:00:00Z", w44, true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got, ok := digest.DueWeek(tc.user, utcHour(t, tc.hour))
			if ok != tc.due || got != tc.want {
				t.Errorf("DueWeek = %v, %v; want %v, %v", got, ok, tc.want, tc.due)
			}
		})
	}
}

// FuzzClosedWeek checks ClosedWeek's promises from any hour in any zone of sweepZones: a week it
// reports ended within the hour before, and over 170 consecutive hours (a week lasts 144 to 169
// of them) it reports one week or two consecutive ones.
func FuzzClosedWeek(f *testing.F) {
	for i := range sweepZones {
		f.Add(uint64(i*86_400), uint8(i))
	}
	f.Add(uint64(977_688), uint8(10)) // hours from 1900 to Samoa's skipped day, 2011-12-30
	locs := make([]*time.Location, len(sweepZones))
	for i, z := range sweepZones {
		locs[i] = mustLoc(f, z)
	}
	f.Fuzz(func(t *testing.T, hours uint64, zone uint8) {
		const span = 400 * 365 * 24 // 1900 to 2300
		h := time.Date(1900, 1, 1, 0, 0, 0, 0, time.UTC).Add(time.Duration(hours%span) * time.Hour)
		loc := locs[int(zone)%len(locs)]
		var seen []digest.Week
		for i := range 170 {
			at := h.Add(time.Duration(i) * time.Hour)
			w, ok := digest.ClosedWeek(at, loc)
			if !ok {
				continue
			}
			if d := at.Sub(w.End(loc)); d < 0 || d >= time.Hour {
				t.Fatalf("%s in %s: %v ended %s before", at, loc, w, d)
			}
			seen = append(seen, w)
		}
		if len(seen) == 0 || len(seen) > 2 || (len(seen) == 2 && seen[1] != seen[0].Next()) {
			t.Fatalf("from %s in %s: weeks %v over 170 hours, want one or two consecutive", h, loc, seen)
		}
	})
}
