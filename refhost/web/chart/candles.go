package chart

import (
	"html/template"
	"math"
	"strconv"
	"strings"
	"time"

	"github.com/tradecoach/coach"
)

// Fill is one execution to mark on a candle chart.
type Fill struct {
	T     time.Time
	Price float64
	Side  coach.Side
	// Label is written beside the mark; "Buy @ <price>" or "Sell @ <price>" when empty.
	Label string
}

// CandleChart is OHLC candles with the fills of a trade marked on them.
type CandleChart struct {
	Frame
	// Candles, oldest first; ones with a non-finite or inconsistent price (High below Low) are
	// left out. Their width is the Interval's, or the smallest gap between two candles.
	Candles []coach.Candle
	Fills   []Fill
}

// Candles draws c: a wick from low to high and a body from open to close per candle, hollow when
// the close is at or above the open (class "candle up") and filled when below ("candle down"), so
// direction does not rest on colour; buys as upward triangles below their price and sells as
// downward triangles above it (classes "fill buy" and "fill sell"), each labelled with its text;
// price ticks on a labelled y axis and times on the x axis, and a legend of the marks. More
// candles than a third of the plot's width are merged into wider OHLC candles. Without a valid
// candle, Candles draws a "No data" chart.
func Candles(c CandleChart) template.HTML {
	cs := make([]coach.Candle, 0, len(c.Candles))
	for _, k := range c.Candles {
		if finite(k.Open) && finite(k.High) && finite(k.Low) && finite(k.Close) && k.High >= k.Low &&
			k.Open >= k.Low && k.Open <= k.High && k.Close >= k.Low && k.Close <= k.High {
			cs = append(cs, k)
		}
	}
	if len(cs) == 0 {
		return c.noData("candles")
	}
	w := candleWidth(cs)
	const plotW = width - 2*padX - 60
	if maxN := int(plotW) / 3; len(cs) > maxN {
		cs, w = mergeCandles(cs, (len(cs)+maxN-1)/maxN, w)
	}
	lo, hi := math.Inf(1), math.Inf(-1)
	t0, t1 := cs[0].OpenTime, cs[len(cs)-1].OpenTime.Add(w)
	for _, k := range cs {
		lo, hi = math.Min(lo, k.Low), math.Max(hi, k.High)
	}
	fills := make([]Fill, 0, len(c.Fills))
	for _, f := range c.Fills {
		if finite(f.Price) && !f.T.Before(t0) && !f.T.After(t1) {
			fills = append(fills, f)
			lo, hi = math.Min(lo, f.Price), math.Max(hi, f.Price)
		}
	}
	pad := (hi - lo) * 0.08
	var items []legendItem
	items = append(items,
		legendItem{name: "Close ≥ open (hollow)", draw: func(s *svg, x, y float64) {
			s.rect("candle up legend-swatch", x+6, y-6, 8, 12, ` fill="#fff" stroke="currentColor"`)
		}},
		legendItem{name: "Close < open (filled)", draw: func(s *svg, x, y float64) {
			s.rect("candle down legend-swatch", x+6, y-6, 8, 12, ` fill="currentColor" stroke="currentColor"`)
		}})
	for _, side := range []coach.Side{coach.Buy, coach.Sell} {
		for _, f := range fills {
			if f.Side == side {
				items = append(items, legendItem{name: sideName(side), draw: func(s *svg, x, y float64) {
					fillMark(s, side, x+10, y)
				}})
				break
			}
		}
	}
	p := &plot{top: titleH + 16, y: niceTicks(lo-pad, hi+pad, 5), t0: t0, t1: t1}
	p.left = padX + yLabelWidth(p.y) + 6
	p.right = width - padX - 4
	p.bottom = p.top + 180
	height := p.bottom + tickH + 6 + legendHeight(items)
	dec := min(max(2, p.y.dec+1), 8)

	s := c.open("candles", height, c.summary(cs, fills, dec), 2500+len(cs)*260+len(fills)*300)
	s.yAxisLabel(c.Frame, p)
	s.yAxis(p)
	s.timeAxis(p, c.Location)
	bw := math.Max((p.xPos(t0.Add(w))-p.xPos(t0))*0.7, 1)
	s.raw(`<g class="candles">`)
	for _, k := range cs {
		x := p.xPos(k.OpenTime.Add(w / 2))
		up := k.Close >= k.Open
		cls, fill := "candle up", ` fill="#fff" stroke="currentColor"`
		if !up {
			cls, fill = "candle down", ` fill="currentColor" stroke="currentColor"`
		}
		s.raw(`<g class="` + cls + `">`)
		s.line("wick", x, p.yPos(k.High), x, p.yPos(k.Low), "")
		top, bottom := p.yPos(math.Max(k.Open, k.Close)), p.yPos(math.Min(k.Open, k.Close))
		s.rect("body", x-bw/2, top, bw, math.Max(bottom-top, 1), fill)
		s.raw(`</g>`)
	}
	s.raw(`</g><g class="fills">`)
	for _, f := range fills {
		x, y := p.xPos(f.T), p.yPos(f.Price)
		label := f.Label
		if label == "" {
			label = sideName(f.Side) + " @ " + formatValue(f.Price, dec, false, "")
		}
		ly, my := y+22, y+9 // a buy's mark and label sit below its price
		if f.Side == coach.Sell {
			ly, my = y-15, y-9
		}
		anchor := "middle"
		if x-p.left < 60 {
			anchor = "start"
		} else if p.right-x < 60 {
			anchor = "end"
		}
		s.raw(`<g class="fill ` + strings.ToLower(sideName(f.Side)) + `">`)
		s.line("fill-price", x-6, y, x+6, y, ` stroke-width="1.5"`)
		fillMark(s, f.Side, x, my)
		s.raw(`<text class="fill-label" paint-order="stroke" stroke="#fff" stroke-width="3" stroke-linejoin="round"`)
		s.attr("x", x)
		s.attr("y", ly)
		if anchor != "start" {
			s.raw(` text-anchor="` + anchor + `"`)
		}
		s.raw(">")
		s.text(clip(label, 32))
		s.raw("</text>")
		s.raw(`</g>`)
	}
	s.raw(`</g>`)
	s.legend(items, p.bottom+tickH+6)
	return s.close()
}

// fillMark draws a buy (an upward triangle) or a sell (a downward triangle) centred on (x, y).
func fillMark(s *svg, side coach.Side, x, y float64) {
	if side == coach.Sell {
		s.marker("fill-mark sell", "triangle-down", x, y, 5, "#c53030")
		return
	}
	s.marker("fill-mark buy", "triangle", x, y, 5, "#2f855a")
}

func sideName(side coach.Side) string {
	if side == coach.Sell {
		return "Sell"
	}
	return "Buy"
}

// candleWidth is the candles' interval, or the smallest positive gap between two, or a minute.
func candleWidth(cs []coach.Candle) time.Duration {
	if d := cs[0].Interval.Duration(); d > 0 {
		return d
	}
	w := time.Duration(0)
	for i := 1; i < len(cs); i++ {
		if g := cs[i].OpenTime.Sub(cs[i-1].OpenTime); g > 0 && (w == 0 || g < w) {
			w = g
		}
	}
	if w == 0 {
		w = time.Minute
	}
	return w
}

// mergeCandles joins every n consecutive candles into one of width n·w.
func mergeCandles(cs []coach.Candle, n int, w time.Duration) ([]coach.Candle, time.Duration) {
	out := make([]coach.Candle, 0, (len(cs)+n-1)/n)
	for i := 0; i < len(cs); i += n {
		g := cs[i:min(i+n, len(cs))]
		m := g[0]
		m.Interval = ""
		m.Close = g[len(g)-1].Close
		for _, k := range g[1:] {
			m.High, m.Low = math.Max(m.High, k.High), math.Min(m.Low, k.Low)
		}
		out = append(out, m)
	}
	return out, w * time.Duration(n)
}

// summary gives the span, the price range and the fills.
func (c CandleChart) summary(cs []coach.Candle, fills []Fill, dec int) string {
	lo, hi := math.Inf(1), math.Inf(-1)
	for _, k := range cs {
		lo, hi = math.Min(lo, k.Low), math.Max(hi, k.High)
	}
	var b strings.Builder
	b.WriteString(strconv.Itoa(len(cs)) + " candles from " + dateRange(cs[0].OpenTime, cs[len(cs)-1].OpenTime, c.Location) +
		", price between " + formatValue(lo, dec, false, c.Unit) + " and " + formatValue(hi, dec, false, c.Unit))
	for i, f := range fills {
		if i == 0 {
			b.WriteString("; marked: ")
		} else {
			b.WriteString(", ")
		}
		b.WriteString(strings.ToLower(sideName(f.Side)) + " at " + formatValue(f.Price, dec, false, c.Unit))
	}
	b.WriteString(".")
	return b.String()
}
