package broker

import (
	"context"
	"strconv"
	"strings"
	"time"

	"github.com/tradecoach/coach"
)

// Answer is what a FallbackMarketData got: the candles and the source that gave them.
type Answer struct {
	Candles []coach.Candle
	// Source names the source that answered (see Named), Index its position in the chain.
	Source string
	Index  int
	// Passed lists the sources tried before it and why each was passed over.
	Passed []SourceError
}

// SourceError is a source passed over, with the code and message of its error.
type SourceError struct {
	Source  string `json:"source"`
	Code    string `json:"code"`
	Message string `json:"message"`
}

// FallbackMarketData asks a chain of sources in order — the broker first, then a vendor — and
// answers with the first that succeeds. It is a MarketData, so it can stand wherever one is
// needed, and it records which source answered each request (CandlesFrom, OnAnswer).
type FallbackMarketData struct {
	sources []MarketData
	names   []string
	// OnAnswer, when set, is called after every successful request (for metrics or the
	// provenance a score records). It must be safe for concurrent use.
	OnAnswer func(symbol coach.Symbol, interval coach.Interval, a Answer)
}

// Fallback returns the chain of sources, tried in the order given. A source is named by Named, by
// its Name method when it has one (a Broker), or as "source#i".
func Fallback(sources ...MarketData) *FallbackMarketData {
	f := &FallbackMarketData{sources: sources, names: make([]string, len(sources))}
	for i, s := range sources {
		if n, ok := s.(interface{ Name() string }); ok && n.Name() != "" {
			f.names[i] = n.Name()
		} else {
			f.names[i] = "source#" + strconv.Itoa(i)
		}
	}
	return f
}

// Candles returns the candles of the first source that answers (see CandlesFrom).
func (f *FallbackMarketData) Candles(ctx context.Context, symbol coach.Symbol, interval coach.Interval, from, to time.Time) ([]coach.Candle, error) {
	a, err := f.CandlesFrom(ctx, symbol, interval, from, to)
	return a.Candles, err
}

// CandlesFrom asks each source in order. A source that fails with EUNAVAILABLE, ENOTFOUND or
// ERATELIMITED is passed over for the next; any other error (EINVALID, EUNAUTHORIZED, EINTERNAL)
// ends the request with that error, since the next source would not do better. When every
// source is passed over the error is EUNAVAILABLE if any source was down or rate limited (a retry
// may succeed), else ENOTFOUND; its message lists each source's reason. When ctx ends the error
// is ECANCELED, wrapping ctx's error.
// A chain with no source (or a nil one) answers EINVALID: it is misconfigured.
func (f *FallbackMarketData) CandlesFrom(ctx context.Context, symbol coach.Symbol, interval coach.Interval, from, to time.Time) (Answer, error) {
	if f == nil {
		return Answer{}, coach.Errorf(coach.EINVALID, "broker: FallbackMarketData not constructed; use broker.Fallback")
	}
	var passed []SourceError
	retryable := false
	for i, src := range f.sources {
		if ce, ok := coach.ContextError(ctx.Err()); ok {
			return Answer{Passed: passed}, ce
		}
		cs, err := src.Candles(ctx, symbol, interval, from, to)
		if err == nil {
			a := Answer{Candles: cs, Source: f.names[i], Index: i, Passed: passed}
			if f.OnAnswer != nil {
				f.OnAnswer(symbol, interval, a)
			}
			return a, nil
		}
		switch code := coach.ErrorCode(err); code {
		case coach.EUNAVAILABLE, coach.ERATELIMITED, coach.ENOTFOUND:
			retryable = retryable || code != coach.ENOTFOUND
			passed = append(passed, SourceError{Source: f.names[i], Code: string(code), Message: coach.ErrorMessage(err)})
		default:
			return Answer{Passed: passed}, err
		}
	}
	if len(f.sources) == 0 {
		return Answer{}, coach.Errorf(coach.EINVALID, "broker: FallbackMarketData has no source; give broker.Fallback at least one")
	}
	var why []string
	for _, p := range passed {
		why = append(why, p.Source+": "+p.Message)
	}
	code := coach.ENOTFOUND
	if retryable {
		code = coach.EUNAVAILABLE
	}
	return Answer{Passed: passed}, coach.Errorf(code, "market data: no source has %s %s (%s)", symbol, interval, strings.Join(why, "; "))
}

// Named gives a MarketData the name a FallbackMarketData records for it.
func Named(name string, md MarketData) MarketData { return namedSource{name: name, MarketData: md} }

type namedSource struct {
	name string
	MarketData
}

func (n namedSource) Name() string { return n.name }
