package bias_test

import (
	"bytes"
	"encoding/json"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"testing"

	"github.com/tradecoach/coach"
	"github.com/tradecoach/coach/bias"
)

var update = flag.Bool("update", false, "rewrite testdata/*.golden from the current output")

// render writes a Result, with each tag's reflection, as stable text.
func render(res bias.Result) []byte {
	var b bytes.Buffer
	fmt.Fprintf(&b, "# bias.Score on the synthetic fixture (fixture_test.go), definitions %s\n", res.Version)
	for _, g := range res.Tags {
		fmt.Fprintf(&b, "tag %s %s %v %s\n", g.TradeID, g.Label, g.Confidence, g.Features)
		fmt.Fprintf(&b, "  reflect: %s\n", bias.Reflect(g))
	}
	for _, s := range res.Skipped {
		fmt.Fprintf(&b, "skip %s %s %s: %s\n", s.TradeID, s.Label, s.Cause, s.Reason)
	}
	for _, x := range []struct {
		name string
		v    any
	}{{"account", res.Account}, {"data", res.Data}, {"ledger", res.Ledger}} {
		j, err := json.Marshal(x.v)
		if err != nil {
			panic(err)
		}
		fmt.Fprintf(&b, "%s %s\n", x.name, j)
	}
	return b.Bytes()
}

// golden compares got with testdata/name, or rewrites it with -update.
func golden(t *testing.T, name string, got []byte) {
	t.Helper()
	path := filepath.Join("testdata", name)
	if *update {
		if err := os.WriteFile(path, got, 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run go test -update to create it)", err)
	}
	if !bytes.Equal(want, got) {
		t.Errorf("output differs from %s (go test -run %s -update rewrites it after review):\n%s",
			path, t.Name(), firstDiff(want, got))
	}
}

// firstDiff shows the first line that differs.
func firstDiff(a, b []byte) string {
	al, bl := bytes.Split(a, []byte("\n")), bytes.Split(b, []byte("\n"))
	for i := range max(len(al), len(bl)) {
		var x, y []byte
		if i < len(al) {
			x = al[i]
		}
		if i < len(bl) {
			y = bl[i]
		}
		if !bytes.Equal(x, y) {
			return fmt.Sprintf("line %d:\n- %s\n+ %s", i+1, x, y)
		}
	}
	return ""
}

func TestGoldenFixture(t *testing.T) {
	fx := newFixture()
	// A pair with no candles at all: its trades are skipped, with the reason.
	xrp := coach.MustParseSymbol("XRP-USDT")
	fx.candles[xrp] = nil
	fx.candles[btc] = append(fx.candles[btc], coach.Candle{Symbol: btc, Interval: coach.Hour1, OpenTime: t0, Close: 1})
	n := len(fx.trades)
	fx.trades = append(fx.trades, fx.trades[n-2], fx.trades[n-1])
	for i, side := range []coach.Side{coach.Buy, coach.Sell} {
		tr := &fx.trades[n+i]
		tr.ID, tr.ExtID, tr.Symbol, tr.Side = "x"+tr.ID, "x"+tr.ExtID, xrp, side
	}
	cfg := fixtureConfig(fx.trades)
	golden(t, "fixture.golden", render(mustScore(t, fx.trades, fx.candles, cfg)))
}

// fixtureConfig is the golden fixture's configuration: the default definitions, the fixture's
// plan, and every third trade's rules broken.
func fixtureConfig(trades []coach.Trade) bias.Config {
	cfg := bias.DefaultConfig()
	followed := map[string]bool{}
	for i, tr := range trades {
		followed[tr.ID] = i%3 != 0
	}
	cfg.Rules = bias.VerdictMap(followed)
	cfg.Plan = fixturePlan
	return cfg
}
