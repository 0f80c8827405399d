package coach

import (
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/shopspring/decimal"
)

// Side is the direction of a fill.
type Side string

// Sides.
const (
	Buy  Side = "BUY"
	Sell Side = "SELL"
)

// Trade is one fill, as the broker reported it. (UserID, Broker, ExtID) is unique: re-importing
// the same fill is a no-op, and a partial fill is its own trade.
//
// Fee is nullable as in the seed: a broker or file that reports no fee leaves it invalid, which
// is not the same as a zero fee. FeeAsset (an addition) names the asset the fee was charged in —
// the quote asset, the base asset or a third one such as BNB; it is required when the fee is
// non-zero. ConnectionID (an addition) names the connection the fill came through, "" for a
// manual or CSV import.
//
// OrderID, ExchangeTradeID and Liquidity (additions) keep what the exchange said about the fill,
// in the meaning of ccxt's unified trade (order, id, takerOrMaker): the id of the order the fill
// belongs to (Coinbase order_id, Binance orderId), the exchange's own id of the trade (Coinbase
// trade_id, Binance id) and whether the fill made or took liquidity; each is "" when the source
// does not say. Unlike ExtID, which is the id one source gives a fill (Coinbase's API and its
// fills statement give different ones), ExchangeTradeID is the same whichever way the fill came
// in, so a store recognises one fill imported from a file and through an API by ExchangeKey. The
// exchange is the trade's Broker: a Coinbase export's trades are "coinbase" trades.
type Trade struct {
	ID           string              `json:"id"`
	UserID       string              `json:"userId"`
	Broker       string              `json:"broker"`
	ExtID        string              `json:"extId"`
	Symbol       Symbol              `json:"symbol"`
	Side         Side                `json:"side"`
	Qty          decimal.Decimal     `json:"qty"`
	Price        decimal.Decimal     `json:"price"`
	Fee          decimal.NullDecimal `json:"fee"`
	FeeAsset     string              `json:"feeAsset,omitempty"`
	TS           time.Time           `json:"ts"`
	ConnectionID string              `json:"connectionId,omitempty"`

	OrderID         string    `json:"orderId,omitempty"`
	ExchangeTradeID string    `json:"exchangeTradeId,omitempty"`
	Liquidity       Liquidity `json:"liquidity,omitempty"`
}

// Liquidity says whether a fill added liquidity to the order book (a maker's resting order) or
// took it (a taker's). "" means the source does not say.
type Liquidity string

// Liquidity sides.
const (
	Maker Liquidity = "MAKER"
	Taker Liquidity = "TAKER"
)

// ParseLiquidity reads a liquidity side in any case ("maker", "TAKER"); "" is unknown. ok is
// false for anything else.
func ParseLiquidity(s string) (l Liquidity, ok bool) {
	switch {
	case s == "":
		return "", true
	case strings.EqualFold(s, string(Maker)):
		return Maker, true
	case strings.EqualFold(s, string(Taker)):
		return Taker, true
	}
	return "", false
}

// MaxExchangeIDLen is the most bytes of Trade.OrderID and Trade.ExchangeTradeID (as for ExtID):
// exchanges use UUIDs (36 bytes) or decimal integers.
const MaxExchangeIDLen = 128

// ExchangeKey names the fill on its exchange whichever way it was imported: Symbol, Side and
// ExchangeTradeID joined by single spaces ("BNB-BTC BUY 28457"), or "" when ExchangeTradeID is
// empty. The symbol is part of it because some exchanges number trades per pair (Binance, Coinbase
// Pro), and the side because both sides of a self-trade carry one trade id. Stores keep
// (UserID, Broker, ExchangeKey) unique among the trades that have one (see storage.Trades), taking
// the key when a trade is first stored: a later edit of its symbol or side does not change which
// fill it is.
func (t Trade) ExchangeKey() string {
	if t.ExchangeTradeID == "" {
		return ""
	}
	return string(t.Symbol) + " " + string(t.Side) + " " + t.ExchangeTradeID
}

// Notional returns Qty × Price in the quote asset.
func (t Trade) Notional() decimal.Decimal { return t.Qty.Mul(t.Price) }

// The ranges of a trade: what Trade.Validate accepts — and so what every store's Upsert and every
// importer (CSV, Coinbase, Binance) lets in — and what every consumer (the ledger, bias scoring,
// rules, simulations, the digest with its HTML and stored payload, the Postgres columns) handles.
// They are fixed, not relative to the clock, so Validate is deterministic and a trade once valid
// stays valid.
const (
	// MaxTradePlaces is the most decimal places of Qty and Fee (trailing zeros aside): what
	// brokers report (Coinbase sends 18-place quantities and 15-place fees).
	MaxTradePlaces = 18
	// MaxPricePlaces is the most decimal places of Price (trailing zeros aside): simulations
	// price their fills to 12 places, and no traded pair is priced below 10^-12.
	MaxPricePlaces = 12
	// MaxTradeDigits is the most digits before the decimal point of Qty, Price, Fee and of the
	// notional Qty × Price: each is below 10^15. A product of two amounts then has at most 36
	// places and 15 digits before the point, and a sum of a million of them 21: what the
	// ledger, simulations and the digest's stored amounts (MaxMoneyPlaces, MaxMoneyDigits) take.
	// A buy's fee charged in the base asset is also below its Qty (the ledger and simulations
	// refuse a fee that takes the whole fill).
	MaxTradeDigits = 15

	// MaxMoneyPlaces and MaxMoneyDigits bound an amount derived from trades (a P/L, a sum of
	// fees) that is stored or parsed back: at most this many decimal places and digits before
	// the point.
	MaxMoneyPlaces = 2*MaxTradePlaces + 4
	MaxMoneyDigits = 38
)

// TradeTimes returns the range [from, to) of a trade's TS: from the day of Bitcoin's genesis
// block (2009-01-03, nothing traded crypto before it) to 2100-01-01, far enough for any real
// fill and near enough that a trade time plus the windows of scoring, simulations and digests
// stays representable everywhere (time.Time.UnixNano ends in 2262).
func TradeTimes() (from, to time.Time) { return earliestTrade, latestTrade }

var (
	earliestTrade = time.Date(2009, 1, 3, 0, 0, 0, 0, time.UTC)
	latestTrade   = time.Date(2100, 1, 1, 0, 0, 0, 0, time.UTC)
)

// MoneyOK reports whether d is within MaxMoneyPlaces and MaxMoneyDigits: what a payload that
// stores amounts derived from valid trades may hold. It never expands d, so a hostile
// "1e999999999" is answered at once.
func MoneyOK(d decimal.Decimal) bool {
	e := d.Exponent()
	return e >= -MaxMoneyPlaces && e <= MaxMoneyDigits && d.NumDigits()+int(e) <= MaxMoneyDigits
}

// tradeAmountOK reports whether d has at most places decimal places and MaxTradeDigits digits
// before the point.
// Trailing zeros past places ("1.000000000000000000000", as some brokers write amounts) are no
// places.
func tradeAmountOK(d decimal.Decimal, places int32) bool {
	e := d.Exponent()
	if e > MaxTradeDigits || intDigits(d) > MaxTradeDigits {
		return false
	}
	return e >= -places || d.Equal(d.Truncate(places))
}

// intDigits returns how many digits d has before the decimal point (0 for |d| < 1); d's exponent
// must be small (tradeAmountOK checks it first).
func intDigits(d decimal.Decimal) int {
	return max(d.NumDigits()+int(d.Exponent()), 0)
}

// notionalOK reports whether Qty × Price is below 10^MaxTradeDigits, for amounts tradeAmountOK
// accepted; the product is only computed when the digit counts leave it in doubt.
func notionalOK(qty, price decimal.Decimal) bool {
	if intDigits(qty)+intDigits(price) <= MaxTradeDigits {
		return true
	}
	return intDigits(qty.Mul(price)) <= MaxTradeDigits
}

// Validate reports the first invalid field of t. UserID and ID may be empty (the store sets
// them); everything a broker or a file supplies is checked.
func (t Trade) Validate() error {
	switch {
	case t.ID != "" && !ValidID(t.ID):
		return Errorf(EINVALID, "trade %s: id: malformed", clip(t.ExtID, 64))
	case t.UserID != "" && !ValidID(t.UserID):
		return Errorf(EINVALID, "trade %s: userId: malformed", clip(t.ExtID, 64))
	case !validBroker(t.Broker):
		return Errorf(EINVALID, "trade %s: broker: want 1-32 lower-case letters, digits or '_'", clip(t.ExtID, 64))
	case t.ExtID == "" || len(t.ExtID) > 128 || !utf8.ValidString(t.ExtID) || hasControl(t.ExtID):
		return Errorf(EINVALID, "trade %s: extId: want 1-128 printable characters", clip(t.ExtID, 64))
	case t.ConnectionID != "" && !ValidID(t.ConnectionID):
		return Errorf(EINVALID, "trade %s: connectionId: malformed", clip(t.ExtID, 64))
	case !validExchangeID(t.OrderID):
		return Errorf(EINVALID, "trade %s: orderId: want at most %d printable characters", clip(t.ExtID, 64), MaxExchangeIDLen)
	case !validExchangeID(t.ExchangeTradeID):
		return Errorf(EINVALID, "trade %s: exchangeTradeId: want at most %d printable characters", clip(t.ExtID, 64), MaxExchangeIDLen)
	case t.Liquidity != "" && t.Liquidity != Maker && t.Liquidity != Taker:
		return Errorf(EINVALID, "trade %s: liquidity: want MAKER, TAKER or empty", clip(t.ExtID, 64))
	case !t.Symbol.Valid():
		return Errorf(EINVALID, "trade %s: symbol: %q is not BASE-QUOTE", clip(t.ExtID, 64), clip(string(t.Symbol), 40))
	case t.Side != Buy && t.Side != Sell:
		return Errorf(EINVALID, "trade %s: side: want BUY or SELL", clip(t.ExtID, 64))
	case !validAmount(t.Qty) || t.Qty.Sign() <= 0:
		return Errorf(EINVALID, "trade %s: qty: must be a positive amount, got %s", clip(t.ExtID, 64), amountText(t.Qty))
	case !tradeAmountOK(t.Qty, MaxTradePlaces):
		return Errorf(EINVALID, "trade %s: qty: %s is out of range (below 10^%d, at most %d decimal places)", clip(t.ExtID, 64), amountText(t.Qty), MaxTradeDigits, MaxTradePlaces)
	case !validAmount(t.Price) || t.Price.Sign() <= 0:
		return Errorf(EINVALID, "trade %s: price: must be a positive amount, got %s", clip(t.ExtID, 64), amountText(t.Price))
	case !tradeAmountOK(t.Price, MaxPricePlaces):
		return Errorf(EINVALID, "trade %s: price: %s is out of range (below 10^%d, at most %d decimal places)", clip(t.ExtID, 64), amountText(t.Price), MaxTradeDigits, MaxPricePlaces)
	case !notionalOK(t.Qty, t.Price):
		return Errorf(EINVALID, "trade %s: qty × price: must be below 10^%d", clip(t.ExtID, 64), MaxTradeDigits)
	case t.Fee.Valid && (!validAmount(t.Fee.Decimal) || t.Fee.Decimal.Sign() < 0):
		return Errorf(EINVALID, "trade %s: fee: must be zero or a positive amount, got %s", clip(t.ExtID, 64), amountText(t.Fee.Decimal))
	case t.Fee.Valid && !tradeAmountOK(t.Fee.Decimal, MaxTradePlaces):
		return Errorf(EINVALID, "trade %s: fee: %s is out of range (below 10^%d, at most %d decimal places)", clip(t.ExtID, 64), amountText(t.Fee.Decimal), MaxTradeDigits, MaxTradePlaces)
	case t.Fee.Valid && t.Side == Buy && t.FeeAsset != "" && t.FeeAsset == t.Symbol.Base() && t.Fee.Decimal.Cmp(t.Qty) >= 0:
		return Errorf(EINVALID, "trade %s: fee: %s %s takes all of the bought quantity", clip(t.ExtID, 64), amountText(t.Fee.Decimal), t.FeeAsset)
	case t.Fee.Valid && !t.Fee.Decimal.IsZero() && t.FeeAsset == "":
		return Errorf(EINVALID, "trade %s: feeAsset: required with a non-zero fee", clip(t.ExtID, 64))
	case t.FeeAsset != "" && !validAsset(t.FeeAsset):
		return Errorf(EINVALID, "trade %s: feeAsset: want 1-%d upper-case letters or digits", clip(t.ExtID, 64), maxAssetLen)
	case t.TS.Before(earliestTrade):
		return Errorf(EINVALID, "trade %s: ts: before 2009-01-03 or missing", clip(t.ExtID, 64))
	case !t.TS.Before(latestTrade):
		return Errorf(EINVALID, "trade %s: ts: must be before 2100-01-01", clip(t.ExtID, 64))
	}
	return nil
}

// validExchangeID reports whether s is empty or up to MaxExchangeIDLen bytes of valid UTF-8
// without control characters (the rule of ExtID).
func validExchangeID(s string) bool {
	return len(s) <= MaxExchangeIDLen && utf8.ValidString(s) && !hasControl(s)
}

// validAmount bounds decimals taken from outside: at most 38 significant digits, an exponent
// within ±30, and at most 38 digits before the decimal point once written out (JSON and SQL write
// amounts in full, so 123456789e30 would come back as a 39-digit coefficient), so that no hostile
// "1e999999999" is ever expanded to text or stored and a valid amount stays valid after a round
// trip.
func validAmount(d decimal.Decimal) bool {
	e := d.Exponent()
	return e >= -30 && e <= 30 && d.NumDigits()+int(max(e, 0)) <= 38
}

// amountText renders an amount for an error message without expanding a hostile exponent.
func amountText(d decimal.Decimal) string {
	if !validAmount(d) {
		return "an out-of-range number"
	}
	return d.String()
}

// hasControl reports whether s has a control character: C0, DEL or C1 (U+0080–U+009F).
func hasControl(s string) bool {
	for _, r := range s {
		if unicode.IsControl(r) {
			return true
		}
	}
	return false
}

// CompareTrades orders trades by (TS, Broker, ExtID, ID): the order of storage listings
// (storage.TradePos) with the ID as a last tie-break, so that equal timestamps always come out the
// same way whatever the input order. The ledger, scoring, rules and simulations all use it.
func CompareTrades(a, b *Trade) int {
	if c := a.TS.Compare(b.TS); c != 0 {
		return c
	}
	if c := strings.Compare(a.Broker, b.Broker); c != 0 {
		return c
	}
	if c := strings.Compare(a.ExtID, b.ExtID); c != 0 {
		return c
	}
	return strings.Compare(a.ID, b.ID)
}

// Ref names the trade in ledger results, bias tags and rule verdicts: its ID, or its ExtID
// before a store has given it one.
func (t *Trade) Ref() string {
	if t.ID != "" {
		return t.ID
	}
	return t.ExtID
}
