// Package rules knows the trader's own rules: their kinds and parameters, their evaluation
// against trades and candles, and the streaks of days and trades that kept them.
//
// A stored coach.Rule has a kind and a JSON object of parameters. Parse checks both strictly
// (unknown kinds and fields, missing fields, wrong types and out-of-range values are EINVALID,
// each message naming its field, e.g. "params.pct: must be in (0, 1000]") and gives a Rule
// whose Params is one typed struct per kind:
//
//	avoidSpikeOverPct    {"pct": 10, "lookbackHours": 24}      no buy after a rise of more than pct
//	maxTradesPerDay      {"n": 5}                              at most n fills a local day
//	cooldownAfterLoss    {"minutes": 60}                       no buy within minutes of a realized loss
//	maxNotionalPerTrade  {"amount": "1000", "quote": "USDT"}   no buy worth more than amount
//	noTradingWindow      {"from": "22:00", "to": "06:00", "weekdays": ["fri"]}
//	stopLossPct          {"pct": 5}                            no loser held or sold past the stop
//
// Each type's doc comment says which trades its kind applies to and when it is broken.
//
// Evaluate is pure and deterministic: for the same trades, candles, rules and time zone it gives
// the same verdicts, bit for bit. Each verdict judges one trade against one rule — followed,
// broken, or undecided when the data needed are missing ("noCandles", a "missingCandle", a sell
// of a position whose entry is unknown, a position still open) — and carries its evidence as a
// compact JSON object: the numbers that decided it. A rule that does not apply to a trade (a sell
// for a rule about entries) gives no verdict. There is no look-ahead in a trade's own decision: a
// trade is judged with candles that closed at or before its fill (Candle.CloseTime() ≤ Trade.TS)
// and with trades before it in the trade order (TS, Broker, ExtID, ID). The one verdict decided
// later is stopLossPct's on a buy — whether its position was held past the stop — whose At is the
// moment that was decided.
//
// Streaks counts, per rule and over all rules, the current and best runs of trades and of the
// user's local days that kept the rules. The Service type keeps rules in storage (each change
// audited in the same transaction) and evaluates a stored user's trades.
//
// Evaluation.Check fits the DISCIPLINE label of package bias (bias.RuleChecker) without this
// package importing bias (DESIGN.md: rules and bias are peers):
//
//	cfg.Rules = func(t coach.Trade) bias.Verdict {
//		n, broken := ev.Check(t)
//		return bias.Verdict{Checked: n, Broken: broken}
//	}
package rules
