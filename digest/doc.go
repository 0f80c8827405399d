// Package digest writes a trader's weekly digest: the week's trades counted by bias label, the
// realized P/L attributed to each label (and the unlabelled rest), the rule streaks and
// violations, the comparison with the previous week, and one suggestion chosen deterministically
// from the evidence, with SVG charts and a self-contained HTML report.
//
// A week is an ISO 8601 week in the user's time zone (User.Location): Monday 00:00 to the next
// Monday 00:00 local time, 167 or 169 hours long when daylight saving changes in it. A trade at
// Sunday 23:30 local time belongs to that week even when UTC already says Monday.
//
// Build is the pure core: from values (the user, the week, trades, tags, a rules.Evaluation,
// simulation outcomes, the previous week's payload) it gives the Payload, the same one on every
// machine. RenderSVG and RenderHTML draw it; RenderText writes it as plain text (an email's
// body). The Service type loads a stored user's data, builds
// the digest, stores it with its digest.ready event in one transaction, and archives the report
// to blob storage.
//
// # When a digest is due
//
// A user's week is due when it has ended where the user lives, not at Monday 00:00 UTC (which
// would cut a New York trader's Sunday evening off and keep a Kiritimati trader waiting 14
// hours). ClosedWeek and DueWeek are the pure rule: the week of a zone, or of a user, that ended
// in the hour up to an instant. Service.Due is what an hourly fan-out calls: it lists, in pages,
// the users whose week ended in that hour, reading only the users of the zones concerned
// (storage.Users.TimeZones and List); the fan-out enqueues each as the digest.weekly job
// "digest:{userId}:{isoWeek}", which makes several workers running it safe.
//
// Weeks that ended before the user's fills were imported are never due: an import of a month of
// history would leave its weeks without digests. PastWeeks is the pure rule of which ended weeks
// a window of fills touches (the last n, in the user's zone), and Service.BackfillWeeks keeps
// those holding a stored trade of the window, for the host to build each with Weekly (package
// jobs does it after scoring an import, without mailing them).
//
// # Payload fields (JSON, version "v": 1)
//
//	v               1
//	week            "2026-W10"
//	timeZone        the IANA zone of the days ("UTC" when the user has none)
//	periodStart     the Monday, "2026-03-02"
//	periodEnd       the Sunday, "2026-03-08"
//	quote           the asset of every money figure: the quote asset most of the week's trades use
//	tradeCount      the week's fills
//	activeDays      local days with at least one fill
//	closes          the week's fills that realized P/L (FIFO ledger), in quote
//	realized        their realized P/L (decimal string)
//	fees            fees charged on the week's fills (quote-asset fees; base-asset fees at the
//	                fill price; third-asset fees are left out and counted in dataQuality)
//	countsByBias    {label: trades of the week carrying it}
//	pnlByBias       {label: {realized, trades, closes, excluded?}} (see below; excluded, when
//	                not zero, counts the trades the trader took out of the label's attribution)
//	labelled        {realized, trades, closes} for trades and P/L with at least one label
//	unlabelled      {realized, trades, closes} for the rest
//	days            [{date, trades, realized, cumulative}] Monday to Sunday
//	streaks         {overall: {currentTrades, bestTrades, currentDays, bestDays},
//	                 rules: [{ruleId, kind, currentTrades, …}]} at the end of the week; null
//	                without rules
//	ruleViolations  [{ruleId, kind, count, checked, undecided}], most broken first
//	vsPreviousWeek  {week, periodStart, tradeCount, activeDays, realized, fees, countsByBias,
//	                 ruleViolations}: this week minus the previous one; absent when there is none;
//	                realized and fees are null when the weeks' quote assets differ
//	suggestion      {kind, label?, ruleId?, text, evidence: {count, days, realized, pattern},
//	                 scenario?, simulationDelta?, note?}; note is one sentence explaining why
//	                 simulationDelta and the label's realized P/L differ (SimulationNote), present
//	                 only when they differ materially
//	dataQuality     {insufficient, reasons, unknownFees, unvaluedFees, uncoveredSells,
//	                 ledgerErrors, otherQuoteTrades, unattributedCloses}
//	inCurrency      present when Build has a Converter: {currency, realized, fees, pnlByBias,
//	                 labelled, unlabelled, closes, feeConversions, excluded}, the week's closes
//	                 and fees of every quote asset in the user's reporting currency; closes is a
//	                 ledger.CurrencyReport (each close with its conversion: path legs, candles,
//	                 rate; unconvertible ones with reason and detail), left out of the sums
//	account         present when Build has Input.Windows and a month has ended by the end of
//	                the week: {from, to, disposition, lossChasing, shows, reflections}, the
//	                account effects of the last such month (AccountMonth)
//
// # Attribution
//
// P/L is realized when a position is closed, but most labels sit on the trade that opened it
// (FOMO and REVENGE on buys). So a close's P/L is split by the FIFO lots it closed,
// the lots of entries with the same labels taken together — each part Σ quantity × (exit − entry
// price), less the close's fees pro-rated by quantity (12 places), the last part the remainder —
// and each part counts for the labels of the closing fill and of the fills that opened its lots. A part with two labels counts in both label buckets, so pnlByBias does not add up to
// realized; labelled (each part once) plus unlabelled does, exactly.
//
// The trader can take a trade out of a label's attribution: a dispute of the label
// (coach.TagDispute) with excludeFromAttribution. The trade still counts for the label (countsByBias,
// the bucket's trades and excluded), but its parts are attributed as if it did not carry the
// label — to its other labels, or to unlabelled. The Service reads the user's disputes
// (storage.Disputes) for every digest it builds.
//
// # Account effects
//
// The disposition effect and loss chasing are account metrics, not labels of trades: the digest
// reports them in account (AccountMonth), the last calendar month in the user's zone that ended
// by the end of the week, with their counts, their standard errors clustered by position, which
// effects show under the published definitions, and the coach's reflection on each one that
// does. Stored DISPOSITION and LOSS_CHASING tags (scored under earlier definitions) are left out
// of countsByBias, pnlByBias and the suggestion. The Service reads the windows from
// ServiceConfig.Account (bias.Service satisfies it); without one, account is absent.
//
// # Minimum data
//
// dataQuality.insufficient is set when the week has fewer than two active days or fewer than
// bias.MinTrendEvents trades. The suggestion then never speaks of a pattern or a trend, and it
// does so otherwise only when its own evidence counts at least bias.MinTrendEvents trades over at
// least two days.
package digest
