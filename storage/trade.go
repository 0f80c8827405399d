package storage

import (
	"context"
	"time"

	"github.com/tradecoach/coach"
)

// UpsertResult counts what Trades.Upsert did with each trade of a batch.
type UpsertResult struct {
	// Inserted trades were new.
	Inserted int `json:"inserted"`
	// Unchanged trades were already stored under their (broker, extId) or their (broker,
	// exchange key) — the same fill imported before from another source; the stored trade is kept
	// as it is, so a user's edit survives a re-import. A trade that shares a key with an earlier
	// trade of the same batch is a repeat and is not counted (see Trades.Upsert).
	Unchanged int `json:"unchanged"`
	// Skipped trades had been deleted by the user (a tombstone) and stay deleted.
	Skipped int `json:"skipped"`
}

// TradePos is a position in the trade order: trades sort by (TS, Broker, ExtID), a total order
// that does not depend on generated ids, so equal timestamps always come out the same way.
type TradePos struct {
	TS     time.Time
	Broker string
	ExtID  string
}

// PosOf returns the position of t in the trade order.
func PosOf(t coach.Trade) TradePos { return TradePos{TS: t.TS, Broker: t.Broker, ExtID: t.ExtID} }

// Less reports whether p sorts before q.
func (p TradePos) Less(q TradePos) bool {
	if !p.TS.Equal(q.TS) {
		return p.TS.Before(q.TS)
	}
	if p.Broker != q.Broker {
		return p.Broker < q.Broker
	}
	return p.ExtID < q.ExtID
}

// TradeFilter selects trades for Trades.List.
type TradeFilter struct {
	// From and To bound TS to [From, To); a zero bound is open.
	From, To time.Time
	// Symbol, when set, keeps only that symbol's trades.
	Symbol coach.Symbol
	// After, when set, continues a listing after that position (keyset paging).
	After *TradePos
	// Limit caps the rows returned (see Clamp); a caller that wants everything pages with After.
	Limit int
}

// Trades stores a user's fills. Every method is scoped to one user: a trade of another user is
// never returned, changed or deleted, and asking for it gives ENOTFOUND.
type Trades interface {
	// Upsert stores trades idempotently. A trade is the same fill as a stored one when it has the
	// same (Broker, ExtID), or the same (Broker, ExchangeKey()) when that is not "": so a fill
	// imported from a file and through an API, whose ExtIDs differ, is stored once, whichever came
	// first. A trade with an empty ID gets a new one; UserID is set to userID (a different
	// non-empty UserID is EINVALID). A trade already stored is counted Unchanged and left as
	// stored (the first source's fields stay); one the user deleted (a tombstone, which holds both
	// keys) is counted Skipped and stays deleted, whichever source brings it back. Within one
	// batch, a trade that shares either key with an earlier counted trade of the batch is a repeat:
	// it is neither stored nor counted, so Inserted + Unchanged + Skipped is the number of distinct
	// fills of the batch. The exchange key is the one a trade had when first stored: an Update of
	// its symbol or side does not change it. Upsert validates every trade first and stores none if
	// any is invalid.
	Upsert(ctx context.Context, userID string, trades []coach.Trade) (UpsertResult, error)

	// Get returns the user's trade id, or ENOTFOUND.
	Get(ctx context.Context, userID, id string) (coach.Trade, error)

	// List returns trades matching f in trade order (see TradePos), at most Clamp(f.Limit).
	List(ctx context.Context, userID string, f TradeFilter) ([]coach.Trade, error)

	// Update replaces the user's edit of a stored trade (symbol, side, qty, price, fee, fee asset,
	// ts), matched by (userID, t.ID); broker, extId and what the exchange said (order id, exchange
	// trade id, liquidity) cannot change. EINVALID for an invalid trade, ENOTFOUND if there is no
	// such trade.
	Update(ctx context.Context, userID string, t coach.Trade) error

	// Delete removes the trade and its tags and leaves a tombstone on (userID, broker, extId) and
	// on its exchange key, if it has one, so that a later Upsert does not revive it from any
	// source. ENOTFOUND if there is no such trade.
	Delete(ctx context.Context, userID, id string) error

	// Count returns how many trades the user has.
	Count(ctx context.Context, userID string) (int, error)

	// Tombstones returns the user's tombstones (the trades they deleted, by natural key) in
	// (Broker, ExtID) order, after after when set, at most Clamp(limit): keyset paging.
	Tombstones(ctx context.Context, userID string, after *Tombstone, limit int) ([]Tombstone, error)
}

// Tombstone is what remains of a trade the user deleted: its natural key, so that no later import
// revives it, and when it was deleted.
type Tombstone struct {
	Broker    string    `json:"broker"`
	ExtID     string    `json:"extId"`
	DeletedAt time.Time `json:"deletedAt"`
}

// ListAll pages through every trade of the user that matches f (f.After and f.Limit are ignored),
// in trade order, with keyset paging of MaxLimit rows.
func ListAll(ctx context.Context, trades Trades, userID string, f TradeFilter) ([]coach.Trade, error) {
	var out []coach.Trade
	f.After, f.Limit = nil, MaxLimit
	for {
		page, err := trades.List(ctx, userID, f)
		if err != nil {
			return nil, err
		}
		if out == nil {
			out = page // the first page is the caller's already: no copy
		} else {
			out = append(out, page...)
		}
		if len(page) < MaxLimit {
			return out, nil
		}
		after := PosOf(page[len(page)-1])
		f.After = &after
	}
}
