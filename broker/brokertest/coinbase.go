package brokertest

import (
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/tradecoach/coach"
	"golang.org/x/oauth2"
)

// CoinbaseConfig configures a fake Coinbase. Zero fields take the defaults named.
type CoinbaseConfig struct {
	// ClientID, ClientSecret and RedirectURL are the OAuth application the fake knows
	// (defaults "fake-client", "fake-client-secret", "http://127.0.0.1/coinbase/callback").
	ClientID, ClientSecret, RedirectURL string
	// Clock decides token expiry (default coach.SystemClock).
	Clock coach.Clock
	// AccessTTL is the life of an access token (default 1 h, as Coinbase); RefreshTTL of a
	// refresh token (default 1.5 years).
	AccessTTL, RefreshTTL time.Duration
	// Products are the pairs the fake trades and has candles for (default BTC-USD, ETH-USD,
	// SOL-USD, BTC-USDT).
	Products []coach.Symbol
	// FillsFrom and FillsTo bound the time of the fills AddFills makes (default 30 days from
	// 2024-01-01).
	FillsFrom, FillsTo time.Time
	// Seed varies the synthetic fills.
	Seed uint64
	// MaxCandles is the most buckets a candles request may span; beyond it the fake answers 400
	// INVALID_ARGUMENT (default 300).
	MaxCandles int
	// MaxPageSize caps the limit of List Fills (default 1000).
	MaxPageSize int
}

// Coinbase is an in-process fake of Coinbase's OAuth2 endpoints (login.coinbase.com) and the
// Advanced Trade API (api.coinbase.com), speaking their wire formats: authorize with code
// issuance, the token endpoint with PKCE and refresh-token rotation, revoke, List Fills with
// cursor paging (newest first), Get Order, product and public candles (newest first, capped) and
// server time. Faults are scriptable. It is safe for concurrent use.
type Coinbase struct {
	cfg CoinbaseConfig
	srv *httptest.Server

	mu         sync.Mutex
	codes      map[string]cbCode
	access     map[string]cbAccess
	refresh    map[string]cbRefresh
	fills      []cbFill // newest first, as served
	trades     []coach.Trade
	orders     map[string]cbOrder
	fillSeq    int
	faults     wireFaults
	expireIn   int // API requests until every access token expires; <0 when not armed
	requests   int
	refreshes  int
	lastIssued *oauth2.Token
}

type cbCode struct {
	challenge, method, redirect, scope string
	expires                            time.Time
}

type cbAccess struct {
	expires time.Time
	refresh string
	revoked bool
}

type cbRefresh struct {
	scope   string
	expires time.Time
	used    bool
}

// NewCoinbase starts a fake Coinbase on a loopback port. Close it when done.
func NewCoinbase(cfg CoinbaseConfig) *Coinbase {
	if cfg.ClientID == "" {
		cfg.ClientID = "fake-client"
	}
	if cfg.ClientSecret == "" {
		cfg.ClientSecret = "fake-client-secret"
	}
	if cfg.RedirectURL == "" {
		cfg.RedirectURL = "http://127.0.0.1/coinbase/callback"
	}
	if cfg.Clock == nil {
		cfg.Clock = coach.SystemClock{}
	}
	if cfg.AccessTTL == 0 {
		cfg.AccessTTL = time.Hour
	}
	if cfg.RefreshTTL == 0 {
		cfg.RefreshTTL = 548 * 24 * time.Hour
	}
	if len(cfg.Products) == 0 {
		cfg.Products = []coach.Symbol{"BTC-USD", "ETH-USD", "SOL-USD", "BTC-USDT"}
	}
	if cfg.FillsFrom.IsZero() {
		cfg.FillsFrom = time.Date(2024, 1, 1, 0, 0, 0, 0, time.UTC)
	}
	if cfg.FillsTo.IsZero() {
		cfg.FillsTo = cfg.FillsFrom.Add(30 * 24 * time.Hour)
	}
	if cfg.MaxCandles == 0 {
		cfg.MaxCandles = 300
	}
	if cfg.MaxPageSize == 0 {
		cfg.MaxPageSize = 1000
	}
	f := &Coinbase{
		cfg:      cfg,
		codes:    map[string]cbCode{},
		access:   map[string]cbAccess{},
		refresh:  map[string]cbRefresh{},
		orders:   map[string]cbOrder{},
		faults:   newWireFaults(),
		expireIn: -1,
	}
	mux := http.NewServeMux()
	mux.HandleFunc("GET /oauth2/auth", f.authorize)
	mux.HandleFunc("POST /oauth2/token", f.token)
	mux.HandleFunc("POST /oauth2/revoke", f.revoke)
	mux.HandleFunc("GET /api/v3/brokerage/time", f.api(false, f.serverTime))
	mux.HandleFunc("GET /api/v3/brokerage/orders/historical/fills", f.api(true, f.listFills))
	mux.HandleFunc("GET /api/v3/brokerage/orders/historical/{order_id}", f.api(true, f.getOrder))
	mux.HandleFunc("GET /api/v3/brokerage/products/{product_id}/candles", f.api(true, f.candles))
	mux.HandleFunc("GET /api/v3/brokerage/market/products/{product_id}/candles", f.api(false, f.candles))
	f.srv = httptest.NewServer(mux)
	return f
}

// Close shuts the server down.
func (f *Coinbase) Close() { f.srv.Close() }

// URL is the API base URL (for coinbase.Config.BaseURL).
func (f *Coinbase) URL() string { return f.srv.URL }

// AuthURL is the OAuth2 authorization endpoint.
func (f *Coinbase) AuthURL() string { return f.srv.URL + "/oauth2/auth" }

// TokenURL is the OAuth2 token endpoint.
func (f *Coinbase) TokenURL() string { return f.srv.URL + "/oauth2/token" }

// RevokeURL is the OAuth2 revoke endpoint.
func (f *Coinbase) RevokeURL() string { return f.srv.URL + "/oauth2/revoke" }

// Config returns the configuration in force, defaults applied (client credentials included).
func (f *Coinbase) Config() CoinbaseConfig { return f.cfg }

// Grant issues a token pair (with a refresh token) as if the user had just linked with the
// importer's scopes and offline_access, skipping the authorize step.
func (f *Coinbase) Grant() *oauth2.Token {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.issueLocked("wallet:accounts:read,wallet:transactions:read,wallet:user:read,offline_access")
}

// LastIssued returns the token pair the token endpoint issued last (nil before any), so a test can
// check that a client persisted the rotated refresh token.
func (f *Coinbase) LastIssued() *oauth2.Token {
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.lastIssued == nil {
		return nil
	}
	cp := *f.lastIssued
	return &cp
}

// FailNext makes the next n API requests (not the OAuth endpoints) answer status with body.
func (f *Coinbase) FailNext(n, status int, body string) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.faults.failNext(n, wireFault{status: status, body: body})
}

// RateLimitAfter lets the next after API requests through, then answers count of them with 429,
// an HTML body as Advanced Trade does, and Retry-After: retryAfter (none when "").
func (f *Coinbase) RateLimitAfter(after, count int, retryAfter string) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.faults.rateLimitAfter(after, count, wireFault{status: http.StatusTooManyRequests, header: wireRetryAfter(retryAfter),
		body: "<html><head><title>429 Too Many Requests</title></head><body><h1>Too Many Requests</h1></body></html>"})
}

// ExpireAccessTokensAfter lets n more API requests through, then expires every access token
// issued so far (refresh tokens stay valid).
func (f *Coinbase) ExpireAccessTokensAfter(n int) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.expireIn = n
	if n == 0 {
		f.expireAccessLocked()
	}
}

// ExpireRefreshTokens makes every refresh token issued so far expired: refreshing with one
// answers invalid_grant.
func (f *Coinbase) ExpireRefreshTokens() {
	f.mu.Lock()
	defer f.mu.Unlock()
	past := f.cfg.Clock.Now().Add(-time.Second)
	for k, r := range f.refresh {
		r.expires = past
		f.refresh[k] = r
	}
}

// Requests returns how many API requests the fake has answered, faults included.
func (f *Coinbase) Requests() int {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.requests
}

// Refreshes returns how many refresh_token grants succeeded.
func (f *Coinbase) Refreshes() int {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.refreshes
}

func (f *Coinbase) expireAccessLocked() {
	past := f.cfg.Clock.Now().Add(-time.Second)
	for k, a := range f.access {
		a.expires = past
		f.access[k] = a
	}
}

// api wraps an Advanced Trade handler: scripted faults first, then (when auth) the bearer token,
// which must be known, unrevoked and unexpired, or the answer is a plain-text 401 as Coinbase's.
func (f *Coinbase) api(auth bool, h http.HandlerFunc) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		f.mu.Lock()
		f.requests++
		if f.expireIn > 0 {
			f.expireIn--
			if f.expireIn == 0 {
				f.expireAccessLocked()
				f.expireIn = -1
			}
		}
		ft, faulted := f.faults.next()
		ok := true
		if auth {
			tok, found := strings.CutPrefix(r.Header.Get("Authorization"), "Bearer ")
			a, known := f.access[tok]
			ok = found && known && !a.revoked && f.cfg.Clock.Now().Before(a.expires)
		}
		f.mu.Unlock()
		switch {
		case faulted:
			ft.write(w)
		case !ok:
			w.Header().Set("Content-Type", "text/plain; charset=utf-8")
			w.WriteHeader(http.StatusUnauthorized)
			_, _ = w.Write([]byte("Unauthorized\n"))
		default:
			h(w, r)
		}
	}
}

func (f *Coinbase) serverTime(w http.ResponseWriter, _ *http.Request) {
	now := f.cfg.Clock.Now()
	wireJSON(w, http.StatusOK, map[string]string{
		"iso":          now.Format(time.RFC3339),
		"epochSeconds": strconv.FormatInt(now.Unix(), 10),
		"epochMillis":  strconv.FormatInt(now.UnixMilli(), 10),
	})
}

// cbError writes an Advanced Trade v3 error body.
func cbError(w http.ResponseWriter, status int, code, msg string) {
	wireJSON(w, status, map[string]string{"error": code, "error_details": msg, "message": msg})
}

func wireJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	if err := json.NewEncoder(w).Encode(v); err != nil {
		panic(fmt.Sprintf("brokertest: encode: %v", err))
	}
}
