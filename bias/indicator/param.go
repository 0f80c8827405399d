package indicator

import (
	"fmt"
	"math"
)

// ErrInvalidParam is the error every constructor wraps when a parameter is out of range, so
// callers can test for it with errors.Is. The wrapping message names the indicator, the
// parameter and the value given.
//
// It and the errors wrapping it declare the code "invalid" through a CoachCode method (the
// coach.Coded interface), so coach.ErrorCode reads them as coach.EINVALID and
// coach.ErrorMessage shows their text, without this package importing coach.
var ErrInvalidParam error = &paramError{msg: "indicator: invalid parameter"}

// paramError is ErrInvalidParam, or an error wrapping it with a message naming the parameter.
type paramError struct {
	msg  string
	base error // ErrInvalidParam, or nil for ErrInvalidParam itself
}

// Error returns the message, which names no secret and is safe to show to users.
func (e *paramError) Error() string { return e.msg }

// Unwrap returns ErrInvalidParam, or nil for ErrInvalidParam itself.
func (e *paramError) Unwrap() error { return e.base }

// CoachCode returns "invalid", the code of coach.EINVALID: it makes paramError a coach.Coded.
func (e *paramError) CoachCode() string { return "invalid" }

// invalidParam returns an error wrapping ErrInvalidParam whose message is ErrInvalidParam's
// followed by the formatted detail.
func invalidParam(format string, args ...any) error {
	return &paramError{msg: ErrInvalidParam.Error() + ": " + fmt.Sprintf(format, args...), base: ErrInvalidParam}
}

// MaxPeriod is the largest period (window length, smoothing period or bar count) a constructor
// accepts: 2^24 bars, about 32 years of minute candles. It bounds the memory a stream allocates
// (8 bytes a bar for window indicators, 16 for Highest and Lowest).
const MaxPeriod = 1 << 24

// checkPeriod reports an ErrInvalidParam error unless 1 ≤ n ≤ MaxPeriod.
func checkPeriod(indicator, param string, n int) error {
	if n < 1 || n > MaxPeriod {
		return invalidParam("%s %s must be in [1, %d], got %d", indicator, param, MaxPeriod, n)
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
