package validate

import (
	"math"
	"reflect"
	"strconv"
	"time"

	"github.com/tradecoach/coach/bias"
)

// Threshold is one numeric field of bias.Config: a count, a fraction, a level or a duration.
type Threshold struct {
	Field string
	index int
}

// Thresholds returns the numeric fields of bias.Config (int, float64 and time.Duration), in
// declaration order. It reads the type, so a field added or renamed in package bias is picked up
// without a change here.
func Thresholds() []Threshold {
	var out []Threshold
	t := reflect.TypeFor[bias.Config]()
	for i := range t.NumField() {
		f := t.Field(i)
		if !f.IsExported() {
			continue
		}
		switch f.Type.Kind() {
		case reflect.Int, reflect.Int64, reflect.Float64:
			out = append(out, Threshold{Field: f.Name, index: i})
		}
	}
	return out
}

// Value returns the threshold's value in cfg as text: a duration as time.Duration prints it, a
// number with at most 12 significant digits (0.045 for 0.05 × 0.9).
func (th Threshold) Value(cfg bias.Config) string {
	v := reflect.ValueOf(cfg).Field(th.index)
	switch {
	case v.Type() == reflect.TypeFor[time.Duration]():
		return time.Duration(v.Int()).String()
	case v.Kind() == reflect.Float64:
		return strconv.FormatFloat(v.Float(), 'g', 12, 64)
	}
	return strconv.FormatInt(v.Int(), 10)
}

// Scale returns cfg with the threshold multiplied by factor (an integer rounded to the nearest,
// a duration to the nanosecond), and whether that changed it: a small count such as 2 stays 2
// under ±10%.
func (th Threshold) Scale(cfg bias.Config, factor float64) (bias.Config, bool) {
	v := reflect.ValueOf(&cfg).Elem().Field(th.index)
	switch v.Kind() {
	case reflect.Float64:
		old := v.Float()
		v.SetFloat(old * factor)
		return cfg, v.Float() != old
	default:
		old := v.Int()
		v.SetInt(int64(math.Round(float64(old) * factor)))
		return cfg, v.Int() != old
	}
}
