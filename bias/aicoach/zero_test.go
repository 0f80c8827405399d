package aicoach_test

import (
	"testing"

	"github.com/tradecoach/coach/bias/aicoach"
	"github.com/tradecoach/coach/internal/servicetest"
	"github.com/tradecoach/coach/storage/memory"
	"github.com/tradecoach/coach/transport/hmac"
)

func TestZeroValuesDoNotPanic(t *testing.T) {
	t.Parallel()
	servicetest.ZeroValues(t, []any{(*aicoach.Client)(nil), (*aicoach.Handler)(nil)})
}

func TestConstructors(t *testing.T) {
	t.Parallel()
	v, err := hmac.NewVerifier(hmac.VerifierConfig{Keys: []hmac.Key{key}, Nonces: memory.NewNonces(nil)})
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		field string
		new   func() (any, error)
	}{
		{"ClientConfig.BaseURL", func() (any, error) { return aicoach.NewClient(aicoach.ClientConfig{Key: key}) }},
		{"ClientConfig.BaseURL", func() (any, error) {
			return aicoach.NewClient(aicoach.ClientConfig{BaseURL: "ftp://x", Key: key})
		}},
		{"ClientConfig.Key", func() (any, error) { return aicoach.NewClient(aicoach.ClientConfig{BaseURL: "http://x"}) }},
		{"ClientConfig.PageBytes", func() (any, error) {
			return aicoach.NewClient(aicoach.ClientConfig{BaseURL: "http://x", Key: key, PageBytes: 10})
		}},
		{"HandlerConfig.Verifier", func() (any, error) { return aicoach.NewHandler(aicoach.HandlerConfig{}) }},
		{"HandlerConfig.MaxBodyBytes", func() (any, error) {
			return aicoach.NewHandler(aicoach.HandlerConfig{Verifier: v, MaxBodyBytes: -1})
		}},
		{"HandlerConfig.MaxRuns", func() (any, error) { return aicoach.NewHandler(aicoach.HandlerConfig{Verifier: v, MaxRuns: -1}) }},
	} {
		t.Run(tc.field, func(t *testing.T) {
			_, err := tc.new()
			servicetest.RefusesField(t, err, tc.field)
		})
	}
}
