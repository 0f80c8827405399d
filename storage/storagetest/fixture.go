package storagetest

import (
	"context"
	"encoding/json"
	"fmt"
	"testing"
	"time"

	"github.com/shopspring/decimal"
	"github.com/tradecoach/coach"
	"github.com/tradecoach/coach/storage"
)

// base is the suite's fixed "now" for rows whose times the suite chooses, at microsecond
// precision like every time the suite creates.
var base = time.Date(2026, 1, 5, 9, 30, 0, 123456000, time.UTC)

// fixture is a subtest's store and the helpers that fill it.
type fixture struct {
	t   *testing.T
	ctx context.Context
	s   storage.Store
}

// setup marks the subtest parallel and gives it a fresh store.
func setup(t *testing.T, newStore func(t *testing.T) storage.Store) *fixture {
	t.Helper()
	t.Parallel()
	return &fixture{t: t, ctx: context.Background(), s: newStore(t)}
}

// user creates and returns a user with a random email.
func (f *fixture) user() coach.User {
	f.t.Helper()
	u := coach.User{
		ID:           coach.NewID(),
		Email:        randomKey(f.t) + "@example.com",
		PasswordHash: "$argon2id$v=19$m=65536,t=3,p=2$c2FsdA$aGFzaA",
		CreatedAt:    base,
		TimeZone:     "Europe/Berlin",
	}
	must(f.t, f.s.Users().Create(f.ctx, u), "create user")
	return u
}

// trade returns a valid trade of the binance broker at ts, not yet stored.
func trade(extID string, ts time.Time) coach.Trade {
	return coach.Trade{
		Broker:   coach.BrokerBinance,
		ExtID:    extID,
		Symbol:   "BTC-USDT",
		Side:     coach.Buy,
		Qty:      decimal.RequireFromString("0.015"),
		Price:    decimal.RequireFromString("43012.55"),
		Fee:      decimal.NewNullDecimal(decimal.RequireFromString("0.0000105")),
		FeeAsset: "BNB",
		TS:       microTime(ts),
	}
}

// upsert stores trades for userID and returns the counts.
func (f *fixture) upsert(userID string, ts ...coach.Trade) storage.UpsertResult {
	f.t.Helper()
	res, err := f.s.Trades().Upsert(f.ctx, userID, ts)
	must(f.t, err, "upsert trades")
	return res
}

// listAll returns every trade of userID matching filter, paging with After.
func (f *fixture) listAll(userID string, filter storage.TradeFilter) []coach.Trade {
	f.t.Helper()
	var all []coach.Trade
	for {
		page, err := f.s.Trades().List(f.ctx, userID, filter)
		must(f.t, err, "list trades")
		all = append(all, page...)
		if len(page) < storage.Clamp(filter.Limit) {
			return all
		}
		p := storage.PosOf(page[len(page)-1])
		if filter.After != nil && !filter.After.Less(p) {
			f.t.Fatalf("list trades: paging does not advance past %+v", p)
		}
		filter.After = &p
	}
}

// storedTrade returns the user's stored trade with extID (binance), failing if there is none.
func (f *fixture) storedTrade(userID, extID string) coach.Trade {
	f.t.Helper()
	for _, t := range f.listAll(userID, storage.TradeFilter{Limit: storage.MaxLimit}) {
		if t.Broker == coach.BrokerBinance && t.ExtID == extID {
			return t
		}
	}
	f.t.Fatalf("no stored trade %s", extID)
	return coach.Trade{}
}

// tag returns a valid tag of trade tradeID, not yet stored.
func tag(userID, tradeID, label string, confidence float64) coach.BiasTag {
	return coach.BiasTag{
		ID:         coach.NewID(),
		UserID:     userID,
		TradeID:    tradeID,
		Label:      label,
		Confidence: confidence,
		Features:   json.RawMessage(fmt.Sprintf(`{"definitionVersion":"2026.1","rsi14":%g,"window":"1h"}`, 70+confidence)),
		CreatedAt:  base,
		Revision:   1,
	}
}

// event returns a valid event for userID, not yet appended.
func event(userID string, n int) coach.Event {
	return coach.Event{UserID: userID, Type: coach.EventImportProgress, V: 1, Payload: json.RawMessage(fmt.Sprintf(`{"n":%d}`, n))}
}

// rule returns a valid rule of userID, not yet stored.
func rule(userID string, created time.Time) coach.Rule {
	return coach.Rule{
		ID:        coach.NewID(),
		UserID:    userID,
		Kind:      "avoidSpikeOverPct",
		Params:    json.RawMessage(`{"pct": 10, "lookbackHours": 24}`),
		Active:    true,
		CreatedAt: microTime(created),
	}
}

// day returns the date n days after the suite's base day.
func day(n int) coach.Date { return coach.DateOf(base).AddDays(n) }

// digest returns a valid digest of userID for the week starting start, not yet stored.
func digest(userID string, start coach.Date, payload string) coach.Digest {
	return coach.Digest{
		ID:          coach.NewID(),
		UserID:      userID,
		PeriodStart: start,
		PeriodEnd:   start.AddDays(6),
		Payload:     json.RawMessage(payload),
		CreatedAt:   base,
	}
}
