// Package talibbench measures the batch indicators of github.com/tradecoach/coach/bias/indicator
// against github.com/markcheno/go-talib, side by side on the same year of one-minute candles, and
// checks that the two agree where their conventions coincide.
//
// It is a module of its own so that go-talib stays out of the SDK's go.mod; `go test ./...` from
// the repository root does not enter it. Run it from this directory:
//
//	GOTOOLCHAIN=go1.27.3 go test -run '^$' -bench VsTalib -benchtime 20x .
//	GOTOOLCHAIN=go1.27.3 go test .
//
// Each BenchmarkVsTalib/<indicator>/ratio runs ours and go-talib's alternately in one loop and
// reports ours/go-talib as the x-talib metric (and x-talib-wall), so that the ratio comes from
// one run on one machine under one load; …/ours and …/talib time each alone.
package talibbench
