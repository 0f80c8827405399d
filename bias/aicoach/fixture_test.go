package aicoach_test

import (
	"context"
	"net/http"
	"net/http/httptest"
	"strconv"
	"sync"
	"testing"
	"time"

	"github.com/shopspring/decimal"

	"github.com/tradecoach/coach"
	"github.com/tradecoach/coach/bias"
	"github.com/tradecoach/coach/bias/aicoach"
	"github.com/tradecoach/coach/storage/memory"
	"github.com/tradecoach/coach/transport/hmac"
)

// rng is splitmix64, the same on every platform.
type rng struct{ s uint64 }

func (r *rng) next() uint64 {
	r.s += 0x9e3779b97f4a7c15
	z := r.s
	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9
	z = (z ^ (z >> 27)) * 0x94d049bb133111eb
	return z ^ (z >> 31)
}

func (r *rng) float() float64 { return float64(r.next()>>11) / (1 << 53) }

var t0 = time.Date(2024, 3, 1, 0, 0, 0, 0, time.UTC)

// candles returns n hourly bars of sym from t0: a random walk with bursts up and down every 300
// bars, so that FOMO and PANIC have something to see.
func candles(sym coach.Symbol, seed uint64, start float64, n int) []coach.Candle {
	r := &rng{s: seed}
	out := make([]coach.Candle, n)
	p := start
	for i := range n {
		drift, vmul := 0.0, 1.0
		switch k := i % 300; {
		case k >= 200 && k < 210:
			drift, vmul = 0.01, 4
		case k >= 260 && k < 268:
			drift, vmul = -0.015, 3
		}
		o := p
		p = p * (1 + drift + 0.006*(r.float()+r.float()+r.float()-1.5))
		hi := max(o, p) * (1 + 0.002*r.float())
		lo := min(o, p) * (1 - 0.002*r.float())
		out[i] = coach.Candle{Symbol: sym, Interval: coach.Hour1, OpenTime: t0.Add(time.Duration(i) * time.Hour),
			Open: o, High: hi, Low: lo, Close: p, Volume: 100 * vmul * (0.8 + 0.4*r.float())}
	}
	return out
}

const btc, eth = coach.Symbol("BTC-USD"), coach.Symbol("ETH-USD")

// history returns bars of hourly candles of two symbols and n trades over them: buys into the
// bursts, sells in the drops, and steady trading in between.
func history(n, bars int) ([]coach.Trade, bias.CandleSeries) {
	cs := bias.CandleSeries{btc: candles(btc, 11, 60000, bars), eth: candles(eth, 12, 3000, bars)}
	r := &rng{s: 5}
	trades := make([]coach.Trade, n)
	span := int64((bars - 200) * int(time.Hour))
	start := t0.Add(200 * time.Hour)
	for i := range trades {
		sym := btc
		if i%3 == 0 {
			sym = eth
		}
		ts := start.Add(time.Duration(int64(i)*(span/int64(n)) + int64(r.next()%600)*int64(time.Second)))
		side := coach.Buy
		if i%2 == 1 {
			side = coach.Sell
		}
		p := cs[sym][int(ts.Sub(t0)/time.Hour)-1].Close * (0.999 + 0.002*r.float())
		notional := 480 + 240*r.float()
		if r.next()%25 == 0 {
			notional *= 3
		}
		id := "t" + strconv.Itoa(i)
		trades[i] = coach.Trade{ID: id, UserID: "u1", Broker: "demo", ExtID: id, Symbol: sym, Side: side,
			Qty: decimal.New(int64(notional/p*1e4), -4), Price: decimal.NewFromFloat(p).Round(2),
			Fee: decimal.NewNullDecimal(decimal.New(int64(r.next()%100), -2)), FeeAsset: sym.Quote(), TS: ts}
	}
	return trades, cs
}

// key is the shared key of the tests.
var key = hmac.NewKey("k1", []byte("0123456789abcdef0123456789abcdef"))

// roundTripFunc is an http.RoundTripper of a function.
type roundTripFunc func(*http.Request) (*http.Response, error)

func (f roundTripFunc) RoundTrip(r *http.Request) (*http.Response, error) { return f(r) }

// wire records what a Client sends and what it gets back.
type wire struct {
	mu        sync.Mutex
	requests  [][]byte // bodies, in order
	paths     []string
	responses [][]byte
	statuses  []int
}

// server starts the Handler over bias.InProcess behind httptest, with a verifier on clock.
func server(t testing.TB, cfg aicoach.HandlerConfig, clock coach.Clock) *httptest.Server {
	t.Helper()
	v, err := hmac.NewVerifier(hmac.VerifierConfig{Keys: []hmac.Key{key}, Nonces: memory.NewNonces(clock), Clock: clock})
	if err != nil {
		t.Fatal(err)
	}
	cfg.Verifier = v
	h, err := aicoach.NewHandler(cfg)
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(h)
	t.Cleanup(srv.Close)
	return srv
}

// client returns a Client of srv whose traffic w records (when not nil), sent through next
// (http.DefaultTransport when nil) after signing.
func client(t testing.TB, srv *httptest.Server, pageBytes int, w *wire, next http.RoundTripper, clock coach.Clock) *aicoach.Client {
	t.Helper()
	if next == nil {
		next = srv.Client().Transport
	}
	tr := next
	if w != nil {
		tr = recorder(w, next)
	}
	c, err := aicoach.NewClient(aicoach.ClientConfig{BaseURL: srv.URL, Key: key, Transport: tr, PageBytes: pageBytes, Clock: clock})
	if err != nil {
		t.Fatal(err)
	}
	return c
}

var bg = context.Background()
