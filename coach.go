// Package coach is the domain vocabulary of tradecoach, an embeddable trading-psychology coach:
// it imports a trader's crypto fills, labels each trade with behavioural biases (FOMO, PANIC,
// REVENGE, DISCIPLINE, …) from the trades and the market data around them, tracks the trader's
// own rules, runs what-if simulations and writes a weekly digest.
//
// This package holds the seed data model with the seed's field names in Go and in JSON, the
// error model, identifiers, symbols, candles, a settable clock and the event types. It imports
// nothing of this module and only small leaf modules outside the standard library, so every
// other package builds on it. Money and quantities are decimal.Decimal; market data (candles) is
// float64, the input of indicator math. Times are UTC; days and weeks are bucketed in the user's
// time zone (User.Location).
//
// # Quick start
//
// Import a CSV of fills into the in-memory store, label them with biases, and compute realized
// P/L (every err is checked as the first ones are):
//
//	ctx := context.Background()
//	store := memory.New() // storage/postgres gives the same storage.Store ports
//	user := coach.User{ID: coach.NewID(), Email: "ada@example.com", CreatedAt: time.Now().UTC()}
//	if err := store.Users().Create(ctx, user); err != nil {
//		return err
//	}
//	csv, err := broker.ParseCSV(file, broker.CSVOptions{Format: broker.CSVGeneric})
//	if err != nil {
//		return err // coach.ErrorCode(err) == coach.EINVALID; ErrorMessage names the row
//	}
//	if _, err := store.Trades().Upsert(ctx, user.ID, csv.Trades); err != nil { // idempotent
//		return err
//	}
//	trades, err := storage.ListAll(ctx, store.Trades(), user.ID, storage.TradeFilter{})
//
//	res, err := bias.Score(trades, coach.SeriesOf(candles), bias.DefaultConfig())
//	for _, tag := range res.Tags {
//		fmt.Println(tag.TradeID, tag.Label, tag.Confidence) // tag.Features: the evidence
//	}
//	pnl, err := ledger.New(ledger.FIFO).Apply(trades)
//	for _, r := range pnl.Realized {
//		fmt.Println(r.Symbol, r.ClosedAt, r.PnL)
//	}
//
// The candles come from broker.ParseCandlesCSV or any CandleSource: a broker's market data or
// storage.CandleSource(store.Candles()). examples/ holds runnable programs: demo (the whole
// pipeline), biasreport, ledger, whatif and digest.
//
// # Services
//
// Every service is built one way, New(Config) (*T, error) — bias.New, rules.New, sim.New,
// digest.New, broker.NewImporter, outbox.NewDispatcher, ws.NewRelay, … — which refuses a missing
// or invalid dependency with EINVALID naming the field; a value not built by New returns EINVALID
// rather than panicking. Each Config takes a *slog.Logger and a Metrics (METRICS.md lists the
// metric names; metrics/prometheus exports them):
//
//	scorer, err := bias.New(bias.ServiceConfig{Store: store, Candles: marketData, Metrics: m})
//	rep, err := scorer.ScoreUser(ctx, user.ID, time.Time{}, time.Time{})
//
// # Core types
//
//   - User, Session, BrokerConnection: a trader, a login, a linked broker account.
//   - Trade: one fill, unique by (UserID, Broker, ExtID); partial fills are separate trades.
//   - BiasTag: a behavioural label on a trade, with its Confidence and Features (the evidence).
//   - Rule: one of the trader's own rules (Kind and Params); Digest: a stored weekly digest.
//   - Event: an outbox row (EventCoachReflect, EventImportProgress, EventDigestReady), written in
//     the same transaction as the change it describes, with a ULID monotonic per user; Envelope
//     is its wire form. Audit records who changed what.
//   - Error: a Code for machines (EINVALID, ENOTFOUND, ECONFLICT, EUNAVAILABLE, EINTERNAL, …)
//     and a Message for people; branch on ErrorCode(err), show ErrorMessage(err).
//   - Symbol: a canonical "BASE-QUOTE" pair; Candle and CandleSeries: OHLCV bars by symbol.
//   - Clock: the time source of every service (SystemClock, or ManualClock in tests).
//   - CandleSource: the market data every service reads, declared once here.
//   - Metrics: the counters and durations every service emits (MetricTable, NopMetrics).
//
// # Where each capability lives
//
//   - ledger: lot matching (FIFO, average cost), fees in any asset, realized and unrealized P/L.
//   - bias/indicator: SMA, EMA, RSI, ATR, Bollinger, MACD and more, TA-Lib conventions.
//   - bias: the versioned bias definitions, pure Score, account metrics, reflections, a service.
//   - rules: rule kinds, evaluation against trades and candles, streaks.
//   - sim: what-if simulations over OHLCV; digest: the weekly digest and its charts.
//   - outbox: dispatch to the event bus, replay with an explicit gone, retention.
//   - broker: the Broker and MarketData ports, the importer and CSV import; broker/coinbase and
//     broker/binance are the real API clients, broker/brokertest their fakes, broker/seal the
//     sealing of broker credentials.
//   - storage: the storage ports and their conformance suite (storage/storagetest), with adapters
//     storage/memory, storage/postgres, storage/redis and storage/s3.
//   - transport: the job queue and event bus ports, with adapters transport/memory,
//     transport/asynq, transport/redis (the bus on Redis pub/sub), transport/ws (the WebSocket
//     relay and its client) and transport/hmac (signed service calls).
//   - metrics/prometheus: the services' Metrics exported to Prometheus.
package coach
