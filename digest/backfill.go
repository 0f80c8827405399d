package digest

import (
	"context"
	"time"

	"github.com/tradecoach/coach"
	"github.com/tradecoach/coach/storage"
)

// DefaultBackfillWeeks is how many of a user's last complete weeks an import reaches back to
// rebuild by default: eight, about the two months a first import usually brings.
const DefaultBackfillWeeks = 8

// PastWeeks returns the ISO weeks of loc (nil means UTC) that overlap [from, to) and had ended
// by now — their End, Monday 00:00 in loc, at or before now — among the last n such weeks
// (LastFullWeek(now, loc) and the n−1 before it), oldest first. The week that contains now is
// never among them, nor is any later one; n ≤ 0, or from not before to, gives none.
func PastWeeks(from, to, now time.Time, loc *time.Location, n int) []Week {
	if loc == nil {
		loc = time.UTC
	}
	if n <= 0 || !from.Before(to) {
		return nil
	}
	w := LastFullWeek(now, loc)
	for range n - 1 {
		w = w.Prev()
	}
	var out []Week
	for range n {
		if w.Valid() && w.Start(loc).Before(to) && from.Before(w.End(loc)) {
			out = append(out, w)
		}
		w = w.Next()
	}
	return out
}

// BackfillWeeks returns the weeks whose digests a change to the user's fills in [from, to) —
// an import, and the scoring of what it brought — leaves out of date, for a backfill to rebuild
// them: the weeks of PastWeeks(from, to, now, the user's time zone, n), now by the Service's
// clock, that hold at least one of the user's stored trades in [from, to), oldest first. Only
// complete weeks are returned: the week in progress gets its digest when it ends (Due).
//
// It only reads: the caller builds each week with Weekly, which stores nothing new for a week
// whose data did not change, so a backfill run twice gives the same digests.
//
// Errors: EINVALID for a bad user id or from not before to; ENOTFOUND for an unknown user; the
// store's otherwise.
func (s *Service) BackfillWeeks(ctx context.Context, userID string, from, to time.Time, n int) ([]Week, error) {
	switch {
	case s == nil || s.store == nil:
		return nil, errNotConstructed
	case !coach.ValidID(userID):
		return nil, coach.Errorf(coach.EINVALID, "userId: required")
	case from.IsZero() || to.IsZero() || !from.Before(to):
		return nil, coach.Errorf(coach.EINVALID, "backfill: the window must have a start before its end")
	}
	u, err := s.store.Users().ByID(ctx, userID)
	if err != nil {
		return nil, err
	}
	loc := u.Location()
	var out []Week
	for _, w := range PastWeeks(from, to, s.clock.Now(), loc, n) {
		f := storage.TradeFilter{From: later(from, w.Start(loc)), To: earlier(to, w.End(loc)), Limit: 1}
		held, err := s.store.Trades().List(ctx, userID, f)
		if err != nil {
			return nil, err
		}
		if len(held) > 0 {
			out = append(out, w)
		}
	}
	return out, nil
}

func later(a, b time.Time) time.Time {
	if b.After(a) {
		return b
	}
	return a
}

func earlier(a, b time.Time) time.Time {
	if b.Before(a) {
		return b
	}
	return a
}
