package bias_test

import (
	"context"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/tradecoach/coach"
	"github.com/tradecoach/coach/bias"
	"github.com/tradecoach/coach/storage"
)

// TestServiceAccountWindows: AccountWindows gives the windows Score gives on the stored trades
// before to, stores no tag and emits no event, and refuses what it should.
func TestServiceAccountWindows(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	fx := newFixture()
	var calls []string
	c, user, _ := newService(t, fx, &calls)
	svc, err := bias.New(c.ServiceConfig)
	if err != nil {
		t.Fatal(err)
	}
	got, err := svc.AccountWindows(ctx, user, time.Time{})
	if err != nil {
		t.Fatal(err)
	}
	want := mustScore(t, fx.trades, fx.candles, bias.DefaultConfig()).Account.Windows
	if len(want) == 0 {
		t.Fatal("the fixture has no window")
	}
	if diff := cmp.Diff(want, got, cmpNaN); diff != "" {
		t.Errorf("windows (-Score +AccountWindows):\n%s", diff)
	}
	tags, err := c.Store.Tags().List(ctx, user, storage.TagFilter{})
	if err != nil || len(tags) != 0 {
		t.Errorf("AccountWindows stored %d tags (%v)", len(tags), err)
	}
	// Up to the start of the last window: the months before it only.
	cut, err := svc.AccountWindows(ctx, user, want[len(want)-1].From)
	if err != nil || len(cut) != len(want)-1 {
		t.Errorf("before the last month: %d windows (%v), want %d", len(cut), err, len(want)-1)
	}
	if _, err := svc.AccountWindows(ctx, "", time.Time{}); coach.ErrorCode(err) != coach.EINVALID {
		t.Errorf("no user id: %v, want invalid", err)
	}
	if _, err := svc.AccountWindows(ctx, coach.NewID(), time.Time{}); coach.ErrorCode(err) != coach.ENOTFOUND {
		t.Errorf("unknown user: %v, want not found", err)
	}
	var zero *bias.Service
	if _, err := zero.AccountWindows(ctx, user, time.Time{}); coach.ErrorCode(err) != coach.EINVALID {
		t.Errorf("Service not built by New: %v, want invalid", err)
	}
}

// remoteCoach is a Coach that counts its calls and answers nothing.
type remoteCoach struct{ calls int }

func (r *remoteCoach) Score(context.Context, bias.ScoreRequest) (bias.Result, error) {
	r.calls++
	return bias.Result{}, coach.Errorf(coach.EUNAVAILABLE, "remote coach: down")
}

func (r *remoteCoach) Indicators(context.Context, bias.IndicatorRequest) (bias.IndicatorResult, error) {
	r.calls++
	return bias.IndicatorResult{}, coach.Errorf(coach.EUNAVAILABLE, "remote coach: down")
}

func (r *remoteCoach) Reflect(context.Context, []coach.BiasTag) ([]string, error) {
	r.calls++
	return nil, coach.Errorf(coach.EUNAVAILABLE, "remote coach: down")
}

// AccountWindows computes in the process even when the Service scores through a remote coach:
// a dashboard or a question does not ship the user's candle history to it.
func TestAccountWindowsNeverCallTheRemoteCoach(t *testing.T) {
	t.Parallel()
	fx := newFixture()
	var calls []string
	c, user, _ := newService(t, fx, &calls)
	remote := &remoteCoach{}
	cfg := c.ServiceConfig
	cfg.Coach = remote
	svc, err := bias.New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	got, err := svc.AccountWindows(context.Background(), user, time.Time{})
	if err != nil || remote.calls != 0 {
		t.Fatalf("AccountWindows: %v, %d calls to the remote coach; want the windows and none", err, remote.calls)
	}
	if diff := cmp.Diff(mustScore(t, fx.trades, fx.candles, bias.DefaultConfig()).Account.Windows, got, cmpNaN); diff != "" {
		t.Errorf("windows (-Score +AccountWindows):\n%s", diff)
	}
}
