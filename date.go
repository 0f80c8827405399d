package coach

import (
	"encoding/json"
	"time"
)

// Date is a calendar day without a time zone, written "2006-01-02" in JSON and SQL. Digests use
// it for their period: the days are the user's own, in the user's time zone.
type Date struct {
	Year  int
	Month time.Month
	Day   int
}

// DateOf returns the calendar day of t in t's location.
func DateOf(t time.Time) Date {
	y, m, d := t.Date()
	return Date{Year: y, Month: m, Day: d}
}

// ParseDate parses "2006-01-02".
func ParseDate(s string) (Date, error) {
	t, err := time.Parse(time.DateOnly, s)
	if err != nil {
		return Date{}, Errorf(EINVALID, "date %q: want YYYY-MM-DD", clip(s, 20))
	}
	return DateOf(t), nil
}

// String returns the date as "2006-01-02".
func (d Date) String() string { return d.In(time.UTC).Format(time.DateOnly) }

// IsZero reports whether d is the zero Date.
func (d Date) IsZero() bool { return d == Date{} }

// In returns midnight at the start of d in loc; a nil loc means UTC.
func (d Date) In(loc *time.Location) time.Time {
	if loc == nil {
		loc = time.UTC
	}
	return time.Date(d.Year, d.Month, d.Day, 0, 0, 0, 0, loc)
}

// AddDays returns the date n days after d (before it for negative n).
func (d Date) AddDays(n int) Date { return DateOf(d.In(time.UTC).AddDate(0, 0, n)) }

// Before reports whether d is an earlier day than o.
func (d Date) Before(o Date) bool { return d.In(time.UTC).Before(o.In(time.UTC)) }

// MarshalJSON writes "2006-01-02", and null for the zero Date (no date). A date whose year is
// outside 0000–9999 cannot be written that way and is an EINVALID error.
func (d Date) MarshalJSON() ([]byte, error) {
	if d.IsZero() {
		return []byte("null"), nil
	}
	if y := d.In(time.UTC).Year(); y < 0 || y > 9999 {
		return nil, Errorf(EINVALID, "date: year %d is not 0000-9999", y)
	}
	return json.Marshal(d.String())
}

// UnmarshalJSON reads "2006-01-02", and null as the zero Date.
func (d *Date) UnmarshalJSON(b []byte) error {
	if string(b) == "null" {
		*d = Date{}
		return nil
	}
	var s string
	if err := json.Unmarshal(b, &s); err != nil {
		return Errorf(EINVALID, "date: want a string YYYY-MM-DD")
	}
	p, err := ParseDate(s)
	if err != nil {
		return err
	}
	*d = p
	return nil
}
