// Package binance is the Binance Spot client: API key and HMAC-SHA256 signed requests (with
// clock-offset correction), the account's trades per symbol ("myTrades") normalized to
// coach.Trade with per-symbol checkpoints, klines, request-weight tracking and backoff on 429 and
// 418. A Client implements broker.Broker and broker.MarketData.
//
// Fills imports the symbols of the request, or else of Config.Symbols, or else the pairs it
// discovers from the account: those Binance lists (not delisted) whose base asset the account
// holds (GET /api/v3/account) and whose quote asset is one of Config.QuoteAssets (USDT, USDC,
// FDUSD, BTC, ETH, BNB, EUR by default), plus the pairs that already have a checkpoint. Discovery
// is incomplete by nature: Binance has no endpoint listing the pairs an account traded, so a pair
// whose base asset was sold down to zero before its first import is invisible; configured symbols
// remain the complete way, and Config.Discover imports both. Discovery costs 40 request weight;
// each pair without a checkpoint then costs 20 per day of the window searched for its first trade.
//
// For each symbol Fills finds the first trade at or after From with 24-hour startTime/endTime
// windows (Binance refuses longer ones, -1127), then pages by fromId, 1000 trades a request,
// until To (Binance refuses fromId together with a time window, -1128). Each page's checkpoint is
// the last trade id and which of its sides were emitted ("id:28457:B"), so an import that stopped
// resumes right after it; pages start at the last id seen rather than after it, since a page may
// end between the two sides of a self-trade.
//
// A trade's ExtID is "SYMBOL:id:B" or "SYMBOL:id:S" (e.g. "BNBBTC:28457:B"): Binance trade ids
// are unique per symbol only, and both sides of a self-trade carry the same id. ExchangeTradeID is
// the id alone ("28457", ccxt's id), OrderID the orderId and Liquidity MAKER or TAKER from isMaker;
// a store tells fills of different pairs or sides apart by coach.Trade.ExchangeKey, which holds
// the symbol and side, so nothing needs to read the id back out of the ExtID. Fee and FeeAsset
// are the commission and commissionAsset as reported (the quote asset, the base asset or BNB);
// FeeInQuote converts a fee to the quote asset at fill time.
//
// Every failure is a coach error: EUNAUTHORIZED for a rejected key or signature (-2015, -2014,
// -1022), ENOTFOUND for an unknown symbol (-1121), EINVALID for a refused request, ERATELIMITED
// once backoff on 429/418 gives up, EUNAVAILABLE for outages, a clock that stays out of sync and
// malformed answers. No key, secret or signature ever appears in an error.
package binance
