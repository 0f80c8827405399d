package core

import (
	"slices"
	"testing"
	"time"

	"github.com/tradecoach/coach/ledger"
)

// closedSince must give exactly what filtering every closing fill gives, whether the ones kept
// are a tail (returned without a copy) or not (closes out of time order).
func TestClosedSinceKeepsExactlyTheClosesFromTheWindowStart(t *testing.T) {
	at := func(h int) ledger.Realized {
		return ledger.Realized{TradeID: "t" + time.Duration(h).String(), ClosedAt: time.Date(2026, 3, 2, h, 0, 0, 0, time.UTC)}
	}
	from := time.Date(2026, 3, 2, 10, 0, 0, 0, time.UTC)
	filter := func(rs []ledger.Realized) []ledger.Realized {
		var out []ledger.Realized
		for _, x := range rs {
			if !x.ClosedAt.Before(from) {
				out = append(out, x)
			}
		}
		return out
	}
	same := func(a, b []ledger.Realized) bool {
		return slices.EqualFunc(a, b, func(x, y ledger.Realized) bool { return x.TradeID == y.TradeID && x.ClosedAt.Equal(y.ClosedAt) })
	}
	for name, rs := range map[string][]ledger.Realized{
		"none":           nil,
		"all before":     {at(8), at(9)},
		"all from":       {at(10), at(11)},
		"tail":           {at(8), at(9), at(10), at(12)},
		"out of order":   {at(8), at(11), at(9), at(12)},
		"late early one": {at(10), at(12), at(9)},
	} {
		got, want := closedSince(rs, from), filter(rs)
		if !same(got, want) || (len(want) == 0) != (got == nil) {
			t.Errorf("%s: closedSince = %v, want %v", name, got, want)
		}
		if len(got) > 0 && cap(got) != len(got) {
			t.Errorf("%s: closedSince left room to append into the ledger's slice", name)
		}
	}
}
