// Package brokertest provides brokers for tests and demos: fake Coinbase and Binance servers that
// speak each exchange's real wire format (OAuth2 with PKCE and rotating refresh tokens, cursor- and
// fromId-paged fills, candles, rate limits and error bodies, per research/broker_apis.md and
// testdata/brokers/), and Demo, a deterministic broker with simulated markets and a trader
// persona.
//
// # Fakes
//
// NewCoinbase and NewBinance start in-process fakes on loopback ports; point the real clients of
// broker/coinbase and broker/binance at them. Faults (expired tokens, 429s, bans, outages) are
// scriptable per fake.
//
// # Demo
//
// NewDemo(seed, opts) simulates, for BTC-USDT, ETH-USDT and SOL-USDT, 45 days (by default) of
// one-minute candles — GARCH(1,1) volatility clustering on a common market factor, intraday and
// weekend seasonality, fat tails, and a planted spike or crash every few days per asset with
// abnormal volume and a partial reversal — and the fills of a trader persona who mostly follows a
// plan (1,000 USDT entries, stop 1.2%, target 2.4%, no entry within an hour of a loss, never at
// the highs) and sometimes does not:
//
//   - FOMO: buys in the hour after a spike, near the 24-hour high, on abnormal volume, at twice
//     the usual size;
//   - PANIC: sells a whole position in the hour after a crash, at a loss, ≥ 6% under the high;
//   - REVENGE: buys again 5-35 minutes after such a loss (or a stop), at three times the size;
//   - OVERTRADING: three days of 16-24 scalps;
//   - DISPOSITION and HOLDING_LOSERS: takes +0.6-0.9% gains at once while it holds positions
//     under water for days, waiting to get even.
//
// The first eight days are quiet (the hourly indicators of package bias need a week of bars). Demo
// is a broker.Broker (fills paged per symbol with checkpoints, ExtIDs "demo-00000001"…) and a
// broker.MarketData (1m bars, and 5m, 15m, 1h, 4h, 1d built from them). Episodes lists every
// planted behaviour with its fills — the ground truth that bias scores can be compared with; the
// tests recompute each episode's evidence from the candles with the published definitions
// (bias/DEFINITIONS.md). The same seed and options give the same candles, fills and episodes.
// Generation takes well under a second (BenchmarkNewDemo). refhost's demo mode uses it with
// Start set to today minus Days.
//
// # Validation
//
// NewValidation(seed, opts) is an independent yardstick for the bias labels (issue 14): its own
// market of BTC-, ETH-, SOL- and LINK-USDT minute bars in day regimes (quiet, normal, chop,
// rally, crash) with intraday volume seasonality; a persona who acts on intent by its own
// rules and thresholds (validation_thresholds.go: chasing rallies, bailing out in sharp drops
// before its stop, revenge sizing, scalping sprees, holding bags, and following a written plan
// given as coach.Rule values), with near-misses of each; and a null trader who buys and sells
// at random times and sizes. Unlike the demo persona, it never picks its moments by what a
// scorer would see. Each order carries its ground truth, the set of labels its trader intended,
// and its fills (often several partial fills) are tied to it by ExtID. internal/validate scores
// it and writes the validation table of bias/DEFINITIONS.md.
package brokertest
