package chart

import (
	"time"
)

// plot is the rectangle data is drawn in, and its scales.
type plot struct {
	left, right, top, bottom float64
	y                        ticks
	t0, t1                   time.Time     // the time axis; zero for a categorical one
	span                     time.Duration // t1 - t0, set by xPos's first call
	scale                    float64       // units per nanosecond
}

// yPos maps a value to its vertical coordinate.
func (p *plot) yPos(v float64) float64 {
	return p.bottom - (p.bottom-p.top)*(v-p.y.lo)/(p.y.hi-p.y.lo)
}

// xPos maps an instant to its horizontal coordinate.
func (p *plot) xPos(t time.Time) float64 {
	if p.span <= 0 {
		p.span = p.t1.Sub(p.t0)
		if p.span <= 0 {
			return (p.left + p.right) / 2
		}
		p.scale = (p.right - p.left) / float64(p.span)
	}
	return p.left + p.scale*float64(t.Sub(p.t0))
}

// yAxisLabel writes the value axis's name and unit above the plot, left-aligned (horizontal text
// stays readable on a phone).
func (s *svg) yAxisLabel(f Frame, p *plot) {
	l := f.YLabel
	switch {
	case l != "" && f.Unit != "":
		l += " (" + f.Unit + ")"
	case l == "":
		l = f.Unit
	}
	if l != "" {
		s.label("axis-label axis-label-y", padX, p.top-8, "start", clip(l, 50))
	}
}

// yAxis writes the value ticks: a faint grid line and a label at each, and the axis line.
func (s *svg) yAxis(p *plot) {
	s.raw(`<g class="axis axis-y">`)
	p.y.each(func(v float64) {
		y := p.yPos(v)
		cls := "grid"
		extra := ` stroke-opacity="0.15"`
		if v == 0 {
			cls, extra = "grid zero", ` stroke-opacity="0.6"`
		}
		s.line(cls, p.left, y, p.right, y, extra)
		s.label("tick-label", p.left-4, y+4, "end", formatValue(v, p.y.dec, false, ""))
	})
	s.line("axis-line", p.left, p.top, p.left, p.bottom, ` stroke-opacity="0.5"`)
	s.raw(`</g>`)
}

// timeAxis writes round date or time ticks under the plot.
func (s *svg) timeAxis(p *plot, loc *time.Location) {
	s.raw(`<g class="axis axis-x">`)
	s.line("axis-line", p.left, p.bottom, p.right, p.bottom, ` stroke-opacity="0.5"`)
	n := max(2, int((p.right-p.left)/75))
	ts, labels := timeTicks(p.t0, p.t1, n, loc)
	for i, t := range ts {
		x := p.xPos(t)
		s.line("tick", x, p.bottom, x, p.bottom+4, ` stroke-opacity="0.5"`)
		anchor := "middle"
		if x-p.left < 30 {
			anchor = "start"
		} else if p.right-x < 30 {
			anchor = "end"
		}
		s.label("tick-label", x, p.bottom+tickH-3, anchor, labels[i])
	}
	s.raw(`</g>`)
}
