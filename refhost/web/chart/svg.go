package chart

import (
	"hash/fnv"
	"html/template"
	"math"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"
)

// Viewbox geometry shared by every chart (user units).
const (
	width    = 420.0
	fontSize = 13
	padX     = 8.0
	titleH   = 20.0 // the y-axis label's line above the plot
	tickH    = 18.0 // the x tick labels' line below the plot
	legendH  = 18.0 // one legend line
)

// Frame is what every chart has besides its data.
type Frame struct {
	// Title names the chart (its <title>); "Chart" when empty.
	Title string
	// Summary is the <desc>: one sentence saying what the data shows. When empty the chart writes
	// one from its data.
	Summary string
	// Unit is the unit of the values ("USDT", "trades"); it is written after value labels and in
	// the y-axis label.
	Unit string
	// YLabel names the value axis ("Equity"); the unit is appended in parentheses.
	YLabel string
	// ID is the prefix of the ids in the SVG (see the package doc); derived from the title when
	// empty.
	ID string
	// Location is the time zone of dates on a time axis and in the summary; UTC when nil.
	Location *time.Location
	// Class is added to the <svg> element's class list (sanitized like ID).
	Class string
}

// svg accumulates an SVG document with few allocations.
type svg struct {
	b       strings.Builder
	scratch [64]byte
	id      string
}

// open writes the <svg> start tag, the <title> and the <desc>.
func (f Frame) open(kind string, height float64, summary string, sizeHint int) *svg {
	s := &svg{}
	s.b.Grow(min(max(sizeHint, 0), 1<<20))
	title := f.Title
	if strings.TrimSpace(title) == "" {
		title = "Chart"
	}
	if f.Summary != "" {
		summary = f.Summary
	}
	s.id = strings.ReplaceAll(sanitizeID(f.ID), " ", "-")
	if s.id == "" {
		h := fnv.New32a()
		_, _ = h.Write([]byte(kind))
		_, _ = h.Write([]byte(title))
		s.id = "chart-" + strconv.FormatUint(uint64(h.Sum32()), 36)
	}
	s.raw(`<svg xmlns="http://www.w3.org/2000/svg" class="chart chart-` + kind)
	if c := sanitizeID(f.Class); c != "" {
		s.raw(" " + c)
	}
	s.raw(`" viewBox="0 0 `)
	s.num(width)
	s.raw(" ")
	s.num(height)
	s.raw(`" width="100%" role="img" aria-labelledby="` + s.id + `-title ` + s.id + `-desc" font-family="system-ui, sans-serif" font-size="` +
		strconv.Itoa(fontSize) + `" fill="currentColor"><title id="` + s.id + `-title">`)
	s.text(title)
	s.raw(`</title><desc id="` + s.id + `-desc">`)
	s.text(summary)
	s.raw(`</desc>`)
	return s
}

// close ends the document.
func (s *svg) close() template.HTML {
	s.raw(`</svg>`)
	// #nosec G203 -- every text written was escaped by svg.text; the rest is our own markup.
	return template.HTML(s.b.String())
}

func (s *svg) raw(x string) { s.b.WriteString(x) }

// num writes a coordinate with one decimal ("12.5"), 0 for a non-finite value.
func (s *svg) num(x float64) {
	if math.IsNaN(x) || math.IsInf(x, 0) {
		x = 0
	}
	x = math.Round(min(max(x, -1e6), 1e6)*10) / 10
	if x == 0 {
		x = 0 // no "-0.0"
	}
	s.b.Write(strconv.AppendFloat(s.scratch[:0], x, 'f', 1, 64))
}

// attr writes ` name="x"` with x a coordinate.
func (s *svg) attr(name string, x float64) {
	s.raw(" " + name + `="`)
	s.num(x)
	s.raw(`"`)
}

// text writes t escaped for XML and HTML character data and attribute values; invalid UTF-8
// and characters XML forbids become U+FFFD.
func (s *svg) text(t string) {
	for _, r := range t {
		switch {
		case r == '<':
			s.raw("&lt;")
		case r == '>':
			s.raw("&gt;")
		case r == '&':
			s.raw("&amp;")
		case r == '"':
			s.raw("&#34;")
		case r == '\'':
			s.raw("&#39;")
		case r == '\t' || r == '\n' || r == '\r':
			s.b.WriteByte(' ')
		case r == utf8.RuneError, r < 0x20, r >= 0xD800 && r <= 0xDFFF, r == 0xFFFE, r == 0xFFFF:
			s.b.WriteRune('\uFFFD')
		default:
			s.b.WriteRune(r)
		}
	}
}

// label writes <text class=cls> at (x, y); anchor is "start", "middle" or "end".
func (s *svg) label(cls string, x, y float64, anchor, t string) {
	s.raw(`<text class="` + cls + `"`)
	s.attr("x", x)
	s.attr("y", y)
	if anchor != "start" {
		s.raw(` text-anchor="` + anchor + `"`)
	}
	s.raw(">")
	s.text(t)
	s.raw("</text>")
}

// line writes <line class=cls> with the given stroke presentation attributes.
func (s *svg) line(cls string, x1, y1, x2, y2 float64, extra string) {
	s.raw(`<line class="` + cls + `"`)
	s.attr("x1", x1)
	s.attr("y1", y1)
	s.attr("x2", x2)
	s.attr("y2", y2)
	if !strings.Contains(extra, ` stroke="`) {
		s.raw(` stroke="currentColor"`)
	}
	s.raw(extra + `/>`)
}

// rect writes <rect class=cls> with the given fill presentation attributes.
func (s *svg) rect(cls string, x, y, w, h float64, extra string) {
	s.raw(`<rect class="` + cls + `"`)
	s.attr("x", x)
	s.attr("y", y)
	s.attr("width", math.Max(w, 0))
	s.attr("height", math.Max(h, 0))
	s.raw(extra + `/>`)
}

// noData draws a chart with nothing in it but its title and the words "No data".
func (f Frame) noData(kind string) template.HTML {
	const h = 80.0
	s := f.open(kind, h, "No data to show.", 600)
	s.label("no-data", width/2, h/2+4, "middle", "No data")
	return s.close()
}

// sanitizeID keeps letters, digits, '-' and '_' (and spaces, between class names), at most 64.
func sanitizeID(id string) string {
	var b strings.Builder
	for _, r := range id {
		if b.Len() >= 64 {
			break
		}
		if r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || r == '-' || r == '_' || r == ' ' {
			b.WriteRune(r)
		}
	}
	return strings.Join(strings.Fields(b.String()), " ")
}

// clip cuts t to n characters with an ellipsis, so that a long label stays inside its chart.
func clip(t string, n int) string {
	if utf8.RuneCountInString(t) <= n {
		return t
	}
	return string([]rune(t)[:n-1]) + "…"
}

// finite reports whether v is neither NaN nor infinite.
func finite(v float64) bool { return !math.IsNaN(v) && !math.IsInf(v, 0) }
