package postgres

import (
	"context"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/shopspring/decimal"
	"github.com/tradecoach/coach"
	"github.com/tradecoach/coach/storage"
)

// upsertPaths runs a test once with small batches sent as arrays and once with every batch
// going through COPY into the temporary table.
func upsertPaths(t *testing.T, test func(t *testing.T, db *DB)) {
	for _, path := range []struct {
		name      string
		threshold int
	}{{"arrays", 1 << 30}, {"copy", 1}} {
		t.Run(path.name, func(t *testing.T) {
			t.Parallel()
			db := MustOpenTestDB(t)
			db.copyThreshold = path.threshold
			test(t, db)
		})
	}
}

func TestUpsertCounts(t *testing.T) {
	t.Parallel()
	upsertPaths(t, func(t *testing.T, db *DB) {
		ctx := context.Background()
		u := newUser(t, db)
		batch := fills(50, "binance", "f")
		res, err := db.Trades().Upsert(ctx, u.ID, batch)
		must(t, err, "first import")
		if want := (storage.UpsertResult{Inserted: 50}); res != want {
			t.Fatalf("first import %+v, want %+v", res, want)
		}
		stored, err := db.Trades().List(ctx, u.ID, storage.TradeFilter{Limit: 10})
		must(t, err, "list")
		must(t, db.Trades().Delete(ctx, u.ID, stored[3].ID), "delete")
		edit := stored[4]
		edit.Price = decimal.RequireFromString("1.25")
		must(t, db.Trades().Update(ctx, u.ID, edit), "edit")

		// Re-import: 10 new, 49 known (one of them edited), the deleted one tombstoned, and a
		// repeated key counted once.
		again := append(fills(60, "binance", "f"), fills(1, "binance", "f")...)
		res, err = db.Trades().Upsert(ctx, u.ID, again)
		must(t, err, "re-import")
		if want := (storage.UpsertResult{Inserted: 10, Unchanged: 49, Skipped: 1}); res != want {
			t.Errorf("re-import %+v, want %+v", res, want)
		}
		n, err := db.Trades().Count(ctx, u.ID)
		must(t, err, "count")
		if n != 59 {
			t.Errorf("%d trades, want 59", n)
		}
		got, err := db.Trades().Get(ctx, u.ID, edit.ID)
		must(t, err, "get edited")
		if !got.Price.Equal(edit.Price) {
			t.Errorf("re-import overwrote the user's edit: price %s, want %s", got.Price, edit.Price)
		}
		_, err = db.Trades().Get(ctx, u.ID, stored[3].ID)
		wantCode(t, err, coach.ENOTFOUND, "deleted trade")
	})
}

func TestUpsertKeepsValuesExactly(t *testing.T) {
	t.Parallel()
	upsertPaths(t, func(t *testing.T, db *DB) {
		ctx := context.Background()
		u := newUser(t, db)
		conn := coach.NewID()
		base := fills(4, "coinbase", "x")
		base[0].Qty = decimal.RequireFromString("0.000000000000000001")           // exponent -18, the most places
		base[0].Price = decimal.RequireFromString("123456789012345.678901234567") // 27 digits: 15 before the point, 12 after
		base[1].Fee = decimal.NullDecimal{}                                       // no fee reported
		base[1].FeeAsset = ""
		base[2].Fee = decimal.NewNullDecimal(decimal.Zero) // a zero fee, not the same as none
		base[2].FeeAsset = ""
		base[3].ConnectionID = conn
		base[3].Price = decimal.RequireFromString("1e14")
		base[3].ID = coach.NewID() // a caller-chosen id is kept
		_, err := db.Trades().Upsert(ctx, u.ID, base)
		must(t, err, "upsert")
		got, err := db.Trades().List(ctx, u.ID, storage.TradeFilter{})
		must(t, err, "list")
		if len(got) != len(base) {
			t.Fatalf("%d trades stored, want %d", len(got), len(base))
		}
		for i := range base {
			want := base[i]
			want.UserID = u.ID
			if want.ID == "" {
				want.ID = got[i].ID
			}
			if diff := cmp.Diff(want, got[i]); diff != "" {
				t.Errorf("trade %d (-sent +stored):\n%s", i, diff)
			}
		}
		if got[1].Fee.Valid || !got[2].Fee.Valid {
			t.Errorf("fee NULL vs zero not kept: %+v, %+v", got[1].Fee, got[2].Fee)
		}
	})
}

// TestUpsertFailedBatchLeavesNothing checks that a batch failing anywhere — in Go validation or
// in the database — stores none of its trades.
func TestUpsertFailedBatchLeavesNothing(t *testing.T) {
	t.Parallel()
	upsertPaths(t, func(t *testing.T, db *DB) {
		ctx := context.Background()
		u, other := newUser(t, db), newUser(t, db)
		_, err := db.Trades().Upsert(ctx, other.ID, fills(1, "demo", "o"))
		must(t, err, "other's trade")
		otherTrade, err := db.Trades().List(ctx, other.ID, storage.TradeFilter{})
		must(t, err, "other's list")
		// u already has trades: a failed batch must leave them exactly as they were.
		_, err = db.Trades().Upsert(ctx, u.ID, fills(5, "demo", "p"))
		must(t, err, "u's trades")
		before, err := db.Trades().List(ctx, u.ID, storage.TradeFilter{})
		must(t, err, "u's list")

		bad := fills(20, "demo", "b")
		bad[17].Qty = decimal.Zero
		_, err = db.Trades().Upsert(ctx, u.ID, bad)
		wantCode(t, err, coach.EINVALID, "a batch with a zero qty")

		mine := fills(20, "demo", "m")
		mine[19].UserID = other.ID
		_, err = db.Trades().Upsert(ctx, u.ID, mine)
		wantCode(t, err, coach.EINVALID, "a batch with another user's trade")

		clash := fills(20, "demo", "c")
		clash[12].ID = otherTrade[0].ID // an id in use by another user's trade: the database says no
		_, err = db.Trades().Upsert(ctx, u.ID, clash)
		wantCode(t, err, coach.ECONFLICT, "a batch reusing a trade id")

		_, err = db.Trades().Upsert(ctx, coach.NewID(), fills(3, "demo", "n"))
		wantCode(t, err, coach.ENOTFOUND, "a batch for no user")
		_, err = db.Trades().Upsert(ctx, "not a user id!", fills(3, "demo", "n"))
		wantCode(t, err, coach.EINVALID, "a malformed user id")

		after, err := db.Trades().List(ctx, u.ID, storage.TradeFilter{})
		must(t, err, "u's list after")
		if diff := cmp.Diff(before, after); diff != "" {
			t.Errorf("u's trades after failed batches (-before +after):\n%s", diff)
		}
	})
}

// TestUpsertTwiceInOneTransaction checks that two bulk imports in one InTx (each through its own
// temporary table) both count and commit.
func TestUpsertTwiceInOneTransaction(t *testing.T) {
	t.Parallel()
	db := MustOpenTestDB(t)
	db.copyThreshold = 1
	ctx := context.Background()
	u := newUser(t, db)
	var first, second storage.UpsertResult
	must(t, db.InTx(ctx, func(tx storage.Tx) error {
		var err error
		if first, err = tx.Trades().Upsert(ctx, u.ID, fills(30, "demo", "a")); err != nil {
			return err
		}
		second, err = tx.Trades().Upsert(ctx, u.ID, fills(40, "demo", "a"))
		return err
	}), "InTx")
	if first.Inserted != 30 || second.Inserted != 10 || second.Unchanged != 30 {
		t.Errorf("imports in one transaction: %+v then %+v; want 30 inserted, then 10 inserted and 30 unchanged", first, second)
	}
}
