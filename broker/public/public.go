// Package public gives market data from the exchanges' public candle endpoints, with no
// credentials: Binance's GET /api/v3/klines and Coinbase's GET /api/v3/brokerage/market/products/
// {product}/candles. It is the market data of users who import CSV files and link no broker.
//
// A Source asks Binance first and Coinbase when Binance cannot answer (broker.Fallback's rules:
// unavailable, not found or rate limited passes to the next). Give its Binance config the shared
// storage.WeightBudget of the IP, as for every Binance client.
package public

import (
	"context"
	"time"

	"github.com/tradecoach/coach"
	"github.com/tradecoach/coach/broker"
	"github.com/tradecoach/coach/broker/binance"
	"github.com/tradecoach/coach/broker/coinbase"
)

// Config configures a Source: the two clients' configurations without any credential.
type Config struct {
	// Binance configures the Binance client (BaseURL, HTTPClient, Clock, Budget, …). APIKey and
	// SecretKey must be empty.
	Binance binance.Config
	// Coinbase configures the Coinbase client (BaseURL, HTTPClient, Clock, …). ClientID,
	// ClientSecret and Tokens must be empty.
	Coinbase coinbase.Config
}

// Source is a broker.MarketData over the public candle endpoints. Build it with New; a Source
// not built by New answers EINVALID. It is safe for concurrent use.
type Source struct {
	chain *broker.FallbackMarketData
}

var _ broker.MarketData = (*Source)(nil)

// New returns a Source, or EINVALID when a config carries a credential (a public source holds
// none) or a client refuses its config.
func New(cfg Config) (*Source, error) {
	switch {
	case cfg.Binance.APIKey != "" || !cfg.Binance.SecretKey.IsZero():
		return nil, coach.Errorf(coach.EINVALID, "public: Config.Binance: must carry no API key")
	case cfg.Coinbase.ClientID != "" || !cfg.Coinbase.ClientSecret.IsZero() || cfg.Coinbase.Tokens != nil:
		return nil, coach.Errorf(coach.EINVALID, "public: Config.Coinbase: must carry no OAuth client or tokens")
	}
	b, err := binance.New(cfg.Binance)
	if err != nil {
		return nil, err
	}
	c, err := coinbase.New(cfg.Coinbase)
	if err != nil {
		return nil, err
	}
	return &Source{chain: broker.Fallback(broker.Named(coach.BrokerBinance, b), broker.Named(coach.BrokerCoinbase, c))}, nil
}

// Candles returns the candles of symbol and interval with OpenTime in [from, to) from the first
// exchange that answers (see broker.FallbackMarketData.CandlesFrom for the errors).
func (s *Source) Candles(ctx context.Context, symbol coach.Symbol, interval coach.Interval, from, to time.Time) ([]coach.Candle, error) {
	a, err := s.CandlesFrom(ctx, symbol, interval, from, to)
	return a.Candles, err
}

// CandlesFrom is Candles with the name of the exchange that answered.
func (s *Source) CandlesFrom(ctx context.Context, symbol coach.Symbol, interval coach.Interval, from, to time.Time) (broker.Answer, error) {
	if s == nil || s.chain == nil {
		return broker.Answer{}, coach.Errorf(coach.EINVALID, "public: Source not constructed; use public.New")
	}
	return s.chain.CandlesFrom(ctx, symbol, interval, from, to)
}
