package brokertest

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"math"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/tradecoach/coach"
)

// BinanceConfig configures a fake Binance. Zero fields take the defaults named.
type BinanceConfig struct {
	// APIKey and SecretKey are the one key pair the fake accepts (defaults "fake-binance-key",
	// "fake-binance-secret").
	APIKey, SecretKey string
	// Clock is the fake's clock for timestamps and weight minutes (default coach.SystemClock);
	// the server's time is Clock plus the skew (see SetSkew).
	Clock coach.Clock
	// Symbols are the pairs the fake knows and AddFills trades in (default BTC-USDT, ETH-USDT,
	// BNB-USDT, ETH-BTC).
	Symbols []coach.Symbol
	// Listed are further pairs the fake knows (exchangeInfo lists them, myTrades answers for
	// them) in which AddFills makes no trades.
	Listed []coach.Symbol
	// Delisted are pairs among Symbols and Listed that exchangeInfo reports with status BREAK, as
	// Binance shows a delisted pair; myTrades still answers for them.
	Delisted []coach.Symbol
	// FillsFrom and FillsTo bound the time of the trades AddFills makes (default 30 days from
	// 2024-01-01).
	FillsFrom, FillsTo time.Time
	// Seed varies the synthetic trades.
	Seed uint64
	// WeightLimit is the request weight per minute beyond which the fake answers 429 (default
	// 6000).
	WeightLimit int
}

// Binance is an in-process fake of Binance Spot's REST API speaking its wire format: signed
// requests (HMAC-SHA256 over the exact query string received, X-MBX-APIKEY, timestamp within
// recvWindow, else -1021), GET /api/v3/time, /api/v3/myTrades (symbol, startTime/endTime of at
// most 24 h or -1127, fromId but not with a time window or -1128, limit ≤ 1000), /api/v3/klines,
// /api/v3/account (signed; balances from the trades, see Balances), /api/v3/exchangeInfo and
// /sapi/v1/account/apiRestrictions (signed; the key's permissions, see SetKeyPermissions), with X-MBX-USED-WEIGHT-1M headers, 429 when a minute's weight passes the limit,
// and scriptable faults (418 bans included). It is safe for concurrent use.
type Binance struct {
	cfg BinanceConfig
	srv *httptest.Server

	mu       sync.Mutex
	trades   map[string][]bnTrade      // by Binance symbol, in id (and time) order
	balances map[string]BinanceBalance // SetBalances overrides, by asset
	perms    BinanceKeyPermissions     // what apiRestrictions reports of the key
	made     int                       // trades AddFills made so far
	faults   wireFaults
	skew     time.Duration
	minute   time.Time // the weight minute, by server time
	used     int
	peak     int // the most weight any one minute used
	overruns int // requests that found their minute's weight past the limit
	requests int
	paths    map[string]int
	hook     func(*http.Request)
}

// NewBinance starts a fake Binance on a loopback port. Close it when done.
func NewBinance(cfg BinanceConfig) *Binance {
	if cfg.APIKey == "" {
		cfg.APIKey = "fake-binance-key"
	}
	if cfg.SecretKey == "" {
		cfg.SecretKey = "fake-binance-secret"
	}
	if cfg.Clock == nil {
		cfg.Clock = coach.SystemClock{}
	}
	if len(cfg.Symbols) == 0 {
		cfg.Symbols = []coach.Symbol{"BTC-USDT", "ETH-USDT", "BNB-USDT", "ETH-BTC"}
	}
	if cfg.FillsFrom.IsZero() {
		cfg.FillsFrom = time.Date(2024, 1, 1, 0, 0, 0, 0, time.UTC)
	}
	if cfg.FillsTo.IsZero() {
		cfg.FillsTo = cfg.FillsFrom.Add(30 * 24 * time.Hour)
	}
	if cfg.WeightLimit == 0 {
		cfg.WeightLimit = 6000
	}
	f := &Binance{cfg: cfg, trades: map[string][]bnTrade{}, balances: map[string]BinanceBalance{}, faults: newWireFaults(), paths: map[string]int{},
		perms: ReadOnlyKey()}
	mux := http.NewServeMux()
	mux.HandleFunc("GET /api/v3/time", f.endpoint(1, false, f.serverTime))
	mux.HandleFunc("GET /api/v3/myTrades", f.endpoint(20, true, f.myTrades))
	mux.HandleFunc("GET /api/v3/klines", f.endpoint(2, false, f.klines))
	mux.HandleFunc("GET /api/v3/account", f.endpoint(20, true, f.account))
	mux.HandleFunc("GET /api/v3/exchangeInfo", f.endpoint(20, false, f.exchangeInfo))
	mux.HandleFunc("GET /sapi/v1/account/apiRestrictions", f.endpoint(1, true, f.apiRestrictions))
	f.srv = httptest.NewServer(mux)
	return f
}

// Close shuts the server down.
func (f *Binance) Close() { f.srv.Close() }

// URL is the REST base URL (for binance.Config.BaseURL).
func (f *Binance) URL() string { return f.srv.URL }

// Config returns the configuration in force, defaults applied (the key pair included).
func (f *Binance) Config() BinanceConfig { return f.cfg }

// SetSkew sets the server's clock to Clock + d, so that a client's timestamps look off by -d.
func (f *Binance) SetSkew(d time.Duration) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.skew = d
}

// FailNext makes the next n requests answer status with body.
func (f *Binance) FailNext(n, status int, body string) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.faults.failNext(n, wireFault{status: status, body: body})
}

// RateLimitAfter lets the next after requests through, then answers count of them with 429
// (-1003) and Retry-After: retryAfter seconds (none when "").
func (f *Binance) RateLimitAfter(after, count int, retryAfter string) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.faults.rateLimitAfter(after, count, wireFault{status: http.StatusTooManyRequests, header: wireRetryAfter(retryAfter),
		body: fmt.Sprintf(`{"code":-1003,"msg":"Too much request weight used; current limit is %d request weight per 1 MINUTE. Please use WebSocket Streams for live updates to avoid polling the API."}`, f.cfg.WeightLimit)})
}

// BanNext answers the next n requests with 418, an IP ban of retryAfter seconds.
func (f *Binance) BanNext(n int, retryAfter string) {
	f.mu.Lock()
	defer f.mu.Unlock()
	secs, _ := strconv.Atoi(retryAfter)
	until := f.serverNowLocked().Add(time.Duration(secs) * time.Second).UnixMilli()
	f.faults.failNext(n, wireFault{status: http.StatusTeapot, header: wireRetryAfter(retryAfter),
		body: fmt.Sprintf(`{"code":-1003,"msg":"Way too much request weight used; IP banned until %d. Please use WebSocket Streams for live updates to avoid bans."}`, until)})
}

// SetRequestHook makes the fake call h with each request before it answers it (faults, weight
// and signature included), outside the fake's lock: h may record the request, or block to hold
// it in flight (a drill that must catch a client mid-import). nil removes the hook.
func (f *Binance) SetRequestHook(h func(r *http.Request)) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.hook = h
}

// Requests returns how many requests the fake has answered, faults included.
func (f *Binance) Requests() int {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.requests
}

// RequestsTo returns how many requests reached path (e.g. "/api/v3/myTrades").
func (f *Binance) RequestsTo(path string) int {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.paths[path]
}

// UsedWeight returns the request weight used in the server's current minute.
func (f *Binance) UsedWeight() int {
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.serverNowLocked().Truncate(time.Minute).After(f.minute) {
		return 0
	}
	return f.used
}

// PeakWeight returns the most request weight any one minute (by server time) has used so far,
// the requests answered 429 included.
func (f *Binance) PeakWeight() int {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.peak
}

// Overruns returns how many requests came while their minute's weight was past WeightLimit (each
// answered 429, as Binance does): clients that share a budget well cause none.
func (f *Binance) Overruns() int {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.overruns
}

func (f *Binance) serverNowLocked() time.Time { return f.cfg.Clock.Now().Add(f.skew) }

// endpoint wraps a handler: scripted faults, request weight (429 past the limit, the used weight
// in headers), then for signed endpoints the key, the signature and the timestamp.
func (f *Binance) endpoint(weight int, signed bool, h func(w http.ResponseWriter, q url.Values)) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		f.mu.Lock()
		hook := f.hook
		f.mu.Unlock()
		if hook != nil {
			hook(r)
		}
		f.mu.Lock()
		f.requests++
		f.paths[r.URL.Path]++
		ft, faulted := f.faults.next()
		now := f.serverNowLocked()
		if m := now.Truncate(time.Minute); m.After(f.minute) {
			f.minute, f.used = m, 0
		}
		f.used += weight
		used := f.used
		f.peak = max(f.peak, used)
		if used > f.cfg.WeightLimit {
			f.overruns++
		}
		f.mu.Unlock()
		w.Header().Set("X-MBX-USED-WEIGHT", strconv.Itoa(used))
		w.Header().Set("X-MBX-USED-WEIGHT-1M", strconv.Itoa(used))
		switch {
		case faulted:
			ft.write(w)
			return
		case used > f.cfg.WeightLimit:
			secs := int(math.Ceil(now.Truncate(time.Minute).Add(time.Minute).Sub(now).Seconds()))
			w.Header().Set("Retry-After", strconv.Itoa(max(secs, 1)))
			bnError(w, http.StatusTooManyRequests, -1003, fmt.Sprintf("Too much request weight used; current limit is %d request weight per 1 MINUTE. Please use WebSocket Streams for live updates to avoid polling the API.", f.cfg.WeightLimit))
			return
		}
		q := r.URL.Query()
		if signed && !f.verify(w, r, now) {
			return
		}
		h(w, q)
	}
}

// verify checks a signed request as Binance does: the key header, the HMAC of the exact query
// string before "&signature=", and the timestamp against recvWindow. It answers the error itself.
func (f *Binance) verify(w http.ResponseWriter, r *http.Request, now time.Time) bool {
	key := r.Header.Get("X-MBX-APIKEY")
	switch {
	case key == "":
		bnError(w, http.StatusUnauthorized, -2014, "API-key format invalid.")
		return false
	case key != f.cfg.APIKey:
		bnError(w, http.StatusUnauthorized, -2015, "Invalid API-key, IP, or permissions for action.")
		return false
	}
	raw := r.URL.RawQuery
	i := strings.LastIndex(raw, "signature=")
	if i < 0 || i > 0 && raw[i-1] != '&' || strings.Contains(raw[i:], "&") {
		bnError(w, http.StatusBadRequest, -1102, "Mandatory parameter 'signature' was not sent, was empty/null, or malformed.")
		return false
	}
	payload := strings.TrimSuffix(raw[:i], "&")
	m := hmac.New(sha256.New, []byte(f.cfg.SecretKey))
	m.Write([]byte(payload))
	got, err := hex.DecodeString(raw[i+len("signature="):])
	if err != nil || !hmac.Equal(got, m.Sum(nil)) {
		bnError(w, http.StatusBadRequest, -1022, "Signature for this request is not valid.")
		return false
	}
	q, err := url.ParseQuery(payload)
	if err != nil {
		bnError(w, http.StatusBadRequest, -1100, "Illegal characters found in a parameter.")
		return false
	}
	ts, err := strconv.ParseInt(q.Get("timestamp"), 10, 64)
	if err != nil {
		bnError(w, http.StatusBadRequest, -1102, "Mandatory parameter 'timestamp' was not sent, was empty/null, or malformed.")
		return false
	}
	window := int64(5000)
	if v := q.Get("recvWindow"); v != "" {
		if window, err = strconv.ParseInt(v, 10, 64); err != nil || window <= 0 || window > 60000 {
			bnError(w, http.StatusBadRequest, -1131, "recvWindow must be less than 60000")
			return false
		}
	}
	server := now.UnixMilli()
	switch {
	case ts >= server+1000:
		bnError(w, http.StatusBadRequest, -1021, "Timestamp for this request was 1000ms ahead of the server's time.")
		return false
	case server-ts > window:
		bnError(w, http.StatusBadRequest, -1021, "Timestamp for this request is outside of the recvWindow.")
		return false
	}
	return true
}

func (f *Binance) serverTime(w http.ResponseWriter, _ url.Values) {
	f.mu.Lock()
	now := f.serverNowLocked()
	f.mu.Unlock()
	wireJSON(w, http.StatusOK, map[string]int64{"serverTime": now.UnixMilli()})
}

// symbol returns the known pair whose Binance name is name.
func (f *Binance) symbol(name string) (coach.Symbol, bool) {
	for _, list := range [][]coach.Symbol{f.cfg.Symbols, f.cfg.Listed} {
		for _, s := range list {
			if s.Concat() == name {
				return s, true
			}
		}
	}
	return "", false
}

// bnError writes Binance's {code,msg} error body.
func bnError(w http.ResponseWriter, status, code int, msg string) {
	wireJSON(w, status, map[string]any{"code": code, "msg": msg})
}

// bnInt reads an optional integer parameter; ok is false when it is present but malformed.
func bnInt(q url.Values, name string) (v int64, present, ok bool) {
	s := q.Get(name)
	if s == "" {
		return 0, false, true
	}
	v, err := strconv.ParseInt(s, 10, 64)
	return v, true, err == nil
}
