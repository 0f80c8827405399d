package bias

import (
	"context"
	"math"

	"github.com/tradecoach/coach"
	"github.com/tradecoach/coach/bias/indicator"
)

// Indicator names an IndicatorRequest may ask for, and the params each takes (in order).
const (
	IndicatorSMA       = "sma"       // params: period
	IndicatorEMA       = "ema"       // params: period
	IndicatorRSI       = "rsi"       // params: period
	IndicatorATR       = "atr"       // params: period; reads High, Low and Close
	IndicatorBollinger = "bollinger" // params: period, k
	IndicatorMACD      = "macd"      // params: fast, slow, signal
)

// MaxIndicatorPoints is the longest series an IndicatorRequest may carry.
const MaxIndicatorPoints = 1 << 16

// IndicatorRequest asks for one indicator over a series.
type IndicatorRequest struct {
	// Name is one of the Indicator constants.
	Name string
	// Params are the indicator's parameters, in the order its constant lists them; a period is a
	// whole number.
	Params []float64
	// Close is the series (closes, or any values for the one-series indicators); High and Low are
	// read by ATR only and must then be as long as Close. NaN marks a gap (see bias/indicator).
	Close, High, Low []float64
}

// IndicatorResult holds the output series of an indicator, by name: "value" for SMA, EMA, RSI
// and ATR; "upper", "middle", "lower" for Bollinger; "macd", "signal", "hist" for MACD. Each has
// the length of the input, NaN where the indicator is undefined (warm-up, gaps).
type IndicatorResult struct {
	Series map[string][]float64
}

// Indicators computes req with the bias/indicator functions. An unknown name, a wrong number of
// params, a period that is not a whole number in [1, MaxIndicatorPoints] (a window costs memory
// in proportion to its period, whatever the series), a series longer than
// MaxIndicatorPoints or High/Low not matching Close are EINVALID.
func (InProcess) Indicators(ctx context.Context, req IndicatorRequest) (IndicatorResult, error) {
	if ctx != nil {
		if err := ctx.Err(); err != nil {
			cerr, _ := coach.ContextError(err)
			return IndicatorResult{}, cerr
		}
	}
	want := map[string]int{IndicatorSMA: 1, IndicatorEMA: 1, IndicatorRSI: 1, IndicatorATR: 1, IndicatorBollinger: 2, IndicatorMACD: 3}
	n, ok := want[req.Name]
	switch {
	case !ok:
		return IndicatorResult{}, coach.Errorf(coach.EINVALID, "indicator: unknown name %q", clipped(req.Name))
	case len(req.Params) != n:
		return IndicatorResult{}, coach.Errorf(coach.EINVALID, "indicator %s: want %d params, got %d", req.Name, n, len(req.Params))
	case len(req.Close) > MaxIndicatorPoints:
		return IndicatorResult{}, coach.Errorf(coach.EINVALID, "indicator %s: at most %d points", req.Name, MaxIndicatorPoints)
	case req.Name == IndicatorATR && (len(req.High) != len(req.Close) || len(req.Low) != len(req.Close)):
		return IndicatorResult{}, coach.Errorf(coach.EINVALID, "indicator atr: high, low and close must have the same length")
	case req.Name != IndicatorATR && (len(req.High) != 0 || len(req.Low) != 0):
		return IndicatorResult{}, coach.Errorf(coach.EINVALID, "indicator %s: reads close only", req.Name)
	}
	periods := req.Params
	if req.Name == IndicatorBollinger {
		periods = req.Params[:1]
		if k := req.Params[1]; math.IsNaN(k) || math.IsInf(k, 0) || k <= 0 {
			return IndicatorResult{}, coach.Errorf(coach.EINVALID, "indicator bollinger: k must be a positive number")
		}
	}
	p := make([]int, len(periods))
	for i, x := range periods {
		if x != math.Trunc(x) || x < 1 || x > MaxIndicatorPoints {
			return IndicatorResult{}, coach.Errorf(coach.EINVALID, "indicator %s: param %d must be a whole number in [1, %d]", req.Name, i+1, MaxIndicatorPoints)
		}
		p[i] = int(x)
	}
	xs := req.Close
	switch req.Name {
	case IndicatorSMA:
		return IndicatorResult{Series: map[string][]float64{"value": indicator.SMA(xs, p[0])}}, nil
	case IndicatorEMA:
		return IndicatorResult{Series: map[string][]float64{"value": indicator.EMA(xs, p[0])}}, nil
	case IndicatorRSI:
		return IndicatorResult{Series: map[string][]float64{"value": indicator.RSI(xs, p[0])}}, nil
	case IndicatorATR:
		return IndicatorResult{Series: map[string][]float64{"value": indicator.ATR(req.High, req.Low, xs, p[0])}}, nil
	case IndicatorBollinger:
		u, m, l := indicator.Bollinger(xs, p[0], req.Params[1])
		return IndicatorResult{Series: map[string][]float64{"upper": u, "middle": m, "lower": l}}, nil
	default: // IndicatorMACD
		if p[0] >= p[1] {
			return IndicatorResult{}, coach.Errorf(coach.EINVALID, "indicator macd: fast must be shorter than slow")
		}
		m, s, h := indicator.MACD(xs, p[0], p[1], p[2])
		return IndicatorResult{Series: map[string][]float64{"macd": m, "signal": s, "hist": h}}, nil
	}
}
