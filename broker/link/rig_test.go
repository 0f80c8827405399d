package link_test

import (
	"context"
	"net/http"
	"net/url"
	"testing"
	"time"

	"github.com/tradecoach/coach"
	"github.com/tradecoach/coach/broker/binance"
	"github.com/tradecoach/coach/broker/brokertest"
	"github.com/tradecoach/coach/broker/coinbase"
	"github.com/tradecoach/coach/broker/link"
	"github.com/tradecoach/coach/broker/seal"
	"github.com/tradecoach/coach/storage/memory"
)

// rig is a Linker and a Brokers over the memory store, with fake Coinbase and Binance servers
// whose fills span the 30 days before the rig's clock.
type rig struct {
	clock    *coach.ManualClock
	store    *memory.Store
	sealer   *seal.Sealer
	cb       *brokertest.Coinbase
	bn       *brokertest.Binance
	cbConfig coinbase.Config
	bnConfig binance.Config
	linker   *link.Linker
	brokers  *link.Brokers
}

func newRig(t *testing.T) *rig {
	t.Helper()
	now := time.Now().UTC().Truncate(time.Second)
	clock := coach.NewManualClock(now)
	from := now.AddDate(0, 0, -30)
	r := &rig{clock: clock, store: memory.New(memory.WithClock(clock))}
	t.Cleanup(func() { _ = r.store.Close() })
	r.cb = brokertest.NewCoinbase(brokertest.CoinbaseConfig{Clock: clock, FillsFrom: from, FillsTo: now.Add(-time.Hour), Seed: 5})
	t.Cleanup(r.cb.Close)
	r.cb.AddFills(40)
	r.bn = brokertest.NewBinance(brokertest.BinanceConfig{Clock: clock, FillsFrom: from, FillsTo: now.Add(-time.Hour), Seed: 5})
	t.Cleanup(r.bn.Close)
	r.bn.AddFills(40)
	kek, err := seal.NewLocalKEK([]byte("0123456789abcdef0123456789abcdef"))
	if err != nil {
		t.Fatal(err)
	}
	if r.sealer, err = seal.New(seal.Config{KEK: kek}); err != nil {
		t.Fatal(err)
	}
	fc := r.cb.Config()
	r.cbConfig = coinbase.Config{BaseURL: r.cb.URL(), AuthURL: r.cb.AuthURL(), TokenURL: r.cb.TokenURL(), RevokeURL: r.cb.RevokeURL(),
		ClientID: fc.ClientID, ClientSecret: seal.NewToken(fc.ClientSecret), RedirectURL: fc.RedirectURL, Clock: clock}
	r.bnConfig = binance.Config{BaseURL: r.bn.URL(), Clock: clock}
	if r.linker, err = link.New(link.Config{Store: r.store, Sealer: r.sealer, Coinbase: &r.cbConfig, Binance: &r.bnConfig,
		Pending: memory.NewCache(clock), Used: memory.NewNonces(clock), Clock: clock}); err != nil {
		t.Fatal(err)
	}
	if r.brokers, err = link.NewBrokers(link.BrokersConfig{Store: r.store, Sealer: r.sealer, Coinbase: &r.cbConfig, Binance: &r.bnConfig}); err != nil {
		t.Fatal(err)
	}
	return r
}

// user stores a user and returns their id.
func (r *rig) user(t *testing.T) string {
	t.Helper()
	u := coach.User{ID: coach.NewID(), Email: coach.NewID() + "@example.com", CreatedAt: r.clock.Now(), TimeZone: "UTC"}
	if err := r.store.Users().Create(context.Background(), u); err != nil {
		t.Fatal(err)
	}
	return u.ID
}

// authorize follows an authorize URL as the user's browser would, consenting, and returns the
// redirect's code and state.
func authorize(t *testing.T, authURL string) (code, state string) {
	t.Helper()
	client := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	res, err := client.Get(authURL)
	if err != nil {
		t.Fatal(err)
	}
	res.Body.Close()
	loc, err := url.Parse(res.Header.Get("Location"))
	if res.StatusCode != http.StatusFound || err != nil {
		t.Fatalf("authorize: %d %q", res.StatusCode, res.Header.Get("Location"))
	}
	return loc.Query().Get("code"), loc.Query().Get("state")
}

// connections returns the user's connections and audit actions.
func (r *rig) stored(t *testing.T, userID string) ([]coach.BrokerConnection, []string) {
	t.Helper()
	ctx := context.Background()
	cs, err := r.store.Connections().List(ctx, userID)
	if err != nil {
		t.Fatal(err)
	}
	rows, err := r.store.Audit().List(ctx, userID, 0)
	if err != nil {
		t.Fatal(err)
	}
	var actions []string
	for _, a := range rows {
		actions = append(actions, a.Action)
	}
	return cs, actions
}
