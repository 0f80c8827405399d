package link

import (
	"context"

	"github.com/tradecoach/coach"
	"github.com/tradecoach/coach/broker"
	"github.com/tradecoach/coach/broker/binance"
	"github.com/tradecoach/coach/broker/coinbase"
	"github.com/tradecoach/coach/broker/seal"
	"github.com/tradecoach/coach/storage"
)

// BrokersConfig is what Brokers needs.
type BrokersConfig struct {
	// Store keeps the connections (Coinbase's token rotations are written back to it); Sealer
	// opens their credentials. Required.
	Store  storage.Store
	Sealer *seal.Sealer
	// Coinbase is the template of a Coinbase connection's client (endpoints, ClientID and
	// ClientSecret, which refreshing needs); nil refuses Coinbase connections. Its Tokens are
	// replaced by the connection's.
	Coinbase *coinbase.Config
	// Binance is the template of a Binance connection's client (BaseURL, Budget, …); nil refuses
	// Binance connections. Its APIKey and SecretKey are replaced by the connection's.
	Binance *binance.Config
	// Other opens connections to any other broker (a demo broker, say); nil refuses them.
	Other func(ctx context.Context, conn coach.BrokerConnection) (broker.Broker, error)
}

// Brokers opens the broker client of a stored connection (it satisfies jobs.Brokers). It is safe
// for concurrent use.
type Brokers struct {
	cfg BrokersConfig
}

// NewBrokers returns a Brokers, or EINVALID naming the first missing or invalid field.
func NewBrokers(cfg BrokersConfig) (*Brokers, error) {
	switch {
	case cfg.Store == nil:
		return nil, coach.Errorf(coach.EINVALID, "link: BrokersConfig.Store is required")
	case cfg.Sealer == nil:
		return nil, coach.Errorf(coach.EINVALID, "link: BrokersConfig.Sealer is required")
	}
	if cfg.Coinbase != nil {
		cb := *cfg.Coinbase
		if cb.ClientID == "" || cb.ClientSecret.IsZero() {
			return nil, coach.Errorf(coach.EINVALID, "link: BrokersConfig.Coinbase: ClientID and ClientSecret are required (to refresh tokens)")
		}
		cb.Tokens = nil
		if _, err := coinbase.New(cb); err != nil {
			return nil, err
		}
	}
	if cfg.Binance != nil {
		bn := *cfg.Binance
		bn.APIKey, bn.SecretKey = "", seal.Token{}
		if _, err := binance.New(bn); err != nil {
			return nil, err
		}
	}
	return &Brokers{cfg: cfg}, nil
}

// Broker returns the client of conn's broker: for Coinbase one whose tokens are conn's, sealed
// in the store, each refresh persisted with a compare-and-swap (coinbase.StoredTokens); for
// Binance one with conn's unsealed key pair; Other for any other broker. EUNAVAILABLE for a
// broker this host does not serve (a job retries it later), EINVALID when conn's credentials do
// not open, ENOTFOUND when conn is gone.
func (b *Brokers) Broker(ctx context.Context, conn coach.BrokerConnection) (broker.Broker, error) {
	if b == nil || b.cfg.Store == nil {
		return nil, coach.Errorf(coach.EINVALID, "link: Brokers not constructed; use link.NewBrokers")
	}
	switch {
	case conn.Broker == coach.BrokerCoinbase && b.cfg.Coinbase != nil:
		cfg := *b.cfg.Coinbase
		cfg.Tokens = &coinbase.StoredTokens{Store: b.cfg.Store, Sealer: b.cfg.Sealer, UserID: conn.UserID, ConnectionID: conn.ID}
		return coinbase.New(cfg)
	case conn.Broker == coach.BrokerBinance && b.cfg.Binance != nil:
		key, secret, err := binance.OpenKey(ctx, b.cfg.Sealer, conn)
		if err != nil {
			return nil, err
		}
		cfg := *b.cfg.Binance
		cfg.APIKey, cfg.SecretKey = key, secret
		return binance.New(cfg)
	case conn.Broker != coach.BrokerCoinbase && conn.Broker != coach.BrokerBinance && b.cfg.Other != nil:
		return b.cfg.Other(ctx, conn)
	}
	return nil, coach.Errorf(coach.EUNAVAILABLE, "broker %s: not served by this host", conn.Broker)
}
