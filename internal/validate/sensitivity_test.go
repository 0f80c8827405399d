package validate_test

import (
	"reflect"
	"testing"
	"time"

	"github.com/tradecoach/coach/bias"
	"github.com/tradecoach/coach/internal/validate"
)

// TestThresholdsScale finds the numeric fields of bias.Config by reflection and checks that
// Scale changes exactly the one field, by the factor, rounding integers.
func TestThresholdsScale(t *testing.T) {
	ths := validate.Thresholds()
	if len(ths) < 5 {
		t.Fatalf("%d thresholds found in bias.Config", len(ths))
	}
	base := bias.DefaultConfig()
	bv := reflect.ValueOf(base)
	for _, th := range ths {
		f, ok := bv.Type().FieldByName(th.Field)
		if !ok {
			t.Fatalf("%s is no field of bias.Config", th.Field)
		}
		old := bv.FieldByIndex(f.Index)
		up, changed := th.Scale(base, 1.1)
		nv := reflect.ValueOf(up).FieldByIndex(f.Index)
		switch {
		case f.Type == reflect.TypeFor[time.Duration]():
			want := time.Duration(float64(old.Int()) * 1.1)
			if got := time.Duration(nv.Int()); got-want > 1 || want-got > 1 || changed != (old.Int() != 0) {
				t.Errorf("%s × 1.1 = %v (changed %v), want %v", th.Field, got, changed, want)
			}
		case f.Type.Kind() == reflect.Float64:
			if got, want := nv.Float(), old.Float()*1.1; got != want || changed != (old.Float() != 0) {
				t.Errorf("%s × 1.1 = %v (changed %v), want %v", th.Field, got, changed, want)
			}
		default:
			want := int64(float64(old.Int())*1.1 + 0.5)
			if got := nv.Int(); got != want || changed != (want != old.Int()) {
				t.Errorf("%s × 1.1 = %d (changed %v), want %d", th.Field, got, changed, want)
			}
		}
		// Every other field is left alone.
		restored := reflect.ValueOf(&up).Elem()
		restored.FieldByIndex(f.Index).Set(old)
		if !reflect.DeepEqual(restored.Interface(), base) {
			t.Errorf("%s: Scale changed another field", th.Field)
		}
		if th.Value(base) == "" {
			t.Errorf("%s: empty value", th.Field)
		}
	}
}
