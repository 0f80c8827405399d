package hmac_test

import (
	"testing"

	"github.com/tradecoach/coach/internal/servicetest"
	"github.com/tradecoach/coach/storage/memory"
	"github.com/tradecoach/coach/transport/hmac"
)

func TestZeroValuesDoNotPanic(t *testing.T) {
	t.Parallel()
	servicetest.ZeroValues(t, []any{(*hmac.Signer)(nil), (*hmac.Verifier)(nil)})
}

func TestConstructors(t *testing.T) {
	t.Parallel()
	good := hmac.NewKey("k1", make([]byte, hmac.MinKeyBytes))
	for _, tc := range []struct {
		field string
		new   func() (any, error)
	}{
		{"SignerConfig.Key", func() (any, error) { return hmac.NewSigner(hmac.SignerConfig{}) }},
		{"SignerConfig.Key", func() (any, error) { return hmac.NewSigner(hmac.SignerConfig{Key: hmac.Key{ID: "k1"}}) }},
		{"VerifierConfig.Keys", func() (any, error) { return hmac.NewVerifier(hmac.VerifierConfig{Nonces: memory.NewNonces(nil)}) }},
		{"VerifierConfig.Nonces", func() (any, error) { return hmac.NewVerifier(hmac.VerifierConfig{Keys: []hmac.Key{good}}) }},
		{"VerifierConfig.Keys", func() (any, error) {
			return hmac.NewVerifier(hmac.VerifierConfig{Keys: []hmac.Key{good, good}, Nonces: memory.NewNonces(nil)})
		}},
	} {
		t.Run(tc.field, func(t *testing.T) {
			_, err := tc.new()
			servicetest.RefusesField(t, err, tc.field)
		})
	}
}
