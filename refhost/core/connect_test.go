package core_test

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/hex"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/tradecoach/coach"
	"github.com/tradecoach/coach/broker"
	"github.com/tradecoach/coach/broker/brokertest"
	"github.com/tradecoach/coach/refhost/brokers"
	"github.com/tradecoach/coach/refhost/config"
	"github.com/tradecoach/coach/refhost/core"
	"github.com/tradecoach/coach/refhost/demo"
	"github.com/tradecoach/coach/refhost/infra"
	"github.com/tradecoach/coach/refhost/services"
	"github.com/tradecoach/coach/refhost/worker"
	"github.com/tradecoach/coach/storage/postgres/postgrestest"
	"github.com/tradecoach/coach/transport/httpjson"
)

// logBuffer collects the JSON log lines of a host, safe for concurrent writes.
type logBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (l *logBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.Write(p)
}

func (l *logBuffer) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.String()
}

// connectHost is a core API and a worker whose brokers are fake Coinbase and Binance servers
// with fills over the last 29 days, logging every line (debug included) to logs.
type connectHost struct {
	*host
	cb    *brokertest.Coinbase
	bn    *brokertest.Binance
	cfg   config.Config
	logs  *logBuffer
	links *brokers.Brokers
}

func newConnectHost(t *testing.T, cfg config.Config) *connectHost {
	t.Helper()
	ctx := context.Background()
	now := time.Now().UTC()
	from := now.AddDate(0, 0, -29)
	cb := brokertest.NewCoinbase(brokertest.CoinbaseConfig{FillsFrom: from, FillsTo: now.Add(-time.Hour), Seed: 7})
	t.Cleanup(cb.Close)
	cb.AddFills(60)
	bn := brokertest.NewBinance(brokertest.BinanceConfig{FillsFrom: from, FillsTo: now.Add(-time.Hour), Seed: 7})
	t.Cleanup(bn.Close)
	bn.AddFills(60)
	kek := make([]byte, config.KEKBytes)
	_, _ = rand.Read(kek)
	cfg.KEK = kek
	cfg.CoinbaseAPIURL, cfg.CoinbaseOAuthURL, cfg.BinanceAPIURL = cb.URL(), cb.URL(), bn.URL()
	cfg.CoinbaseClientID, cfg.CoinbaseClientSecret, cfg.CoinbaseRedirectURL = cb.Config().ClientID, config.Secret(cb.Config().ClientSecret), cb.Config().RedirectURL

	logs := &logBuffer{}
	log := slog.New(slog.NewJSONHandler(logs, &slog.HandlerOptions{Level: slog.LevelDebug}))
	clock := coach.SystemClock{}
	srv := httptest.NewUnstartedServer(nil)
	cfg.PublicURL = "http://" + srv.Listener.Addr().String()
	in, err := infra.Open(ctx, cfg, clock, log)
	if err != nil {
		postgrestest.SkipUnavailable(t, err)
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = in.Close() })
	market, err := demo.Market(11, clock.Now())
	if err != nil {
		t.Fatal(err)
	}
	links, err := brokers.Build(cfg, in, market, clock)
	if err != nil {
		t.Fatal(err)
	}
	svc, err := services.Build(services.Config{Infra: in, ErasureKey: bytes.Repeat([]byte("e"), 32), Revokers: links.Revokers,
		Candles: market, WebhookSealer: links.Webhooks, WebhooksLoopback: true, Clock: clock, Logger: log})
	if err != nil {
		t.Fatal(err)
	}
	wk, err := worker.Start(worker.Config{Infra: in, Services: svc, Brokers: links.Resolve, Concurrency: 2,
		WebhookSealer: links.Webhooks, WebhooksLoopback: true, Logger: log})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(wk.Shutdown)
	coreClock := coach.NewManualClock(time.Now())
	api, err := core.New(core.Config{Infra: in, Services: svc, Key: internalKey, Linker: links.Linker, Clock: coreClock, Logger: log})
	if err != nil {
		t.Fatal(err)
	}
	srv.Config.Handler = api
	srv.Start()
	t.Cleanup(srv.Close)
	return &connectHost{host: &host{t: t, clock: coreClock, in: in, svc: svc, srv: srv}, cb: cb, bn: bn, cfg: cfg, logs: logs, links: links}
}

// audits returns the user's audit actions, oldest first.
func (h *connectHost) audits(userID string) []string {
	h.t.Helper()
	rows, err := h.in.Store.Audit().List(context.Background(), userID, 0)
	if err != nil {
		h.t.Fatal(err)
	}
	out := make([]string, 0, len(rows))
	for i := len(rows) - 1; i >= 0; i-- {
		out = append(out, rows[i].Action)
	}
	return out
}

// connections returns the user's connections through the API.
func (h *connectHost) connections(userID string) []coach.BrokerConnection {
	h.t.Helper()
	var list struct {
		Connections []coach.BrokerConnection `json:"connections"`
	}
	if code := h.call(userID, "GET", "/brokers/connections", nil, &list); code != http.StatusOK {
		h.t.Fatalf("list connections: %d", code)
	}
	return list.Connections
}

// waitImported waits until the user's audit shows an import done and trades are listed.
func (h *connectHost) waitImported(userID string) {
	h.t.Helper()
	waitFor(h.t, "the first import", func() bool {
		var p tradePage
		h.call(userID, "GET", "/trades?limit=5", nil, &p)
		return slices.Contains(h.audits(userID), coach.AuditImportDone) && len(p.Trades) > 0
	})
}

// secretsLogged returns the secrets found in the logs: the KEK, the OAuth client secret, the
// Binance key pair and every token the fake issued.
func (h *connectHost) secretsLogged(extra ...string) []string {
	secrets := append([]string{hex.EncodeToString(h.cfg.KEK), h.cfg.CoinbaseClientSecret.Reveal(), h.bn.Config().APIKey, h.bn.Config().SecretKey}, extra...)
	if tok := h.cb.LastIssued(); tok != nil {
		secrets = append(secrets, tok.AccessToken, tok.RefreshToken)
	}
	// At least one line must be there, or the check would prove nothing; the stacks log from
	// their own goroutines, so give the first line a moment.
	waitFor(h.t, "a log line to check (none: the check would prove nothing)", func() bool {
		return strings.Contains(h.logs.String(), `"msg"`)
	})
	logs := h.logs.String()
	var found []string
	for _, s := range secrets {
		if s != "" && strings.Contains(logs, s) {
			found = append(found, s)
		}
	}
	return found
}

func TestConnectCoinbaseJourney(t *testing.T) {
	t.Run("memory", func(t *testing.T) { connectCoinbase(t, newConnectHost(t, config.Config{})) })
	t.Run("postgres+redis+s3", func(t *testing.T) { connectCoinbase(t, newConnectHost(t, servicesConfig(t))) })
}

// connectCoinbase: authorize gives Coinbase's consent URL with PKCE S256 and a state; a forged
// state, another user's state and a replayed callback are refused with nothing stored; the
// callback links the account (broker_linked), and the first import runs (import_start,
// import_done) with trades listed. The logs carry no token, code or secret.
func connectCoinbase(t *testing.T, h *connectHost) {
	alice, bob := h.user(), h.user()
	var auth struct {
		URL string `json:"url"`
	}
	if code := h.call(alice, "GET", "/brokers/coinbase/authorize", nil, &auth); code != http.StatusOK {
		t.Fatalf("authorize: %d", code)
	}
	u, err := url.Parse(auth.URL)
	if err != nil || !strings.HasPrefix(auth.URL, h.cb.AuthURL()) || u.Query().Get("code_challenge_method") != "S256" || u.Query().Get("state") == "" {
		t.Fatalf("authorize URL %q", auth.URL)
	}
	code, state := consent(t, auth.URL)

	for _, tc := range []struct {
		name, user, state string
	}{
		{"forged state", alice, strings.Repeat("A", len(state))},
		{"another user's state", bob, state},
	} {
		var e httpjson.Body
		if got := h.call(tc.user, "GET", "/brokers/coinbase/callback?"+url.Values{"code": {code}, "state": {tc.state}}.Encode(), nil, &e); got != http.StatusUnauthorized || e.Code != coach.EUNAUTHORIZED {
			t.Errorf("%s: %d %+v, want 401 unauthorized", tc.name, got, e)
		}
	}
	if len(h.connections(alice)) != 0 || len(h.connections(bob)) != 0 || len(h.audits(alice)) != 0 || len(h.audits(bob)) != 0 {
		t.Fatal("a refused callback stored something")
	}

	callback := "/brokers/coinbase/callback?" + url.Values{"code": {code}, "state": {state}}.Encode()
	var conn coach.BrokerConnection
	if got := h.call(alice, "GET", callback, nil, &conn); got != http.StatusCreated || conn.Broker != coach.BrokerCoinbase || conn.UserID != alice {
		t.Fatalf("callback: %d %+v", got, conn)
	}
	var e httpjson.Body
	if got := h.call(alice, "GET", callback, nil, &e); got != http.StatusUnauthorized || e.Code != coach.EUNAUTHORIZED {
		t.Fatalf("replayed callback: %d %+v, want 401", got, e)
	}
	if cs := h.connections(alice); len(cs) != 1 || cs[0].ID != conn.ID {
		t.Fatalf("connections after the replay: %+v", cs)
	}

	h.waitImported(alice)
	got := h.audits(alice)
	if got[0] != coach.AuditBrokerLinked || !slices.Contains(got, coach.AuditImportStart) || slices.Index(got, coach.AuditImportStart) > slices.Index(got, coach.AuditImportDone) {
		t.Fatalf("audit rows %v, want broker_linked, import_start, …, import_done", got)
	}
	if found := h.secretsLogged(code, state); len(found) > 0 {
		t.Fatalf("the logs carry %d secrets", len(found))
	}

	// Erasing the user revokes the grant at Coinbase: the connection as it was stored imports
	// nothing more.
	ctx := context.Background()
	stored, err := h.in.Store.Connections().Get(ctx, alice, conn.ID)
	if err != nil || !h.links.Revokers.Revocable(stored) {
		t.Fatalf("no Coinbase revoker: %v", err)
	}
	if code := h.call(alice, "DELETE", "/me", nil, nil); code != http.StatusAccepted {
		t.Fatalf("erase: %d", code)
	}
	waitFor(t, "the erasure", func() bool { return h.call(alice, "GET", "/me", nil, nil) == http.StatusNotFound })
	b, err := h.links.Resolve.Broker(ctx, stored)
	if err != nil {
		t.Fatal(err)
	}
	err = b.Fills(ctx, broker.FillsRequest{From: time.Now().AddDate(0, 0, -30), To: time.Now()}, func(broker.FillPage) error { return nil })
	if err == nil {
		t.Fatal("a revoked grant still imports")
	}
}

// consent follows Coinbase's consent page as the user's browser, consenting, and returns the
// redirect's code and state.
func consent(t *testing.T, authURL string) (code, state string) {
	t.Helper()
	client := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	res, err := client.Get(authURL)
	if err != nil {
		t.Fatal(err)
	}
	res.Body.Close()
	loc, err := url.Parse(res.Header.Get("Location"))
	if err != nil || res.StatusCode != http.StatusFound {
		t.Fatalf("consent: %d %v", res.StatusCode, err)
	}
	return loc.Query().Get("code"), loc.Query().Get("state")
}

func TestConnectBinanceJourney(t *testing.T) {
	t.Run("memory", func(t *testing.T) { connectBinance(t, newConnectHost(t, config.Config{})) })
	t.Run("postgres+redis+s3", func(t *testing.T) { connectBinance(t, newConnectHost(t, servicesConfig(t))) })
}

// connectBinance: a trading-enabled key is refused with 403 forbidden naming the permission, a
// rejected one with 400, and nothing is stored; a read-only key is linked (broker_linked) and
// its first import runs (import_start, import_done). The logs carry neither key nor secret.
func connectBinance(t *testing.T, h *connectHost) {
	alice := h.user()
	key := map[string]any{"apiKey": h.bn.Config().APIKey, "secretKey": h.bn.Config().SecretKey}

	h.bn.SetKeyPermissions(brokertest.TradingKey())
	var e httpjson.Body
	if got := h.call(alice, "POST", "/brokers/binance", key, &e); got != http.StatusForbidden || e.Code != coach.EFORBIDDEN ||
		!strings.Contains(e.Message, "enableSpotAndMarginTrading") {
		t.Fatalf("trading key: %d %+v, want 403 forbidden naming the permission", got, e)
	}
	h.bn.SetKeyPermissions(brokertest.ReadOnlyKey())
	wrong := map[string]any{"apiKey": h.bn.Config().APIKey, "secretKey": "not-the-secret"}
	if got := h.call(alice, "POST", "/brokers/binance", wrong, &e); got != http.StatusBadRequest || e.Code != coach.EINVALID {
		t.Fatalf("wrong secret: %d %+v, want 400 invalid", got, e)
	}
	if got := h.call(alice, "POST", "/brokers/binance", map[string]any{"apiKey": "k"}, &e); got != http.StatusBadRequest || len(e.Fields) != 1 {
		t.Fatalf("no secret: %d %+v, want 400 naming secretKey", got, e)
	}
	if len(h.connections(alice)) != 0 || len(h.audits(alice)) != 0 {
		t.Fatal("a refused key stored something")
	}

	var conn coach.BrokerConnection
	if got := h.call(alice, "POST", "/brokers/binance", key, &conn); got != http.StatusCreated || conn.Broker != coach.BrokerBinance {
		t.Fatalf("read-only key: %d %+v", got, conn)
	}
	if k, err := h.in.Store.DataKeys().Get(context.Background(), alice); err != nil || len(k.Wrapped) == 0 {
		t.Fatalf("no data key of alice's in the store: %v", err)
	}
	h.waitImported(alice)
	got := h.audits(alice)
	if got[0] != coach.AuditBrokerLinked || !slices.Contains(got, coach.AuditImportStart) {
		t.Fatalf("audit rows %v, want broker_linked, import_start, …, import_done", got)
	}
	if found := h.secretsLogged(); len(found) > 0 {
		t.Fatalf("the logs carry %d secrets", len(found))
	}
}
