package rules_test

import (
	"encoding/json"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/shopspring/decimal"

	"github.com/tradecoach/coach"
	"github.com/tradecoach/coach/rules"
)

func TestParse(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name   string
		kind   string
		params string
		want   rules.Params
		err    string // the message of an EINVALID error
	}{
		// avoidSpikeOverPct
		{name: "spike", kind: "avoidSpikeOverPct", params: `{"pct": 10, "lookbackHours": 24}`,
			want: rules.AvoidSpikeOverPct{Pct: 10, LookbackHours: 24}},
		{name: "spike/fraction pct and max bounds", kind: "avoidSpikeOverPct", params: `{"lookbackHours":720,"pct":1000}`,
			want: rules.AvoidSpikeOverPct{Pct: 1000, LookbackHours: 720}},
		{name: "spike/small pct", kind: "avoidSpikeOverPct", params: `{"pct":0.5,"lookbackHours":1}`,
			want: rules.AvoidSpikeOverPct{Pct: 0.5, LookbackHours: 1}},
		{name: "spike/pct zero", kind: "avoidSpikeOverPct", params: `{"pct":0,"lookbackHours":24}`,
			err: "params.pct: must be in (0, 1000]"},
		{name: "spike/pct negative", kind: "avoidSpikeOverPct", params: `{"pct":-5,"lookbackHours":24}`,
			err: "params.pct: must be in (0, 1000]"},
		{name: "spike/pct too big", kind: "avoidSpikeOverPct", params: `{"pct":1000.01,"lookbackHours":24}`,
			err: "params.pct: must be in (0, 1000]"},
		{name: "spike/pct overflow", kind: "avoidSpikeOverPct", params: `{"pct":1e999,"lookbackHours":24}`,
			err: "params.pct: want a finite number"},
		{name: "spike/pct string", kind: "avoidSpikeOverPct", params: `{"pct":"10","lookbackHours":24}`,
			err: "params.pct: want a number"},
		{name: "spike/pct null", kind: "avoidSpikeOverPct", params: `{"pct":null,"lookbackHours":24}`,
			err: "params.pct: want a number"},
		{name: "spike/lookback fraction", kind: "avoidSpikeOverPct", params: `{"pct":10,"lookbackHours":1.5}`,
			err: "params.lookbackHours: want an integer"},
		{name: "spike/lookback exponent", kind: "avoidSpikeOverPct", params: `{"pct":10,"lookbackHours":2e1}`,
			err: "params.lookbackHours: want an integer"},
		{name: "spike/lookback zero", kind: "avoidSpikeOverPct", params: `{"pct":10,"lookbackHours":0}`,
			err: "params.lookbackHours: must be in [1, 720]"},
		{name: "spike/lookback huge", kind: "avoidSpikeOverPct", params: `{"pct":10,"lookbackHours":99999999999999999999}`,
			err: "params.lookbackHours: must be in [1, 720]"},
		{name: "spike/lookback negative huge", kind: "avoidSpikeOverPct", params: `{"pct":10,"lookbackHours":-99999999999999999999}`,
			err: "params.lookbackHours: must be in [1, 720]"},
		{name: "spike/missing lookback", kind: "avoidSpikeOverPct", params: `{"pct":10}`,
			err: "params.lookbackHours: required"},
		{name: "spike/missing both", kind: "avoidSpikeOverPct", params: `{}`,
			err: "params.pct: required"},
		{name: "spike/unknown field", kind: "avoidSpikeOverPct", params: `{"pct":10,"lookbackHours":24,"window":3}`,
			err: "params.window: unknown field"},
		{name: "spike/field case matters", kind: "avoidSpikeOverPct", params: `{"PCT":10,"pct":10,"lookbackHours":24}`,
			err: "params.PCT: unknown field"},
		{name: "spike/repeated field", kind: "avoidSpikeOverPct", params: `{"pct":10,"pct":20,"lookbackHours":24}`,
			err: "params.pct: given twice"},

		// maxTradesPerDay
		{name: "max trades", kind: "maxTradesPerDay", params: `{"n":5}`, want: rules.MaxTradesPerDay{N: 5}},
		{name: "max trades/bounds", kind: "maxTradesPerDay", params: `{"n":1000}`, want: rules.MaxTradesPerDay{N: 1000}},
		{name: "max trades/zero", kind: "maxTradesPerDay", params: `{"n":0}`, err: "params.n: must be in [1, 1000]"},
		{name: "max trades/too many", kind: "maxTradesPerDay", params: `{"n":1001}`, err: "params.n: must be in [1, 1000]"},
		{name: "max trades/bool", kind: "maxTradesPerDay", params: `{"n":true}`, err: "params.n: want an integer"},

		// cooldownAfterLoss
		{name: "cooldown", kind: "cooldownAfterLoss", params: `{"minutes":60}`, want: rules.CooldownAfterLoss{Minutes: 60}},
		{name: "cooldown/a week", kind: "cooldownAfterLoss", params: `{"minutes":10080}`, want: rules.CooldownAfterLoss{Minutes: 10080}},
		{name: "cooldown/over a week", kind: "cooldownAfterLoss", params: `{"minutes":10081}`, err: "params.minutes: must be in [1, 10080]"},
		{name: "cooldown/zero", kind: "cooldownAfterLoss", params: `{"minutes":0}`, err: "params.minutes: must be in [1, 10080]"},

		// maxNotionalPerTrade
		{name: "notional/string", kind: "maxNotionalPerTrade", params: `{"amount":"1000.50","quote":"USDT"}`,
			want: rules.MaxNotionalPerTrade{Amount: decimal.RequireFromString("1000.5"), Quote: "USDT"}},
		{name: "notional/number", kind: "maxNotionalPerTrade", params: `{"amount":250,"quote":"EUR"}`,
			want: rules.MaxNotionalPerTrade{Amount: decimal.NewFromInt(250), Quote: "EUR"}},
		{name: "notional/zero", kind: "maxNotionalPerTrade", params: `{"amount":"0","quote":"USDT"}`,
			err: "params.amount: must be in (0, 1e15]"},
		{name: "notional/too big", kind: "maxNotionalPerTrade", params: `{"amount":"1000000000000001","quote":"USDT"}`,
			err: "params.amount: must be in (0, 1e15]"},
		{name: "notional/hostile exponent", kind: "maxNotionalPerTrade", params: `{"amount":"1e999999999","quote":"USDT"}`,
			err: "params.amount: must be in (0, 1e15]"},
		{name: "notional/not a number", kind: "maxNotionalPerTrade", params: `{"amount":"lots","quote":"USDT"}`,
			err: "params.amount: want a decimal number"},
		{name: "notional/spaces", kind: "maxNotionalPerTrade", params: `{"amount":" 10","quote":"USDT"}`,
			err: "params.amount: want a decimal number"},
		{name: "notional/lower-case quote", kind: "maxNotionalPerTrade", params: `{"amount":"10","quote":"usdt"}`,
			err: "params.quote: want 1-20 upper-case letters or digits"},
		{name: "notional/missing quote", kind: "maxNotionalPerTrade", params: `{"amount":"10"}`,
			err: "params.quote: required"},

		// noTradingWindow
		{name: "window/every day", kind: "noTradingWindow", params: `{"from":"09:30","to":"10:00"}`,
			want: rules.NoTradingWindow{From: "09:30", To: "10:00"}},
		{name: "window/across midnight, days reordered", kind: "noTradingWindow", params: `{"from":"22:00","to":"02:00","weekdays":["sun","fri","mon"]}`,
			want: rules.NoTradingWindow{From: "22:00", To: "02:00", Weekdays: []string{"mon", "fri", "sun"}}},
		{name: "window/empty weekdays", kind: "noTradingWindow", params: `{"from":"00:00","to":"23:59","weekdays":[]}`,
			want: rules.NoTradingWindow{From: "00:00", To: "23:59"}},
		{name: "window/from equals to", kind: "noTradingWindow", params: `{"from":"22:00","to":"22:00"}`,
			err: "params.to: must differ from from"},
		{name: "window/24:00", kind: "noTradingWindow", params: `{"from":"22:00","to":"24:00"}`,
			err: "params.to: want HH:MM from 00:00 to 23:59"},
		{name: "window/one digit hour", kind: "noTradingWindow", params: `{"from":"9:30","to":"10:00"}`,
			err: "params.from: want HH:MM from 00:00 to 23:59"},
		{name: "window/minutes 60", kind: "noTradingWindow", params: `{"from":"09:60","to":"10:00"}`,
			err: "params.from: want HH:MM from 00:00 to 23:59"},
		{name: "window/bad weekday", kind: "noTradingWindow", params: `{"from":"09:00","to":"10:00","weekdays":["mon","Friday"]}`,
			err: "params.weekdays[1]: want one of mon tue wed thu fri sat sun"},
		{name: "window/upper-case weekday", kind: "noTradingWindow", params: `{"from":"09:00","to":"10:00","weekdays":["MON"]}`,
			err: "params.weekdays[0]: want one of mon tue wed thu fri sat sun"},
		{name: "window/repeated weekday", kind: "noTradingWindow", params: `{"from":"09:00","to":"10:00","weekdays":["mon","tue","mon"]}`,
			err: "params.weekdays[2]: mon given twice"},
		{name: "window/weekday numbers", kind: "noTradingWindow", params: `{"from":"09:00","to":"10:00","weekdays":[1,2]}`,
			err: "params.weekdays: want an array of strings"},
		{name: "window/weekdays null", kind: "noTradingWindow", params: `{"from":"09:00","to":"10:00","weekdays":null}`,
			err: "params.weekdays: want an array of strings"},
		{name: "window/from number", kind: "noTradingWindow", params: `{"from":900,"to":"10:00"}`,
			err: "params.from: want a string"},

		// stopLossPct
		{name: "stop", kind: "stopLossPct", params: `{"pct":5}`, want: rules.StopLossPct{Pct: 5}},
		{name: "stop/100", kind: "stopLossPct", params: `{"pct":100}`, err: "params.pct: must be in (0, 100)"},
		{name: "stop/zero", kind: "stopLossPct", params: `{"pct":0}`, err: "params.pct: must be in (0, 100)"},

		// kind and shape
		{name: "unknown kind", kind: "maxRiskPerTradePct", params: `{"pct":1}`,
			err: `kind: unknown kind "maxRiskPerTradePct"; want one of avoidSpikeOverPct, maxTradesPerDay, cooldownAfterLoss, maxNotionalPerTrade, noTradingWindow, stopLossPct`},
		{name: "kind case matters", kind: "StopLossPct", params: `{"pct":1}`,
			err: `kind: unknown kind "StopLossPct"; want one of avoidSpikeOverPct, maxTradesPerDay, cooldownAfterLoss, maxNotionalPerTrade, noTradingWindow, stopLossPct`},
		{name: "params array", kind: "stopLossPct", params: `[{"pct":1}]`, err: "params: want a JSON object"},
		{name: "params null", kind: "stopLossPct", params: `null`, err: "params: want a JSON object"},
		{name: "params empty", kind: "stopLossPct", params: ``, err: "params: want a JSON object"},
		{name: "params trailing data", kind: "stopLossPct", params: `{"pct":1} {}`, err: "params: want a JSON object"},
		{name: "params truncated", kind: "stopLossPct", params: `{"pct":1`, err: "params: want a JSON object"},
		{name: "unknown field with a control character", kind: "stopLossPct", params: `{"pct":1,"a\nb":2}`,
			err: `params."a\nb": unknown field`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			r, err := rules.Parse(coach.Rule{ID: "r1", Kind: tc.kind, Params: json.RawMessage(tc.params), Active: true})
			if tc.err != "" {
				if coach.ErrorCode(err) != coach.EINVALID || coach.ErrorMessage(err) != tc.err {
					t.Fatalf("Parse = %v, want EINVALID %q", err, tc.err)
				}
				return
			}
			if err != nil {
				t.Fatalf("Parse: %v", err)
			}
			if diff := cmp.Diff(rules.Rule{ID: "r1", Active: true, Params: tc.want}, r); diff != "" {
				t.Errorf("rule (-want +got):\n%s", diff)
			}
			if r.Kind() != tc.kind {
				t.Errorf("Kind() = %q, want %q", r.Kind(), tc.kind)
			}
			// The canonical form parses back to the same params.
			raw, err := json.Marshal(r.Params)
			if err != nil {
				t.Fatal(err)
			}
			back, err := rules.ParseParams(tc.kind, raw)
			if err != nil {
				t.Fatalf("canonical form %s: %v", raw, err)
			}
			if diff := cmp.Diff(r.Params, back); diff != "" {
				t.Errorf("round trip of %s (-want +got):\n%s", raw, diff)
			}
		})
	}
}

func TestParseRejectsLargeParams(t *testing.T) {
	t.Parallel()
	big := `{"pct":1,"x":"` + string(make([]byte, 5000)) + `"}`
	_, err := rules.ParseParams(rules.KindStopLossPct, json.RawMessage(big))
	if coach.ErrorMessage(err) != "params: larger than 4096 bytes" {
		t.Fatalf("err = %v", err)
	}
}

func TestCanonicalJSON(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		in   string
		kind string
		want string
	}{
		{kind: "noTradingWindow", in: `{"weekdays":["sat","fri"],"to":"02:00","from":"22:00"}`,
			want: `{"from":"22:00","to":"02:00","weekdays":["fri","sat"]}`},
		{kind: "noTradingWindow", in: `{"from":"22:00","to":"02:00"}`, want: `{"from":"22:00","to":"02:00"}`},
		{kind: "maxNotionalPerTrade", in: `{"quote":"USDT","amount":1e3}`, want: `{"amount":"1000","quote":"USDT"}`},
		{kind: "avoidSpikeOverPct", in: `{"lookbackHours":24,"pct":10.0}`, want: `{"pct":10,"lookbackHours":24}`},
	} {
		p, err := rules.ParseParams(tc.kind, json.RawMessage(tc.in))
		if err != nil {
			t.Fatalf("%s: %v", tc.in, err)
		}
		got, _ := json.Marshal(p)
		if string(got) != tc.want {
			t.Errorf("%s: canonical %s, want %s", tc.in, got, tc.want)
		}
	}
}
