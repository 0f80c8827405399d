package chart_test

import (
	"html/template"
	"math"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/tradecoach/coach"
	"github.com/tradecoach/coach/refhost/web/chart"
)

func equity() chart.LineChart {
	var actual, cf []chart.Point
	for i := range 8 {
		actual = append(actual, chart.Point{T: day(i), V: float64(i*i) - 20.5})
		cf = append(cf, chart.Point{T: day(i), V: float64(i) * 30})
	}
	return chart.LineChart{
		Frame:    chart.Frame{Title: "Equity", Unit: "USDT", YLabel: "Equity"},
		Series:   []chart.Series{{Name: "Actual", Class: "actual", Points: actual}, {Name: "Without FOMO buys", Class: "counterfactual", Points: cf}},
		ZeroLine: true,
		Markers:  true,
	}
}

func pnlBars() chart.BarsChart {
	return chart.BarsChart{
		Frame: chart.Frame{Title: "Realized P/L by bias", Unit: "USDT"},
		Bars:  []chart.Bar{{Label: "FOMO", Value: -4.37}, {Label: "DISCIPLINE", Value: 12.5}, {Label: "(unlabelled)", Value: 1234.5, Class: "unlabelled"}},
	}
}

func weeks() chart.StackedChart {
	return chart.StackedChart{
		Frame: chart.Frame{Title: "Labels per week", YLabel: "Trades"},
		Keys:  []string{"FOMO", "PANIC", "REVENGE"},
		Buckets: []chart.Bucket{
			{Label: "W08", Values: []float64{3, 1, 0}}, {Label: "W09", Values: []float64{5, 0, 2}}, {Label: "W10", Values: []float64{1, 4}},
		},
	}
}

func candles() chart.CandleChart {
	var cs []coach.Candle
	p := 100.0
	for i := range 30 {
		o := p
		p += math.Sin(float64(i)) * 3
		cs = append(cs, coach.Candle{Symbol: "BTC-USDT", Interval: coach.Minute15, OpenTime: day(0).Add(time.Duration(i) * 15 * time.Minute),
			Open: o, Close: p, High: math.Max(o, p) + 1, Low: math.Min(o, p) - 1})
	}
	return chart.CandleChart{
		Frame:   chart.Frame{Title: "BTC-USDT around the trade", Unit: "USDT", YLabel: "Price"},
		Candles: cs,
		Fills: []chart.Fill{
			{T: day(0).Add(2 * time.Hour), Price: 101, Side: coach.Buy},
			{T: day(0).Add(5 * time.Hour), Price: 104.5, Side: coach.Sell, Label: "Sell 0.5 @ 104.50"},
		},
	}
}

// every chart kind on ordinary data.
func everyChart() map[string]template.HTML {
	return map[string]template.HTML{
		"line": chart.Line(equity()), "bars": chart.Bars(pnlBars()), "stacked": chart.Stacked(weeks()), "candles": chart.Candles(candles()),
		"counts": chart.Bars(chart.BarsChart{Frame: chart.Frame{Title: "Trades by bias"}, Count: true, Bars: []chart.Bar{{Label: "FOMO", Value: 7}, {Label: "PANIC", Value: 2}}}),
	}
}

func TestEveryChartIsSafeAccessibleXML(t *testing.T) {
	for name, h := range everyChart() {
		t.Run(name, func(t *testing.T) {
			root := parse(t, h)
			if d := root.Children[1].Text; !strings.HasSuffix(d, ".") || strings.Contains(d, ". ") {
				t.Errorf("desc %q is not one sentence", d)
			}
			if len(texts(root, "tick-label")) < 2 {
				t.Errorf("fewer than two tick labels")
			}
			if name != "counts" && name != "bars" && len(root.all("axis-label-y")) != 1 {
				t.Errorf("no y-axis label")
			}
		})
	}
}

func TestChartsAreDeterministic(t *testing.T) {
	a, b := everyChart(), everyChart()
	for name := range a {
		if a[name] != b[name] {
			t.Errorf("%s: two renderings differ", name)
		}
	}
}

// yTicks returns the y-axis tick values and their vertical positions, checking both are ordered.
func checkYTicks(t *testing.T, root *node) []float64 {
	t.Helper()
	axes := root.all("axis-y")
	if len(axes) != 1 {
		t.Fatalf("%d y axes", len(axes))
	}
	var vals []float64
	prevY := math.Inf(1)
	for _, l := range axes[0].all("tick-label") {
		v, err := strconv.ParseFloat(strings.ReplaceAll(l.Text, ",", ""), 64)
		if err != nil {
			t.Fatalf("tick label %q is not a number", l.Text)
		}
		y, _ := strconv.ParseFloat(l.attr("y"), 64)
		if len(vals) > 0 && (v <= vals[len(vals)-1] || y >= prevY) {
			t.Errorf("y ticks not increasing upwards: %q at y=%v after %v", l.Text, y, vals)
		}
		vals, prevY = append(vals, v), y
	}
	if len(vals) < 3 {
		t.Errorf("only %d y ticks", len(vals))
	}
	return vals
}

func checkXTicks(t *testing.T, root *node) []string {
	t.Helper()
	axes := root.all("axis-x")
	if len(axes) != 1 {
		t.Fatalf("%d x axes", len(axes))
	}
	prev := math.Inf(-1)
	var labels []string
	for _, l := range axes[0].all("tick-label") {
		x, _ := strconv.ParseFloat(l.attr("x"), 64)
		if x <= prev {
			t.Errorf("x ticks not increasing: %q at %v", l.Text, x)
		}
		prev = x
		labels = append(labels, l.Text)
	}
	if len(labels) < 2 {
		t.Errorf("x ticks %q, want at least two", labels)
	}
	return labels
}

func TestLineAxesCarryRoundValuesAndDates(t *testing.T) {
	root := parse(t, chart.Line(equity()))
	ys := checkYTicks(t, root)
	step := ys[1] - ys[0]
	for _, v := range ys {
		if r := v / step; math.Abs(r-math.Round(r)) > 1e-9 {
			t.Errorf("tick %v is not a multiple of the step %v", v, step)
		}
	}
	if ys[0] > -20.5 || ys[len(ys)-1] < 210 {
		t.Errorf("ticks %v do not cover the data [-20.5, 210]", ys)
	}
	xs := checkXTicks(t, root)
	if xs[0] != "Mar 2" {
		t.Errorf("first date tick %q, want Mar 2", xs[0])
	}
	if zero := root.all("zero"); len(zero) != 1 {
		t.Errorf("%d zero lines, want 1", len(zero))
	}
	if got := texts(root, "axis-label-y"); len(got) != 1 || got[0] != "Equity (USDT)" {
		t.Errorf("y axis label %q", got)
	}
}

func TestLineSeriesDifferWithoutColour(t *testing.T) {
	root := parse(t, chart.Line(equity()))
	lines := root.all("series-line")
	dashes := map[string]bool{}
	for _, l := range lines {
		if l.XMLName.Local == "polyline" {
			dashes[l.attr("stroke-dasharray")] = true
		}
	}
	if len(dashes) != 2 {
		t.Errorf("dash patterns %v, want two different ones", dashes)
	}
	if got := texts(root, "legend-label"); strings.Join(got, "|") != "Actual|Without FOMO buys" {
		t.Errorf("legend %q", got)
	}
	shapes := map[string]bool{}
	for _, m := range root.all("marker") {
		for _, c := range strings.Fields(m.attr("class")) {
			if strings.HasPrefix(c, "marker-") {
				shapes[c] = true
			}
		}
	}
	if len(shapes) != 2 {
		t.Errorf("marker shapes %v, want two", shapes)
	}
	if len(root.all("counterfactual")) != 1 {
		t.Errorf("the series' own class is missing")
	}
}

func TestCandleAxesAreOrdered(t *testing.T) {
	root := parse(t, chart.Candles(candles()))
	checkYTicks(t, root)
	xs := checkXTicks(t, root)
	if !strings.HasPrefix(xs[0], "Mar 2 ") {
		t.Errorf("first time tick %q does not name the day", xs[0])
	}
}

func TestStackedAxesAndLegend(t *testing.T) {
	root := parse(t, chart.Stacked(weeks()))
	checkYTicks(t, root)
	if got := strings.Join(checkXTicks(t, root), "|"); got != "W08|W09|W10" {
		t.Errorf("buckets %q", got)
	}
	if got := strings.Join(texts(root, "legend-label"), "|"); got != "FOMO|PANIC|REVENGE" {
		t.Errorf("legend %q", got)
	}
	if got := strings.Join(texts(root, "column-total"), "|"); got != "4|7|5" {
		t.Errorf("totals %q", got)
	}
	// every segment is filled with its key's pattern, and the patterns differ
	ids := map[string]bool{}
	root.walk(func(m *node) {
		if m.XMLName.Local == "pattern" {
			ids[m.attr("id")] = true
		}
	})
	if len(ids) != 3 {
		t.Errorf("%d patterns, want 3", len(ids))
	}
	segs := root.all("segment")
	if len(segs) != 6 {
		t.Errorf("%d segments, want 6 (the zeros and the missing value drawn as none)", len(segs))
	}
	for _, s := range segs {
		f := strings.TrimSuffix(strings.TrimPrefix(s.attr("fill"), "url(#"), ")")
		if !ids[f] {
			t.Errorf("segment fill %q names no pattern", s.attr("fill"))
		}
	}
}

func TestBarsCarrySignedValueText(t *testing.T) {
	root := parse(t, chart.Bars(pnlBars()))
	if got := strings.Join(texts(root, "bar-value"), "|"); got != "-4.37 USDT|+12.50 USDT|+1,234.50 USDT" {
		t.Errorf("values %q", got)
	}
	if got := strings.Join(texts(root, "bar-label"), "|"); got != "FOMO|DISCIPLINE|(unlabelled)" {
		t.Errorf("labels %q", got)
	}
	if len(root.all("neg")) != 1 || len(root.all("pos")) != 2 {
		t.Errorf("bars by sign: %d neg, %d pos", len(root.all("neg")), len(root.all("pos")))
	}
	if d := root.Children[1].Text; !strings.Contains(d, "FOMO at -4.37 USDT") || !strings.Contains(d, "(unlabelled) at +1,234.50 USDT") {
		t.Errorf("summary %q", d)
	}
	// the value axis has round ticks and a zero line
	if len(root.all("zero")) != 1 || len(texts(root, "tick-label")) < 3 {
		t.Errorf("value axis missing")
	}
}

func TestCandlesMarkFillsWithDistinctShapesAndLabels(t *testing.T) {
	root := parse(t, chart.Candles(candles()))
	buy, sell := root.all("buy"), root.all("sell")
	if len(buy) == 0 || len(sell) == 0 {
		t.Fatalf("buy or sell mark missing")
	}
	got := strings.Join(texts(root, "fill-label"), "|")
	if got != "Buy @ 101.00|Sell 0.5 @ 104.50" {
		t.Errorf("fill labels %q", got)
	}
	shape := func(ns []*node) string {
		for _, n := range ns {
			for _, m := range n.all("fill-mark") {
				return m.attr("class")
			}
		}
		return ""
	}
	if shape(buy) == shape(sell) || !strings.Contains(shape(buy), "marker-triangle") || !strings.Contains(shape(sell), "marker-triangle-down") {
		t.Errorf("buy %q and sell %q marks", shape(buy), shape(sell))
	}
	if up, down := len(root.all("up")), len(root.all("down")); up == 0 || down == 0 {
		t.Errorf("%d up and %d down candles", up, down)
	}
	for _, c := range root.all("up") {
		for _, b := range c.all("body") {
			if b.attr("fill") != "#fff" {
				t.Errorf("up candle body fill %q, want hollow", b.attr("fill"))
			}
		}
	}
}

func TestNoDataCharts(t *testing.T) {
	nan := math.NaN()
	for name, h := range map[string]template.HTML{
		"line empty":    chart.Line(chart.LineChart{Frame: chart.Frame{Title: "Equity"}}),
		"line NaN":      chart.Line(chart.LineChart{Series: []chart.Series{{Name: "a", Points: []chart.Point{{T: day(0), V: nan}, {T: day(1), V: math.Inf(1)}}}}}),
		"bars NaN":      chart.Bars(chart.BarsChart{Bars: []chart.Bar{{Label: "FOMO", Value: nan}}}),
		"bars empty":    chart.Bars(chart.BarsChart{}),
		"stacked zero":  chart.Stacked(chart.StackedChart{Keys: []string{"a"}, Buckets: []chart.Bucket{{Label: "W1", Values: []float64{0, nan}}}}),
		"candles NaN":   chart.Candles(chart.CandleChart{Candles: []coach.Candle{{Open: nan, High: 1, Low: 1, Close: 1}}}),
		"candles empty": chart.Candles(chart.CandleChart{}),
	} {
		t.Run(name, func(t *testing.T) {
			root := parse(t, h)
			if got := texts(root, "no-data"); len(got) != 1 || got[0] != "No data" {
				t.Errorf("no-data text %q", got)
			}
			if len(root.Children) != 3 {
				t.Errorf("%d elements, want title, desc and the text", len(root.Children))
			}
		})
	}
}

func TestHostileTextIsEscaped(t *testing.T) {
	evil := `</title><script>alert("x")</script><text style="a" onload='b'>&amp;` + "\x00\xff\u2028"
	fr := chart.Frame{Title: evil, Summary: evil, Unit: evil, YLabel: evil, ID: evil, Class: evil}
	c := candles()
	c.Frame = fr
	c.Fills[0].Label = evil
	for name, h := range map[string]template.HTML{
		"line":    chart.Line(chart.LineChart{Frame: fr, Series: []chart.Series{{Name: evil, Class: evil, Points: []chart.Point{{T: day(0), V: 1}, {T: day(1), V: 2}}}}}),
		"bars":    chart.Bars(chart.BarsChart{Frame: fr, Bars: []chart.Bar{{Label: evil, Value: -1, Class: evil}}}),
		"stacked": chart.Stacked(chart.StackedChart{Frame: fr, Keys: []string{evil}, Buckets: []chart.Bucket{{Label: evil, Values: []float64{1}}}}),
		"candles": chart.Candles(c),
		"table":   chart.Table(chart.TableData{Caption: evil, Summary: evil, Header: []string{evil}, Rows: [][]string{{evil, evil}}}),
	} {
		t.Run(name, func(t *testing.T) {
			if strings.Contains(string(h), "<script") || strings.Contains(string(h), "<text style") {
				t.Errorf("hostile text not escaped:\n%s", h)
			}
			if name == "table" {
				return
			}
			root := parse(t, h)
			if !strings.Contains(root.Children[0].Text, `</title><script>alert("x")</script>`) {
				t.Errorf("title %q does not keep the text", root.Children[0].Text)
			}
		})
	}
}

func TestLineDownsamplesTenThousandPoints(t *testing.T) {
	pts := walkSeries(10_000)
	h := chart.Line(chart.LineChart{Frame: chart.Frame{Title: "Equity", Unit: "USDT"}, Series: []chart.Series{{Points: pts}}})
	root := parse(t, h)
	lines := root.all("series-line")
	if len(lines) != 1 {
		t.Fatalf("%d polylines", len(lines))
	}
	coords := strings.Fields(lines[0].attr("points"))
	if len(coords) > 2*420 || len(coords) < 100 {
		t.Errorf("%d points drawn for 10,000", len(coords))
	}
	minY, maxY := math.Inf(1), math.Inf(-1)
	for _, c := range coords {
		_, y, _ := strings.Cut(c, ",")
		v, _ := strconv.ParseFloat(y, 64)
		minY, maxY = math.Min(minY, v), math.Max(maxY, v)
	}
	// the spike (5000) and the drop (-5000) are the ends of the value axis's data range: their
	// coordinates are the extremes drawn, and the tick range is the nice range around them.
	ys := checkYTicks(t, root)
	top, bottom := ys[len(ys)-1], ys[0]
	if top != 5000 || bottom != -5000 {
		t.Fatalf("ticks %v, want -5000 to 5000", ys)
	}
	tickY := func(v float64) float64 {
		for _, l := range root.all("axis-y")[0].all("tick-label") {
			if l.Text == formatThousands(v) {
				y, _ := strconv.ParseFloat(l.attr("y"), 64)
				return y - 4
			}
		}
		t.Fatalf("no tick %v", v)
		return 0
	}
	if minY != tickY(5000) || maxY != tickY(-5000) {
		t.Errorf("drawn y range [%v, %v], want the spike at %v and the drop at %v", minY, maxY, tickY(5000), tickY(-5000))
	}
}

func formatThousands(v float64) string {
	s := strconv.FormatFloat(math.Abs(v), 'f', 0, 64)
	for i := len(s) - 3; i > 0; i -= 3 {
		s = s[:i] + "," + s[i:]
	}
	if v < 0 {
		s = "-" + s
	}
	return s
}

func TestTableIsAnAccessibleTextAlternative(t *testing.T) {
	h := chart.Table(chart.LineTable(equity()))
	var root node
	if err := xmlDecode(string(h), &root); err != nil {
		t.Fatalf("table is not well-formed: %v\n%s", err, h)
	}
	if root.XMLName.Local != "details" {
		t.Errorf("root <%s>, want <details>", root.XMLName.Local)
	}
	s := string(h)
	for _, want := range []string{`<caption>Equity</caption>`, `<th scope="col">Actual (USDT)</th>`, `<th scope="row">2026-03-02 00:00</th><td>-20.50</td><td>0.00</td>`} {
		if !strings.Contains(s, want) {
			t.Errorf("table lacks %s:\n%s", want, s)
		}
	}
	big := chart.LineTable(chart.LineChart{Series: []chart.Series{{Points: walkSeries(10_000)}}})
	if len(big.Rows) > chart.MaxTableRows || big.Rows[len(big.Rows)-1][0] != "2026-03-08 22:39" {
		t.Errorf("%d rows, last %v", len(big.Rows), big.Rows[len(big.Rows)-1])
	}
	for _, td := range []chart.TableData{chart.BarsTable(pnlBars()), chart.StackedTable(weeks()), chart.CandlesTable(candles())} {
		if err := xmlDecode(string(chart.Table(td)), &node{}); err != nil || len(td.Rows) == 0 {
			t.Errorf("%s: %v, %d rows", td.Caption, err, len(td.Rows))
		}
	}
}

func BenchmarkLine10k(b *testing.B) {
	c := chart.LineChart{Frame: chart.Frame{Title: "Equity", Unit: "USDT"}, ZeroLine: true, Series: []chart.Series{{Name: "Equity", Points: walkSeries(10_000)}}}
	b.ReportAllocs()
	for b.Loop() {
		_ = chart.Line(c)
	}
	b.ReportMetric(float64(10_000*b.N)/b.Elapsed().Seconds(), "points/s")
}

func BenchmarkLine10kTwoSeries(b *testing.B) {
	pts := walkSeries(10_000)
	cf := make([]chart.Point, len(pts))
	for i, p := range pts {
		cf[i] = chart.Point{T: p.T, V: p.V * 1.1}
	}
	c := chart.LineChart{Frame: chart.Frame{Title: "Equity", Unit: "USDT"}, Series: []chart.Series{{Name: "Actual", Points: pts}, {Name: "Without FOMO", Points: cf}}}
	b.ReportAllocs()
	for b.Loop() {
		_ = chart.Line(c)
	}
}

// FuzzLine draws every chart kind (the line first) from arbitrary labels and values: no panic,
// and always one well-formed, safe SVG element.
func FuzzLine(f *testing.F) {
	f.Add("Equity", "Actual", "USDT", 1.0, -2.5, 1e9, int64(60), uint8(3))
	f.Add("<>&\"'", "\x00\xff", "", math.NaN(), math.Inf(1), math.Copysign(0, -1), int64(-1), uint8(0))
	f.Add("", "", "", 1e308, -1e308, 5e-324, int64(1<<62), uint8(200))
	f.Fuzz(func(t *testing.T, title, name, unit string, a, b, c float64, gapSec int64, n uint8) {
		pts := make([]chart.Point, 0, int(n))
		t0 := time.Unix(1_700_000_000, 0)
		for i := range int(n) {
			v := []float64{a, b, c}[i%3] * float64(i+1)
			pts = append(pts, chart.Point{T: t0.Add(time.Duration(gapSec) * time.Second * time.Duration(i)), V: v})
		}
		fr := chart.Frame{Title: title, Unit: unit, YLabel: name}
		parse(t, chart.Line(chart.LineChart{Frame: fr, ZeroLine: a > 0, Markers: true, Series: []chart.Series{{Name: name, Class: name, Points: pts}, {Name: unit, Points: pts[:len(pts)/2]}}}))
		parse(t, chart.Bars(chart.BarsChart{Frame: fr, Bars: []chart.Bar{{Label: name, Value: a}, {Label: unit, Value: b}, {Label: title, Value: c}}}))
		parse(t, chart.Stacked(chart.StackedChart{Frame: fr, Keys: []string{name, unit}, Buckets: []chart.Bucket{{Label: title, Values: []float64{a, b}}, {Label: name, Values: []float64{c}}}}))
		var cs []coach.Candle
		for i, p := range pts {
			lo, hi := math.Min(a, b), math.Max(a, b)
			cs = append(cs, coach.Candle{OpenTime: p.T, Open: lo, Close: []float64{lo, hi}[i%2], High: hi, Low: lo})
		}
		parse(t, chart.Candles(chart.CandleChart{Frame: fr, Candles: cs, Fills: []chart.Fill{{T: t0, Price: c, Side: coach.Buy, Label: name}, {T: t0.Add(time.Duration(gapSec)), Price: a, Side: coach.Sell}}}))
	})
}

// TestLegendLeavesRoomForUpperCaseLabels: a legend item starts no sooner than its predecessor's
// swatch plus its label at 0.66 em a character (a system sans-serif capital is as wide), so labels
// such as "HOLDING LOSERS" never run into the next item's swatch.
func TestLegendLeavesRoomForUpperCaseLabels(t *testing.T) {
	c := weeks()
	c.Keys = []string{"FOMO", "HOLDING LOSERS", "OVERTRADING", "PANIC", "REVENGE"}
	for i := range c.Buckets {
		c.Buckets[i].Values = []float64{1, 2, 3, 4, 5}
	}
	labels := parse(t, chart.Stacked(c)).all("legend-label")
	if len(labels) != len(c.Keys) {
		t.Fatalf("%d legend labels, want %d", len(labels), len(c.Keys))
	}
	for i := 1; i < len(labels); i++ {
		prev, cur := labels[i-1], labels[i]
		px, _ := strconv.ParseFloat(prev.attr("x"), 64)
		cx, _ := strconv.ParseFloat(cur.attr("x"), 64)
		if prev.attr("y") != cur.attr("y") {
			continue // wrapped to a new row
		}
		if need := px + 0.66*13*float64(len(prev.Text)) + 26; cx < need {
			t.Errorf("legend %q starts at x=%.1f, inside %q (which needs up to x=%.1f)", cur.Text, cx, prev.Text, need)
		}
	}
}
