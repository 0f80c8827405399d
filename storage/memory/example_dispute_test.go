package memory_test

import (
	"context"
	"encoding/json"
	"fmt"
	"time"

	"github.com/shopspring/decimal"

	"github.com/tradecoach/coach"
	"github.com/tradecoach/coach/storage/memory"
)

// The trader answers back: they dispute a PANIC label ("this was my plan") and ask the digest
// to leave the sell out of PANIC's attribution; a re-score that writes a new revision of the
// label keeps the dispute, shown with the tag.
func ExampleStore_Disputes() {
	ctx := context.Background()
	store := memory.New()
	ts := time.Date(2026, 3, 2, 10, 0, 0, 0, time.UTC)
	if err := store.Users().Create(ctx, coach.User{ID: "trader-1", CreatedAt: ts}); err != nil {
		panic(err)
	}
	sell := coach.Trade{ID: "sell-1", Broker: "csv", ExtID: "f1", Symbol: coach.MustParseSymbol("BTC-USDT"),
		Side: coach.Sell, TS: ts, Qty: decimal.RequireFromString("0.5"), Price: decimal.RequireFromString("58000")}
	if _, err := store.Trades().Upsert(ctx, "trader-1", []coach.Trade{sell}); err != nil {
		panic(err)
	}
	panicTag := func(revision int, version string) coach.BiasTag {
		return coach.BiasTag{ID: "tag-1", Revision: revision, UserID: "trader-1", TradeID: "sell-1", Label: coach.LabelPanic,
			Confidence: 0.7, Features: json.RawMessage(`{"v":"` + version + `"}`), CreatedAt: ts}
	}
	if err := store.Tags().Replace(ctx, "trader-1", []string{"sell-1"}, []coach.BiasTag{panicTag(1, "2026.1")}); err != nil {
		panic(err)
	}

	d, err := store.Disputes().Put(ctx, coach.TagDispute{ID: coach.NewID(), UserID: "trader-1", TradeID: "sell-1",
		Label: coach.LabelPanic, TagID: "tag-1", Reason: coach.DisputePlan, Note: "my stop was at -3%",
		ExcludeFromAttribution: true})
	fmt.Println(d.Reason, d.Note, d.ExcludeFromAttribution, err)

	// A re-score under a new definition writes revision 2 of the tag: the dispute stays with the
	// trade and the label, and says which revision was disputed.
	if err := store.Tags().Replace(ctx, "trader-1", []string{"sell-1"}, []coach.BiasTag{panicTag(2, "2026.2")}); err != nil {
		panic(err)
	}
	shown, err := store.Disputes().Tagged(ctx, "trader-1", []string{"sell-1"})
	g := shown[0]
	fmt.Printf("%s revision %d, disputed at revision %d %v\n", g.Label, g.Revision, g.Dispute.TagRevision, err)

	counts, err := store.Disputes().LabelCounts(ctx, "trader-1")
	fmt.Printf("%s: %d of %d disputed %v %v\n", counts[0].Label, counts[0].Disputed, counts[0].Tags, counts[0].ByReason, err)
	// Output:
	// plan my stop was at -3% true <nil>
	// PANIC revision 2, disputed at revision 1 <nil>
	// PANIC: 1 of 1 disputed map[plan:1] <nil>
}
