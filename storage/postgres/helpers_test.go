package postgres

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/shopspring/decimal"
	"github.com/tradecoach/coach"
)

// newUser stores a fresh user in db and returns it.
func newUser(t testing.TB, db *DB) coach.User {
	t.Helper()
	u := coach.User{ID: coach.NewID(), CreatedAt: time.Now().UTC().Truncate(time.Microsecond)}
	u.Email = u.ID + "@example.com"
	if err := db.Users().Create(context.Background(), u); err != nil {
		t.Fatalf("create user: %v", err)
	}
	return u
}

// fills returns n valid trades of broker with ext ids prefix0 … prefix{n-1}, one second apart.
func fills(n int, broker, prefix string) []coach.Trade {
	base := time.Date(2025, 3, 1, 12, 0, 0, 0, time.UTC)
	out := make([]coach.Trade, n)
	for i := range out {
		side := coach.Buy
		if i%2 == 1 {
			side = coach.Sell
		}
		out[i] = coach.Trade{
			Broker: broker, ExtID: fmt.Sprintf("%s%d", prefix, i), Symbol: "BTC-USDT", Side: side,
			Qty: decimal.New(int64(i%97+1), -3), Price: decimal.New(int64(60000+i%1000), 0),
			Fee: decimal.NewNullDecimal(decimal.New(int64(i%7), -2)), FeeAsset: "USDT",
			TS: base.Add(time.Duration(i) * time.Second),
		}
	}
	return out
}

// wantCode fails the test unless err has the coach error code want ("" for none).
func wantCode(t testing.TB, err error, want coach.Code, what string) {
	t.Helper()
	if got := coach.ErrorCode(err); got != want {
		t.Fatalf("%s: error code %q (%v), want %q", what, got, err, want)
	}
}

// must fails the test on an error.
func must(t testing.TB, err error, what string) {
	t.Helper()
	if err != nil {
		t.Fatalf("%s: %v", what, err)
	}
}
