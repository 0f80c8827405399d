package binance_test

import (
	"context"
	"net/http"
	"sync"
	"testing"
	"time"

	"github.com/tradecoach/coach"
	"github.com/tradecoach/coach/broker/binance"
	"github.com/tradecoach/coach/broker/brokertest"
	"github.com/tradecoach/coach/broker/seal"
	"github.com/tradecoach/coach/storage/redis"
	"github.com/tradecoach/coach/storage/redis/redistest"
)

// fastClock runs speed times faster than the wall clock from start, and sleeps accordingly, so
// that minutes of Binance weight pass in seconds while the fake and the workers run for real.
type fastClock struct {
	start time.Time
	t0    time.Time
	speed time.Duration
}

func newFastClock(start time.Time, speed time.Duration) *fastClock {
	return &fastClock{start: start, t0: time.Now(), speed: speed}
}

func (c *fastClock) Now() time.Time { return c.start.Add(time.Since(c.t0) * c.speed) }

func (c *fastClock) sleep(ctx context.Context, d time.Duration) error {
	t := time.NewTimer(d / c.speed)
	defer t.Stop()
	select {
	case <-ctx.Done():
		return ctx.Err()
	case <-t.C:
		return nil
	}
}

// sent is one request a worker sent, by the fast clock.
type sent struct {
	worker     int
	at, answer time.Time
	status     int
}

// recorder is an http.RoundTripper that logs every request of one worker.
type recorder struct {
	worker int
	clock  *fastClock
	mu     *sync.Mutex
	log    *[]sent
}

func (r recorder) RoundTrip(req *http.Request) (*http.Response, error) {
	at := r.clock.Now()
	res, err := http.DefaultTransport.RoundTrip(req)
	s := sent{worker: r.worker, at: at, answer: r.clock.Now()}
	if err == nil {
		s.status = res.StatusCode
	}
	r.mu.Lock()
	*r.log = append(*r.log, s)
	r.mu.Unlock()
	return res, err
}

// twoWorkers starts a fake Binance allowing weight 100 a minute and two clients, each on its own
// connection to the test Redis, drawing from one WeightBudget (the same prefix and key).
func twoWorkers(t *testing.T) (*brokertest.Binance, *fastClock, [2]*binance.Client, func() []sent) {
	t.Helper()
	store := redistest.MustOpen(t)
	other, err := redis.New(redistest.MustOpenClient(t), redis.Config{Prefix: store.Prefix()})
	if err != nil {
		t.Fatal(err)
	}
	// 50 s into a minute, 30 times the wall clock: a Binance minute is two seconds.
	clock := newFastClock(time.Date(2024, 2, 1, 0, 0, 50, 0, time.UTC), 30)
	fake := brokertest.NewBinance(brokertest.BinanceConfig{Clock: clock, WeightLimit: 100})
	t.Cleanup(fake.Close)
	var mu sync.Mutex
	var log []sent
	var clients [2]*binance.Client
	for i, s := range []*redis.Store{store, other} {
		c, err := binance.New(binance.Config{BaseURL: fake.URL(), APIKey: fake.Config().APIKey,
			SecretKey: seal.NewToken(fake.Config().SecretKey), Clock: clock, Sleep: clock.sleep,
			HTTPClient: &http.Client{Transport: recorder{worker: i, clock: clock, mu: &mu, log: &log}},
			PageSize:   10, WeightLimit: 100, Budget: s.WeightBudget()})
		if err != nil {
			t.Fatal(err)
		}
		clients[i] = c
	}
	return fake, clock, clients, func() []sent {
		mu.Lock()
		defer mu.Unlock()
		return append([]sent(nil), log...)
	}
}

// fetchConcurrently makes both workers read 600 one-minute klines (60 requests of weight 2
// each, 240 weight together: more than two minutes of the 90 the budget allows).
func fetchConcurrently(t *testing.T, clients [2]*binance.Client) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	from := time.Date(2024, 1, 10, 0, 0, 0, 0, time.UTC)
	var wg sync.WaitGroup
	for i, c := range clients {
		wg.Go(func() {
			sym := []coach.Symbol{"BTC-USDT", "ETH-USDT"}[i]
			got, err := c.Candles(ctx, sym, coach.Minute1, from, from.Add(600*time.Minute))
			if err != nil {
				t.Errorf("worker %d: Candles: %v", i, err)
				return
			}
			if len(got) != 600 {
				t.Errorf("worker %d: %d candles, want 600", i, len(got))
			}
		})
	}
	wg.Wait()
}

// Two workers on one Redis stay together within Binance's weight a minute: the fake never sees a
// minute past its limit, although together they need more than two minutes of it.
func TestSharedBudgetIsNeverExceeded(t *testing.T) {
	t.Parallel()
	fake, _, clients, log := twoWorkers(t)
	fetchConcurrently(t, clients)
	if n := fake.Overruns(); n != 0 {
		t.Errorf("the fake saw %d requests past its weight limit (peak %d of 100 a minute)", n, fake.PeakWeight())
	}
	// The budget, not luck, kept them under: minutes were filled to its 90.
	if p := fake.PeakWeight(); p < 80 || p > 100 {
		t.Errorf("peak weight a minute %d, want in [80, 100]", p)
	}
	per := map[int]int{}
	for _, s := range log() {
		per[s.worker]++
	}
	if per[0] < 60 || per[1] < 60 {
		t.Errorf("requests by worker %v, want at least 60 each", per)
	}
}

// A 429 one worker gets pauses both until its Retry-After has passed.
func TestRateLimitPausesEveryWorker(t *testing.T) {
	t.Parallel()
	fake, _, clients, log := twoWorkers(t)
	const retryAfter = 40 * time.Second
	fake.RateLimitAfter(10, 1, "40")
	fetchConcurrently(t, clients)

	all := log()
	var hit *sent
	for i := range all {
		if all[i].status == http.StatusTooManyRequests {
			if hit != nil {
				t.Fatalf("two 429s: %+v and %+v", *hit, all[i])
			}
			hit = &all[i]
		}
	}
	if hit == nil {
		t.Fatal("no request got the scripted 429")
	}
	// A request granted before the pause may still leave in the moment after the answer; none
	// may leave from then until the Retry-After has passed, from either worker.
	const grace = 10 * time.Second // a third of a wall-clock second
	quietFrom, quietTo := hit.answer.Add(grace), hit.answer.Add(retryAfter)
	after := map[int]int{}
	for _, s := range all {
		if s.at.After(quietFrom) && s.at.Before(quietTo) {
			t.Errorf("worker %d sent a request %s after the 429 (Retry-After %s)", s.worker, s.at.Sub(hit.answer), retryAfter)
		}
		if !s.at.Before(quietTo) {
			after[s.worker]++
		}
	}
	if after[0] == 0 || after[1] == 0 {
		t.Errorf("requests after the pause by worker %v: both should have resumed", after)
	}
	if n := fake.Overruns(); n != 0 {
		t.Errorf("the fake saw %d requests past its weight limit", n)
	}
}
