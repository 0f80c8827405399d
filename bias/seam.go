package bias

import (
	"context"
	"time"

	"github.com/tradecoach/coach"
)

// Coach is the AI-coach seam: scoring, indicators and reflections behind one interface, so that
// a host can run them in process (InProcess, the default of a Service) or in the AI-coach service
// (bias/aicoach's Client, over signed HTTP). Every implementation gives the same answers for the
// same requests: InProcess's, bit for bit.
type Coach interface {
	// Score labels req.Trades at or after req.Since against req.Candles under req.Config: Prepare
	// followed by Market.ScoreSince, with their errors.
	Score(ctx context.Context, req ScoreRequest) (Result, error)
	// Indicators computes one indicator of the bias/indicator package over the series of req.
	Indicators(ctx context.Context, req IndicatorRequest) (IndicatorResult, error)
	// Reflect returns the coach's text for each tag (Reflect), in the order of tags.
	Reflect(ctx context.Context, tags []coach.BiasTag) ([]string, error)
}

// ScoreRequest is one scoring run: a trader's trades (history included), the candles the
// definitions read, the definitions and where labelling starts.
type ScoreRequest struct {
	// Trades are one trader's trades, history included (see Market.ScoreSince).
	Trades []coach.Trade
	// Candles are the market data, by symbol.
	Candles CandleSeries
	// Config holds the definitions; it must pass Validate.
	Config Config
	// Since is where labelling starts; zero labels every trade.
	Since time.Time
	// AccountOnly says the caller reads only the Result's Account: a Coach may then leave the
	// tags' Features out (InProcess does, and skips building them). Everything else of the
	// Result, the Account first of all, is what it is without it.
	AccountOnly bool
}

// InProcess is the Coach that runs in the caller's process: the package functions Prepare,
// Market.ScoreSince, the bias/indicator functions and Reflect. Its zero value is ready to use.
type InProcess struct{}

var _ Coach = InProcess{}

// Score runs Prepare and Market.ScoreSince; ctx is checked once before scoring starts.
func (InProcess) Score(ctx context.Context, req ScoreRequest) (Result, error) {
	if ctx != nil {
		if err := ctx.Err(); err != nil {
			cerr, _ := coach.ContextError(err)
			return Result{}, cerr
		}
	}
	m, err := Prepare(req.Candles, req.Config)
	if err != nil {
		return Result{}, err
	}
	if req.AccountOnly {
		return m.scoreSince(req.Trades, req.Since, false)
	}
	return m.ScoreSince(req.Trades, req.Since)
}

// Reflect returns Reflect(tag) for each tag.
func (InProcess) Reflect(ctx context.Context, tags []coach.BiasTag) ([]string, error) {
	if ctx != nil {
		if err := ctx.Err(); err != nil {
			cerr, _ := coach.ContextError(err)
			return nil, cerr
		}
	}
	out := make([]string, len(tags))
	for i := range tags {
		out[i] = Reflect(tags[i])
	}
	return out, nil
}
