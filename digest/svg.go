package digest

import (
	"bytes"
	"encoding/xml"
	"math"
	"slices"
	"strconv"
	"time"
	"unicode/utf8"

	"github.com/shopspring/decimal"

	"github.com/tradecoach/coach"
)

// Chart names one of the digest's charts.
type Chart string

// Charts.
const (
	// ChartPnLByBias: horizontal bars of the P/L attributed to each label, and the unlabelled
	// rest, either side of zero.
	ChartPnLByBias Chart = "pnlByBias"
	// ChartCountsByBias: horizontal bars of the week's trades per label.
	ChartCountsByBias Chart = "countsByBias"
	// ChartEquity: the week's cumulative realized P/L at the end of each day, from 0 on Monday.
	ChartEquity Chart = "equity"
)

// Charts lists every Chart, in the order the report shows them.
func Charts() []Chart { return []Chart{ChartPnLByBias, ChartCountsByBias, ChartEquity} }

// Chart geometry and colours (no external stylesheet: everything is inline).
const (
	svgWidth  = 640
	svgLabelW = 190
	svgRowH   = 26
	svgPad    = 12
	colGain   = "#2f855a"
	colLoss   = "#c53030"
	colBar    = "#3b6fb6"
	colMuted  = "#718096"
	colAxis   = "#a0aec0"
	colText   = "#1a202c"
	fontAttrs = ` font-family="system-ui, sans-serif" font-size="12"`
)

// RenderSVG draws chart c of p as a standalone SVG document. It has no script, no external
// reference and no link; every text from the payload (labels, the quote asset) is XML-escaped.
// An unknown chart, or an amount out of range (see ParsePayload), is EINVALID.
func RenderSVG(p Payload, c Chart) ([]byte, error) {
	if err := p.checkAmounts(); err != nil {
		return nil, err
	}
	return renderSVG(&p, c, true)
}

// renderSVG draws chart c; standalone adds the XML namespace a document outside HTML needs.
func renderSVG(p *Payload, c Chart, standalone bool) ([]byte, error) {
	switch c {
	case ChartPnLByBias:
		rows := make([]barRow, 0, len(p.PnLByBias)+1)
		for _, l := range sortedKeys(p.PnLByBias) {
			rows = append(rows, barRow{label: l, value: p.PnLByBias[l].Realized})
		}
		if p.Unlabelled.Closes > 0 || !p.Unlabelled.Realized.IsZero() {
			rows = append(rows, barRow{label: "(unlabelled)", value: p.Unlabelled.Realized, muted: true})
		}
		return barChart("Realized P/L by bias"+quoteSuffix(p.Quote), rows, true, p.Quote, standalone), nil
	case ChartCountsByBias:
		rows := make([]barRow, 0, len(p.CountsByBias))
		for _, l := range sortedKeys(p.CountsByBias) {
			rows = append(rows, barRow{label: l, value: decimal.NewFromInt(int64(p.CountsByBias[l]))})
		}
		return barChart("Trades by bias", rows, false, "", standalone), nil
	case ChartEquity:
		return equityChart(p, standalone), nil
	}
	return nil, coach.Errorf(coach.EINVALID, "digest: unknown chart %q", clip(string(c), 40))
}

// barRow is one bar.
type barRow struct {
	label string
	value decimal.Decimal
	muted bool
}

// svgDoc writes an SVG document.
type svgDoc struct{ b bytes.Buffer }

func newSVG(title string, w, h int, standalone bool) *svgDoc {
	d := &svgDoc{}
	d.b.WriteString(`<svg`)
	if standalone {
		d.b.WriteString(` xmlns="http://www.w3.org/2000/svg"`)
	}
	d.b.WriteString(` width="` + strconv.Itoa(w) + `" height="` + strconv.Itoa(h) + `" viewBox="0 0 ` +
		strconv.Itoa(w) + ` ` + strconv.Itoa(h) + `" role="img"` + fontAttrs + `><title>`)
	d.text(title)
	d.b.WriteString(`</title>`)
	return d
}

// text writes s as escaped character data.
func (d *svgDoc) text(s string) { _ = xml.EscapeText(&d.b, []byte(s)) }

// label writes a <text> element at (x, y); anchor is "start", "middle" or "end".
func (d *svgDoc) label(x, y float64, anchor, fill, s string) {
	d.b.WriteString(`<text x="` + num(x) + `" y="` + num(y) + `" text-anchor="` + anchor + `" fill="` + fill + `">`)
	d.text(s)
	d.b.WriteString(`</text>`)
}

func (d *svgDoc) rect(x, y, w, h float64, fill string) {
	d.b.WriteString(`<rect x="` + num(x) + `" y="` + num(y) + `" width="` + num(w) + `" height="` + num(h) + `" fill="` + fill + `"/>`)
}

func (d *svgDoc) line(x1, y1, x2, y2 float64, stroke string) {
	d.b.WriteString(`<line x1="` + num(x1) + `" y1="` + num(y1) + `" x2="` + num(x2) + `" y2="` + num(y2) + `" stroke="` + stroke + `"/>`)
}

func (d *svgDoc) close() []byte {
	d.b.WriteString(`</svg>`)
	return d.b.Bytes()
}

// barChart draws horizontal bars; signed bars grow either side of a zero axis.
func barChart(title string, rows []barRow, signed bool, quote string, standalone bool) []byte {
	h := 2*svgPad + 20 + max(len(rows), 1)*svgRowH
	d := newSVG(title, svgWidth, h, standalone)
	d.label(svgPad, svgPad+10, "start", colText, title)
	top := float64(svgPad + 20)
	if len(rows) == 0 {
		d.label(svgWidth/2, top+svgRowH/2+4, "middle", colMuted, "No data this week")
		return d.close()
	}
	span := 0.0
	for _, r := range rows {
		span = math.Max(span, math.Abs(r.value.InexactFloat64()))
	}
	plotL, plotR := float64(svgLabelW), float64(svgWidth-svgPad-90)
	zero := plotL
	if signed {
		zero = (plotL + plotR) / 2
	}
	scale := 0.0
	if span > 0 {
		scale = (plotR - zero) / span
	}
	for i, r := range rows {
		y := top + float64(i*svgRowH)
		d.label(plotL-8, y+svgRowH/2+4, "end", colText, short(r.label, 28))
		v := r.value.InexactFloat64()
		w := math.Abs(v) * scale
		fill := colBar
		if signed {
			fill = colGain
			if v < 0 {
				fill = colLoss
			}
		}
		if r.muted {
			fill = colMuted
		}
		x := zero
		if v < 0 {
			x = zero - w
		}
		d.rect(x, y+4, math.Max(w, 1), svgRowH-8, fill)
		text := r.value.String()
		if signed {
			text = signedMoney(r.value, quote)
		}
		if v < 0 {
			// Right of the axis, where this row has no bar: left of the bar it would run into
			// the row's name when the bar is long.
			d.label(zero+4, y+svgRowH/2+4, "start", colText, text)
		} else {
			d.label(x+math.Max(w, 1)+4, y+svgRowH/2+4, "start", colText, text)
		}
	}
	d.line(zero, top, zero, top+float64(len(rows)*svgRowH), colAxis)
	return d.close()
}

// equityChart draws the week's cumulative realized P/L: 0 at Monday 00:00, then the end of each
// day.
func equityChart(p *Payload, standalone bool) []byte {
	const h = 220
	title := "Cumulative realized P/L" + quoteSuffix(p.Quote)
	d := newSVG(title, svgWidth, h, standalone)
	d.label(svgPad, svgPad+10, "start", colText, title)
	vals := []float64{0}
	for _, day := range p.Days {
		vals = append(vals, day.Cumulative.InexactFloat64())
	}
	lo, hi := slices.Min(vals), slices.Max(vals)
	if hi == lo {
		lo, hi = lo-1, hi+1
	}
	left, right := float64(svgPad+60), float64(svgWidth-svgPad-20)
	top, bottom := float64(svgPad+30), float64(h-svgPad-24)
	x := func(i int) float64 { return left + (right-left)*float64(i)/float64(len(vals)-1) }
	y := func(v float64) float64 { return bottom - (bottom-top)*(v-lo)/(hi-lo) }
	d.line(left, y(0), right, y(0), colAxis)
	d.label(left-6, y(0)+4, "end", colMuted, "0")
	d.b.WriteString(`<polyline fill="none" stroke="` + colBar + `" stroke-width="2" points="`)
	for i, v := range vals {
		if i > 0 {
			d.b.WriteByte(' ')
		}
		d.b.WriteString(num(x(i)) + "," + num(y(v)))
	}
	d.b.WriteString(`"/>`)
	for i, day := range p.Days {
		d.b.WriteString(`<circle cx="` + num(x(i+1)) + `" cy="` + num(y(vals[i+1])) + `" r="3" fill="` + colBar + `"/>`)
		d.label(x(i+1), float64(h-svgPad), "middle", colMuted, day.Date.In(time.UTC).Weekday().String()[:3])
	}
	if n := len(p.Days); n > 0 {
		last := p.Days[n-1].Cumulative
		d.label(x(n), y(vals[n])-8, "end", colText, signedMoney(last, p.Quote))
	}
	return d.close()
}

// num formats a coordinate with one decimal.
func num(x float64) string {
	if math.IsNaN(x) || math.IsInf(x, 0) {
		x = 0
	}
	return strconv.FormatFloat(x, 'f', 1, 64)
}

// signedMoney formats an amount with a sign, two decimals and its asset.
func signedMoney(d decimal.Decimal, quote string) string {
	s := d.StringFixed(2)
	if d.Sign() > 0 {
		s = "+" + s
	}
	if quote != "" {
		s += " " + quote
	}
	return s
}

func quoteSuffix(q string) string {
	if q == "" {
		return ""
	}
	return " (" + q + ")"
}

// sortedKeys returns m's keys in byte order.
func sortedKeys[V any](m map[string]V) []string {
	ks := make([]string, 0, len(m))
	for k := range m {
		ks = append(ks, k)
	}
	slices.Sort(ks)
	return ks
}

// short cuts s to n characters with an ellipsis, so that a long label stays inside its chart.
func short(s string, n int) string {
	if utf8.RuneCountInString(s) <= n {
		return s
	}
	return string([]rune(s)[:n-1]) + "…"
}
