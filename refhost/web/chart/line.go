package chart

import (
	"html/template"
	"math"
	"slices"
	"strconv"
	"strings"
	"time"
)

// Point is one value of a time series. Money arrives as float64 (decimal.Decimal.InexactFloat64):
// charts draw, they do not account.
type Point struct {
	T time.Time
	V float64
}

// Series is a named time series. Points should be oldest first (a series that is not is sorted,
// at the cost of a copy); points whose value is NaN or infinite are left out.
type Series struct {
	// Name is shown in the legend and the summary ("Actual", "Without FOMO buys").
	Name string
	// Class is added to the series' class list (sanitized), e.g. "actual" or "counterfactual".
	Class  string
	Points []Point
}

// LineChart is one or more time series over a shared time axis (an equity curve; actual against
// counterfactual equity).
type LineChart struct {
	Frame
	Series []Series
	// ZeroLine includes 0 in the value axis and draws it stronger than the other grid lines.
	ZeroLine bool
	// Markers draws a marker at every point of a series of at most MaxMarkers points (the legend
	// always shows each series' marker shape).
	Markers bool
}

// MaxMarkers is the most points a series may have for Line to mark each of them.
const MaxMarkers = 60

// Line draws c as an SVG line chart: round value ticks on a labelled y axis, dates or times on
// the x axis, series told apart by dash pattern and marker shape and named in a legend when there
// are several or a series has a name. A series of more than two points per plot pixel is
// downsampled to the lowest and highest point of each pixel column, in time order, so the
// extremes are always drawn. With no finite point at all, Line draws a "No data" chart.
func Line(c LineChart) template.HTML {
	series := make([]Series, len(c.Series))
	var t0, t1 time.Time
	lo, hi := math.Inf(1), math.Inf(-1)
	total := 0
	for i, sr := range c.Series {
		pts := sr.Points
		if !slices.IsSortedFunc(pts, func(a, b Point) int { return a.T.Compare(b.T) }) {
			pts = slices.Clone(pts)
			slices.SortStableFunc(pts, func(a, b Point) int { return a.T.Compare(b.T) })
		}
		series[i] = Series{Name: sr.Name, Class: sr.Class, Points: pts}
		for _, p := range pts {
			if !finite(p.V) {
				continue
			}
			if total == 0 || p.T.Before(t0) {
				t0 = p.T
			}
			if total == 0 || p.T.After(t1) {
				t1 = p.T
			}
			lo, hi = math.Min(lo, p.V), math.Max(hi, p.V)
			total++
		}
	}
	if total == 0 {
		return c.noData("line")
	}
	if c.ZeroLine {
		lo, hi = math.Min(lo, 0), math.Max(hi, 0)
	}

	var items []legendItem
	if len(series) > 1 || (len(series) == 1 && series[0].Name != "") {
		for i, sr := range series {
			name := sr.Name
			if name == "" {
				name = "Series " + formatValue(float64(i+1), 0, false, "")
			}
			items = append(items, legendItem{name: name, draw: func(s *svg, x, y float64) {
				s.line("series-line series-"+itoa(i), x, y, x+20, y, ` stroke="`+colour(i)+`" stroke-width="2"`+dashAttr(i))
				s.marker("series-"+itoa(i), shape(i), x+10, y, 3.5, colour(i))
			}})
		}
	}
	p := &plot{top: titleH + 16, y: niceTicks(lo, hi, 5), t0: t0, t1: t1}
	p.left = padX + yLabelWidth(p.y) + 6
	p.right = width - padX - 4
	p.bottom = p.top + 170
	height := p.bottom + tickH + 6 + legendHeight(items)

	s := c.open("line", height, c.summary(series), 2048+len(series)*int(p.right-p.left)*2*12)
	s.yAxisLabel(c.Frame, p)
	s.yAxis(p)
	s.timeAxis(p, c.Location)
	for i, sr := range series {
		cls := "series series-" + itoa(i)
		if extra := sanitizeID(sr.Class); extra != "" {
			cls += " " + extra
		}
		s.raw(`<g class="` + cls + `"><polyline class="series-line" fill="none" stroke="` + colour(i) +
			`" stroke-width="2" stroke-linejoin="round"` + dashAttr(i) + ` points="`)
		first := true
		downsample(sr.Points, p.xPos, p.left, int(p.right-p.left), func(pt Point) {
			if !first {
				s.raw(" ")
			}
			first = false
			s.num(p.xPos(pt.T))
			s.raw(",")
			s.num(p.yPos(pt.V))
		})
		s.raw(`"/>`)
		if c.Markers && countFinite(sr.Points) <= MaxMarkers {
			for _, pt := range sr.Points {
				if finite(pt.V) {
					s.marker("", shape(i), p.xPos(pt.T), p.yPos(pt.V), 3, colour(i))
				}
			}
		}
		s.raw(`</g>`)
	}
	s.legend(items, p.bottom+tickH+6)
	return s.close()
}

// downsample calls emit with the points of pts (oldest first) to draw: all of them when there
// are at most two per column, else the lowest and the highest of each column of the cols
// one-unit columns from left, in time order. Non-finite values are skipped.
func downsample(pts []Point, x func(time.Time) float64, left float64, cols int, emit func(Point)) {
	if countFinite(pts) <= 2*cols {
		for _, p := range pts {
			if finite(p.V) {
				emit(p)
			}
		}
		return
	}
	col, lo, hi := -1, -1, -1
	flush := func() {
		if lo < 0 {
			return
		}
		a, b := min(lo, hi), max(lo, hi)
		emit(pts[a])
		if b != a {
			emit(pts[b])
		}
	}
	for i, p := range pts {
		if !finite(p.V) {
			continue
		}
		c := min(max(int(x(p.T)-left), 0), cols-1)
		if c != col {
			flush()
			col, lo, hi = c, i, i
			continue
		}
		if p.V < pts[lo].V {
			lo = i
		}
		if p.V > pts[hi].V {
			hi = i
		}
	}
	flush()
}

// summary is one sentence: each series' first and last value and its range.
func (c LineChart) summary(series []Series) string {
	var b strings.Builder
	for _, sr := range series {
		first, last, lo, hi, n := Point{}, Point{}, math.Inf(1), math.Inf(-1), 0
		for _, p := range sr.Points {
			if !finite(p.V) {
				continue
			}
			if n == 0 {
				first = p
			}
			last = p
			lo, hi = math.Min(lo, p.V), math.Max(hi, p.V)
			n++
		}
		if n == 0 {
			continue
		}
		if b.Len() > 0 {
			b.WriteString("; ")
		}
		if sr.Name != "" {
			b.WriteString(sr.Name + ": ")
		}
		b.WriteString(dateRange(first.T, last.T, c.Location) + ", from " + formatValue(first.V, 2, false, c.Unit) +
			" to " + formatValue(last.V, 2, false, c.Unit) + " (lowest " + formatValue(lo, 2, false, c.Unit) +
			", highest " + formatValue(hi, 2, false, c.Unit) + ")")
	}
	b.WriteString(".")
	return b.String()
}

func countFinite(pts []Point) int {
	n := 0
	for _, p := range pts {
		if finite(p.V) {
			n++
		}
	}
	return n
}

func dashAttr(i int) string {
	if d := dash(i); d != "" {
		return ` stroke-dasharray="` + d + `"`
	}
	return ""
}

// yLabelWidth estimates the width of the widest value tick label.
func yLabelWidth(t ticks) float64 {
	w := 0
	t.each(func(v float64) { w = max(w, len(formatValue(v, t.dec, false, ""))) })
	return min(float64(w)*7.2, 90)
}

func itoa(i int) string { return strconv.Itoa(i) }
