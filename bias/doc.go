// Package bias labels trades with behavioural biases (FOMO, PANIC, REVENGE, DISCIPLINE,
// OVERTRADING and HOLDING_LOSERS) from the trades themselves and the candles around them, measures
// the account effects (the disposition effect and loss chasing, per calendar month with standard
// errors clustered by position: Account.Windows), and writes the coach's short reflection on each
// label and on each account effect that shows (Reflect, ReflectWindow).
//
// Scoring is pure and deterministic: Score gives the same tags, bit for bit, for the same trades,
// candles and Config on every machine. Each tag's Features is a compact JSON object, keys in a
// fixed order, that carries the evidence (the numbers that triggered the label), the thresholds,
// the DefinitionVersion and the conventions used. DEFINITIONS.md states each label and its
// sources (Odean 1998; Barber and Odean 2000, 2008; Coval and Shumway 2005; Shefrin and Statman
// 1985; Locke and Mann 2005; Elkind et al. 2022).
//
// No look-ahead: a trade's features use only candles that closed at or before its fill
// (Candle.CloseTime() ≤ Trade.TS) and only trades that come before it in the trade order (TS,
// Broker, ExtID). Adding a later trade never changes an earlier trade's labels. When the candles
// before a fill are missing or still in their warm-up, the trade gets no label and Result.Skipped
// says why; a missing number is never read as 0.
//
// Prepare computes the indicators of a CandleSeries once (package indicator, streaming forms);
// Market.Score then labels any number of trade lists against them, binary-searching each trade's
// last closed candle. Score does both.
//
// Result.Account holds the account-level metrics with the counts behind every ratio, and
// ClusteredProportionDiff the clustered standard error the windows use. For research, DispositionFromCounts recomputes Odean's statistic from counts, PoolDisposition pools
// it over many accounts, ProportionDiff is the proportion, standard-error and t helper, and
// Config.DispositionMark judges paper gains on the sale's own bar as Odean did (the account metric
// only; no tag reads it, and per-trade tags never look ahead).
//
// The Service type, built by New, runs scoring for a stored user: it loads the trades, fetches
// candles with their warm-up through a coach.CandleSource, scores them on the
// coach.CandleSnapshot of those candles (kept in the blob store; every tag's features record its
// SHA-256, see Input), and writes the tags and their events in one transaction: a coach.reflect
// event per new tag, and a new revision with a tag.revised event for a tag that scoring changed
// (another definition version, other evidence). Service.Rescore scores a stored tag again from its
// snapshot and gives the same features, byte for byte, under the same definitions.
package bias
