package jobs_test

import (
	"context"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/tradecoach/coach"
	"github.com/tradecoach/coach/bias"
	"github.com/tradecoach/coach/broker"
	"github.com/tradecoach/coach/broker/binance"
	"github.com/tradecoach/coach/broker/brokertest"
	"github.com/tradecoach/coach/broker/coinbase"
	"github.com/tradecoach/coach/broker/public"
	"github.com/tradecoach/coach/jobs"
	"github.com/tradecoach/coach/storage/memory"
	"github.com/tradecoach/coach/transport"
	transportmemory "github.com/tradecoach/coach/transport/memory"
)

// keyless is an http.RoundTripper that remembers every credential header sent through it.
type keyless struct {
	mu   sync.Mutex
	seen []string
}

func (k *keyless) RoundTrip(r *http.Request) (*http.Response, error) {
	for _, h := range []string{"X-MBX-APIKEY", "Authorization", "CB-ACCESS-KEY"} {
		if v := r.Header.Get(h); v != "" {
			k.mu.Lock()
			k.seen = append(k.seen, h)
			k.mu.Unlock()
		}
	}
	return http.DefaultTransport.RoundTrip(r)
}

// csvFills is a CSV-only trader's history: a day of BTC-USDT (Binance lists it) and of BTC-USD
// (only Coinbase does).
func csvFills(quote string) string {
	var b strings.Builder
	b.WriteString("ts,symbol,side,qty,price,fee,feeAsset\n")
	day := time.Date(2024, 1, 10, 0, 0, 0, 0, time.UTC)
	for i, side := range []string{"BUY", "BUY", "SELL", "BUY", "SELL", "SELL"} {
		b.WriteString(day.Add(time.Duration(3+3*i)*time.Hour).Format(time.RFC3339) + ",BTC-" + quote + "," + side + ",0.01,42000,0.42," + quote + "\n")
	}
	return b.String()
}

// A user who only uploads CSV files is scored through the score.bias job with candles from the
// exchanges' public endpoints (broker/public, no key), cached in the store: Binance's klines for
// a pair Binance lists, Coinbase's candles for one it does not. This is the wiring a host does:
// one market-data source for every service that reads candles (bias, rules, sim, digest).
func TestCSVOnlyUsersAreScoredWithPublicCandles(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	bn := brokertest.NewBinance(brokertest.BinanceConfig{})
	t.Cleanup(bn.Close)
	cb := brokertest.NewCoinbase(brokertest.CoinbaseConfig{})
	t.Cleanup(cb.Close)
	spy := &keyless{}
	hc := &http.Client{Transport: spy, Timeout: 10 * time.Second}

	clock := coach.NewManualClock(time.Date(2024, 1, 20, 0, 0, 0, 0, time.UTC))
	store := memory.New(memory.WithClock(clock))
	t.Cleanup(func() { store.Close() })
	// The host's wiring: public candles (Binance, then Coinbase), cached in the store.
	src, err := public.New(public.Config{
		Binance:  binance.Config{BaseURL: bn.URL(), HTTPClient: hc, Budget: memory.NewWeightBudget()},
		Coinbase: coinbase.Config{BaseURL: cb.URL(), HTTPClient: hc},
	})
	must(t, err, "public.New")
	candles, err := broker.NewCachedMarketData(broker.CacheConfig{Store: store.Candles(), Source: src, Clock: clock})
	must(t, err, "NewCachedMarketData")
	scorer, err := bias.New(bias.ServiceConfig{Store: store, Candles: candles, Blobs: memory.NewBlobs(), Clock: clock})
	must(t, err, "bias.New")

	q, err := transportmemory.NewQueue(transportmemory.QueueConfig{DeadLetters: store.DeadLetters()})
	must(t, err, "NewQueue")
	h, err := jobs.New(jobs.Config{Store: store, Queue: q, Scorer: scorer})
	must(t, err, "jobs.New")
	mux, err := transport.NewMux(transport.MuxConfig{})
	must(t, err, "NewMux")
	must(t, h.Register(mux), "Register")
	w, err := q.NewWorker(transportmemory.WorkerConfig{Concurrency: 2})
	must(t, err, "NewWorker")
	r := &ran{}
	must(t, w.Start(r.handler(mux.Run)), "Start")
	t.Cleanup(w.Shutdown)

	for _, tc := range []struct {
		quote  string
		symbol coach.Symbol
		asked  func() int
		// whole: the source has every bar, so no trade may be skipped for want of one. The fake
		// Coinbase, as Coinbase, leaves some bars out (about one in 97), which the definitions
		// report as insufficient data around those gaps.
		whole bool
	}{
		{"USDT", "BTC-USDT", func() int { return bn.RequestsTo("/api/v3/klines") }, true},
		{"USD", "BTC-USD", cb.Requests, false},
	} {
		u := coach.User{ID: coach.NewID(), CreatedAt: clock.Now().AddDate(0, -1, 0)}
		must(t, store.Users().Create(ctx, u), "create user")
		// The host's upload route: parse the file, store the fills. No broker connection.
		res, err := broker.ParseCSV(strings.NewReader(csvFills(tc.quote)), broker.CSVOptions{})
		must(t, err, "ParseCSV")
		_, err = store.Trades().Upsert(ctx, u.ID, res.Trades)
		must(t, err, "Upsert")
		before := tc.asked()
		from, to := res.Trades[0].TS, res.Trades[len(res.Trades)-1].TS.Add(time.Second)
		j, err := jobs.ScoreJob(jobs.ScorePayload{UserID: u.ID, From: from, To: to, DefinitionVersion: scorer.Version()})
		must(t, err, "ScoreJob")
		_, err = q.Enqueue(ctx, j)
		must(t, err, "enqueue")
		r.waitFor(t, j.ID)

		if tc.asked() == before {
			t.Errorf("%s: the exchange that lists it was not asked for candles", tc.symbol)
		}
		cached, err := store.Candles().Range(ctx, tc.symbol, bias.DefaultConfig().Interval, from.Add(-24*time.Hour), to)
		must(t, err, "cached candles")
		if len(cached) == 0 {
			t.Errorf("%s: no candle cached from the public endpoints", tc.symbol)
		}
		// Scoring again (it is idempotent) reports what the job scored on: every trade, on the
		// public bars, none skipped for want of candles.
		rep, err := scorer.ScoreUser(ctx, u.ID, from, to)
		must(t, err, "ScoreUser")
		if rep.Trades != len(res.Trades) || rep.Data.Candles == 0 || rep.CandlesSHA256 == "" {
			t.Errorf("%s: scored %d trades on %d candles (snapshot %q); want all %d on the public candles", tc.symbol, rep.Trades,
				rep.Data.Candles, rep.CandlesSHA256, len(res.Trades))
		}
		for _, sk := range rep.Skipped {
			switch {
			case sk.Cause == bias.CauseNoCandles:
				t.Errorf("%s: trade %s had no candles: %s", tc.symbol, sk.TradeID, sk.Reason)
			case tc.whole && (sk.Cause == bias.CauseMissingBar || sk.Cause == bias.CauseWarmup):
				t.Errorf("%s: trade %s skipped for %s: %s", tc.symbol, sk.TradeID, sk.Label, sk.Reason)
			}
		}
	}
	if len(spy.seen) != 0 {
		t.Errorf("credential headers sent to the public endpoints: %v", spy.seen)
	}
}
