package storagetest

import (
	"testing"
	"time"

	"github.com/tradecoach/coach"
	"github.com/tradecoach/coach/storage"
)

func runCheckpoints(t *testing.T, newStore func(*testing.T) storage.Store) {
	t.Run("PutGetList", func(t *testing.T) {
		f := setup(t, newStore)
		u, other := f.user(), f.user()
		c1, c2 := connection(u.ID, coach.BrokerBinance, base), connection(u.ID, coach.BrokerBinance, base)
		must(t, f.s.Connections().Create(f.ctx, c1), "Create")
		must(t, f.s.Connections().Create(f.ctx, c2), "Create")
		_, err := f.s.Checkpoints().Get(f.ctx, u.ID, c1.ID, "BTCUSDT")
		wantCode(t, err, coach.ENOTFOUND, "Get before Put")
		must(t, f.s.Checkpoints().Put(f.ctx, u.ID, c1.ID, "BTCUSDT", "100"), "Put")
		must(t, f.s.Checkpoints().Put(f.ctx, u.ID, c1.ID, "ETHUSDT", "7"), "Put")
		must(t, f.s.Checkpoints().Put(f.ctx, u.ID, c1.ID, "BTCUSDT", "250"), "Put again")
		must(t, f.s.Checkpoints().Put(f.ctx, u.ID, c2.ID, "BTCUSDT", "cursor-abc"), "Put other connection")
		v, err := f.s.Checkpoints().Get(f.ctx, u.ID, c1.ID, "BTCUSDT")
		must(t, err, "Get")
		if v != "250" {
			t.Errorf("Get = %q, want 250", v)
		}
		m, err := f.s.Checkpoints().List(f.ctx, u.ID, c1.ID)
		must(t, err, "List")
		diff(t, "List", map[string]string{"BTCUSDT": "250", "ETHUSDT": "7"}, m)
		_, err = f.s.Checkpoints().Get(f.ctx, other.ID, c1.ID, "BTCUSDT")
		wantCode(t, err, coach.ENOTFOUND, "Get as another user")
		m, err = f.s.Checkpoints().List(f.ctx, other.ID, c1.ID)
		must(t, err, "List as another user")
		diff(t, "List as another user", map[string]string{}, m)
	})
}

func runCandles(t *testing.T, newStore func(*testing.T) storage.Store) {
	t0 := time.Date(2026, 1, 5, 9, 0, 0, 0, time.UTC)
	candle := func(sym coach.Symbol, iv coach.Interval, open time.Time, close float64) coach.Candle {
		return coach.Candle{Symbol: sym, Interval: iv, OpenTime: open, Open: 100, High: max(110, close), Low: min(90, close), Close: close, Volume: 12.5}
	}

	t.Run("PutRangeReplace", func(t *testing.T) {
		f := setup(t, newStore)
		var series []coach.Candle
		for i := range 10 {
			series = append(series, candle("BTC-USDT", coach.Minute1, t0.Add(time.Duration(i)*time.Minute), 100+float64(i)))
		}
		others := []coach.Candle{candle("BTC-USDT", coach.Minute5, t0, 50), candle("ETH-USDT", coach.Minute1, t0, 60)}
		must(t, f.s.Candles().Put(f.ctx, append([]coach.Candle{series[5], series[9]}, others...)), "Put some")
		must(t, f.s.Candles().Put(f.ctx, series), "Put all")
		got, err := f.s.Candles().Range(f.ctx, "BTC-USDT", coach.Minute1, t0.Add(2*time.Minute), t0.Add(6*time.Minute))
		must(t, err, "Range")
		diff(t, "Range [2m, 6m)", series[2:6], got)

		fixed := candle("BTC-USDT", coach.Minute1, t0.Add(3*time.Minute), 99.25)
		must(t, f.s.Candles().Put(f.ctx, []coach.Candle{fixed}), "Put a replacement")
		got, err = f.s.Candles().Range(f.ctx, "BTC-USDT", coach.Minute1, t0, t0.Add(time.Hour))
		must(t, err, "Range")
		want := append([]coach.Candle(nil), series...)
		want[3] = fixed
		diff(t, "Range after the replacement", want, got)

		got, err = f.s.Candles().Range(f.ctx, "BTC-USDT", coach.Minute5, t0, t0.Add(time.Hour))
		must(t, err, "Range 5m")
		diff(t, "5m series", others[:1], got)
		got, err = f.s.Candles().Range(f.ctx, "SOL-USDT", coach.Minute1, t0, t0.Add(time.Hour))
		must(t, err, "Range unknown")
		diff(t, "unknown series", []coach.Candle(nil), got)
	})

	t.Run("InvalidCandleStoresNothing", func(t *testing.T) {
		f := setup(t, newStore)
		good := candle("BTC-USDT", coach.Hour1, t0, 100)
		bad := candle("BTC-USDT", coach.Hour1, t0.Add(time.Hour), 100)
		bad.Low = 200
		wantCode(t, f.s.Candles().Put(f.ctx, []coach.Candle{good, bad}), coach.EINVALID, "Put with low > high")
		unaligned := candle("BTC-USDT", coach.Hour1, t0.Add(time.Minute), 100)
		wantCode(t, f.s.Candles().Put(f.ctx, []coach.Candle{unaligned}), coach.EINVALID, "Put unaligned")
		got, err := f.s.Candles().Range(f.ctx, "BTC-USDT", coach.Hour1, t0.Add(-time.Hour), t0.Add(time.Hour*5))
		must(t, err, "Range")
		diff(t, "candles after rejected puts", []coach.Candle(nil), got)
	})
}

func runDeadLetters(t *testing.T, newStore func(*testing.T) storage.Store) {
	dead := func(queue string, failed time.Time) storage.DeadLetter {
		return storage.DeadLetter{ID: coach.NewID(), Queue: queue, TaskType: "import.trades", TaskID: "import:" + coach.NewID() + ":2026-01-05",
			Payload: []byte(`{"connectionId":"c1"}`), Error: "binance: 418 banned", Attempts: 25, FailedAt: microTime(failed)}
	}

	t.Run("AddListTake", func(t *testing.T) {
		f := setup(t, newStore)
		d1, d2, d3 := dead("q_import", base), dead("q_digest", base.Add(time.Hour)), dead("q_import", base.Add(2*time.Hour))
		for _, d := range []storage.DeadLetter{d1, d2, d3} {
			must(t, f.s.DeadLetters().Add(f.ctx, d), "Add")
		}
		list := func(queue string, limit int) []storage.DeadLetter {
			got, err := f.s.DeadLetters().List(f.ctx, queue, limit)
			must(t, err, "List")
			return got
		}
		diff(t, "List all", []storage.DeadLetter{d3, d2, d1}, list("", 0))
		diff(t, "List q_import", []storage.DeadLetter{d3, d1}, list("q_import", 0))
		diff(t, "List limit 1", []storage.DeadLetter{d3}, list("", 1))

		again := d1
		again.Attempts, again.Error, again.FailedAt = 26, "binance: 429", microTime(base.Add(3*time.Hour))
		must(t, f.s.DeadLetters().Add(f.ctx, again), "Add the same id")
		diff(t, "List after the same task failed again", []storage.DeadLetter{again, d3, d2}, list("", 0))

		got, err := f.s.DeadLetters().Take(f.ctx, d2.ID)
		must(t, err, "Take")
		diff(t, "Take", d2, got)
		_, err = f.s.DeadLetters().Take(f.ctx, d2.ID)
		wantCode(t, err, coach.ENOTFOUND, "Take again")
		diff(t, "List after Take", []storage.DeadLetter{again, d3}, list("", 0))
	})

	t.Run("DeleteFailedBefore", func(t *testing.T) {
		f := setup(t, newStore)
		d1, d2, d3 := dead("q_import", base), dead("q_digest", base.Add(time.Hour)), dead("q_import", base.Add(2*time.Hour))
		for _, d := range []storage.DeadLetter{d1, d2, d3} {
			must(t, f.s.DeadLetters().Add(f.ctx, d), "Add")
		}
		n, err := f.s.DeadLetters().DeleteFailedBefore(f.ctx, time.Time{})
		must(t, err, "DeleteFailedBefore zero")
		if n != 0 {
			t.Errorf("DeleteFailedBefore(zero) = %d, want 0", n)
		}
		// d2 failed exactly at the cut-off: "before" keeps it.
		n, err = f.s.DeadLetters().DeleteFailedBefore(f.ctx, d2.FailedAt)
		must(t, err, "DeleteFailedBefore")
		if n != 1 {
			t.Errorf("DeleteFailedBefore(d2's time) = %d, want 1", n)
		}
		got, err := f.s.DeadLetters().List(f.ctx, "", 0)
		must(t, err, "List")
		diff(t, "dead letters left", []storage.DeadLetter{d3, d2}, got)
		n, err = f.s.DeadLetters().DeleteFailedBefore(f.ctx, d2.FailedAt)
		must(t, err, "DeleteFailedBefore again")
		if n != 0 {
			t.Errorf("DeleteFailedBefore again = %d, want 0", n)
		}
	})
}
