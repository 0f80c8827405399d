package digest

import (
	"context"
	"time"

	"github.com/tradecoach/coach"
	"github.com/tradecoach/coach/storage"
)

// ClosedWeek returns the ISO week of loc (nil means UTC) that ended in the hour up to t — whose
// End, Monday 00:00 in loc, is in (t−1h, t] — and true, or false when no week of loc ended in
// that hour. Called with the start of each hour, it returns every week of loc exactly once over
// consecutive hours (week ends are days apart and the hours tile the time line), in the first
// hour that starts at or after the end of the week's local Sunday: Monday 05:00 UTC for New York
// in winter, 04:00 UTC in summer, Sunday 10:00 UTC for Pacific/Kiritimati (UTC+14), Sunday
// 19:00 UTC for Asia/Kolkata (UTC+5:30, whose week ends at 18:30 UTC). The week returned covers
// the whole local Sunday, whatever the daylight-saving changes inside it (see Week).
func ClosedWeek(t time.Time, loc *time.Location) (Week, bool) {
	if loc == nil {
		loc = time.UTC
	}
	// The week that ended within the hour before t is the one before WeekOf(t), or WeekOf(t)
	// itself should End land before the instant where WeekOf changes (a zone whose clocks jump
	// at Monday midnight).
	cur := WeekOf(t, loc)
	for _, w := range []Week{cur.Prev(), cur} {
		if !w.Valid() {
			continue
		}
		if end := w.End(loc); end.After(t.Add(-time.Hour)) && !end.After(t) {
			return w, true
		}
	}
	return Week{}, false
}

// DueWeek returns the week whose weekly digest is due for u in the hour up to t, and true; false
// when none is. It is ClosedWeek in u's time zone (User.Location: UTC when TimeZone is empty,
// "Local", or not a zone this machine's tzdata knows), for a user created before that week
// ended: a user created mid-week gets a digest of that first, partial week; one created after
// the week ended is not due for it.
func DueWeek(u coach.User, t time.Time) (Week, bool) {
	loc := u.Location()
	w, ok := ClosedWeek(t, loc)
	if !ok || !u.CreatedAt.Before(w.End(loc)) {
		return Week{}, false
	}
	return w, true
}

// DueDigest is a weekly digest that is due: the user's week has ended in their time zone. The
// hourly fan-out enqueues the digest.weekly job for it under the deterministic id
// "digest:{UserID}:{Week}" (Week.String, e.g. "digest:u1:2026-W44"), so that enqueueing it again
// — another worker running the same hour, a retried fan-out — runs it once; the handler calls
// Service.Weekly(ctx, UserID, Week).
type DueDigest struct {
	// UserID is the user whose week ended.
	UserID string
	// Week is the ISO week that ended in the user's time zone.
	Week Week
	// Ended is the end of Week in UTC: Monday 00:00 in the user's time zone.
	Ended time.Time
}

// DuePage is one page of Service.Due.
type DuePage struct {
	// Due are the page's digests, in user-id order.
	Due []DueDigest
	// Next continues the listing: pass it as Due's after. It is "" when this page is the last.
	Next string
}

// Due lists the weekly digests due in the hour up to hourStart: every stored user whose ISO week
// ended in (hourStart−1h, hourStart] in their time zone and who was created before it ended
// (DueWeek), with that week, in user-id order after the user id after ("" to begin), at most
// storage.Clamp(limit) per page. The hourly fan-out calls it at the start of each hour (UTC) and
// pages until Next is "":
//
//	for after := ""; ; {
//		page, err := svc.Due(ctx, hour, after, 500)
//		if err != nil {
//			return err // retry the fan-out: the enqueues below are idempotent
//		}
//		for _, d := range page.Due {
//			// enqueue digest.weekly for (d.UserID, d.Week) as "digest:{d.UserID}:{d.Week}"
//		}
//		if page.Next == "" {
//			break
//		}
//		after = page.Next
//	}
//
// Over consecutive hours, each week of each user is due in exactly one hour, the first that
// starts at or after the end of the user's local Sunday (see ClosedWeek); a user who changes
// time zone in that hour may be missed or listed twice for one week.
//
// Due only reads, so several workers may run it for the same hour at once: each lists the same
// digests (as of its reads), and the deterministic job id makes their enqueues one. A fan-out
// that missed hours (no worker ran) calls Due for each of them in turn; the result depends on
// hourStart and the stored users only, never on when Due runs.
//
// Cost: one storage.Users.TimeZones read (one index probe per zone in use); then, only in an hour
// in which some zone in use ends its week, Users.List pages over the users of those zones
// (storage.UserFilter.TimeZones), so the users of every other zone are not read. In a typical
// hour no zone ends its week, and Due reads the zones and nothing else.
//
// Errors: EINVALID when hourStart is not a whole UTC hour or is after the clock's now (a week
// that has not ended is never due), or when after is neither "" nor a user id; the store's
// errors otherwise.
func (s *Service) Due(ctx context.Context, hourStart time.Time, after string, limit int) (DuePage, error) {
	if s == nil || s.store == nil {
		return DuePage{}, errNotConstructed
	}
	page, err := s.due(ctx, hourStart, after, limit)
	if coach.ErrorCode(err) == coach.EINTERNAL {
		s.log.ErrorContext(ctx, "digest: due failed", "hour", hourStart, "err", err)
	}
	return page, err
}

// zoneWeek is the week a time zone ended in the hour Due lists, and when it ended.
type zoneWeek struct {
	week  Week
	ended time.Time
}

func (s *Service) due(ctx context.Context, hourStart time.Time, after string, limit int) (DuePage, error) {
	switch {
	case !hourStart.Truncate(time.Hour).Equal(hourStart):
		return DuePage{}, coach.Errorf(coach.EINVALID, "digest: due: hourStart %s is not a whole hour", hourStart.UTC().Format(time.RFC3339Nano))
	case hourStart.After(s.clock.Now()):
		return DuePage{}, coach.Errorf(coach.EINVALID, "digest: due: hourStart %s is in the future", hourStart.UTC().Format(time.RFC3339))
	case after != "" && !coach.ValidID(after):
		return DuePage{}, coach.Errorf(coach.EINVALID, "digest: due: after: not a user id")
	}
	zones, err := s.store.Users().TimeZones(ctx)
	if err != nil {
		return DuePage{}, err
	}
	ended := map[string]zoneWeek{}
	var names []string
	var latest time.Time
	for _, z := range zones {
		loc := coach.User{TimeZone: z}.Location() // the user's fallback, exactly
		w, ok := ClosedWeek(hourStart, loc)
		if !ok {
			continue
		}
		zw := zoneWeek{week: w, ended: w.End(loc).UTC()}
		ended[z] = zw
		names = append(names, z)
		if zw.ended.After(latest) {
			latest = zw.ended
		}
	}
	if len(names) == 0 {
		return DuePage{}, nil
	}
	limit = storage.Clamp(limit)
	var page DuePage
	for {
		users, err := s.store.Users().List(ctx, storage.UserFilter{TimeZones: names, CreatedBefore: latest, After: after, Limit: limit})
		if err != nil {
			return DuePage{}, err
		}
		for _, u := range users {
			after = u.ID
			zw, ok := ended[u.TimeZone]
			if !ok || !u.CreatedAt.Before(zw.ended) { // zones ending earlier in the hour than latest
				continue
			}
			page.Due = append(page.Due, DueDigest{UserID: u.ID, Week: zw.week, Ended: zw.ended})
			if len(page.Due) == limit {
				page.Next = u.ID
				return page, nil
			}
		}
		if len(users) < limit {
			return page, nil
		}
	}
}
