package services_test

import (
	"testing"

	"github.com/tradecoach/coach/refhost/services"
)

func TestBuildNamesWhatIsMissing(t *testing.T) {
	if _, err := services.Build(services.Config{}); err == nil {
		t.Fatal("Build without Infra and Candles succeeded")
	}
}
