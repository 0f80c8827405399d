package brokertest

import (
	"hash/fnv"
	"math"
	"net/http"
	"strings"
	"time"
)

// This file holds what the Coinbase and Binance fakes share: the scripted faults and the
// synthetic price path that their candles and fills follow.

// wireFault is one scripted answer that replaces a real one.
type wireFault struct {
	status int
	body   string
	header http.Header
}

// wireFaults decides, request by request, whether a fake answers with a scripted fault. It is
// guarded by its fake's mutex.
type wireFaults struct {
	queue      []wireFault
	limitAfter int // requests still served before the rate limit starts; <0 when none is armed
	limitCount int // rate-limited answers still to give
	limit      wireFault
}

func newWireFaults() wireFaults { return wireFaults{limitAfter: -1} }

// failNext queues n answers of status and body.
func (s *wireFaults) failNext(n int, f wireFault) {
	for range n {
		s.queue = append(s.queue, f)
	}
}

// rateLimitAfter arms count rate-limited answers after the next after requests.
func (s *wireFaults) rateLimitAfter(after, count int, f wireFault) {
	s.limitAfter, s.limitCount, s.limit = after, count, f
}

// next returns the fault for the current request, if any.
func (s *wireFaults) next() (wireFault, bool) {
	if len(s.queue) > 0 {
		f := s.queue[0]
		s.queue = s.queue[1:]
		return f, true
	}
	switch {
	case s.limitAfter > 0:
		s.limitAfter--
	case s.limitAfter == 0 && s.limitCount > 0:
		s.limitCount--
		return s.limit, true
	}
	return wireFault{}, false
}

// write sends f, with a Content-Type guessed from the body.
func (f wireFault) write(w http.ResponseWriter) {
	for k, vs := range f.header {
		for _, v := range vs {
			w.Header().Add(k, v)
		}
	}
	if w.Header().Get("Content-Type") == "" {
		w.Header().Set("Content-Type", wireContentType(f.body))
	}
	w.WriteHeader(f.status)
	_, _ = w.Write([]byte(f.body))
}

func wireContentType(body string) string {
	b := strings.TrimSpace(body)
	switch {
	case strings.HasPrefix(b, "{") || strings.HasPrefix(b, "["):
		return "application/json"
	case strings.HasPrefix(b, "<"):
		return "text/html; charset=utf-8"
	}
	return "text/plain; charset=utf-8"
}

// wireRetryAfter returns a header with Retry-After set to v, or none when v is "".
func wireRetryAfter(v string) http.Header {
	h := http.Header{}
	if v != "" {
		h.Set("Retry-After", v)
	}
	return h
}

// wirePrice is the deterministic price of asset pair key (any spelling, e.g. "BTC-USD" or
// "BTCUSDT") at t: a level chosen by the base asset, a weekly and a three-hour wave, and a
// per-minute wiggle. Both fakes' candles and fills follow it, so fills sit inside their candles.
func wirePrice(key string, t time.Time) float64 {
	level := 50.0
	switch {
	case strings.HasPrefix(key, "BTC"):
		level = 40000
	case strings.HasPrefix(key, "ETH"):
		level = 2500
	case strings.HasPrefix(key, "BNB"):
		level = 300
	case strings.HasPrefix(key, "SOL"):
		level = 100
	}
	if strings.HasSuffix(key, "BTC") && !strings.HasPrefix(key, "BTC") {
		level /= 40000
	}
	s := float64(t.Unix())
	phase := float64(wireHash(key)%1000) / 1000 * 2 * math.Pi
	week, hours := 7*24*3600.0, 3*3600.0
	minute := t.Unix() / 60
	wiggle := float64(wireHash(key, minute)%1000)/1000 - 0.5
	return level * (1 + 0.08*math.Sin(2*math.Pi*s/week+phase) + 0.01*math.Sin(2*math.Pi*s/hours) + 0.002*wiggle)
}

// wireCandle is the OHLCV bar of key over [t, t+d) on the wirePrice path: open and close on the
// path, high and low just outside it, a positive volume.
func wireCandle(key string, t time.Time, d time.Duration) (open, high, low, closep, volume float64) {
	open = wirePrice(key, t)
	closep = wirePrice(key, t.Add(d))
	mid := wirePrice(key, t.Add(d/2))
	high = math.Max(open, math.Max(closep, mid)) * 1.001
	low = math.Min(open, math.Min(closep, mid)) * 0.999
	volume = 1 + float64(wireHash(key, t.Unix(), int64(d))%100000)/100
	return
}

// wireHash is FNV-1a over key and the numbers, for deterministic pseudo-randomness.
func wireHash(key string, nums ...int64) uint64 {
	h := fnv.New64a()
	_, _ = h.Write([]byte(key))
	var b [8]byte
	for _, n := range nums {
		for i := range b {
			b[i] = byte(n >> (8 * i))
		}
		_, _ = h.Write(b[:])
	}
	return h.Sum64()
}
