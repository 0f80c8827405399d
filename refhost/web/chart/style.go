package chart

import "unicode"

// palette is the default colour of series i (Okabe–Ito, safe for colour-blind readers); a
// stylesheet may override it through the series-i / key-i classes.
var palette = [...]string{"#0072B2", "#D55E00", "#009E73", "#CC79A7", "#E69F00", "#56B4E9", "#999999", "#000000"}

// dashes is the dash pattern of series i, so series differ without colour.
var dashes = [...]string{"", "7 4", "2 3", "9 3 2 3", "4 4", "12 4"}

// shapes is the marker shape of series i.
var shapes = [...]string{"circle", "square", "triangle", "diamond", "triangle-down", "cross"}

func colour(i int) string { return palette[i%len(palette)] }
func dash(i int) string   { return dashes[i%len(dashes)] }
func shape(i int) string  { return shapes[i%len(shapes)] }

// marker writes a marker of the given shape centred on (x, y) with radius r.
func (s *svg) marker(cls, shape string, x, y, r float64, fill string) {
	s.raw(`<path class="marker marker-` + shape + " " + cls + `" d="`)
	switch shape {
	case "square":
		s.move(x-r, y-r)
		s.to(x+r, y-r)
		s.to(x+r, y+r)
		s.to(x-r, y+r)
	case "triangle":
		s.move(x, y-r*1.2)
		s.to(x+r*1.1, y+r*0.8)
		s.to(x-r*1.1, y+r*0.8)
	case "triangle-down":
		s.move(x, y+r*1.2)
		s.to(x+r*1.1, y-r*0.8)
		s.to(x-r*1.1, y-r*0.8)
	case "diamond":
		s.move(x, y-r*1.3)
		s.to(x+r*1.3, y)
		s.to(x, y+r*1.3)
		s.to(x-r*1.3, y)
	case "cross":
		s.move(x-r, y-r)
		s.to(x+r, y+r)
		s.move(x-r, y+r)
		s.to(x+r, y-r)
		s.raw(`" fill="none" stroke="` + fill + `" stroke-width="2"/>`)
		return
	default: // circle, as two arcs
		s.move(x-r, y)
		s.raw("a")
		s.num(r)
		s.raw(",")
		s.num(r)
		s.raw(" 0 1,0 ")
		s.num(2 * r)
		s.raw(",0a")
		s.num(r)
		s.raw(",")
		s.num(r)
		s.raw(" 0 1,0 ")
		s.num(-2 * r)
		s.raw(",0")
	}
	s.raw(`Z" fill="` + fill + `" stroke="` + fill + `"/>`)
}

func (s *svg) move(x, y float64) {
	s.raw("M")
	s.num(x)
	s.raw(",")
	s.num(y)
}

func (s *svg) to(x, y float64) {
	s.raw("L")
	s.num(x)
	s.raw(",")
	s.num(y)
}

// legendItem is one entry of a legend: a sample drawn by draw at (x, y) and a name.
type legendItem struct {
	name string
	draw func(s *svg, x, y float64)
}

// legendHeight is the height the items need when laid out in rows across the chart.
func legendHeight(items []legendItem) float64 {
	rows, _ := legendLayout(items, nil)
	return float64(rows) * legendH
}

// legendLayout places the items left to right, wrapping; place (when not nil) gets each item's
// origin. It returns the rows used.
func legendLayout(items []legendItem, place func(i int, x, row float64)) (int, float64) {
	if len(items) == 0 {
		return 0, 0
	}
	x, row := padX, 0.0
	for i, it := range items {
		w := 26 + textWidth(clip(it.name, 40)) + 12
		if x > padX && x+w > width-padX {
			x, row = padX, row+1
		}
		if place != nil {
			place(i, x, row)
		}
		x += w
	}
	return int(row) + 1, x
}

// legend writes the items from vertical position top.
func (s *svg) legend(items []legendItem, top float64) {
	if len(items) == 0 {
		return
	}
	s.raw(`<g class="legend">`)
	legendLayout(items, func(i int, x, row float64) {
		y := top + row*legendH + legendH/2
		s.raw(`<g class="legend-item">`)
		items[i].draw(s, x, y)
		s.label("legend-label", x+26, y+4, "start", clip(items[i].name, 40))
		s.raw(`</g>`)
	})
	s.raw(`</g>`)
}

// textWidth estimates how wide s is drawn at fontSize in a sans-serif face, erring wide: capitals
// and digits are about 0.68 em, spaces 0.3 em, other letters 0.54 em (a legend of upper-case
// labels such as "HOLDING LOSERS" must not run into the next item).
func textWidth(s string) float64 {
	w := 0.0
	for _, r := range s {
		switch {
		case r == ' ':
			w += 0.3
		case unicode.IsUpper(r) || unicode.IsDigit(r):
			w += 0.68
		default:
			w += 0.54
		}
	}
	return w * fontSize
}
