package rules_test

import (
	"encoding/json"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/tradecoach/coach"
	"github.com/tradecoach/coach/rules"
)

// FuzzParse checks that Parse never panics, that every error is EINVALID, and that params it
// accepts validate and survive a round trip through their canonical JSON unchanged.
func FuzzParse(f *testing.F) {
	for _, s := range []struct{ kind, params string }{
		{"avoidSpikeOverPct", `{"pct": 10, "lookbackHours": 24}`},
		{"avoidSpikeOverPct", `{"pct": 1e-300, "lookbackHours": 720}`},
		{"avoidSpikeOverPct", `{"pct": 10, "lookbackHours": 24.0}`},
		{"maxTradesPerDay", `{"n": 5}`},
		{"maxTradesPerDay", `{"n": -0}`},
		{"cooldownAfterLoss", `{"minutes": 10080}`},
		{"maxNotionalPerTrade", `{"amount": "1000.50", "quote": "USDT"}`},
		{"maxNotionalPerTrade", `{"amount": 1e15, "quote": "EUR"}`},
		{"maxNotionalPerTrade", `{"amount": "0.000000000000000000000000000001", "quote": "BTC"}`},
		{"noTradingWindow", `{"from": "22:00", "to": "02:00", "weekdays": ["fri", "sat"]}`},
		{"noTradingWindow", `{"from": "09:30", "to": "10:00", "weekdays": []}`},
		{"noTradingWindow", `{"from": "09:30", "to": "10:00", "weekdays": ["\u006don"]}`},
		{"stopLossPct", `{"pct": 5}`},
		{"stopLossPct", `{"pct": 99.99999999999999}`},
		{"stopLossPct", `{"pct": 5, "pct": 5}`},
		{"stopLossPct", `{"pct": 5}   `},
		{"unknown", `{}`},
		{"stopLossPct", `{"a\u0000":1}`},
	} {
		f.Add(s.kind, s.params)
	}
	f.Fuzz(func(t *testing.T, kind, params string) {
		r, err := rules.Parse(coach.Rule{ID: "r", Kind: kind, Params: json.RawMessage(params), Active: true})
		if err != nil {
			if coach.ErrorCode(err) != coach.EINVALID {
				t.Fatalf("Parse error %v is not EINVALID", err)
			}
			return
		}
		if err := r.Params.Validate(); err != nil {
			t.Fatalf("parsed params %+v do not validate: %v", r.Params, err)
		}
		if r.Kind() != kind {
			t.Fatalf("kind %q parsed as %q", kind, r.Kind())
		}
		raw, err := json.Marshal(r.Params)
		if err != nil {
			t.Fatalf("marshal %+v: %v", r.Params, err)
		}
		back, err := rules.ParseParams(kind, raw)
		if err != nil {
			t.Fatalf("canonical form %s of %s does not parse: %v", raw, params, err)
		}
		if diff := cmp.Diff(r.Params, back); diff != "" {
			t.Fatalf("round trip of %s via %s (-first +second):\n%s", params, raw, diff)
		}
		// The canonical form is a fixed point.
		raw2, _ := json.Marshal(back)
		if string(raw2) != string(raw) {
			t.Fatalf("canonical form not stable: %s then %s", raw, raw2)
		}
	})
}
