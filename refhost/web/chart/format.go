package chart

import (
	"math"
	"strconv"
	"strings"
	"time"
)

// formatValue writes v with dec decimals and grouping commas ("-1,234.50"); signed adds "+" to a
// positive value; unit, when set, follows after a space.
func formatValue(v float64, dec int, signed bool, unit string) string {
	if !finite(v) {
		return "n/a"
	}
	if math.Abs(v) >= 1e15 { // too long to group: scientific, 4 significant digits
		t := strconv.FormatFloat(v, 'g', 4, 64)
		if signed && v > 0 {
			t = "+" + t
		}
		if unit != "" {
			t += " " + unit
		}
		return t
	}
	p := math.Pow(10, float64(dec))
	v = math.Round(v*p) / p
	if v == 0 {
		v = 0
	}
	digits := strconv.FormatFloat(math.Abs(v), 'f', dec, 64)
	intPart, frac, _ := strings.Cut(digits, ".")
	var b strings.Builder
	switch {
	case v < 0:
		b.WriteByte('-')
	case v > 0 && signed:
		b.WriteByte('+')
	}
	for i, c := range intPart {
		if i > 0 && (len(intPart)-i)%3 == 0 {
			b.WriteByte(',')
		}
		b.WriteRune(c)
	}
	if frac != "" {
		b.WriteByte('.')
		b.WriteString(frac)
	}
	if unit != "" {
		b.WriteByte(' ')
		b.WriteString(unit)
	}
	return b.String()
}

// ticks are the round values of an axis.
type ticks struct {
	lo, hi float64 // the axis range, a multiple of step at each end
	step   float64
	dec    int // decimals of the labels
}

// niceTicks returns about n round ticks (1, 2 or 5 × 10ⁿ apart) covering [lo, hi].
func niceTicks(lo, hi float64, n int) ticks {
	if !finite(lo) || !finite(hi) {
		lo, hi = 0, 1
	}
	if lo > hi {
		lo, hi = hi, lo
	}
	lo, hi = max(lo, -1e300), min(hi, 1e300) // so that hi - lo is finite
	if hi == lo {
		d := math.Max(math.Abs(lo)*0.1, 1)
		lo, hi = lo-d, hi+d
	}
	raw := (hi - lo) / float64(max(n-1, 1))
	mag := math.Pow(10, math.Floor(math.Log10(raw)))
	step := 10 * mag
	for _, m := range []float64{1, 2, 2.5, 5, 10} {
		if m*mag >= raw {
			step = m * mag
			break
		}
	}
	t := ticks{lo: math.Floor(lo/step) * step, hi: math.Ceil(hi/step) * step, step: step}
	// decimals enough to tell the ticks apart: 2.5 × 10ⁿ needs one more than 10ⁿ.
	t.dec = max(0, int(-math.Floor(math.Log10(step)+1e-9)))
	if r := step / math.Pow(10, -float64(t.dec)); math.Abs(r-math.Round(r)) > 1e-6 {
		t.dec++
	}
	t.dec = min(t.dec, 12)
	return t
}

// each calls f with every tick value, lowest first.
func (t ticks) each(f func(v float64)) {
	count := int(math.Round((t.hi-t.lo)/t.step)) + 1
	for i := range min(count, 50) {
		v := t.lo + float64(i)*t.step
		if math.Abs(v) < t.step*1e-9 {
			v = 0
		}
		f(v)
	}
}

// timeStep is one candidate spacing of time ticks.
type timeStep struct {
	d      time.Duration // fixed width; 0 for calendar months
	months int
}

var timeSteps = []timeStep{
	{d: time.Minute}, {d: 5 * time.Minute}, {d: 15 * time.Minute}, {d: 30 * time.Minute},
	{d: time.Hour}, {d: 3 * time.Hour}, {d: 6 * time.Hour}, {d: 12 * time.Hour},
	{d: 24 * time.Hour}, {d: 2 * 24 * time.Hour}, {d: 7 * 24 * time.Hour}, {d: 14 * 24 * time.Hour},
	{months: 1}, {months: 3}, {months: 6}, {months: 12}, {months: 24}, {months: 60}, {months: 120},
}

// timeTicks returns at most n round instants in [from, to] (in loc) and their labels.
func timeTicks(from, to time.Time, n int, loc *time.Location) ([]time.Time, []string) {
	if loc == nil {
		loc = time.UTC
	}
	from, to = from.In(loc), to.In(loc)
	span := to.Sub(from)
	st := timeSteps[len(timeSteps)-1]
	for _, c := range timeSteps {
		w := c.d
		if c.months > 0 {
			w = time.Duration(c.months) * 30 * 24 * time.Hour
		}
		if span/w < time.Duration(n) {
			st = c
			break
		}
	}
	var t time.Time
	switch {
	case st.months > 0:
		t = time.Date(from.Year(), from.Month(), 1, 0, 0, 0, 0, loc)
		if st.months >= 12 {
			t = time.Date(from.Year(), 1, 1, 0, 0, 0, 0, loc)
		}
	case st.d >= 24*time.Hour:
		t = time.Date(from.Year(), from.Month(), from.Day(), 0, 0, 0, 0, loc)
		if st.d == 7*24*time.Hour || st.d == 14*24*time.Hour { // Mondays
			t = t.AddDate(0, 0, -((int(t.Weekday()) + 6) % 7))
		}
	default:
		t = time.Date(from.Year(), from.Month(), from.Day(), 0, 0, 0, 0, loc)
		t = t.Add(from.Sub(t).Truncate(st.d))
	}
	var out []time.Time
	var labels []string
	prevDay := ""
	for i := 0; i < 400 && !t.After(to); i++ {
		if !t.Before(from) {
			out = append(out, t)
			day := t.Format("Jan 2")
			var l string
			switch {
			case st.months >= 12:
				l = t.Format("2006")
			case st.months > 0:
				l = t.Format("Jan 2006")
			case st.d >= 24*time.Hour:
				l = day
			case day != prevDay:
				l = t.Format("Jan 2 15:04")
			default:
				l = t.Format("15:04")
			}
			prevDay = day
			labels = append(labels, l)
		}
		switch {
		case st.months > 0:
			t = t.AddDate(0, st.months, 0)
		case st.d >= 24*time.Hour:
			t = t.AddDate(0, 0, int(st.d/(24*time.Hour)))
		default:
			t = t.Add(st.d)
		}
	}
	return out, labels
}

// dateRange writes "Mar 2 to Mar 8, 2026" style ranges for summaries.
func dateRange(from, to time.Time, loc *time.Location) string {
	if loc == nil {
		loc = time.UTC
	}
	from, to = from.In(loc), to.In(loc)
	layout := "Jan 2, 2006"
	if to.Sub(from) < 48*time.Hour {
		layout = "Jan 2, 2006 15:04"
	}
	return from.Format(layout) + " to " + to.Format(layout)
}
