package link_test

import (
	"context"
	"strings"
	"testing"

	"github.com/tradecoach/coach"
	"github.com/tradecoach/coach/broker/link"
	"github.com/tradecoach/coach/broker/seal"
	"github.com/tradecoach/coach/storage/memory"
)

// TestNewRefusesMissingDependencies: each missing dependency is EINVALID naming it, and a Linker
// without a broker's configuration refuses that broker's flow instead of panicking.
func TestNewRefusesMissingDependencies(t *testing.T) {
	t.Parallel()
	r := newRig(t)
	cb := r.cbConfig
	cb.RedirectURL = ""
	for _, tc := range []struct {
		name string
		cfg  link.Config
		want string
	}{
		{"no store", link.Config{Sealer: r.sealer}, "Store"},
		{"no sealer", link.Config{Store: r.store}, "Sealer"},
		{"coinbase without pending", link.Config{Store: r.store, Sealer: r.sealer, Coinbase: &r.cbConfig}, "Pending"},
		{"coinbase without redirect", link.Config{Store: r.store, Sealer: r.sealer, Coinbase: &cb, Pending: memory.NewCache(nil),
			Used: memory.NewNonces(nil)}, "RedirectURL"},
	} {
		if _, err := link.New(tc.cfg); coach.ErrorCode(err) != coach.EINVALID || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%s: %v, want invalid naming %s", tc.name, err, tc.want)
		}
	}
	noSecret := r.cbConfig
	noSecret.ClientSecret = seal.Token{}
	if _, err := link.NewBrokers(link.BrokersConfig{Store: r.store, Sealer: r.sealer, Coinbase: &noSecret}); coach.ErrorCode(err) != coach.EINVALID {
		t.Errorf("brokers without the client secret: %v", err)
	}
	bare, err := link.New(link.Config{Store: r.store, Sealer: r.sealer})
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	if _, err := bare.StartCoinbase(ctx, r.user(t)); coach.ErrorCode(err) != coach.EINVALID {
		t.Errorf("coinbase not configured: %v", err)
	}
	if _, err := bare.LinkBinance(ctx, r.user(t), "k", seal.NewToken("s")); coach.ErrorCode(err) != coach.EINVALID {
		t.Errorf("binance not configured: %v", err)
	}
	var zero *link.Linker
	if _, err := zero.FinishCoinbase(ctx, "u", "s", "c"); coach.ErrorCode(err) != coach.EINVALID {
		t.Errorf("nil linker: %v", err)
	}
}
