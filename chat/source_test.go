package chat_test

import (
	"context"
	"encoding/json"
	"testing"
	"time"

	"github.com/tradecoach/coach"
	"github.com/tradecoach/coach/bias"
	"github.com/tradecoach/coach/chat"
	"github.com/tradecoach/coach/rules"
	"github.com/tradecoach/coach/storage"
	"github.com/tradecoach/coach/storage/memory"
)

// TestStoreSourceReadsTheUsersEvidence: the tags of the window with their trades (not older
// ones, not another user's), the latest digest, the last three account windows, and the user's
// time zone; the evidence it gives gathers into facts about those trades.
func TestStoreSourceReadsTheUsersEvidence(t *testing.T) {
	ctx := context.Background()
	store := memory.New()
	clock := coach.NewManualClock(fixtureNowX)
	u := coach.User{ID: coach.NewID(), CreatedAt: fixtureNowX.AddDate(0, -3, 0), TimeZone: "Europe/Berlin"}
	other := coach.User{ID: coach.NewID(), CreatedAt: u.CreatedAt}
	for _, x := range []coach.User{u, other} {
		if err := store.Users().Create(ctx, x); err != nil {
			t.Fatal(err)
		}
	}
	in := exampleInput()
	old := in.Tags[0].Trade
	old.ID, old.ExtID, old.TS = coach.NewID(), "x-old", fixtureNowX.AddDate(0, -2, 0)
	put := func(userID string, tt ...chat.TaggedTrade) {
		t.Helper()
		var trades []coach.Trade
		for i := range tt {
			tt[i].Trade.UserID, tt[i].Trade.ID = userID, coach.NewID()
			trades = append(trades, tt[i].Trade)
		}
		if _, err := store.Trades().Upsert(ctx, userID, trades); err != nil {
			t.Fatal(err)
		}
		for _, x := range tt {
			stored, err := store.Trades().List(ctx, userID, storage.TradeFilter{From: x.Trade.TS, To: x.Trade.TS.Add(time.Second)})
			if err != nil || len(stored) != 1 {
				t.Fatalf("stored trade: %v %v", stored, err)
			}
			g := x.Tag
			g.ID, g.UserID, g.TradeID = coach.NewID(), userID, stored[0].ID
			if err := store.Tags().Replace(ctx, userID, []string{g.TradeID}, []coach.BiasTag{g}); err != nil {
				t.Fatal(err)
			}
		}
	}
	put(u.ID, append([]chat.TaggedTrade(nil), in.Tags...)...)
	put(u.ID, chat.TaggedTrade{Trade: old, Tag: in.Tags[0].Tag})
	put(other.ID, in.Tags[0])
	if _, err := store.Digests().Put(ctx, coach.Digest{ID: coach.NewID(), UserID: u.ID, PeriodStart: coach.DateOf(fixtureNowX.AddDate(0, 0, -7)),
		PeriodEnd: coach.DateOf(fixtureNowX.AddDate(0, 0, -1)), Payload: json.RawMessage(`{"v":1,"week":"2026-W49","tradeCount":37}`),
		CreatedAt: fixtureNowX}); err != nil {
		t.Fatal(err)
	}
	windows := make([]bias.AccountWindow, 5)
	for i := range windows {
		windows[i].From = time.Date(2026, time.Month(8+i), 1, 0, 0, 0, 0, time.UTC)
	}
	src := chat.StoreSource{Store: store, Clock: clock,
		Streaks: func(_ context.Context, userID string, from, to time.Time) (*rules.StreakReport, error) {
			if userID != u.ID || to.Sub(from) != chat.DefaultWindow {
				t.Errorf("streaks of %s over [%v, %v)", userID, from, to)
			}
			return &rules.StreakReport{Overall: rules.Standing{Trades: rules.Streak{Current: 4, Best: 9}}}, nil
		},
		Windows: func(_ context.Context, userID string, to time.Time) ([]bias.AccountWindow, error) {
			if userID != u.ID || !to.Equal(fixtureNowX) {
				t.Errorf("windows of %s to %v", userID, to)
			}
			return windows, nil
		}}
	got, err := src.Input(ctx, u.ID, "why?")
	if err != nil {
		t.Fatal(err)
	}
	if got.TimeZone != "Europe/Berlin" || !got.Now.Equal(fixtureNowX) || len(got.Tags) != 2 || got.Digest == nil ||
		got.Digest.TradeCount != 37 || got.Streaks == nil || got.Streaks.Overall.Trades.Best != 9 || len(got.Windows) != 3 || !got.Windows[0].From.Equal(windows[2].From) {
		t.Fatalf("input: zone %q, now %v, %d tags, digest %+v, %d windows", got.TimeZone, got.Now, len(got.Tags), got.Digest, len(got.Windows))
	}
	for _, x := range got.Tags {
		if x.Trade.ID != x.Tag.TradeID || x.Trade.UserID != u.ID || x.Trade.TS.Before(fixtureNowX.AddDate(0, 0, -30)) {
			t.Errorf("tag %s on trade %+v", x.Tag.ID, x.Trade)
		}
	}
	ev, err := chat.Gather(got)
	if err != nil {
		t.Fatal(err)
	}
	if rep := chat.Check("On Tuesday 1 December you bought BTC at 97,250.5.", ev.Facts, &ev); !rep.OK() {
		t.Errorf("a grounded sentence about the stored evidence: %v", rep.Violations)
	}
	if _, err := src.Input(ctx, coach.NewID(), "why?"); coach.ErrorCode(err) != coach.ENOTFOUND {
		t.Errorf("an unknown user: %v, want not_found", err)
	}
}
