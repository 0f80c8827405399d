// Package brokers builds the reference host's broker connections from its configuration: the
// sealer of broker credentials (each user's data key kept in the store, wrapped by a local KEK
// from REFHOST_KEK), the connect flows core runs
// (link.Linker: Coinbase OAuth when its client is configured, Binance API keys) and the broker of
// each connection the worker imports from (link.Brokers), demo connections served by the demo
// market. It only chooses what the SDK's link package is given.
package brokers

import (
	"context"
	"strings"

	"github.com/tradecoach/coach"
	"github.com/tradecoach/coach/broker"
	"github.com/tradecoach/coach/broker/binance"
	"github.com/tradecoach/coach/broker/brokertest"
	"github.com/tradecoach/coach/broker/coinbase"
	"github.com/tradecoach/coach/broker/link"
	"github.com/tradecoach/coach/broker/public"
	"github.com/tradecoach/coach/broker/seal"
	"github.com/tradecoach/coach/refhost/config"
	"github.com/tradecoach/coach/refhost/demo"
	"github.com/tradecoach/coach/refhost/infra"
)

// Brokers are the broker connections of one process.
type Brokers struct {
	// Linker runs the connect flows (core); Resolve opens a connection's broker (worker).
	Linker  *link.Linker
	Resolve *link.Brokers
	// Revokers revoke a connection's grant at its broker when its user is erased
	// (privacy.EraserConfig.Revokers): Coinbase when its client is configured; Binance keys
	// cannot be revoked by the host.
	Revokers broker.Revokers
	// Candles is the market data every service reads: with the demo on, the demo market alone
	// (its users trade its pairs, and the demo runs without a network); otherwise the exchanges'
	// public candle endpoints (no key; Binance first, then Coinbase) through a cache of closed
	// bars in the store — so CSV-only users are scored too.
	Candles coach.CandleSource
	// Webhooks seals webhook signing secrets with the same per-user data keys as broker
	// credentials (WebhookSealer).
	Webhooks WebhookSealer
}

// WebhookSealer is a webhook.Sealer over broker/seal: a secret is sealed with its user's data
// key and bound to its endpoint (broker "webhook", the endpoint's id as the connection, purpose
// "webhook_secret"), so it opens for no other user or endpoint.
type WebhookSealer struct{ Sealer *seal.Sealer }

func webhookBinding(userID, endpointID string) seal.Binding {
	return seal.Binding{UserID: userID, Broker: "webhook", ConnectionID: endpointID, Purpose: "webhook_secret"}
}

// Seal seals secret for the user's endpoint.
func (w WebhookSealer) Seal(ctx context.Context, userID, endpointID, secret string) ([]byte, error) {
	sealed, err := w.Sealer.Seal(ctx, webhookBinding(userID, endpointID), seal.NewToken(secret))
	if err != nil {
		return nil, err
	}
	return sealed.Bytes(), nil
}

// Open opens a secret sealed for the user's endpoint.
func (w WebhookSealer) Open(ctx context.Context, userID, endpointID string, sealed []byte) (string, error) {
	t, err := w.Sealer.Open(ctx, webhookBinding(userID, endpointID), seal.SealedOf(sealed))
	if err != nil {
		return "", err
	}
	return t.Reveal(), nil
}

// Build builds the sealer (its keys from KEKs), the Linker and the Brokers over in's store, cache
// and nonces. EINVALID without a key-encryption key, or when a broker setting is not a valid URL.
func Build(cfg config.Config, in *infra.Infra, market *brokertest.Demo, clock coach.Clock) (*Brokers, error) {
	if in == nil || market == nil {
		return nil, coach.Errorf(coach.EINVALID, "brokers: infra and the demo market are required")
	}
	kek, previous, err := KEKs(context.Background(), cfg)
	if err != nil {
		return nil, err
	}
	sealer, err := seal.New(seal.Config{KEK: kek, Previous: previous, DataKeys: seal.StoredKeys{Keys: in.Store.DataKeys()}})
	if err != nil {
		return nil, err
	}
	bn := &binance.Config{BaseURL: cfg.BinanceAPIURL, Budget: in.Budget, Clock: clock}
	var cb *coinbase.Config
	if cfg.CoinbaseClientID != "" {
		oauth := strings.TrimRight(cfg.CoinbaseOAuthURL, "/")
		cb = &coinbase.Config{BaseURL: cfg.CoinbaseAPIURL, AuthURL: oauth + "/oauth2/auth", TokenURL: oauth + "/oauth2/token",
			RevokeURL: oauth + "/oauth2/revoke", ClientID: cfg.CoinbaseClientID, ClientSecret: seal.NewToken(cfg.CoinbaseClientSecret.Reveal()),
			RedirectURL: cfg.CoinbaseRedirectURL, Clock: clock}
	}
	l, err := link.New(link.Config{Store: in.Store, Sealer: sealer, Coinbase: cb, Pending: in.Cache, Used: in.Nonces, Binance: bn, Clock: clock})
	if err != nil {
		return nil, err
	}
	demoBrokers := demo.Brokers(market)
	r, err := link.NewBrokers(link.BrokersConfig{Store: in.Store, Sealer: sealer, Coinbase: cb, Binance: bn,
		Other: func(ctx context.Context, c coach.BrokerConnection) (broker.Broker, error) {
			return demoBrokers.Broker(ctx, c)
		}})
	if err != nil {
		return nil, err
	}
	pub, err := public.New(public.Config{Binance: binance.Config{BaseURL: cfg.BinanceAPIURL, Budget: in.Budget, Clock: clock},
		Coinbase: coinbase.Config{BaseURL: cfg.CoinbaseAPIURL, Clock: clock}})
	if err != nil {
		return nil, err
	}
	cached, err := broker.NewCachedMarketData(broker.CacheConfig{Store: in.Store.Candles(), Source: pub, Clock: clock})
	if err != nil {
		return nil, err
	}
	var candles coach.CandleSource = cached
	if cfg.Demo {
		candles = market
	}
	out := &Brokers{Linker: l, Resolve: r, Revokers: broker.Revokers{}, Candles: candles, Webhooks: WebhookSealer{Sealer: sealer}}
	if cb != nil {
		client, err := coinbase.New(*cb)
		if err != nil {
			return nil, err
		}
		out.Revokers[coach.BrokerCoinbase] = coinbase.Revoker{Client: client, Sealer: sealer}
	}
	return out, nil
}
