// Package sim runs simple what-if simulations (the simulate.simple job): it replays a trader's
// fills of a window with one intervention and reports the actual and the counterfactual P/L, the
// difference, equity curves, what changed trade by trade, and hashes of the data used.
//
// # Scenarios
//
//   - skipLabel (e.g. FOMO) and noRevenge (skipLabel of REVENGE): every buy carrying the label is
//     left out, together with the quantity later sold out of its lot under FIFO (the ledger's
//     matching): each sell that sold from such a lot sells that much less, and is left out when
//     nothing is left. Removing a lot with what was sold of it leaves the matching of every other
//     lot as it was, so no sell ever exceeds the holdings. Sells carrying the label are kept.
//   - skipLabel and holdInstead take per-trade labels only: DISPOSITION and LOSS_CHASING are
//     account effects measured over a window (bias.AccountWindow), no trade carries them, and a
//     scenario naming them is EINVALID (their tags stored under earlier definitions are retired).
//     A what-if for them is followRule: a stop for the losers held, a maximum notional after a
//     loss.
//   - holdInstead (e.g. PANIC): every sell carrying the label is not made; the quantity it moved
//     out of the position stays held until Until: "nCandles", the close of the Nth candle after
//     the one containing the sell (when that candle is missing, the close of the last one before
//     it that closed after the sell); "nextSell", the next sell of the same symbol that does not
//     carry the label, at its time and price; "windowEnd", never: it is marked to market at the
//     window end, as is a quantity whose moment is past the window end or has no candle. Buys
//     carrying the label are kept.
//   - followRule: the trader's rules (package rules; RuleIDs, or every active rule) are
//     evaluated on the actual trades of the window, and every buy that broke one as it was made
//     (a Broken verdict decided at or before the fill, of any kind but stopLossPct) is blocked,
//     with the quantity later sold out of its lot, as for skipLabel. Then every lot kept gets a
//     stop loss at entry × (1 − StopLossPct/100) (the tightest followed stopLossPct rule when
//     StopLossPct is 0) and a take profit at entry × (1 + TakeProfitPct/100): the first candle
//     that opens at or after the buy and closes while some of the lot is held (by the sell that
//     sold the last of it, or the window end) whose low reaches the stop or whose high reaches
//     the take profit sells what is left of the lot at that candle's close time, at the level —
//     or at the candle's open when it opened beyond the level (a gap). When one candle reaches
//     both, the stop fills first (the conservative convention), unless the candle opened at or
//     above the take profit. Sells that sold the lot after the exit sell that much less. A gap in
//     the candles is no candle: it triggers nothing.
//
// Verdicts and matches are those of the actual history: blocking a buy does not re-run the rules
// (a later trade's maxTradesPerDay count, say, stays as it was).
//
// # Fills, fees and slippage
//
// The trader's own fills keep their prices and fees; a sell that sells less pays a fee
// shrunk in proportion (a fee charged in the base asset is restated in the quote asset, the same
// value, so that the quantity left is exact). A fill the scenario adds (a held quantity sold, a
// stop or take profit) pays, in the quote asset, the fee rate of the actual fill it stands in
// for — the labelled sell (nCandles), the sell it joins (nextSell), the first sell that sold
// the lot after the exit or, when none did, the buy that opened it (followRule) — where a rate
// is the fill's fee valued in the quote asset ÷ its notional; FeeModel.Rate, when set, replaces
// every such rate. A fill whose source fee is unknown (null, or an unconvertible third-asset fee)
// gets a null fee, so the figures say FeesUnknown. An added fill at a candle price is moved
// against the trader by FeeModel.SlippageBps (vectorbt's convention: a sell gets price ×
// (1 − s), a buy pays price × (1 + s)); one at an actual fill's price (nextSell) is not. Added
// prices and fees are rounded to 12 decimal places. Fees in a third asset are valued with
// Input.FeePrices, by default the close of the last candle of ASSET-QUOTE that closed at or
// before the fill.
//
// # P/L
//
// Both books start flat at the window start: only trades with TS in [From, To) are simulated,
// so a sell of a position opened before the window is uncovered and has no P/L in either book
// (Data.Uncovered counts them). Each book's P/L is the trade ledger's (ledger.New(FIFO)),
// run once per book: Realized sums ledger.Realized.PnL, Unrealized values the lots open at To at
// their mark (the close of the symbol's last candle that closed by To, or its last fill's price
// when that came later; Data.Marks), and Total = Realized + Unrealized. Figures are per quote
// asset, never added across quote assets, and exact decimals; a scenario that changes nothing
// gives a delta of exactly zero. Realized is the ledger's FIFO view of the counterfactual fills:
// an added exit is matched against the oldest lot like any sell, so the split between realized
// and unrealized may differ from a per-lot account while Total does not.
//
// Equity curves are float64, for charts: the window is cut into Params.Points equal buckets
// (fewer when it holds fewer candles) and each point is the equity at its bucket's end — the
// last value of the bucket — with open positions at the latest price known then. The last point
// equals Total up to float64 rounding.
//
// # Candles and determinism
//
// Of each symbol traded (and ASSET-QUOTE of each third-asset fee) the candles of Params.Interval
// (or of its shortest interval given) that close by To are used; invalid bars are dropped, a bar
// repeated with the same values is kept once and one given twice with different values is
// dropped. Candles before From are used only by the rules' lookbacks. Data.CandlesSHA256 hashes
// the candles used in the compact canonical encoding of HashCandles (not the JSON of a broker
// snapshot, which would take longer to hash than the whole simulation), and
// Data.TradesSHA256 the trades, labels and rules simulated. Run is pure and deterministic; the
// CacheKey of (user, scenario, params, data hashes) names its result.
//
// The Service type runs simulations for a stored user through the storage ports and a
// coach.CandleSource, and caches results. It also keeps simulation runs (storage.SimulationRuns):
// Submit stores a request as a queued run, Run runs it (the simulate.simple job; package jobs) and
// stores its result with a simulation.ready event, Get and List read them back.
package sim
