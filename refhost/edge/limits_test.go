package edge_test

import (
	"testing"
	"time"

	"github.com/tradecoach/coach/refhost/edge"
	"github.com/tradecoach/coach/storage"
)

func TestScaledLimitsKeepTheirPeriods(t *testing.T) {
	t.Parallel()
	d := edge.DefaultLimits()
	got := d.Scaled(100)
	for _, p := range []struct {
		name      string
		base, got storage.Limit
	}{{"IP", d.IP, got.IP}, {"User", d.User, got.User}, {"LoginIP", d.LoginIP, got.LoginIP},
		{"LoginAccount", d.LoginAccount, got.LoginAccount}, {"Account", d.Account, got.Account}} {
		want := storage.Limit{Rate: 100 * p.base.Rate, Burst: 100 * p.base.Burst, Period: p.base.Period}
		if p.got != want || p.got.Period < time.Minute {
			t.Errorf("%s: got %+v, want %+v", p.name, p.got, want)
		}
	}
	if d.Scaled(0) != d || d.Scaled(1) != d {
		t.Errorf("a scale of 0 or 1 changed the limits")
	}
}
