package digest_test

import (
	"testing"

	"github.com/tradecoach/coach"
	"github.com/tradecoach/coach/digest"
)

// TestCountsByBiasCountsOrders: an order filled in three pieces carries its label on each fill
// (as bias writes it) and counts once in CountsByBias, the same as the order filled in one piece;
// the label's bucket still counts its fills.
func TestCountsByBiasCountsOrders(t *testing.T) {
	t.Parallel()
	split := []coach.Trade{
		fill(t, "b1", "2026-03-02T10:00:00Z", "BTC-USDT", coach.Buy, "0.5", "100", "0"),
		fill(t, "b2", "2026-03-02T10:00:00Z", "BTC-USDT", coach.Buy, "0.3", "100", "0"),
		fill(t, "b3", "2026-03-02T10:00:00Z", "BTC-USDT", coach.Buy, "0.2", "100", "0"),
		fill(t, "s1", "2026-03-03T10:00:00Z", "BTC-USDT", coach.Sell, "1", "90", "0"),
	}
	whole := []coach.Trade{
		fill(t, "b1", "2026-03-02T10:00:00Z", "BTC-USDT", coach.Buy, "1", "100", "0"),
		split[3],
	}
	tags := []coach.BiasTag{tag("b1", coach.LabelFOMO), tag("b2", coach.LabelFOMO), tag("b3", coach.LabelFOMO), tag("s1", coach.LabelPanic)}
	utc := coach.User{ID: testUser}
	p := mustBuild(t, digest.Input{User: utc, Week: w10, Trades: split, Tags: tags})
	q := mustBuild(t, digest.Input{User: utc, Week: w10, Trades: whole, Tags: tags[:1:1]})
	if p.CountsByBias[coach.LabelFOMO] != 1 || q.CountsByBias[coach.LabelFOMO] != 1 {
		t.Errorf("FOMO counted %d times split and %d whole, want one order each", p.CountsByBias[coach.LabelFOMO], q.CountsByBias[coach.LabelFOMO])
	}
	if got := p.PnLByBias[coach.LabelFOMO].Trades; got != 3 {
		t.Errorf("FOMO bucket counts %d fills, want 3", got)
	}
	if !p.PnLByBias[coach.LabelFOMO].Realized.Equal(dec("-10")) {
		t.Errorf("FOMO realized %s, want -10 however the order was filled", p.PnLByBias[coach.LabelFOMO].Realized)
	}
}
