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
// Import a demo trader's fills into the in-memory store, label them with biases, and print what the
// coach says (examples/quickstart runs exactly this, and the README shows it):
//
//	// A demo broker: a deterministic trader persona and the market around its fills.
//	demo, err := brokertest.NewDemo(42, brokertest.DemoOptions{})
//	if err != nil {
//		return err
//	}
//	clock := coach.NewManualClock(demo.End())    // the demo's "now"
//	store := memory.New(memory.WithClock(clock)) // storage/postgres gives the same ports
//
//	// A trader (your own id for them; no email needed) and their broker connection.
//	user := coach.User{ID: "trader-1", CreatedAt: demo.Start()}
//	conn := coach.BrokerConnection{ID: coach.NewID(), UserID: user.ID, Broker: coach.BrokerDemo,
//		Status: coach.ConnectionActive, Scope: "read", CreatedAt: demo.Start(),
//		AccessEnc: []byte("demo: no credential")} // a real broker's token, sealed (broker/seal)
//	if err := store.Users().Create(ctx, user); err != nil {
//		return err
//	}
//	if err := store.Connections().Create(ctx, conn); err != nil {
//		return err
//	}
//
//	// Import the fills, label them with biases, and print the coach's word on a FOMO buy.
//	importer, err := broker.NewImporter(broker.ImporterConfig{Store: store, Clock: clock, Window: demo.End().Sub(demo.Start())})
//	if err != nil {
//		return err // coach.ErrorCode(err) == coach.EINVALID, naming the field
//	}
//	if _, err := importer.Import(ctx, user.ID, conn, demo); err != nil { // idempotent
//		return err
//	}
//	scorer, err := bias.New(bias.ServiceConfig{Store: store, Candles: demo, Clock: clock})
//	if err != nil {
//		return err
//	}
//	rep, err := scorer.ScoreUser(ctx, user.ID, time.Time{}, time.Time{})
//	if err != nil {
//		return err
//	}
//	fomo, err := store.Tags().List(ctx, user.ID, storage.TagFilter{Label: coach.LabelFOMO})
//	if err != nil || len(fomo) == 0 {
//		return err
//	}
//	fmt.Fprintf(out, "%d trades scored, %d bias tags, %d of them FOMO\n", rep.Trades, rep.Tags, len(fomo))
//	fmt.Fprintln(out, "The coach says:", bias.Reflect(fomo[0])) // fomo[0].Features: the evidence
//
// The pure cores need no store: broker.ParseCSV reads a CSV of fills, bias.Score labels trades
// against candles (coach.SeriesOf, from broker.ParseCandlesCSV or any CandleSource), and
// ledger.New(ledger.FIFO).Apply gives realized and unrealized P/L. examples/ holds runnable
// programs: quickstart, embed (a host service), demo (the whole pipeline), biasreport, ledger,
// whatif and digest.
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
//   - TagDispute, TradeNote: the trader answering back — disputing a label with a reason (and
//     leaving the trade out of that label's digest attribution if they say so), and notes on any
//     trade; TagWithDispute shows a tag with its dispute, CountDisputes counts them per label.
//   - Rule: one of the trader's own rules (Kind and Params); Digest: a stored weekly digest.
//   - SimulationRun: a what-if simulation a user asked for, queued → running → done or failed.
//   - Export: a user's request for a copy of all their data, queued → running → done or failed;
//     the archive is a blob, and no download link is ever stored (package privacy).
//   - Event: an outbox row (EventCoachReflect, EventImportProgress, EventDigestReady,
//     EventSimulationReady, EventExportReady), written in the same transaction as the change it describes, with a
//     ULID monotonic per user; Envelope is its wire form. Audit records who changed what.
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
//   - jobs: the seed's jobs (import.trades, score.bias, simulate.simple, digest.weekly) and
//     export.user: payloads, deterministic ids, idempotent handlers.
//   - privacy: export of everything a user has (a ZIP streamed into the blob store, short-lived
//     download links, purge of expired exports).
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
