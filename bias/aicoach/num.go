package aicoach

import (
	"bytes"
	"encoding/json"
	"math"
	"strconv"

	"github.com/tradecoach/coach"
)

// Num is a float64 that travels exactly in JSON, undefined values included: NaN is null,
// +Inf and -Inf are the strings "Infinity" and "-Infinity", any other value the shortest decimal
// that parses back to the same float64 (so -0 is "-0").
type Num float64

// MarshalJSON writes n exactly; it never fails.
func (n Num) MarshalJSON() ([]byte, error) {
	f := float64(n)
	switch {
	case math.IsNaN(f):
		return []byte("null"), nil
	case math.IsInf(f, 1):
		return []byte(`"Infinity"`), nil
	case math.IsInf(f, -1):
		return []byte(`"-Infinity"`), nil
	}
	return strconv.AppendFloat(nil, f, 'g', -1, 64), nil
}

// UnmarshalJSON reads what MarshalJSON writes; anything else is EINVALID.
func (n *Num) UnmarshalJSON(b []byte) error {
	b = bytes.TrimSpace(b)
	switch string(b) {
	case "null":
		*n = Num(math.NaN())
		return nil
	case `"Infinity"`:
		*n = Num(math.Inf(1))
		return nil
	case `"-Infinity"`:
		*n = Num(math.Inf(-1))
		return nil
	}
	if len(b) == 0 || !(b[0] == '-' || b[0] >= '0' && b[0] <= '9') {
		return coach.Errorf(coach.EINVALID, "want a number, null, \"Infinity\" or \"-Infinity\"")
	}
	var f float64
	if err := json.Unmarshal(b, &f); err != nil {
		return coach.Errorf(coach.EINVALID, "want a number in float64 range")
	}
	*n = Num(f)
	return nil
}

// nums converts float64s to Nums; nil stays nil.
func nums(xs []float64) []Num {
	if xs == nil {
		return nil
	}
	out := make([]Num, len(xs))
	for i, x := range xs {
		out[i] = Num(x)
	}
	return out
}

// floats converts Nums to float64s; nil stays nil.
func floats(ns []Num) []float64 {
	if ns == nil {
		return nil
	}
	out := make([]float64, len(ns))
	for i, n := range ns {
		out[i] = float64(n)
	}
	return out
}
