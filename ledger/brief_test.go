package ledger_test

import (
	"fmt"
	"math/rand/v2"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/tradecoach/coach/ledger"
)

// TestLedgerBrief checks that a Ledger with Brief passes every closing fill, in order, with the
// Realized figures as their nearest float64, and leaves the rest of the Result as Apply without
// it makes it.
func TestLedgerBrief(t *testing.T) {
	t.Parallel()
	for _, o := range []historyOptions{
		{n: 60, timeSlots: 40},
		{n: 60, timeSlots: 5, oversell: true},
		{n: 40, timeSlots: 20, huge: true, oversell: true},
	} {
		for _, method := range allMethods {
			t.Run(fmt.Sprintf("%s/oversell=%v/huge=%v", method, o.oversell, o.huge), func(t *testing.T) {
				t.Parallel()
				for seed := range uint64(100) {
					h := randomHistory(rand.New(rand.NewPCG(seed, 17)), o)
					l := newLedger(method, h, seed)
					want, err := l.Apply(h.fills)
					if err != nil {
						t.Fatalf("seed %d: %v", seed, err)
					}
					var briefs []ledger.RealizedBrief
					l.Brief = func(b ledger.RealizedBrief) { briefs = append(briefs, b) }
					got, err := l.Apply(h.fills)
					if err != nil {
						t.Fatalf("seed %d: brief: %v", seed, err)
					}
					var wantBriefs []ledger.RealizedBrief
					for _, r := range want.Realized {
						wantBriefs = append(wantBriefs, ledger.RealizedBrief{
							TradeID: r.TradeID, Symbol: r.Symbol, ClosedAt: r.ClosedAt, OpenedAt: r.OpenedAt,
							HoldingPeriod: r.HoldingPeriod, Qty: r.Qty.InexactFloat64(), Price: r.Price.InexactFloat64(),
							Proceeds: r.Proceeds.InexactFloat64(), CostBasis: r.CostBasis.InexactFloat64(),
							Fees: r.Fees.InexactFloat64(), PnL: r.PnL.InexactFloat64(), FeesUnknown: r.FeesUnknown,
						})
					}
					if diff := cmp.Diff(wantBriefs, briefs); diff != "" {
						t.Fatalf("seed %d: briefs (-want +got):\n%s", seed, diff)
					}
					if got.Realized != nil {
						t.Fatalf("seed %d: Result.Realized has %d entries beside Brief", seed, len(got.Realized))
					}
					want.Realized = nil
					if diff := cmp.Diff(want, got); diff != "" {
						t.Fatalf("seed %d: the rest of the result differs (-without Brief +with):\n%s", seed, diff)
					}
				}
			})
		}
	}
}
