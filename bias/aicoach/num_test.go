package aicoach_test

import (
	"encoding/json"
	"math"
	"testing"

	"github.com/tradecoach/coach"
	"github.com/tradecoach/coach/bias/aicoach"
)

// FuzzNum: every float64 survives the wire bit for bit (every NaN as a NaN), and any bytes either
// parse as a Num or are refused with EINVALID.
func FuzzNum(f *testing.F) {
	for _, x := range []float64{0, math.Copysign(0, -1), 1.5, math.MaxFloat64, math.SmallestNonzeroFloat64, math.Inf(1), math.Inf(-1), math.NaN()} {
		f.Add(math.Float64bits(x), []byte("1e400"))
	}
	f.Add(uint64(0), []byte(`"NaN"`))
	f.Add(uint64(0), []byte(`+1`))
	f.Fuzz(func(t *testing.T, bits uint64, raw []byte) {
		x := math.Float64frombits(bits)
		b, err := json.Marshal(aicoach.Num(x))
		if err != nil {
			t.Fatal(err)
		}
		var back aicoach.Num
		if err := json.Unmarshal(b, &back); err != nil {
			t.Fatalf("%v wrote %s, which does not read back: %v", x, b, err)
		}
		if got := float64(back); math.IsNaN(x) != math.IsNaN(got) || !math.IsNaN(x) && math.Float64bits(got) != bits {
			t.Fatalf("%v (%#x) came back as %v (%#x) via %s", x, bits, got, math.Float64bits(got), b)
		}
		var n aicoach.Num
		if err := n.UnmarshalJSON(raw); err != nil && coach.ErrorCode(err) != coach.EINVALID {
			t.Fatalf("%q: %v is not EINVALID", raw, err)
		}
	})
}
