package coach_test

import (
	"encoding/json"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/tradecoach/coach"
)

func TestParseDate(t *testing.T) {
	t.Parallel()
	for in, want := range map[string]coach.Date{
		"2026-03-02": {Year: 2026, Month: time.March, Day: 2},
		"2024-02-29": {Year: 2024, Month: time.February, Day: 29},
		"0001-01-01": {Year: 1, Month: time.January, Day: 1},
		"9999-12-31": {Year: 9999, Month: time.December, Day: 31},
	} {
		got, err := coach.ParseDate(in)
		if err != nil || got != want {
			t.Errorf("ParseDate(%q) = %v, %v; want %v", in, got, err, want)
		}
		if got.String() != in {
			t.Errorf("%v.String() = %q, want %q", got, got.String(), in)
		}
	}
	for _, in := range []string{"", "2026-3-2", "2026-02-30", "2025-02-29", "02/03/2026", "2026-03-02T00:00:00Z", "20260302", " 2026-03-02"} {
		if _, err := coach.ParseDate(in); coach.ErrorCode(err) != coach.EINVALID {
			t.Errorf("ParseDate(%q): %v, want EINVALID", in, err)
		}
	}
}

func TestDateJSON(t *testing.T) {
	t.Parallel()
	type doc struct {
		Start coach.Date  `json:"start"`
		End   *coach.Date `json:"end,omitempty"`
	}
	end := coach.Date{Year: 2026, Month: time.March, Day: 8}
	for _, tc := range []struct {
		in   doc
		json string
	}{
		{doc{Start: coach.Date{Year: 2026, Month: time.March, Day: 2}, End: &end}, `{"start":"2026-03-02","end":"2026-03-08"}`},
		{doc{Start: coach.Date{Year: 1999, Month: time.December, Day: 31}}, `{"start":"1999-12-31"}`},
		{doc{}, `{"start":null}`}, // the zero Date is "no date"
	} {
		b, err := json.Marshal(tc.in)
		if err != nil {
			t.Fatalf("Marshal(%+v): %v", tc.in, err)
		}
		if string(b) != tc.json {
			t.Errorf("Marshal(%+v) = %s, want %s", tc.in, b, tc.json)
		}
		var back doc
		if err := json.Unmarshal(b, &back); err != nil {
			t.Fatalf("Unmarshal(%s): %v", b, err)
		}
		if diff := cmp.Diff(tc.in, back); diff != "" {
			t.Errorf("round trip of %s (-want +got):\n%s", b, diff)
		}
	}
	for _, in := range []string{`{"start":"2026-13-01"}`, `{"start":20260302}`, `{"start":"yesterday"}`, `{"start":{}}`} {
		var back doc
		err := json.Unmarshal([]byte(in), &back)
		if coach.ErrorCode(err) != coach.EINVALID {
			t.Errorf("Unmarshal(%s): %v, want EINVALID", in, err)
		}
	}
	// A year that YYYY-MM-DD cannot hold is refused rather than written unreadable.
	for _, y := range []int{-1, 10000} {
		if b, err := json.Marshal(coach.Date{Year: y, Month: time.January, Day: 1}); err == nil {
			t.Errorf("Marshal(year %d) = %s, want an error", y, b)
		}
	}
}

func TestDateCalendar(t *testing.T) {
	t.Parallel()
	berlin, err := time.LoadLocation("Europe/Berlin")
	if err != nil {
		t.Fatal(err)
	}
	sunday := time.Date(2026, 3, 8, 23, 30, 0, 0, time.UTC)
	if got := coach.DateOf(sunday); got.String() != "2026-03-08" {
		t.Errorf("DateOf(UTC) = %s", got)
	}
	if got := coach.DateOf(sunday.In(berlin)); got.String() != "2026-03-09" {
		t.Errorf("DateOf(Berlin) = %s, want the Monday", got)
	}
	monday := coach.Date{Year: 2026, Month: time.March, Day: 9}
	if got, want := monday.In(berlin), time.Date(2026, 3, 8, 23, 0, 0, 0, time.UTC); !got.Equal(want) {
		t.Errorf("In(Berlin) = %v, want %v", got, want)
	}
	for _, c := range []struct {
		from string
		n    int
		want string
	}{
		{"2026-03-02", 6, "2026-03-08"}, {"2024-02-28", 1, "2024-02-29"}, {"2025-02-28", 1, "2025-03-01"},
		{"2026-01-01", -1, "2025-12-31"}, {"2026-03-29", 1, "2026-03-30"}, {"2026-03-02", 0, "2026-03-02"},
	} {
		from, _ := coach.ParseDate(c.from)
		if got := from.AddDays(c.n); got.String() != c.want {
			t.Errorf("%s + %d days = %s, want %s", c.from, c.n, got, c.want)
		}
	}
	a, b := coach.Date{Year: 2025, Month: time.December, Day: 31}, coach.Date{Year: 2026, Month: time.January, Day: 1}
	if !a.Before(b) || b.Before(a) || a.Before(a) {
		t.Errorf("Before: %v<%v = %v, %v<%v = %v, %v<%v = %v", a, b, a.Before(b), b, a, b.Before(a), a, a, a.Before(a))
	}
	if !(coach.Date{}).IsZero() || a.IsZero() {
		t.Error("IsZero")
	}
}

// In(nil) is midnight UTC, as documented, not a panic.
func TestDateInNilIsUTC(t *testing.T) {
	t.Parallel()
	d := coach.Date{Year: 2026, Month: time.March, Day: 2}
	if got, want := d.In(nil), time.Date(2026, time.March, 2, 0, 0, 0, 0, time.UTC); !got.Equal(want) || got.Location() != time.UTC {
		t.Errorf("In(nil) = %v, want %v", got, want)
	}
}
