package chart

import (
	"math"
	"testing"
	"time"
)

func TestDownsampleKeepsEachColumnsExtremesInTimeOrder(t *testing.T) {
	t0 := time.Date(2026, 3, 2, 0, 0, 0, 0, time.UTC)
	pts := make([]Point, 10_000)
	for i := range pts {
		pts[i] = Point{T: t0.Add(time.Duration(i) * time.Minute), V: math.Sin(float64(i) / 7)}
	}
	pts[1234].V, pts[8765].V, pts[5000].V = 99, -99, math.NaN()
	p := &plot{left: 10, right: 310, t0: pts[0].T, t1: pts[len(pts)-1].T}
	var got []Point
	downsample(pts, p.xPos, p.left, 300, func(pt Point) { got = append(got, pt) })
	if len(got) > 600 || len(got) < 300 {
		t.Fatalf("%d points for 300 columns", len(got))
	}
	var sawHi, sawLo bool
	for i, pt := range got {
		if i > 0 && !pt.T.After(got[i-1].T) {
			t.Fatalf("point %d at %v not after %v", i, pt.T, got[i-1].T)
		}
		if math.IsNaN(pt.V) {
			t.Fatalf("NaN drawn")
		}
		sawHi = sawHi || pt.V == 99
		sawLo = sawLo || pt.V == -99
	}
	if !sawHi || !sawLo {
		t.Errorf("extremes lost: high %v, low %v", sawHi, sawLo)
	}
	// each column keeps its own extremes, computed here independently
	lo, hi := map[int]float64{}, map[int]float64{}
	for _, pt := range pts {
		if math.IsNaN(pt.V) {
			continue
		}
		c := min(int(p.xPos(pt.T)-p.left), 299)
		if v, ok := lo[c]; !ok || pt.V < v {
			lo[c] = pt.V
		}
		if v, ok := hi[c]; !ok || pt.V > v {
			hi[c] = pt.V
		}
	}
	kept := map[float64]bool{}
	for _, pt := range got {
		kept[pt.V] = true
	}
	for c := range lo {
		if !kept[lo[c]] || !kept[hi[c]] {
			t.Errorf("column %d: low %v or high %v not drawn", c, lo[c], hi[c])
		}
	}

	few := pts[:100]
	n := 0
	downsample(few, p.xPos, p.left, 300, func(Point) { n++ })
	if n != 100 {
		t.Errorf("a short series drew %d of its 100 points", n)
	}
}
