package sim

import (
	"time"

	"github.com/shopspring/decimal"

	"github.com/tradecoach/coach"
)

// Version names the simulation conventions. It is part of every cache key, so a change of the
// conventions never serves an old result.
const Version = "sim/1"

// Result is what a simulation found: the actual and the counterfactual P/L, their difference,
// equity curves, what changed trade by trade, and which data were used.
type Result struct {
	// Version is the Version the result was computed under.
	Version  string    `json:"version"`
	Scenario Scenario  `json:"scenario"`
	From     time.Time `json:"from"`
	To       time.Time `json:"to"`
	// PnL has one entry per quote asset traded in the window, by quote asset: figures of
	// different quote assets are never added together.
	PnL []PnL `json:"pnl"`
	// Equity has one curve per quote asset, in the order of PnL.
	Equity []Curve `json:"equity"`
	// InCurrency is the actual and counterfactual P/L in a reporting currency, with the
	// evidence of each conversion; absent unless Input.Converter is set.
	InCurrency *CurrencyPnL `json:"inCurrency,omitempty"`
	// Changes lists what the scenario did to the trades, in the trade order of the trades
	// changed. A trade not listed is in the counterfactual as it is.
	Changes []Change `json:"changes"`
	// Data says which trades and candles were used.
	Data Data `json:"data"`
	// Cached is true when the Service answered from its cache. It is not part of the cached
	// value.
	Cached bool `json:"cached"`
}

// PnL compares the actual and the counterfactual P/L in one quote asset.
type PnL struct {
	Quote          string  `json:"quote"`
	Actual         Figures `json:"actual"`
	Counterfactual Figures `json:"counterfactual"`
	// Delta is Counterfactual − Actual, figure by figure.
	Delta Figures `json:"delta"`
}

// Figures is a P/L in the ledger's terms (ledger.Ledger, FIFO), in one quote asset.
type Figures struct {
	// Realized is the sum of ledger.Realized.PnL of the fills that closed positions in the window.
	Realized decimal.Decimal `json:"realized"`
	// Unrealized is the P/L of the positions open at the window end marked at their mark price
	// (Data.Marks), fees of that sale excluded (ledger.Result.Unrealized).
	Unrealized decimal.Decimal `json:"unrealized"`
	// Total is Realized + Unrealized: the P/L marked to the window end.
	Total decimal.Decimal `json:"total"`
	// FeesUnknown is true when a fee behind these figures is unknown (a null fee, or a fee in a
	// third asset with no price to convert it): the figures then overstate the P/L.
	FeesUnknown bool `json:"feesUnknown"`
}

// Curve is an equity curve in one quote asset: P/L since the window start, marked to market,
// actual and counterfactual, at the same times.
type Curve struct {
	Quote  string  `json:"quote"`
	Points []Point `json:"points"`
}

// Point is the equity of both books at one time, in float64 for charts (the figures in PnL are
// the exact ones).
type Point struct {
	At             time.Time `json:"at"`
	Actual         float64   `json:"actual"`
	Counterfactual float64   `json:"counterfactual"`
}

// Change kinds.
const (
	// ChangeSkipped: a trade is left out (a labelled buy, or a sell all of whose quantity came
	// from skipped or blocked lots).
	ChangeSkipped = "skipped"
	// ChangeReduced: a sell sells less, because part of what it sold came from skipped or blocked
	// lots, or was already sold by an added exit.
	ChangeReduced = "reduced"
	// ChangeHeld: a labelled sell is not made; its quantity is held (see Change.At).
	ChangeHeld = "held"
	// ChangeBlocked: a buy that broke a followed rule is not made.
	ChangeBlocked = "blocked"
	// ChangeExitAdded: a stop loss or take profit sells (part of) the lot a buy opened.
	ChangeExitAdded = "exitAdded"
)

// Change is what a scenario did to one actual trade.
type Change struct {
	// TradeID is the actual trade's ID (its ExtID when it has none).
	TradeID string       `json:"tradeId"`
	Symbol  coach.Symbol `json:"symbol"`
	// Change is one of the Change constants.
	Change string `json:"change"`
	// Qty is the base quantity concerned: the quantity left out (skipped, blocked, reduced),
	// held, or sold by the added exit.
	Qty decimal.Decimal `json:"qty"`
	// At and Price are the counterfactual fill that sells what was held (held) or what the exit
	// sold (exitAdded), the price after slippage; At is zero when the quantity is held to the
	// window end.
	At    time.Time       `json:"at,omitzero"`
	Price decimal.Decimal `json:"price,omitzero"`
	// Detail says the same for people.
	Detail string `json:"detail"`
}

// Data identifies the inputs of a simulation.
type Data struct {
	// Trades is the number of trades in the window; Labelled how many carry the scenario's label
	// (skipLabel, holdInstead, noRevenge) or broke a followed rule (followRule).
	Trades   int `json:"trades"`
	Labelled int `json:"labelled"`
	// TradesSHA256 is the hex SHA-256 of the trades and labels simulated (see HashTrades).
	TradesSHA256 string `json:"tradesSha256"`
	// CandlesSHA256 is the hex SHA-256 of the candles used (see HashCandles), and Candles their
	// number.
	CandlesSHA256 string `json:"candlesSha256"`
	Candles       int    `json:"candles"`
	// Dropped counts the candles of those symbols that were not used: invalid, of another
	// interval, or given twice with different values.
	Dropped int `json:"dropped"`
	// Marks are the prices open positions were marked at, by symbol.
	Marks []Mark `json:"marks"`
	// Uncovered is the number of actual sells that exceeded the holdings the window's trades
	// show (the window starts mid-position): their excess has no P/L in either book.
	Uncovered int `json:"uncovered"`
	// Rules are the ids of the rules followed (followRule).
	Rules []string `json:"rules,omitempty"`
	// StopLossPct and TakeProfitPct are the exits applied (followRule), 0 for none.
	StopLossPct   float64 `json:"stopLossPct,omitempty"`
	TakeProfitPct float64 `json:"takeProfitPct,omitempty"`
}

// Mark is the price a symbol's open position is valued at, at the window end.
type Mark struct {
	Symbol coach.Symbol    `json:"symbol"`
	Price  decimal.Decimal `json:"price"`
	// At is the close time of the candle the price is from; zero when no candle of the symbol
	// closed in the window and the price is the symbol's last fill price (Fill true).
	At   time.Time `json:"at,omitzero"`
	Fill bool      `json:"fill,omitempty"`
}
