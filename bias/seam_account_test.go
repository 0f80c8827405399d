package bias_test

import (
	"context"
	"encoding/json"
	"testing"

	"github.com/tradecoach/coach/bias"
)

// AccountOnly leaves the tags' Features out and changes nothing else: the account (with its
// windows), the tags' labels and confidences, the skips, the data and the ledger are those of a
// full run, on the fixture whose tags carry every label.
func TestScoreAccountOnlyChangesNothingButFeatures(t *testing.T) {
	fx := newFixture()
	cfg := fixtureConfig(fx.trades)
	req := bias.ScoreRequest{Trades: fx.trades, Candles: fx.candles, Config: cfg}
	full, err := bias.InProcess{}.Score(context.Background(), req)
	if err != nil {
		t.Fatal(err)
	}
	req.AccountOnly = true
	bare, err := bias.InProcess{}.Score(context.Background(), req)
	if err != nil {
		t.Fatal(err)
	}
	if len(full.Account.Windows) == 0 || len(full.Tags) == 0 {
		t.Fatalf("the fixture gives %d windows and %d tags: want some of both", len(full.Account.Windows), len(full.Tags))
	}
	withFeatures := 0
	for i := range bare.Tags {
		if bare.Tags[i].Features != nil {
			withFeatures++
		}
	}
	if withFeatures == len(bare.Tags) {
		t.Errorf("AccountOnly: all %d tags still have Features", len(bare.Tags))
	}
	for i := range full.Tags {
		full.Tags[i].Features = nil
	}
	for i := range bare.Tags {
		bare.Tags[i].Features = nil
	}
	js := func(v any) string {
		b, err := json.Marshal(v)
		if err != nil {
			t.Fatal(err)
		}
		return string(b)
	}
	for _, x := range []struct {
		name       string
		full, bare any
	}{
		{"account", full.Account, bare.Account}, {"windows", full.Account.Windows, bare.Account.Windows},
		{"tags", full.Tags, bare.Tags}, {"skipped", full.Skipped, bare.Skipped}, {"data", full.Data, bare.Data},
		{"ledger", full.Ledger, bare.Ledger}, {"version", full.Version, bare.Version},
	} {
		if f, b := js(x.full), js(x.bare); f != b {
			t.Errorf("%s differs with AccountOnly:\n full %s\n bare %s", x.name, f, b)
		}
	}
}
