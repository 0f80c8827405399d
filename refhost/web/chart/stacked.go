package chart

import (
	"html/template"
	"math"
	"strconv"
	"strings"
)

// Bucket is one column of a stacked chart: a time bucket (a week, a day) and its value per key.
type Bucket struct {
	// Label names the bucket on the x axis ("W10", "Mar 2"); labels are thinned out when there
	// are too many to fit.
	Label string
	// Values holds the bucket's value for each key, in the order of StackedChart.Keys; missing
	// ones count 0, negative and non-finite ones are left out.
	Values []float64
}

// StackedChart is stacked columns over buckets, with a legend of the keys (the bias
// distribution per week or per day).
type StackedChart struct {
	Frame
	// Keys name the stacked parts, bottom first ("FOMO", "PANIC", …).
	Keys    []string
	Buckets []Bucket
}

// patterns is the fill pattern of key i drawn over its colour, so that keys differ without
// colour: none, diagonal, dots, horizontal, cross-hatch, vertical.
var patterns = [...]string{
	"",
	`<path class="swatch-hatch" d="M0,6L6,0" stroke="#fff" stroke-width="1.5"/>`,
	`<circle class="swatch-hatch" cx="3" cy="3" r="1.2" fill="#fff"/>`,
	`<path class="swatch-hatch" d="M0,3H6" stroke="#fff" stroke-width="1.5"/>`,
	`<path class="swatch-hatch" d="M0,6L6,0M0,0L6,6" stroke="#fff" stroke-width="1"/>`,
	`<path class="swatch-hatch" d="M3,0V6" stroke="#fff" stroke-width="1.5"/>`,
}

// Stacked draws c: a column per bucket with one segment per key (class "segment key-i", filled
// with key i's colour and pattern, a white line between segments), the column's total above it,
// round ticks on a labelled y axis, the buckets' labels below, and a legend naming each key with
// its swatch. With no positive value at all, Stacked draws a "No data" chart.
func Stacked(c StackedChart) template.HTML {
	hi := 0.0
	for _, b := range c.Buckets {
		hi = math.Max(hi, bucketTotal(b, len(c.Keys)))
	}
	if hi <= 0 || len(c.Keys) == 0 {
		return c.noData("stacked")
	}
	items := make([]legendItem, len(c.Keys))
	for i, k := range c.Keys {
		items[i] = legendItem{name: k, draw: func(s *svg, x, y float64) {
			s.rect("swatch key-"+itoa(i), x+3, y-6, 14, 12, ` fill="url(#`+s.id+`-p`+itoa(i)+`)" stroke="currentColor" stroke-width="0.5"`)
		}}
	}
	p := &plot{top: titleH + 20, y: niceTicks(0, hi, 5)}
	p.y.lo = 0
	p.left = padX + yLabelWidth(p.y) + 6
	p.right = width - padX - 4
	p.bottom = p.top + 160
	height := p.bottom + tickH + 6 + legendHeight(items)

	s := c.open("stacked", height, c.summary(), 2000+len(c.Buckets)*len(c.Keys)*120)
	s.raw(`<defs>`)
	for i := range c.Keys {
		s.raw(`<pattern id="` + s.id + `-p` + itoa(i) + `" class="swatch-pattern key-` + itoa(i) +
			`" patternUnits="userSpaceOnUse" width="6" height="6"><rect class="swatch-bg key-` + itoa(i) +
			`" width="6" height="6" fill="` + colour(i) + `"/>` + patterns[i%len(patterns)] + `</pattern>`)
	}
	s.raw(`</defs>`)
	s.yAxisLabel(c.Frame, p)
	s.yAxis(p)
	n := len(c.Buckets)
	colW := (p.right - p.left) / float64(n)
	barW := math.Min(colW*0.7, 40)
	every := int(math.Ceil(float64(n) * 48 / (p.right - p.left))) // a label per 48 units at most
	s.raw(`<g class="axis axis-x">`)
	s.line("axis-line", p.left, p.bottom, p.right, p.bottom, ` stroke-opacity="0.5"`)
	for j, b := range c.Buckets {
		if j%max(every, 1) == 0 {
			s.label("tick-label", p.left+colW*(float64(j)+0.5), p.bottom+tickH-3, "middle", clip(b.Label, 10))
		}
	}
	s.raw(`</g>`)
	for j, b := range c.Buckets {
		x := p.left + colW*(float64(j)+0.5) - barW/2
		s.raw(`<g class="column">`)
		acc := 0.0
		for i := range c.Keys {
			v := bucketValue(b, i)
			if v <= 0 {
				continue
			}
			y0, y1 := p.yPos(acc+v), p.yPos(acc)
			s.rect("segment key-"+itoa(i), x, y0, barW, y1-y0, ` fill="url(#`+s.id+`-p`+itoa(i)+`)" stroke="#fff" stroke-width="0.5"`)
			acc += v
		}
		if acc > 0 {
			s.label("column-total", x+barW/2, p.yPos(acc)-3, "middle", formatValue(acc, decimalsOf(acc), false, ""))
		}
		s.raw(`</g>`)
	}
	s.legend(items, p.bottom+tickH+6)
	return s.close()
}

// bucketValue is b's value for key i, 0 when missing, negative or not finite.
func bucketValue(b Bucket, i int) float64 {
	if i >= len(b.Values) || !finite(b.Values[i]) || b.Values[i] < 0 {
		return 0
	}
	return b.Values[i]
}

func bucketTotal(b Bucket, keys int) float64 {
	t := 0.0
	for i := range keys {
		t += bucketValue(b, i)
	}
	return t
}

// decimalsOf is 0 for a whole number, else 2.
func decimalsOf(v float64) int {
	if v == math.Trunc(v) {
		return 0
	}
	return 2
}

// summary names the buckets' span and the key with the largest total.
func (c StackedChart) summary() string {
	totals := make([]float64, len(c.Keys))
	for _, b := range c.Buckets {
		for i := range c.Keys {
			totals[i] += bucketValue(b, i)
		}
	}
	top := 0
	for i, t := range totals {
		if t > totals[top] {
			top = i
		}
	}
	var b strings.Builder
	b.WriteString(strconv.Itoa(len(c.Buckets)) + " columns")
	if len(c.Buckets) > 0 {
		b.WriteString(" from " + c.Buckets[0].Label + " to " + c.Buckets[len(c.Buckets)-1].Label)
	}
	b.WriteString("; the largest part overall is " + c.Keys[top] + " with " + formatValue(totals[top], decimalsOf(totals[top]), false, c.Unit) + ".")
	return b.String()
}
