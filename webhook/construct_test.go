package webhook_test

import (
	"strings"
	"testing"

	"github.com/tradecoach/coach"
	"github.com/tradecoach/coach/internal/servicetest"
	"github.com/tradecoach/coach/storage/memory"
	"github.com/tradecoach/coach/webhook"
)

func TestZeroValuesDoNotPanic(t *testing.T) {
	t.Parallel()
	servicetest.ZeroValues(t, []any{(*webhook.Service)(nil), (*webhook.Deliverer)(nil), (*webhook.Client)(nil), (*webhook.Verifier)(nil)})
}

func TestConstructorsNameTheMissingField(t *testing.T) {
	t.Parallel()
	store := memory.New()
	sl := newSealer(t)
	client, err := webhook.NewClient(webhook.ClientConfig{})
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		name string
		err  error
	}{
		{"Store", func() error { _, err := webhook.New(webhook.Config{Sealer: sl}); return err }()},
		{"Sealer", func() error { _, err := webhook.New(webhook.Config{Store: store}); return err }()},
		{"RotationOverlap", func() error {
			_, err := webhook.New(webhook.Config{Store: store, Sealer: sl, RotationOverlap: -1})
			return err
		}()},
		{"Store", func() error {
			_, err := webhook.NewDeliverer(webhook.DelivererConfig{Client: client, Sealer: sl})
			return err
		}()},
		{"Client", func() error {
			_, err := webhook.NewDeliverer(webhook.DelivererConfig{Store: store, Sealer: sl})
			return err
		}()},
		{"Sealer", func() error {
			_, err := webhook.NewDeliverer(webhook.DelivererConfig{Store: store, Client: client})
			return err
		}()},
		{"Base", func() error {
			_, err := webhook.NewDeliverer(webhook.DelivererConfig{Store: store, Client: client, Sealer: sl, Retry: webhook.RetryPolicy{Cap: 1}})
			return err
		}()},
		{"SlowAfter", func() error {
			_, err := webhook.NewDeliverer(webhook.DelivererConfig{Store: store, Client: client, Sealer: sl, SlowAfter: -1})
			return err
		}()},
		{"SlowConcurrency", func() error {
			_, err := webhook.NewDeliverer(webhook.DelivererConfig{Store: store, Client: client, Sealer: sl, SlowConcurrency: -1})
			return err
		}()},
		{"Timeout", func() error { _, err := webhook.NewClient(webhook.ClientConfig{Timeout: -1}); return err }()},
	} {
		if coach.ErrorCode(tc.err) != coach.EINVALID || !strings.Contains(coach.ErrorMessage(tc.err), tc.name) {
			t.Errorf("%s: %v, want invalid naming it", tc.name, tc.err)
		}
	}
}

func TestDefaultRetryPolicyRetriesForThreeDays(t *testing.T) {
	t.Parallel()
	p := webhook.DefaultRetryPolicy()
	n := p.Attempts()
	var total, lo int64
	for i := 1; i < n; i++ {
		total += int64(p.Backoff(i, 0.999999))
		lo += int64(p.Backoff(i, 0))
	}
	if n < 15 || n > 30 || total > int64(p.For) || lo < int64(p.For)/3 {
		t.Errorf("attempts %d, retries span %v to %v, want about 3 days", n, lo, total)
	}
}
