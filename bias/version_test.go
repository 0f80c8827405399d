package bias_test

import (
	"testing"

	"github.com/tradecoach/coach/bias"
	"github.com/tradecoach/coach/storage/memory"
)

func TestServiceVersion(t *testing.T) {
	t.Parallel()
	store := memory.New()
	t.Cleanup(func() { store.Close() })
	svc, err := bias.New(bias.ServiceConfig{Store: store, Candles: &CandleSource{}})
	if err != nil {
		t.Fatal(err)
	}
	if got := svc.Version(); got != bias.DefinitionVersion {
		t.Errorf("default Version() = %q, want %q", got, bias.DefinitionVersion)
	}
	cfg := bias.DefaultConfig()
	cfg.Version = "house.7"
	if svc, err = bias.New(bias.ServiceConfig{Store: store, Candles: &CandleSource{}, Config: cfg}); err != nil {
		t.Fatal(err)
	}
	if got := svc.Version(); got != "house.7" {
		t.Errorf("Version() = %q, want the Config's %q", got, "house.7")
	}
	if got := (*bias.Service)(nil).Version(); got != "" {
		t.Errorf("nil Service: Version() = %q, want none", got)
	}
}
