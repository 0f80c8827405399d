package digest_test

import (
	"context"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/tradecoach/coach"
	"github.com/tradecoach/coach/digest"
	"github.com/tradecoach/coach/ledger"
	"github.com/tradecoach/coach/storage/memory"
)

// disputedWeek is a UTC trader's 2026-W10 with two round trips, P/L worked out by hand (no fees):
// a FOMO buy b1 of BTC at 100 closed by a PANIC sell s1 at 90 (−10), and a FOMO buy e1 of ETH at
// 10 closed by an unlabelled sell e2 at 12 (+2).
func disputedWeek(t testing.TB) ([]coach.Trade, []coach.BiasTag) {
	trades := []coach.Trade{
		fill(t, "b1", "2026-03-02T10:00:00Z", "BTC-USDT", coach.Buy, "1", "100", "0"),
		fill(t, "s1", "2026-03-03T10:00:00Z", "BTC-USDT", coach.Sell, "1", "90", "0"),
		fill(t, "e1", "2026-03-04T10:00:00Z", "ETH-USDT", coach.Buy, "1", "10", "0"),
		fill(t, "e2", "2026-03-05T10:00:00Z", "ETH-USDT", coach.Sell, "1", "12", "0"),
	}
	tags := []coach.BiasTag{tag("b1", coach.LabelFOMO), tag("s1", coach.LabelPanic), tag("e1", coach.LabelFOMO)}
	return trades, tags
}

// disputeOf returns testUser's dispute of label on trade tradeID.
func disputeOf(tradeID, label string, exclude bool) coach.TagDispute {
	return coach.TagDispute{ID: "d-" + tradeID + "-" + label, UserID: testUser, TradeID: tradeID, Label: label,
		TagID: "g-" + tradeID + "-" + label, Reason: coach.DisputePlan, Note: "this was my plan", ExcludeFromAttribution: exclude}
}

// TestBuildLeavesExcludedTradesOutOfTheLabelsAttribution: a dispute with ExcludeFromAttribution
// takes the trade's P/L out of that label's bucket (and only that label's), the trade still
// counts for the label, and labelled plus unlabelled still add up to realized. A dispute without
// the flag changes nothing.
func TestBuildLeavesExcludedTradesOutOfTheLabelsAttribution(t *testing.T) {
	t.Parallel()
	trades, tags := disputedWeek(t)
	utc := coach.User{ID: testUser}
	build := func(ds ...coach.TagDispute) digest.Payload {
		return mustBuild(t, digest.Input{User: utc, Week: w10, Trades: trades, Tags: tags, Disputes: ds})
	}
	plain := build()
	counts := map[string]int{coach.LabelFOMO: 2, coach.LabelPanic: 1}
	for _, tc := range []struct {
		name                 string
		disputes             []coach.TagDispute
		byBias               map[string]digest.Bucket
		labelled, unlabelled digest.Bucket
	}{
		{"no dispute", nil,
			map[string]digest.Bucket{
				coach.LabelFOMO:  {Realized: dec("-8"), Trades: 2, Closes: 2}, // −10 + 2
				coach.LabelPanic: {Realized: dec("-10"), Trades: 1, Closes: 1},
			},
			digest.Bucket{Realized: dec("-8"), Trades: 3, Closes: 2}, digest.Bucket{Realized: dec("0"), Trades: 1}},
		{"the PANIC sell excluded from PANIC", []coach.TagDispute{disputeOf("s1", coach.LabelPanic, true)},
			map[string]digest.Bucket{
				coach.LabelFOMO:  {Realized: dec("-8"), Trades: 2, Closes: 2}, // s1's close still closes a FOMO lot
				coach.LabelPanic: {Realized: dec("0"), Trades: 1, Closes: 0, Excluded: 1},
			},
			digest.Bucket{Realized: dec("-8"), Trades: 3, Closes: 2}, digest.Bucket{Realized: dec("0"), Trades: 1}},
		{"the FOMO buy b1 excluded from FOMO", []coach.TagDispute{disputeOf("b1", coach.LabelFOMO, true)},
			map[string]digest.Bucket{
				coach.LabelFOMO:  {Realized: dec("2"), Trades: 2, Closes: 1, Excluded: 1}, // e1's round trip only
				coach.LabelPanic: {Realized: dec("-10"), Trades: 1, Closes: 1},
			},
			digest.Bucket{Realized: dec("-8"), Trades: 3, Closes: 2}, digest.Bucket{Realized: dec("0"), Trades: 1}},
		{"both labels of the BTC round trip excluded", []coach.TagDispute{disputeOf("b1", coach.LabelFOMO, true), disputeOf("s1", coach.LabelPanic, true)},
			map[string]digest.Bucket{
				coach.LabelFOMO:  {Realized: dec("2"), Trades: 2, Closes: 1, Excluded: 1},
				coach.LabelPanic: {Realized: dec("0"), Trades: 1, Closes: 0, Excluded: 1},
			},
			// s1's −10 has no label left to go to.
			digest.Bucket{Realized: dec("2"), Trades: 3, Closes: 1}, digest.Bucket{Realized: dec("-10"), Trades: 1, Closes: 1}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			p := build(tc.disputes...)
			for _, c := range []struct {
				field     string
				want, got any
			}{
				{"countsByBias", counts, p.CountsByBias},
				{"pnlByBias", tc.byBias, p.PnLByBias},
				{"labelled", tc.labelled, p.Labelled},
				{"unlabelled", tc.unlabelled, p.Unlabelled},
				{"realized", dec("-8"), p.Realized},
			} {
				if diff := cmp.Diff(c.want, c.got); diff != "" {
					t.Errorf("%s (-want +got):\n%s", c.field, diff)
				}
			}
			if sum := p.Labelled.Realized.Add(p.Unlabelled.Realized); !sum.Equal(p.Realized) {
				t.Errorf("labelled + unlabelled = %s, want realized %s", sum, p.Realized)
			}
		})
	}

	t.Run("in the reporting currency too", func(t *testing.T) {
		conv, err := ledger.NewConverter(ledger.ConverterConfig{Currency: "USD", Candles: coach.SeriesOf([]coach.Candle{
			hourCandle(t, "USDT-USD", "2026-03-03T10:00:00Z", 2),
			hourCandle(t, "USDT-USD", "2026-03-05T10:00:00Z", 2),
		})})
		if err != nil {
			t.Fatal(err)
		}
		p := mustBuild(t, digest.Input{User: utc, Week: w10, Trades: trades, Tags: tags, Converter: conv,
			Disputes: []coach.TagDispute{disputeOf("s1", coach.LabelPanic, true)}})
		if p.InCurrency == nil {
			t.Fatal("no inCurrency")
		}
		want := map[string]digest.Bucket{
			coach.LabelFOMO:  {Realized: dec("-16"), Trades: 2, Closes: 2}, // (−10 + 2) × 2
			coach.LabelPanic: {Realized: dec("0"), Trades: 1, Closes: 0, Excluded: 1},
		}
		if diff := cmp.Diff(want, p.InCurrency.PnLByBias); diff != "" {
			t.Errorf("inCurrency.pnlByBias (-want +got):\n%s", diff)
		}
	})

	t.Run("a dispute without the flag changes nothing", func(t *testing.T) {
		p := build(disputeOf("s1", coach.LabelPanic, false), disputeOf("b1", coach.LabelFOMO, false))
		if diff := cmp.Diff(plain, p); diff != "" {
			t.Errorf("payload (-without disputes +with):\n%s", diff)
		}
	})
	t.Run("an exclusion naming a label the trade does not carry changes nothing", func(t *testing.T) {
		p := build(disputeOf("s1", coach.LabelFOMO, true), disputeOf("nope", coach.LabelPanic, true))
		if diff := cmp.Diff(plain, p); diff != "" {
			t.Errorf("payload (-without disputes +with):\n%s", diff)
		}
	})
}

// TestServiceWeeklyReadsDisputes: the service reads the user's stored disputes, so excluding a
// trade from a label's attribution changes the stored digest on its next build, which emits a
// new digest.ready (how an open client learns of it: the dispute itself emits no event).
func TestServiceWeeklyReadsDisputes(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	clock := coach.NewManualClock(time.Date(2026, 3, 9, 6, 0, 0, 0, time.UTC))
	st := memory.New(memory.WithClock(clock))
	t.Cleanup(func() { st.Close() })
	if err := st.Users().Create(ctx, coach.User{ID: testUser, CreatedAt: clock.Now()}); err != nil {
		t.Fatal(err)
	}
	trades, tags := disputedWeek(t)
	if _, err := st.Trades().Upsert(ctx, testUser, trades); err != nil {
		t.Fatal(err)
	}
	if err := st.Tags().Replace(ctx, testUser, []string{"b1", "s1", "e1", "e2"}, tags); err != nil {
		t.Fatal(err)
	}
	svc := mustNew(t, digest.ServiceConfig{Store: st, Clock: clock})
	weekly := func() digest.Payload {
		t.Helper()
		d, err := svc.Weekly(ctx, testUser, w10)
		if err != nil {
			t.Fatal(err)
		}
		p, err := digest.ParsePayload(d.Payload)
		if err != nil {
			t.Fatal(err)
		}
		return p
	}
	before := weekly()
	if got := before.PnLByBias[coach.LabelPanic]; !got.Realized.Equal(dec("-10")) || got.Excluded != 0 {
		t.Fatalf("PANIC before the dispute: %+v, want −10 and nothing excluded", got)
	}

	// The trader disputes the PANIC label on s1: "this was my plan", leave it out.
	if _, err := st.Disputes().Put(ctx, disputeOf("s1", coach.LabelPanic, true)); err != nil {
		t.Fatal(err)
	}
	after := weekly()
	want := digest.Bucket{Realized: dec("0"), Trades: 1, Closes: 0, Excluded: 1}
	if diff := cmp.Diff(want, after.PnLByBias[coach.LabelPanic]); diff != "" {
		t.Errorf("PANIC after the dispute (-want +got):\n%s", diff)
	}
	if diff := cmp.Diff(before.PnLByBias[coach.LabelFOMO], after.PnLByBias[coach.LabelFOMO]); diff != "" {
		t.Errorf("FOMO changed by a PANIC dispute (-before +after):\n%s", diff)
	}
	if n := len(digestEvents(t, st)); n != 2 {
		t.Errorf("%d digest.ready events, want 2: the first build and the rebuild the dispute changed", n)
	}

	// Withdrawing the dispute puts the P/L back.
	if err := st.Disputes().Delete(ctx, testUser, "s1", coach.LabelPanic); err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(before, weekly()); diff != "" {
		t.Errorf("payload after the dispute was withdrawn (-before the dispute +after):\n%s", diff)
	}
}
