package digest_test

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/tradecoach/coach"
	"github.com/tradecoach/coach/digest"
	"github.com/tradecoach/coach/storage"
	"github.com/tradecoach/coach/storage/memory"
	"github.com/tradecoach/coach/storage/postgres/postgrestest"
	"github.com/tradecoach/coach/transport"
	transportmemory "github.com/tradecoach/coach/transport/memory"
)

// dueUser is a user of the fan-out sweep and the hours (UTC) at which each of their weeks must
// be due, as "2026-W44@2026-11-02T05:00:00Z".
type dueUser struct {
	name    string
	zone    string
	created string
	due     []string
}

// dueUsers have weeks ending across both daylight-saving changes of 2026 in New York (UTC−5/−4,
// Sunday 8 March and Sunday 1 November) and in Kiritimati (UTC+14 all year), beside UTC, two
// zones whose weeks end in the same hour 30 minutes apart (Kolkata UTC+5:30, Karachi UTC+5), a
// user created mid-week and users created in the hour after their week ended.
var dueUsers = []dueUser{
	{"ny", "America/New_York", "2026-01-01T00:00:00Z", []string{
		"2026-W08@2026-02-23T05:00:00Z", "2026-W09@2026-03-02T05:00:00Z", "2026-W10@2026-03-09T04:00:00Z", "2026-W11@2026-03-16T04:00:00Z",
		"2026-W42@2026-10-19T04:00:00Z", "2026-W43@2026-10-26T04:00:00Z", "2026-W44@2026-11-02T05:00:00Z", "2026-W45@2026-11-09T05:00:00Z", "2026-W46@2026-11-16T05:00:00Z"}},
	{"toronto", "America/Toronto", "2026-01-01T00:00:00Z", []string{
		"2026-W08@2026-02-23T05:00:00Z", "2026-W09@2026-03-02T05:00:00Z", "2026-W10@2026-03-09T04:00:00Z", "2026-W11@2026-03-16T04:00:00Z",
		"2026-W42@2026-10-19T04:00:00Z", "2026-W43@2026-10-26T04:00:00Z", "2026-W44@2026-11-02T05:00:00Z", "2026-W45@2026-11-09T05:00:00Z", "2026-W46@2026-11-16T05:00:00Z"}},
	{"kiritimati", "Pacific/Kiritimati", "2026-01-01T00:00:00Z", []string{
		"2026-W08@2026-02-22T10:00:00Z", "2026-W09@2026-03-01T10:00:00Z", "2026-W10@2026-03-08T10:00:00Z", "2026-W11@2026-03-15T10:00:00Z",
		"2026-W42@2026-10-18T10:00:00Z", "2026-W43@2026-10-25T10:00:00Z", "2026-W44@2026-11-01T10:00:00Z", "2026-W45@2026-11-08T10:00:00Z", "2026-W46@2026-11-15T10:00:00Z"}},
	{"utc", "", "2026-01-01T00:00:00Z", []string{
		"2026-W08@2026-02-23T00:00:00Z", "2026-W09@2026-03-02T00:00:00Z", "2026-W10@2026-03-09T00:00:00Z", "2026-W11@2026-03-16T00:00:00Z",
		"2026-W42@2026-10-19T00:00:00Z", "2026-W43@2026-10-26T00:00:00Z", "2026-W44@2026-11-02T00:00:00Z", "2026-W45@2026-11-09T00:00:00Z", "2026-W46@2026-11-16T00:00:00Z"}},
	{"kolkata", "Asia/Kolkata", "2026-01-01T00:00:00Z", []string{
		"2026-W08@2026-02-22T19:00:00Z", "2026-W09@2026-03-01T19:00:00Z", "2026-W10@2026-03-08T19:00:00Z", "2026-W11@2026-03-15T19:00:00Z",
		"2026-W42@2026-10-18T19:00:00Z", "2026-W43@2026-10-25T19:00:00Z", "2026-W44@2026-11-01T19:00:00Z", "2026-W45@2026-11-08T19:00:00Z", "2026-W46@2026-11-15T19:00:00Z"}},
	{"karachi", "Asia/Karachi", "2026-01-01T00:00:00Z", []string{
		"2026-W08@2026-02-22T19:00:00Z", "2026-W09@2026-03-01T19:00:00Z", "2026-W10@2026-03-08T19:00:00Z", "2026-W11@2026-03-15T19:00:00Z",
		"2026-W42@2026-10-18T19:00:00Z", "2026-W43@2026-10-25T19:00:00Z", "2026-W44@2026-11-01T19:00:00Z", "2026-W45@2026-11-08T19:00:00Z", "2026-W46@2026-11-15T19:00:00Z"}},
	// Created on Wednesday of the week DST ended: that first, partial week is due.
	{"ny-midweek", "America/New_York", "2026-10-28T16:00:00Z", []string{
		"2026-W44@2026-11-02T05:00:00Z", "2026-W45@2026-11-09T05:00:00Z", "2026-W46@2026-11-16T05:00:00Z"}},
	// Created 30 minutes after their week ended (Monday 00:30 local), before the hour it is due.
	{"kiritimati-late", "Pacific/Kiritimati", "2026-11-01T10:30:00Z", []string{
		"2026-W45@2026-11-08T10:00:00Z", "2026-W46@2026-11-15T10:00:00Z"}},
	// Created after Kolkata's week ended (18:30 UTC) but before Karachi's (19:00 UTC), whose week
	// is due in the same hour.
	{"kolkata-late", "Asia/Kolkata", "2026-11-01T18:45:00Z", []string{
		"2026-W45@2026-11-08T19:00:00Z", "2026-W46@2026-11-15T19:00:00Z"}},
}

// dueSpans are the hours swept: around the start and the end of daylight saving in New York.
var dueSpans = [][2]string{
	{"2026-02-21T00:00:00Z", "2026-03-17T00:00:00Z"},
	{"2026-10-17T00:00:00Z", "2026-11-17T00:00:00Z"},
}

// createDueUsers stores users and returns their ids by name.
func createDueUsers(t *testing.T, st storage.Store, users []dueUser) map[string]string {
	t.Helper()
	ids := map[string]string{}
	for _, u := range users {
		id := coach.NewID()
		if err := st.Users().Create(context.Background(), coach.User{ID: id, TimeZone: u.zone, CreatedAt: utcHour(t, u.created)}); err != nil {
			t.Fatalf("create %s: %v", u.name, err)
		}
		ids[u.name] = id
	}
	return ids
}

// sweepDue runs the hourly fan-out over dueSpans with workers concurrent workers per hour, each
// paging Due (pages of pageSize) and enqueueing digest.weekly under "digest:{userId}:{isoWeek}".
// It returns what each worker listed and what the queue accepted as new, as
// "name:week@hour" lines in order.
func sweepDue(t *testing.T, st storage.Store, names map[string]string, workers, pageSize int) (listed [][]string, accepted []string) {
	t.Helper()
	ctx := context.Background()
	clock := coach.NewManualClock(time.Time{})
	svc := mustNew(t, digest.ServiceConfig{Store: st, Clock: clock})
	q, err := transportmemory.NewQueue(transportmemory.QueueConfig{DeadLetters: memory.New().DeadLetters()})
	if err != nil {
		t.Fatal(err)
	}
	byID := map[string]string{}
	for name, id := range names {
		byID[id] = name
	}
	listed = make([][]string, workers)
	var mu sync.Mutex
	for _, span := range dueSpans {
		for h := utcHour(t, span[0]); h.Before(utcHour(t, span[1])); h = h.Add(time.Hour) {
			// The workers run just after the hour starts.
			clock.Set(h.Add(time.Duration(workers) * time.Second))
			var wg sync.WaitGroup
			for w := range workers {
				wg.Go(func() {
					for after := ""; ; {
						page, err := svc.Due(ctx, h, after, pageSize)
						if err != nil {
							t.Errorf("worker %d, Due(%s, %q): %v", w, h.Format(time.RFC3339), after, err)
							return
						}
						if len(page.Due) > pageSize {
							t.Errorf("Due(%s): a page of %d, limit %d", h.Format(time.RFC3339), len(page.Due), pageSize)
						}
						for _, d := range page.Due {
							line := fmt.Sprintf("%s:%s@%s", byID[d.UserID], d.Week, h.Format(time.RFC3339))
							if !d.Ended.After(h.Add(-time.Hour)) || d.Ended.After(h) {
								t.Errorf("%s: ended %s, outside the hour", line, d.Ended)
							}
							res, err := q.Enqueue(ctx, transport.Job{Type: transport.JobDigestWeekly, Queue: transport.QueueDigest,
								ID: "digest:" + d.UserID + ":" + d.Week.String(), Payload: []byte("{}")})
							if err != nil {
								t.Errorf("enqueue %s: %v", line, err)
								return
							}
							mu.Lock()
							listed[w] = append(listed[w], line)
							if !res.Duplicate {
								accepted = append(accepted, line)
							}
							mu.Unlock()
						}
						if page.Next == "" {
							return
						}
						after = page.Next
					}
				})
			}
			wg.Wait()
		}
	}
	return listed, accepted
}

// wantDue returns the "name:week@hour" lines users must be due with, in sweep order (by hour,
// then by user id, the order of Due).
func wantDue(users []dueUser, names map[string]string) []string {
	type line struct{ hour, id, text string }
	var all []line
	for _, u := range users {
		for _, d := range u.due {
			week, hour, _ := strings.Cut(d, "@")
			all = append(all, line{hour, names[u.name], u.name + ":" + week + "@" + hour})
		}
	}
	slices.SortFunc(all, func(a, b line) int {
		if a.hour != b.hour {
			return strings.Compare(a.hour, b.hour)
		}
		return strings.Compare(a.id, b.id)
	})
	out := make([]string, len(all))
	for i, l := range all {
		out[i] = l.text
	}
	return out
}

// TestDueSweep sweeps consecutive hours across both daylight-saving changes with two workers
// running the fan-out at once, pages of 2: every week of every user is listed by each worker
// exactly once, in the hour after the user's local Sunday 24:00, and the queue accepts each
// digest:{userId}:{isoWeek} job once.
func TestDueSweep(t *testing.T) {
	t.Parallel()
	st := memory.New()
	t.Cleanup(func() { st.Close() })
	names := createDueUsers(t, st, dueUsers)
	listed, accepted := sweepDue(t, st, names, 2, 2)
	want := wantDue(dueUsers, names)
	for w, got := range listed {
		if diff := cmp.Diff(want, got); diff != "" {
			t.Errorf("worker %d listed (-want +got):\n%s", w, diff)
		}
	}
	if diff := cmp.Diff(sortedWithin(want), sortedWithin(accepted)); diff != "" {
		t.Errorf("jobs accepted by the queue (-want +got):\n%s", diff)
	}
}

// sortedWithin returns lines sorted, for comparing sets.
func sortedWithin(lines []string) []string {
	out := slices.Clone(lines)
	slices.Sort(out)
	return out
}

// TestDueSweepPostgres is TestDueSweep on PostgreSQL, with one more user whose stored time zone
// is not one this machine knows (written by another program): it is due on UTC's hours.
func TestDueSweepPostgres(t *testing.T) {
	t.Parallel()
	db := postgrestest.MustOpenTestDB(t)
	users := append(slices.Clone(dueUsers), dueUser{"mars", "", "2026-01-01T00:00:00Z", dueUsers[3].due})
	names := createDueUsers(t, db, users)
	if _, err := db.Pool().Exec(context.Background(), `UPDATE users SET time_zone = 'Mars/Olympus' WHERE id = $1`, names["mars"]); err != nil {
		t.Fatal(err)
	}
	u, err := db.Users().ByID(context.Background(), names["mars"])
	if err != nil || u.TimeZone != "Mars/Olympus" {
		t.Fatalf("setup: user %+v, %v", u, err)
	}
	listed, accepted := sweepDue(t, db, names, 2, 2)
	want := wantDue(users, names)
	for w, got := range listed {
		if diff := cmp.Diff(want, got); diff != "" {
			t.Errorf("worker %d listed (-want +got):\n%s", w, diff)
		}
	}
	if diff := cmp.Diff(sortedWithin(want), sortedWithin(accepted)); diff != "" {
		t.Errorf("jobs accepted by the queue (-want +got):\n%s", diff)
	}
}

// TestDueRefuses checks Due's input errors and that it lists nothing from an empty store.
func TestDueRefuses(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	st := memory.New()
	t.Cleanup(func() { st.Close() })
	now := utcHour(t, "2026-11-02T05:00:00Z")
	svc := mustNew(t, digest.ServiceConfig{Store: st, Clock: coach.NewManualClock(now.Add(time.Minute))})
	page, err := svc.Due(ctx, now, "", 0)
	if err != nil || len(page.Due) != 0 || page.Next != "" {
		t.Errorf("Due on an empty store = %+v, %v", page, err)
	}
	for name, tc := range map[string]struct {
		hour  time.Time
		after string
	}{
		"not a whole hour":    {now.Add(30 * time.Minute).Add(-time.Hour), ""},
		"a second past":       {now.Add(time.Second), ""},
		"the next hour":       {now.Add(time.Hour), ""},
		"after with a space":  {now, "a b"},
		"after with a pipe":   {now, "auth0|1"},
		"after of 65 letters": {now, string(make([]byte, 65))},
	} {
		if _, err := svc.Due(ctx, tc.hour, tc.after, 0); coach.ErrorCode(err) != coach.EINVALID {
			t.Errorf("Due with %s = %v, want EINVALID", name, err)
		}
	}
	// In a zone with a whole-hour offset, an hour in a non-UTC location is the same instant.
	if _, err := svc.Due(ctx, now.In(mustLoc(t, "America/New_York")), "", 0); err != nil {
		t.Errorf("Due with the hour in New York's location: %v", err)
	}
}

// TestDueDigestCoversLocalSunday runs Weekly for what Due lists and checks that the digest holds
// the trades of the user's whole local Sunday, including those already on Monday in UTC (New
// York) and excluding those already on Monday locally (Kiritimati), which a Monday 00:00 UTC
// run would get wrong both ways.
func TestDueDigestCoversLocalSunday(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	st := memory.New()
	t.Cleanup(func() { st.Close() })
	created := utcHour(t, "2026-10-01T00:00:00Z")
	for _, u := range []coach.User{{ID: "ny", TimeZone: "America/New_York", CreatedAt: created}, {ID: "kiri", TimeZone: "Pacific/Kiritimati", CreatedAt: created}} {
		if err := st.Users().Create(ctx, u); err != nil {
			t.Fatal(err)
		}
	}
	trades := map[string][]coach.Trade{
		"ny": {
			fill(t, "mon-early", "2026-10-26T04:10:00Z", "BTC-USDT", coach.Buy, "0.1", "100", "0"), // Mon 00:10 EDT: W44
			fill(t, "sun-late", "2026-11-02T04:30:00Z", "BTC-USDT", coach.Sell, "0.1", "110", "0"), // Sun 23:30 EST: W44, Monday in UTC
			fill(t, "next-mon", "2026-11-02T05:10:00Z", "BTC-USDT", coach.Buy, "0.1", "105", "0"),  // Mon 00:10 EST: W45
			fill(t, "prev-sun", "2026-10-26T03:50:00Z", "BTC-USDT", coach.Buy, "0.1", "95", "0"),   // Sun 23:50 EDT: W43
		},
		"kiri": {
			fill(t, "sun-late", "2026-11-01T09:30:00Z", "BTC-USDT", coach.Buy, "0.1", "100", "0"),   // Sun 23:30 +14: W44, Sunday in UTC
			fill(t, "mon-early", "2026-11-01T10:30:00Z", "BTC-USDT", coach.Sell, "0.1", "110", "0"), // Mon 00:30 +14: W45, Sunday in UTC
			fill(t, "mon-first", "2026-10-25T10:00:00Z", "BTC-USDT", coach.Buy, "0.1", "100", "0"),  // Mon 00:00 +14: W44's first instant
		},
	}
	for id, ts := range trades {
		for i := range ts {
			ts[i].UserID, ts[i].ID = id, id+"-"+ts[i].ID
		}
		if _, err := st.Trades().Upsert(ctx, id, ts); err != nil {
			t.Fatal(err)
		}
	}
	for _, tc := range []struct {
		hour, user string
		trades     int
	}{
		{"2026-11-02T05:00:00Z", "ny", 2},
		{"2026-11-01T10:00:00Z", "kiri", 2},
	} {
		hour := utcHour(t, tc.hour)
		svc := mustNew(t, digest.ServiceConfig{Store: st, Clock: coach.NewManualClock(hour)})
		page, err := svc.Due(ctx, hour, "", 0)
		if err != nil {
			t.Fatal(err)
		}
		w44 := digest.Week{Year: 2026, Week: 44}
		if len(page.Due) != 1 || page.Due[0].UserID != tc.user || page.Due[0].Week != w44 {
			t.Fatalf("Due(%s) = %+v, want %s's 2026-W44", tc.hour, page.Due, tc.user)
		}
		d, err := svc.Weekly(ctx, page.Due[0].UserID, page.Due[0].Week)
		if err != nil {
			t.Fatal(err)
		}
		p, err := digest.ParsePayload(d.Payload)
		if err != nil {
			t.Fatal(err)
		}
		if d.PeriodStart != date("2026-10-26") || d.PeriodEnd != date("2026-11-01") || p.TradeCount != tc.trades {
			t.Errorf("%s: digest %s to %s with %d trades, want 2026-10-26 to 2026-11-01 with %d", tc.user, d.PeriodStart, d.PeriodEnd, p.TradeCount, tc.trades)
		}
		var sunday *digest.Day
		for i := range p.Days {
			if p.Days[i].Date == date("2026-11-01") {
				sunday = &p.Days[i]
			}
		}
		if sunday == nil || sunday.Trades != 1 {
			t.Errorf("%s: Sunday 1 November in the digest = %+v, want its one trade", tc.user, sunday)
		}
	}
}
