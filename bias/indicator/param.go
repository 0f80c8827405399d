package indicator

import (
	"errors"
	"fmt"
	"math"
)

// ErrInvalidParam is the error every constructor wraps when a parameter is out of range, so
// callers can test for it with errors.Is. The wrapping message names the indicator, the
// parameter and the value given.
var ErrInvalidParam = errors.New("indicator: invalid parameter")

// MaxPeriod is the largest period (window length, smoothing period or bar count) a constructor
// accepts: 2^24 bars, about 32 years of minute candles. It bounds the memory a stream allocates
// (8 bytes a bar for window indicators, 16 for Highest and Lowest).
const MaxPeriod = 1 << 24

// checkPeriod reports an ErrInvalidParam error unless 1 ≤ n ≤ MaxPeriod.
func checkPeriod(indicator, param string, n int) error {
	if n < 1 || n > MaxPeriod {
		return fmt.Errorf("%w: %s %s must be in [1, %d], got %d", ErrInvalidParam, indicator, param, MaxPeriod, n)
	}
	return nil
}

// finite reports whether x is neither NaN nor ±Inf, that is whether it can be used as a price.
// (One comparison: NaN compares false, and ±Inf is above MaxFloat64.)
func finite(x float64) bool {
	return math.Abs(x) <= math.MaxFloat64
}

// nan is the value every indicator gives where it is undefined.
var nan = math.NaN()
