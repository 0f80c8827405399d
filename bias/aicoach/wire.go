package aicoach

import (
	"encoding/json"
	"time"

	"github.com/tradecoach/coach"
	"github.com/tradecoach/coach/bias"
)

// Version is the version of every request and response body (their field "v"). A new version
// gets new types and schemas; a published one never changes.
const Version = 1

// The routes of the AI-coach service.
const (
	PathScore      = "/v1/bias/score"
	PathIndicators = "/v1/indicators"
	PathReflect    = "/v1/nlg/reflect"
)

// ScorePage is one page of a scoring run (schema/score-page.v1.json). Pages are numbered from 0
// and sent in order; the run's trades and candles are the concatenation of its pages'.
type ScorePage struct {
	V int `json:"v"`
	// Run names the run: 16-64 characters of [A-Za-z0-9_-], chosen by the client, unique per key.
	Run string `json:"run"`
	// Page is this page's number, from 0.
	Page int `json:"page"`
	// Last marks the run's final page: its answer carries the Result.
	Last bool `json:"last"`
	// Config is bias.Config (Go field names; numbers as Num, durations in nanoseconds) without
	// Rules; on page 0 only, and required there.
	Config json.RawMessage `json:"config,omitempty"`
	// Since is where labelling starts (RFC 3339); page 0 only; absent labels every trade.
	Since *time.Time `json:"since,omitempty"`
	// Trades are some of the run's trades, in the order of the run.
	Trades []coach.Trade `json:"trades"`
	// Verdicts are the trader's rule verdicts on this page's trades, by trade reference (ID, or
	// ExtID when ID is empty), for those trades at least one rule applied to.
	Verdicts map[string]Verdict `json:"verdicts,omitempty"`
	// Candles are some of the run's candles, by symbol; a symbol may continue on later pages.
	Candles []Bars `json:"candles"`
}

// Verdict is bias.Verdict on the wire.
type Verdict struct {
	Checked int      `json:"checked"`
	Broken  []string `json:"broken,omitempty"`
}

// Bars are candles of one symbol of a CandleSeries, in their order there.
type Bars struct {
	Symbol coach.Symbol `json:"symbol"`
	Bars   []Bar        `json:"bars"`
}

// Bar is a coach.Candle with exact numbers (invalid candles travel too: bias.Prepare reports them).
type Bar struct {
	Symbol   coach.Symbol   `json:"s"`
	Interval coach.Interval `json:"i"`
	OpenTime time.Time      `json:"t"`
	Open     Num            `json:"o"`
	High     Num            `json:"h"`
	Low      Num            `json:"l"`
	Close    Num            `json:"c"`
	Volume   Num            `json:"vol"`
}

// ScoreResponse answers a ScorePage (schema/score-response.v1.json): Received counts the pages
// of the run received so far; Result is set on the answer to the last page only.
type ScoreResponse struct {
	V        int     `json:"v"`
	Run      string  `json:"run"`
	Received int     `json:"received"`
	Result   *Result `json:"result,omitempty"`
}

// Result is bias.Result on the wire: Account and Data in the exact codec (numbers as Num,
// durations in nanoseconds, Go's json names).
type Result struct {
	Version string            `json:"version"`
	Tags    []coach.BiasTag   `json:"tags"`
	Skipped []bias.Skip       `json:"skipped"`
	Account json.RawMessage   `json:"account"`
	Data    json.RawMessage   `json:"data"`
	Ledger  bias.LedgerReport `json:"ledger"`
}

// IndicatorsRequest asks for one indicator (schema/indicators-request.v1.json); see
// bias.IndicatorRequest.
type IndicatorsRequest struct {
	V      int    `json:"v"`
	Name   string `json:"name"`
	Params []Num  `json:"params"`
	Close  []Num  `json:"close"`
	High   []Num  `json:"high,omitempty"`
	Low    []Num  `json:"low,omitempty"`
}

// IndicatorsResponse carries the output series (schema/indicators-response.v1.json).
type IndicatorsResponse struct {
	V      int              `json:"v"`
	Series map[string][]Num `json:"series"`
}

// MaxReflectTags is the most tags one ReflectRequest may carry.
const MaxReflectTags = 1000

// ReflectRequest asks for the reflections of tags (schema/reflect-request.v1.json).
type ReflectRequest struct {
	V    int             `json:"v"`
	Tags []coach.BiasTag `json:"tags"`
}

// ReflectResponse carries one text per tag, in order (schema/reflect-response.v1.json).
type ReflectResponse struct {
	V     int      `json:"v"`
	Texts []string `json:"texts"`
}

// ErrorBody is every refusal's body (schema/error.v1.json): the coach.Error code and its
// message; Reason is the hmac check that failed, for a refused signature.
type ErrorBody struct {
	Code    coach.Code `json:"code"`
	Message string     `json:"message"`
	Reason  string     `json:"reason,omitempty"`
}

// encodeResult puts r on the wire.
func encodeResult(r bias.Result) (*Result, error) {
	acc, err := encodeExact(r.Account)
	if err != nil {
		return nil, err
	}
	data, err := encodeExact(r.Data)
	if err != nil {
		return nil, err
	}
	return &Result{Version: r.Version, Tags: r.Tags, Skipped: r.Skipped, Account: acc, Data: data, Ledger: r.Ledger}, nil
}

// decodeResult reads r off the wire.
func decodeResult(r *Result) (bias.Result, error) {
	out := bias.Result{Version: r.Version, Tags: r.Tags, Skipped: r.Skipped, Ledger: r.Ledger}
	if err := decodeExact(r.Account, &out.Account); err != nil {
		return bias.Result{}, err
	}
	if err := decodeExact(r.Data, &out.Data); err != nil {
		return bias.Result{}, err
	}
	return out, nil
}

// barOf and candleOf convert a candle to and from the wire.
func barOf(c coach.Candle) Bar {
	return Bar{Symbol: c.Symbol, Interval: c.Interval, OpenTime: c.OpenTime, Open: Num(c.Open), High: Num(c.High),
		Low: Num(c.Low), Close: Num(c.Close), Volume: Num(c.Volume)}
}

func candleOf(b Bar) coach.Candle {
	return coach.Candle{Symbol: b.Symbol, Interval: b.Interval, OpenTime: b.OpenTime, Open: float64(b.Open),
		High: float64(b.High), Low: float64(b.Low), Close: float64(b.Close), Volume: float64(b.Volume)}
}
