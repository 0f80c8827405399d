// Package coach is the domain vocabulary of tradecoach, an embeddable trading-psychology coach.
//
// It holds the seed data model (User, Session, BrokerConnection, Trade, BiasTag, Rule, Digest,
// Audit, Event) with the seed's field names in Go and in JSON, the error model (Error with a
// machine-readable Code and a human Message), identifiers (cuid for entities, ULID for events),
// canonical symbols, candles and a settable Clock. The trade ledger that turns fills into
// realized and unrealized P/L is package ledger.
//
// The package imports nothing of this module and only small leaf modules outside the standard
// library, so every other package can build on it. Money and quantities are decimal.Decimal;
// market data (candles) is float64, the input of indicator math. Times are UTC.
package coach
