package coach

import (
	"crypto/rand"
	"time"

	"github.com/lucsky/cuid"
	"github.com/oklog/ulid/v2"
)

// NewID returns a new entity identifier (a cuid: 25 characters, starts with 'c', roughly
// time-ordered, unique across processes).
func NewID() string { return cuid.New() }

// ValidID reports whether id looks like an identifier this module issues or accepts from an
// adapter: 1 to 64 characters of [A-Za-z0-9_-].
func ValidID(id string) bool {
	if len(id) == 0 || len(id) > 64 {
		return false
	}
	for i := 0; i < len(id); i++ {
		c := id[i]
		if !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '_' || c == '-') {
			return false
		}
	}
	return true
}

// NextEventID returns the ULID for a user's next event: one whose time is now (millisecond
// precision) with random entropy, unless that would not sort after last, in which case it is
// last+1. Called while holding the user's stream lock, it makes event ids strictly increasing per
// user in commit order, so that "since <id>" never skips an event committed late. last may be ""
// for a user's first event.
func NextEventID(now time.Time, last string) (string, error) {
	id, err := ulid.New(ulid.Timestamp(now), rand.Reader)
	if err != nil {
		return "", err
	}
	if last == "" {
		return id.String(), nil
	}
	prev, err := ulid.ParseStrict(last)
	if err != nil {
		return "", Errorf(EINVALID, "event id %q is not a ULID", last)
	}
	if id.Compare(prev) > 0 {
		return id.String(), nil
	}
	next := prev
	for i := len(next) - 1; i >= 0; i-- {
		next[i]++
		if next[i] != 0 {
			break
		}
	}
	if next.Compare(prev) <= 0 {
		return "", Errorf(EINTERNAL, "event id space exhausted after %s", last)
	}
	return next.String(), nil
}

// EventIDTime returns the time encoded in an event id (millisecond precision, UTC).
func EventIDTime(id string) (time.Time, error) {
	u, err := ulid.ParseStrict(id)
	if err != nil {
		return time.Time{}, Errorf(EINVALID, "event id %q is not a ULID", id)
	}
	return ulid.Time(u.Time()).UTC(), nil
}

// EventIDAt returns the smallest event id whose time is t: every id issued at or after t sorts at
// or after it. Useful as a "since" bound for a time. A t before 1970 gives the smallest id, and a
// t past the last millisecond a ULID can hold (year 10889) the largest.
func EventIDAt(t time.Time) string {
	if t.Before(time.Unix(0, 0)) {
		return ulid.ULID{}.String()
	}
	var u ulid.ULID
	if err := u.SetTime(ulid.Timestamp(t)); err != nil {
		for i := range u {
			u[i] = 0xff
		}
	}
	return u.String()
}
