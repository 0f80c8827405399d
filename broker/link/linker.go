package link

import (
	"context"
	"encoding/json"
	"time"

	"github.com/tradecoach/coach"
	"github.com/tradecoach/coach/broker/binance"
	"github.com/tradecoach/coach/broker/coinbase"
	"github.com/tradecoach/coach/broker/seal"
	"github.com/tradecoach/coach/storage"
)

// DefaultStateTTL is how long a Coinbase link may wait for its callback when Config.StateTTL is
// zero.
const DefaultStateTTL = 10 * time.Minute

// Config is what a Linker needs.
type Config struct {
	// Store keeps the connections and their audit rows; Sealer seals their credentials. Required.
	Store  storage.Store
	Sealer *seal.Sealer

	// Coinbase is the OAuth application (ClientID, ClientSecret, RedirectURL required) and the
	// endpoints to use; nil offers no Coinbase linking. Its Tokens are ignored.
	Coinbase *coinbase.Config
	// Pending keeps each Coinbase link in progress until its callback, and Used marks a state
	// spent so that it works once even when two callbacks race. Required with Coinbase.
	Pending storage.Cache
	Used    storage.Nonces
	// StateTTL is how long a Coinbase link waits for its callback (default DefaultStateTTL, at most
	// an hour).
	StateTTL time.Duration

	// Binance is the template of the client that checks a submitted key (BaseURL, HTTPClient, …);
	// nil offers no Binance linking. Its APIKey and SecretKey are ignored.
	Binance *binance.Config

	// Clock stamps connections and audit rows and expires states (coach.SystemClock when nil).
	Clock coach.Clock
}

// Linker runs the connect flows. It is safe for concurrent use.
type Linker struct {
	cfg      Config
	coinbase *coinbase.Client
}

// New returns a Linker, or EINVALID naming the first missing or invalid field.
func New(cfg Config) (*Linker, error) {
	if cfg.Clock == nil {
		cfg.Clock = coach.SystemClock{}
	}
	if cfg.StateTTL == 0 {
		cfg.StateTTL = DefaultStateTTL
	}
	switch {
	case cfg.Store == nil:
		return nil, coach.Errorf(coach.EINVALID, "link: Config.Store is required")
	case cfg.Sealer == nil:
		return nil, coach.Errorf(coach.EINVALID, "link: Config.Sealer is required")
	case cfg.StateTTL < time.Minute || cfg.StateTTL > time.Hour:
		return nil, coach.Errorf(coach.EINVALID, "link: Config.StateTTL: want 1 min to 1 h, got %s", cfg.StateTTL)
	}
	l := &Linker{cfg: cfg}
	if cfg.Coinbase != nil {
		cb := *cfg.Coinbase
		cb.Tokens = nil
		switch {
		case cfg.Pending == nil || cfg.Used == nil:
			return nil, coach.Errorf(coach.EINVALID, "link: Config.Pending and Config.Used are required with Coinbase")
		case cb.ClientID == "" || cb.ClientSecret.IsZero() || cb.RedirectURL == "":
			return nil, coach.Errorf(coach.EINVALID, "link: Config.Coinbase: ClientID, ClientSecret and RedirectURL are required")
		}
		c, err := coinbase.New(cb)
		if err != nil {
			return nil, err
		}
		l.coinbase = c
	}
	if cfg.Binance != nil {
		bn := *cfg.Binance
		bn.APIKey, bn.SecretKey = "", seal.Token{}
		if _, err := binance.New(bn); err != nil {
			return nil, err
		}
		l.cfg.Binance = &bn
	}
	return l, nil
}

// create stores conn and its broker_linked audit row in one transaction.
func (l *Linker) create(ctx context.Context, conn coach.BrokerConnection) error {
	meta, err := json.Marshal(map[string]string{"connectionId": conn.ID, "broker": conn.Broker})
	if err != nil {
		return err
	}
	return l.cfg.Store.InTx(ctx, func(tx storage.Tx) error {
		if err := tx.Connections().Create(ctx, conn); err != nil {
			return err
		}
		return tx.Audit().Append(ctx, coach.Audit{ID: coach.NewID(), UserID: conn.UserID, Action: coach.AuditBrokerLinked,
			Meta: meta, CreatedAt: conn.CreatedAt})
	})
}

// newConnection is a fresh active connection of userID's to brokerName, not yet stored.
func (l *Linker) newConnection(userID, brokerName, scope string) coach.BrokerConnection {
	return coach.BrokerConnection{ID: coach.NewID(), UserID: userID, Broker: brokerName, Status: coach.ConnectionActive,
		Scope: scope, CreatedAt: l.cfg.Clock.Now().UTC()}
}
