package storage_test

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/shopspring/decimal"

	"github.com/tradecoach/coach"
	"github.com/tradecoach/coach/storage"
	"github.com/tradecoach/coach/storage/memory"
)

func TestClamp(t *testing.T) {
	for _, tc := range []struct{ in, want int }{
		{-5, storage.DefaultLimit}, {0, storage.DefaultLimit}, {1, 1}, {storage.MaxLimit, storage.MaxLimit},
		{storage.MaxLimit + 1, storage.MaxLimit},
	} {
		if got := storage.Clamp(tc.in); got != tc.want {
			t.Errorf("Clamp(%d) = %d, want %d", tc.in, got, tc.want)
		}
	}
}

func TestTradePosOrder(t *testing.T) {
	t0 := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	ordered := []storage.TradePos{
		{TS: t0, Broker: "binance", ExtID: "b"},
		{TS: t0, Broker: "coinbase", ExtID: "a"},
		{TS: t0, Broker: "coinbase", ExtID: "b"},
		{TS: t0.Add(time.Nanosecond), Broker: "a", ExtID: "a"},
	}
	for i := range ordered {
		for j := range ordered {
			if got, want := ordered[i].Less(ordered[j]), i < j; got != want {
				t.Errorf("%+v.Less(%+v) = %v, want %v", ordered[i], ordered[j], got, want)
			}
		}
	}
	// The same instant in another zone is the same position.
	berlin, _ := time.LoadLocation("Europe/Berlin")
	a, b := storage.TradePos{TS: t0, Broker: "x", ExtID: "1"}, storage.TradePos{TS: t0.In(berlin), Broker: "x", ExtID: "1"}
	if a.Less(b) || b.Less(a) {
		t.Errorf("equal instants in two zones compare unequal")
	}
	tr := coach.Trade{TS: t0, Broker: "coinbase", ExtID: "a"}
	if storage.PosOf(tr) != ordered[1] {
		t.Errorf("PosOf(%+v) = %+v", tr, storage.PosOf(tr))
	}
}

func TestLimitValidate(t *testing.T) {
	ok := storage.Limit{Rate: 10, Burst: 5, Period: time.Second}
	if err := ok.Validate(); err != nil {
		t.Fatalf("%+v: %v", ok, err)
	}
	for _, l := range []storage.Limit{
		{Rate: 0, Burst: 5, Period: time.Second},
		{Rate: 10, Burst: 0, Period: time.Second},
		{Rate: 10, Burst: 5, Period: 0},
		{Rate: -1, Burst: 5, Period: time.Second},
	} {
		if code := coach.ErrorCode(l.Validate()); code != coach.EINVALID {
			t.Errorf("%+v: code %q, want invalid", l, code)
		}
	}
}

func TestValidBlobKey(t *testing.T) {
	long := make([]byte, 513)
	for i := range long {
		long[i] = 'a'
	}
	for key, want := range map[string]bool{
		"snapshots/abc.json":           true,
		"digests/u1/2026-02-09.html":   true,
		"exports/u_1/x-y.zip":          true,
		"":                             false,
		"/leading":                     false,
		"trailing/":                    false,
		"a//b":                         false,
		"a/../b":                       false,
		"./a":                          false,
		"..":                           false,
		"a b":                          false,
		"a\x00b":                       false,
		"ünïcode":                      false,
		string(long):                   false,
		string(long[:512]):             true,
		"digests/u1/report?.html":      false,
		`digests\u1\2026-02-09.html`:   false,
		"snapshots/%2e%2e/escape.json": false,
	} {
		if got := storage.ValidBlobKey(key); got != want {
			t.Errorf("ValidBlobKey(%q) = %v, want %v", key, got, want)
		}
	}
}

func TestListAllPagesPastMaxLimit(t *testing.T) {
	ctx := context.Background()
	store := memory.New()
	user := coach.NewID()
	t0 := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	n := 2*storage.MaxLimit + 5
	trades := make([]coach.Trade, n)
	for i := range trades {
		trades[i] = coach.Trade{Broker: "demo", ExtID: fmt.Sprintf("f%06d", i), Symbol: "BTC-USDT", Side: coach.Buy,
			Qty: decimal.NewFromInt(1), Price: decimal.NewFromInt(100), TS: t0.Add(time.Duration(i/3) * time.Second)}
	}
	if _, err := store.Trades().Upsert(ctx, user, trades); err != nil {
		t.Fatal(err)
	}
	all, err := storage.ListAll(ctx, store.Trades(), user, storage.TradeFilter{Limit: 7, After: &storage.TradePos{TS: t0.Add(time.Hour)}})
	if err != nil {
		t.Fatal(err)
	}
	if len(all) != n {
		t.Fatalf("ListAll gave %d trades, want %d (Limit and After must be ignored)", len(all), n)
	}
	for i := range all {
		if all[i].ExtID != trades[i].ExtID {
			t.Fatalf("trade %d: got %s, want %s", i, all[i].ExtID, trades[i].ExtID)
		}
	}
	window, err := storage.ListAll(ctx, store.Trades(), user, storage.TradeFilter{From: t0.Add(10 * time.Second), To: t0.Add(20 * time.Second)})
	if err != nil || len(window) != 30 || window[0].ExtID != "f000030" {
		t.Fatalf("window: %d trades starting %v, err %v; want 30 starting f000030", len(window), window, err)
	}
}
