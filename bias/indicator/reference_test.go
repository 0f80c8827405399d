package indicator_test

import "math"

// This file holds naive reference implementations, written from the definitions in the doc
// comments: each window is summed afresh, in two passes, so they cannot drift, and each works on
// one gap-free segment. The property tests compare the package against them.

// bars is a series of candles as the package takes them: one slice a field.
type bars struct {
	high, low, close, volume []float64
}

// segmented applies ref to each maximal run of inputs accepted by valid and returns NaN for the
// rejected ones, so that a reference restarts after every gap as the package does.
func segmented(n int, valid func(i int) bool, ref func(from, to int) [][]float64, outs int) [][]float64 {
	res := make([][]float64, outs)
	for k := range res {
		res[k] = nanSlice(n)
	}
	for i := 0; i < n; {
		if !valid(i) {
			i++
			continue
		}
		j := i
		for j < n && valid(j) {
			j++
		}
		for k, seg := range ref(i, j) {
			copy(res[k][i:j], seg)
		}
		i = j
	}
	return res
}

func nanSlice(n int) []float64 {
	out := make([]float64, n)
	for i := range out {
		out[i] = math.NaN()
	}
	return out
}

func isFinite(x float64) bool { return !math.IsNaN(x) && !math.IsInf(x, 0) }

// meanVar returns the mean and population variance of xs, in two passes, with the flat convention:
// identical values have exactly their value as mean and 0 variance.
func meanVar(xs []float64) (mean, variance float64, flat bool) {
	flat = true
	for _, x := range xs {
		if x != xs[0] {
			flat = false
		}
	}
	if flat {
		return xs[0], 0, true
	}
	// The corrected two-pass algorithm (Chan, Golub and LeVeque 1983): a first mean, then the
	// mean and variance of the deviations from it, which corrects the first mean's rounding.
	n := float64(len(xs))
	for _, x := range xs {
		mean += x
	}
	mean /= n
	var dev, sq float64
	for _, x := range xs {
		dev += x - mean
		sq += (x - mean) * (x - mean)
	}
	return mean + dev/n, (sq - dev*dev/n) / n, false
}

func refSMA(xs []float64, n int) []float64 {
	out := nanSlice(len(xs))
	for t := n - 1; t < len(xs); t++ {
		out[t], _, _ = meanVar(xs[t-n+1 : t+1])
	}
	return out
}

// refEMA follows TA-Lib's TA_INT_EMA.
func refEMA(xs []float64, n int) []float64 {
	out := nanSlice(len(xs))
	if len(xs) < n {
		return out
	}
	k := 2 / float64(n+1)
	sum := 0.0
	for _, x := range xs[:n] {
		sum += x
	}
	prev := sum / float64(n)
	out[n-1] = prev
	for t := n; t < len(xs); t++ {
		prev = float64((xs[t]-prev)*k) + prev
		out[t] = prev
	}
	return out
}

// refRSI follows TA-Lib's ta_RSI.c, with G+L compared with exactly 0.
func refRSI(xs []float64, n int) []float64 {
	out := nanSlice(len(xs))
	if len(xs) <= n {
		return out
	}
	var g, l float64
	for t := 1; t <= n; t++ {
		if d := xs[t] - xs[t-1]; d < 0 {
			l -= d
		} else {
			g += d
		}
	}
	g /= float64(n)
	l /= float64(n)
	rsi := func() float64 {
		if g+l == 0 {
			return 0
		}
		return 100 * (g / (g + l))
	}
	out[n] = rsi()
	for t := n + 1; t < len(xs); t++ {
		g = float64(g * float64(n-1))
		l = float64(l * float64(n-1))
		if d := xs[t] - xs[t-1]; d < 0 {
			l -= d
		} else {
			g += d
		}
		g /= float64(n)
		l /= float64(n)
		out[t] = rsi()
	}
	return out
}

// refATR follows TA-Lib's ta_ATR.c.
func refATR(h, l, c []float64, n int) []float64 {
	out := nanSlice(len(c))
	if len(c) <= n {
		return out
	}
	tr := func(t int) float64 {
		return max(h[t]-l[t], math.Abs(c[t-1]-h[t]), math.Abs(c[t-1]-l[t]))
	}
	atr := 0.0
	for t := 1; t <= n; t++ {
		atr += tr(t)
	}
	atr /= float64(n)
	out[n] = atr
	for t := n + 1; t < len(c); t++ {
		atr = (float64(atr*float64(n-1)) + tr(t)) / float64(n)
		out[t] = atr
	}
	return out
}

func refBollinger(xs []float64, n int, k float64) (upper, middle, lower []float64) {
	upper, middle, lower = nanSlice(len(xs)), nanSlice(len(xs)), nanSlice(len(xs))
	for t := n - 1; t < len(xs); t++ {
		m, v, _ := meanVar(xs[t-n+1 : t+1])
		middle[t], upper[t], lower[t] = m, m+k*math.Sqrt(v), m-k*math.Sqrt(v)
	}
	return upper, middle, lower
}

// refMACD follows TA-Lib's ta_MACD.c: both EMAs seeded at slow-1.
func refMACD(xs []float64, fast, slow, signal int) (macd, sig, hist []float64) {
	macd, sig, hist = nanSlice(len(xs)), nanSlice(len(xs)), nanSlice(len(xs))
	if len(xs) < slow {
		return macd, sig, hist
	}
	slowEMA := refEMA(xs, slow)
	fastEMA := refEMA(xs[slow-fast:], fast)[fast-1:] // aligned with slowEMA[slow-1:]
	line := make([]float64, 0, len(xs))
	for t := slow - 1; t < len(xs); t++ {
		line = append(line, fastEMA[t-(slow-1)]-slowEMA[t])
	}
	sigEMA := refEMA(line, signal)
	for t := slow - 1 + signal - 1; t < len(xs); t++ {
		i := t - (slow - 1)
		macd[t], sig[t], hist[t] = line[i], sigEMA[i], line[i]-sigEMA[i]
	}
	return macd, sig, hist
}

func refReturns(xs []float64, k int, log bool) []float64 {
	out := nanSlice(len(xs))
	for t := k; t < len(xs); t++ {
		if log {
			out[t] = math.Log(xs[t] / xs[t-k])
		} else {
			out[t] = xs[t]/xs[t-k] - 1
		}
	}
	return out
}

func refZScore(xs []float64, n int) []float64 {
	out := nanSlice(len(xs))
	for t := n - 1; t < len(xs); t++ {
		m, v, flat := meanVar(xs[t-n+1 : t+1])
		if flat || v == 0 {
			out[t] = 0
			continue
		}
		out[t] = (xs[t] - m) / math.Sqrt(v)
	}
	return out
}

// refVolatility works on the log returns of xs; a window of bit-identical returns is flat. The
// returns are taken with the package's formula, so that "identical" means the same here.
func refVolatility(xs []float64, n int) []float64 {
	out := nanSlice(len(xs))
	r := make([]float64, len(xs))
	for t := 1; t < len(xs); t++ {
		r[t] = math.Log1p((xs[t] - xs[t-1]) / xs[t-1])
	}
	for t := n; t < len(xs); t++ {
		_, v, _ := meanVar(r[t-n+1 : t+1])
		out[t] = math.Sqrt(v)
	}
	return out
}

func refAbnormalVolume(vs []float64, n int) []float64 {
	out := nanSlice(len(vs))
	for t := n; t < len(vs); t++ {
		m, _, _ := meanVar(vs[t-n : t])
		if m > 0 {
			out[t] = vs[t] / m
		}
	}
	return out
}

func refExtremum(xs []float64, n int, highest bool) []float64 {
	out := nanSlice(len(xs))
	for t := n - 1; t < len(xs); t++ {
		e := xs[t-n+1]
		for _, x := range xs[t-n+1 : t+1] {
			if highest {
				e = max(e, x)
			} else {
				e = min(e, x)
			}
		}
		out[t] = e
	}
	return out
}
