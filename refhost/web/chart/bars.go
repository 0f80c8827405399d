package chart

import (
	"html/template"
	"math"
	"strings"
)

// Bar is one horizontal bar.
type Bar struct {
	// Label names the bar ("FOMO"); shown left of it (cut to 18 characters with an ellipsis).
	Label string
	Value float64
	// Class is added to the bar's class list (sanitized), e.g. "unlabelled" for a muted bar.
	Class string
}

// BarsChart is horizontal bars, one per label: signed money (P/L by bias) or counts (trades by
// bias).
type BarsChart struct {
	Frame
	Bars []Bar
	// Count says the values are counts: written without sign or decimals. Otherwise they are
	// signed amounts written with Decimals decimals, a "+" on gains, and Unit.
	Count bool
	// Decimals of amounts (not counts); 2 when 0.
	Decimals int
}

// Bars draws c: a row per bar with its label, a bar from zero (left for negative values, right
// for positive ones; classes "bar pos" and "bar neg") and its value as text, so a loss reads as a
// loss without colour; round value ticks below and a stronger zero line. Bars with a NaN or
// infinite value are drawn empty with the value "n/a". With no bar, or no finite value, Bars
// draws a "No data" chart.
func Bars(c BarsChart) template.HTML {
	lo, hi, n := 0.0, 0.0, 0
	for _, b := range c.Bars {
		if finite(b.Value) {
			lo, hi, n = math.Min(lo, b.Value), math.Max(hi, b.Value), n+1
		}
	}
	if n == 0 {
		return c.noData("bars")
	}
	dec := c.Decimals
	if dec <= 0 {
		dec = 2
	}
	if c.Count {
		dec = 0
	}
	const rowH, labelW = 24.0, 118.0
	valueW := 50.0 // the widest value text, at about 7.2 units a character
	for _, b := range c.Bars {
		valueW = max(valueW, float64(len([]rune(formatValue(b.Value, dec, !c.Count, c.Unit))))*7.2+10)
	}
	valueW = min(valueW, 150)
	p := &plot{top: titleH + 8, y: niceTicks(lo, hi, 4)}
	p.left, p.right = padX+labelW, width-padX-valueW
	p.bottom = p.top + rowH*float64(len(c.Bars))
	height := p.bottom + tickH + 6
	// the value axis is horizontal: reuse yPos's mapping across [left, right].
	xPos := func(v float64) float64 { return p.left + (p.right-p.left)*(v-p.y.lo)/(p.y.hi-p.y.lo) }

	s := c.open("bars", height, c.summary(), 1500+len(c.Bars)*400)
	s.yAxisLabel(c.Frame, p)
	s.raw(`<g class="axis axis-x">`)
	p.y.each(func(v float64) {
		x := xPos(v)
		cls, extra := "grid", ` stroke-opacity="0.15"`
		if v == 0 {
			cls, extra = "grid zero", ` stroke-opacity="0.7"`
		}
		s.line(cls, x, p.top, x, p.bottom, extra)
		s.label("tick-label", x, p.bottom+tickH-3, "middle", formatValue(v, p.y.dec, false, ""))
	})
	s.raw(`</g>`)
	zero := xPos(0)
	for i, b := range c.Bars {
		y := p.top + float64(i)*rowH
		cls := "bar-row"
		if extra := sanitizeID(b.Class); extra != "" {
			cls += " " + extra
		}
		s.raw(`<g class="` + cls + `">`)
		s.label("bar-label", p.left-6, y+rowH/2+4, "end", clip(b.Label, 18))
		text := "n/a"
		if finite(b.Value) {
			x0, x1 := zero, xPos(b.Value)
			kind, fill := "pos", "#2f855a"
			if b.Value < 0 {
				x0, x1, kind, fill = x1, zero, "neg", "#c53030"
			}
			if c.Count {
				fill = "#3b6fb6"
			}
			s.rect("bar "+kind, x0, y+4, math.Max(x1-x0, 1), rowH-8, ` fill="`+fill+`"`)
			text = formatValue(b.Value, dec, !c.Count, c.Unit)
		}
		s.label("bar-value", p.right+4, y+rowH/2+4, "start", text)
		s.raw(`</g>`)
	}
	return s.close()
}

// summary names the largest loss and the largest gain (or the largest count).
func (c BarsChart) summary() string {
	lo, hi := -1, -1
	for i, b := range c.Bars {
		if !finite(b.Value) {
			continue
		}
		if lo < 0 || b.Value < c.Bars[lo].Value {
			lo = i
		}
		if hi < 0 || b.Value > c.Bars[hi].Value {
			hi = i
		}
	}
	dec := c.Decimals
	if dec <= 0 {
		dec = 2
	}
	var parts []string
	if c.Count {
		parts = append(parts, "most: "+c.Bars[hi].Label+" with "+formatValue(c.Bars[hi].Value, 0, false, c.Unit))
		if lo != hi {
			parts = append(parts, "fewest: "+c.Bars[lo].Label+" with "+formatValue(c.Bars[lo].Value, 0, false, c.Unit))
		}
	} else {
		if c.Bars[lo].Value < 0 {
			parts = append(parts, "largest loss: "+c.Bars[lo].Label+" at "+formatValue(c.Bars[lo].Value, dec, true, c.Unit))
		}
		if c.Bars[hi].Value > 0 {
			parts = append(parts, "largest gain: "+c.Bars[hi].Label+" at "+formatValue(c.Bars[hi].Value, dec, true, c.Unit))
		}
		if len(parts) == 0 {
			parts = append(parts, "every value is zero")
		}
	}
	return formatValue(float64(len(c.Bars)), 0, false, "") + " bars; " + strings.Join(parts, "; ") + "."
}
