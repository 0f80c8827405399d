// Package coinbase is the Coinbase Advanced Trade client: OAuth2 linking (authorization code with
// PKCE S256 and state), access-token refresh with refresh-token rotation persisted through a
// TokenStore, "List Fills" with cursor paging normalized to coach.Trade, and candles. A Client
// implements broker.Broker and broker.MarketData. StoredTokens is the TokenStore of a connection
// kept in a storage.Store with its tokens sealed (broker/seal): a rotation is compare-and-swapped
// in one transaction.
//
// Fills are fetched in time windows (Config.Window), each window paged to its end by cursor and
// then emitted oldest first, whatever order the server pages in. A fill's ExtID is its entry_id
// (trade_id only when entry_id is absent): entry ids are unique per ledger entry, while a trade id
// may repeat for corrections. What the exchange says about the fill is kept as ccxt reads it:
// OrderID is order_id, ExchangeTradeID trade_id (the id Coinbase's fills statement also gives, so
// a fill imported from that file and through the API is stored once) and Liquidity
// liquidity_indicator (MAKER or TAKER; UNKNOWN_LIQUIDITY_INDICATOR is ""). Only entries of trade_type FILL (or none) are trades; REVERSAL,
// CORRECTION and SYNTHETIC entries are skipped. When size_in_quote is true the size is in the
// quote asset and Qty = size / price. The commission is the fee, in the quote asset. A fill that
// reports no side takes the side of its order (one order lookup per order, cached per call).
//
// Every failure is a coach error: EUNAUTHORIZED when Coinbase rejects the credentials (ErrRevoked,
// also EUNAUTHORIZED, when the refresh token itself is refused: the connection must be re-linked),
// EFORBIDDEN for missing scopes, ENOTFOUND for an unknown product, EINVALID for a refused request,
// ERATELIMITED once the bounded backoff on 429 gives up, and EUNAVAILABLE for outages and
// malformed answers. No token, secret or raw server body ever appears in an error.
package coinbase
