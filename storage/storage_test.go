package storage_test

import (
	"testing"
	"time"

	"github.com/tradecoach/coach"
	"github.com/tradecoach/coach/storage"
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
