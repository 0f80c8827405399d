// Package broker brings a trader's fills and the market data around them in: the Broker and
// MarketData ports that the Coinbase, Binance, CSV and demo sources implement, the importer that
// pages a connection's history into storage idempotently with checkpoints and progress events,
// market data with a fallback chain, a candle cache and reproducible snapshots, and the sealing of
// broker credentials.
package broker

import (
	"context"
	"time"

	"github.com/tradecoach/coach"
)

// FillsRequest asks a Broker for the fills of one connection in [From, To).
type FillsRequest struct {
	// From and To bound the fill time.
	From, To time.Time
	// Symbols restricts the fills to these pairs; empty means every pair the broker can discover
	// (a broker that cannot discover pairs, such as Binance without account access, needs them).
	Symbols []coach.Symbol
	// Checkpoints are resume points by scope, as emitted in earlier FillPages of the same
	// connection; a scope absent here starts at From.
	Checkpoints map[string]string
}

// FillPage is one page of fills, normalized to coach.Trade (Broker, ExtID, Symbol, Side, Qty,
// Price, Fee, FeeAsset, TS; ID and UserID are left for the store).
type FillPage struct {
	Trades []coach.Trade
	// Scope names the stream the page belongs to (a symbol for Binance, "fills" for Coinbase).
	Scope string
	// Checkpoint is the resume point after this page: once the page is stored, the importer saves
	// it under Scope, and a later request with it continues after this page.
	Checkpoint string
}

// Broker is a source of one connection's fills and of market data.
type Broker interface {
	// Name returns the broker's name as stored in coach.Trade.Broker ("coinbase", "binance").
	Name() string

	// Fills pages through the fills of req, oldest first within each scope, calling emit once per
	// page. It stops at the first error from emit or from the broker and returns it; rate limits
	// are waited out within ctx. Errors are coach errors: EUNAUTHORIZED for rejected credentials
	// (the connection must be re-linked), ERATELIMITED when backoff gave up, EUNAVAILABLE for
	// outages, EINVALID for a request the broker refuses.
	Fills(ctx context.Context, req FillsRequest, emit func(FillPage) error) error
}

// MarketData gives candles: it is the root's coach.CandleSource (whose contract it keeps), so the
// broker clients, FallbackMarketData and CachedMarketData can be given as they are to bias, rules,
// sim and digest.
type MarketData interface {
	coach.CandleSource
}
