package bias_test

import (
	"context"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/shopspring/decimal"

	"github.com/tradecoach/coach"
	"github.com/tradecoach/coach/bias"
	"github.com/tradecoach/coach/storage"
)

// legacyStore is a store whose trade listing also holds a row stored before today's trade
// ranges were enforced: the last page of every listing ends with it.
type legacyStore struct {
	storage.Store
	legacy coach.Trade
}

func (s legacyStore) Trades() storage.Trades { return legacyTrades{s.Store.Trades(), s.legacy} }

type legacyTrades struct {
	storage.Trades
	legacy coach.Trade
}

func (t legacyTrades) List(ctx context.Context, userID string, f storage.TradeFilter) ([]coach.Trade, error) {
	out, err := t.Trades.List(ctx, userID, f)
	if err != nil || len(out) == storage.Clamp(f.Limit) || !f.To.IsZero() && !t.legacy.TS.Before(f.To) {
		return out, err
	}
	if f.After != nil && f.After.TS.After(t.legacy.TS) {
		return out, nil
	}
	return append(out, t.legacy), nil
}

// TestStoredOutOfRangeTradeIsSkippedNotFatal is issue 12 point 9: one stored trade dated 9999 (let
// in before Trade.Validate bounded the time) used to make every scoring of its user fail. Now it
// is skipped with a reason and the user's other trades are scored exactly as without it.
func TestStoredOutOfRangeTradeIsSkippedNotFatal(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	fx := newFixture()
	var calls []string
	plain, user, _ := newService(t, fx, &calls)
	want, err := plain.ScoreUser(ctx, user, time.Time{}, time.Time{})
	if err != nil {
		t.Fatal(err)
	}
	legacy := coach.Trade{ID: coach.NewID(), UserID: user, Broker: "demo", ExtID: "legacy-9999", Symbol: fx.trades[0].Symbol,
		Side: coach.Buy, Qty: decimal.NewFromInt(1), Price: decimal.NewFromInt(100), TS: time.Date(9999, 1, 1, 0, 0, 0, 0, time.UTC)}
	withLegacy := *plain
	withLegacy.Store = legacyStore{plain.Store, legacy}
	got, err := withLegacy.ScoreUser(ctx, user, time.Time{}, time.Time{})
	if err != nil {
		t.Fatalf("scoring a user with one out-of-range stored trade: %v", err)
	}
	if len(got.Skipped) == 0 || got.Skipped[0].TradeID != legacy.ID || got.Skipped[0].Cause != bias.CauseInvalidTrade || got.Skipped[0].Reason == "" {
		t.Fatalf("first skip %+v, want the legacy trade with cause %s and a reason", got.Skipped, bias.CauseInvalidTrade)
	}
	t.Logf("reason: %s", got.Skipped[0].Reason)
	got.Skipped = got.Skipped[1:]
	want.New, got.New = 0, 0 // the second run finds the first run's tags
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("report with the legacy trade left out (-without it +with it):\n%s", diff)
	}
}
