package coach_test

import (
	"testing"
	"time"

	"github.com/tradecoach/coach"
)

func TestCompareTradesAndRef(t *testing.T) {
	t0 := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	ordered := []coach.Trade{
		{TS: t0, Broker: "binance", ExtID: "z", ID: "c9"},
		{TS: t0, Broker: "coinbase", ExtID: "a", ID: "c2"},
		{TS: t0, Broker: "coinbase", ExtID: "a", ID: "c3"},
		{TS: t0, Broker: "coinbase", ExtID: "b", ID: "c1"},
		{TS: t0.Add(time.Millisecond), Broker: "a", ExtID: "a"},
	}
	for i := range ordered {
		for j := range ordered {
			got := coach.CompareTrades(&ordered[i], &ordered[j])
			if want := cmpInt(i, j); got != want {
				t.Errorf("CompareTrades(%d, %d) = %d, want %d", i, j, got, want)
			}
		}
	}
	if ref := ordered[0].Ref(); ref != "c9" {
		t.Errorf("Ref with an ID = %q, want the ID", ref)
	}
	if ref := ordered[4].Ref(); ref != "a" {
		t.Errorf("Ref without an ID = %q, want the ExtID", ref)
	}
}

func cmpInt(a, b int) int {
	switch {
	case a < b:
		return -1
	case a > b:
		return 1
	}
	return 0
}
