package sim_test

import (
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/shopspring/decimal"

	"github.com/tradecoach/coach"
	"github.com/tradecoach/coach/sim"
)

func TestParseScenario(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		in   string
		want sim.Scenario
		err  string // a part of the message; "" for success
	}{
		{in: `{"kind":"skipLabel","label":"FOMO"}`, want: sim.Scenario{Kind: "skipLabel", Label: "FOMO"}},
		{in: ` {"kind":"noRevenge"} `, want: sim.Scenario{Kind: "noRevenge"}},
		{in: `{"kind":"holdInstead","label":"PANIC","until":"nCandles","n":24}`, want: sim.Scenario{Kind: "holdInstead", Label: "PANIC", Until: "nCandles", N: 24}},
		{in: `{"kind":"holdInstead","label":"PANIC","until":"nextSell"}`, want: sim.Scenario{Kind: "holdInstead", Label: "PANIC", Until: "nextSell"}},
		{in: `{"kind":"followRule","ruleIds":["r1","r2"],"stopLossPct":5,"takeProfitPct":12.5}`,
			want: sim.Scenario{Kind: "followRule", RuleIDs: []string{"r1", "r2"}, StopLossPct: 5, TakeProfitPct: 12.5}},
		{in: `{"kind":"followRule"}`, want: sim.Scenario{Kind: "followRule"}},

		{in: ``, err: "want a JSON object"},
		{in: `null`, err: "want a JSON object"},
		{in: `[]`, err: "want a JSON object"},
		{in: `{"kind":"skipLabel","label":"FOMO"} {}`, err: "data after the JSON object"},
		{in: `{"kind":"skipLabel","label":"FOMO","extra":1}`, err: "unknown field"},
		{in: `{"kind":"skipLabel","label":7}`, err: "label: wrong type"},
		{in: `{"kind":"skipLabel"`, err: "malformed JSON"},
		{in: `{}`, err: "scenario.kind: required"},
		{in: `{"kind":"sellEverything"}`, err: "scenario.kind: want one of"},
		{in: `{"kind":"skipLabel"}`, err: "scenario.label: required"},
		{in: `{"kind":"skipLabel","label":"fomo"}`, err: "scenario.label: want 1-32 upper-case"},
		{in: `{"kind":"skipLabel","label":"FOMO","n":3}`, err: "scenario.n: not allowed with kind skipLabel"},
		{in: `{"kind":"noRevenge","label":"REVENGE"}`, err: "scenario.label: not allowed with kind noRevenge"},
		{in: `{"kind":"holdInstead","label":"PANIC"}`, err: "scenario.until: required"},
		{in: `{"kind":"holdInstead","label":"PANIC","until":"forever"}`, err: "scenario.until: want one of"},
		{in: `{"kind":"holdInstead","label":"PANIC","until":"nCandles"}`, err: "scenario.n: must be in [1, 525600]"},
		{in: `{"kind":"holdInstead","label":"PANIC","until":"nCandles","n":525601}`, err: "scenario.n: must be in"},
		{in: `{"kind":"holdInstead","label":"PANIC","until":"windowEnd","n":3}`, err: "scenario.n: not allowed"},
		{in: `{"kind":"holdInstead","label":"PANIC","until":"nCandles","n":1.5}`, err: "n: wrong type"},
		{in: `{"kind":"followRule","stopLossPct":100}`, err: "scenario.stopLossPct: must be in [0, 100)"},
		{in: `{"kind":"followRule","stopLossPct":-1}`, err: "scenario.stopLossPct"},
		{in: `{"kind":"followRule","takeProfitPct":10001}`, err: "scenario.takeProfitPct"},
		{in: `{"kind":"followRule","ruleIds":["r1","r1"]}`, err: "scenario.ruleIds[1]: repeated"},
		{in: `{"kind":"followRule","ruleIds":["bad id"]}`, err: "scenario.ruleIds[0]: malformed id"},
		{in: `{"kind":"followRule","label":"FOMO"}`, err: "scenario.label: not allowed with kind followRule"},
		{in: `{"kind":"skipLabel","label":"LOSS_CHASING"}`, err: "scenario.label: LOSS_CHASING is an account effect"},
		{in: `{"kind":"skipLabel","label":"DISPOSITION"}`, err: "scenario.label: DISPOSITION is an account effect"},
		{in: `{"kind":"holdInstead","label":"DISPOSITION","until":"nextSell"}`, err: "scenario.label: DISPOSITION is an account effect"},
		{in: `{"kind":"skipLabel","label":"FOMO","pad":"` + strings.Repeat("x", 5000) + `"}`, err: "larger than"},
	} {
		got, err := sim.ParseScenario([]byte(tc.in))
		switch {
		case tc.err == "" && err != nil:
			t.Errorf("ParseScenario(%.60s): %v", tc.in, err)
		case tc.err != "" && (coach.ErrorCode(err) != coach.EINVALID || !strings.Contains(coach.ErrorMessage(err), tc.err)):
			t.Errorf("ParseScenario(%.60s): error %v, want EINVALID containing %q", tc.in, err, tc.err)
		case tc.err == "":
			if diff := cmp.Diff(tc.want, got); diff != "" {
				t.Errorf("ParseScenario(%.60s) (-want +got):\n%s", tc.in, diff)
			}
		}
	}
}

func TestParseRequest(t *testing.T) {
	t.Parallel()
	got, err := sim.ParseRequest([]byte(`{"scenario":{"kind":"skipLabel","label":"FOMO"},
		"from":"2026-01-01T00:00:00Z","to":"2026-02-01T00:00:00+01:00","interval":"15m",
		"fees":{"rate":"0.001","slippageBps":5},"points":100}`))
	if err != nil {
		t.Fatal(err)
	}
	want := sim.Request{
		Scenario: sim.Scenario{Kind: "skipLabel", Label: "FOMO"},
		Params: sim.Params{From: time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC), To: time.Date(2026, 1, 31, 23, 0, 0, 0, time.UTC),
			Interval: coach.Minute15, Fees: sim.FeeModel{Rate: dp("0.001"), SlippageBps: d("5")}, Points: 100},
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("ParseRequest (-want +got):\n%s", diff)
	}
	for _, tc := range []struct{ in, err string }{
		{`{"scenario":{"kind":"noRevenge"},"to":"2026-02-01T00:00:00Z"}`, "from: required"},
		{`{"scenario":{"kind":"noRevenge"},"from":"2026-02-01T00:00:00Z"}`, "to: required"},
		{`{"scenario":{"kind":"noRevenge"},"from":"2026-02-01T00:00:00Z","to":"2026-01-01T00:00:00Z"}`, "to: must be after from"},
		{`{"scenario":{"kind":"noRevenge"},"from":"2001-02-01T00:00:00Z","to":"2026-01-01T00:00:00Z"}`, "2009 to 2261"},
		{`{"scenario":{"kind":"noRevenge"},"from":"2026-01-01T00:00:00Z","to":"2026-02-01T00:00:00Z","interval":"2h"}`, "interval: want one of"},
		{`{"scenario":{"kind":"noRevenge"},"from":"2026-01-01T00:00:00Z","to":"2026-02-01T00:00:00Z","points":1}`, "points: must be in [2, 2000]"},
		{`{"scenario":{"kind":"noRevenge"},"from":"2026-01-01T00:00:00Z","to":"2026-02-01T00:00:00Z","fees":{"rate":0.5}}`, "fees.rate: must be in [0, 0.1]"},
		{`{"scenario":{"kind":"noRevenge"},"from":"2026-01-01T00:00:00Z","to":"2026-02-01T00:00:00Z","fees":{"slippageBps":-1}}`, "fees.slippageBps"},
		{`{"scenario":{"kind":"noRevenge"},"from":"2026-01-01T00:00:00Z","to":"2026-02-01T00:00:00Z","fees":{"slippageBps":"1e99"}}`, "fees.slippageBps"},
		{`{"scenario":{"kind":"noRevenge"},"from":"yesterday","to":"2026-02-01T00:00:00Z"}`, "request:"},
		{`{"scenario":{"kind":"bogus"},"from":"2026-01-01T00:00:00Z","to":"2026-02-01T00:00:00Z"}`, "scenario.kind"},
		{`{"scenario":{"kind":"noRevenge"},"from":"2026-01-01T00:00:00Z","to":"2026-02-01T00:00:00Z","userId":"x"}`, "unknown field"},
	} {
		_, err := sim.ParseRequest([]byte(tc.in))
		if coach.ErrorCode(err) != coach.EINVALID || !strings.Contains(coach.ErrorMessage(err), tc.err) {
			t.Errorf("ParseRequest(%s): error %v, want EINVALID containing %q", tc.in, err, tc.err)
		}
	}
}

func TestCacheKey(t *testing.T) {
	t.Parallel()
	sc := sim.Scenario{Kind: sim.KindFollowRule, RuleIDs: []string{"r2", "r1"}, StopLossPct: 5}
	p := sim.Params{From: t0, To: t0.Add(24 * time.Hour), Interval: coach.Hour1, Fees: sim.FeeModel{Rate: dp("0.0010"), SlippageBps: d("5")}}
	base := sim.CacheKey("u1", sc, p, "data")
	if !strings.HasPrefix(base, "u:u1:sim:") || len(base) != len("u:u1:sim:")+64 {
		t.Fatalf("key %q: want u:u1:sim: and 64 hex digits", base)
	}
	// The same inputs written differently give the same key.
	same := []struct {
		name string
		key  string
	}{
		{"rule ids in another order", sim.CacheKey("u1", sim.Scenario{Kind: sim.KindFollowRule, RuleIDs: []string{"r1", "r2"}, StopLossPct: 5}, p, "data")},
		{"times in another zone", func() string {
			q := p
			q.From, q.To = p.From.In(time.FixedZone("X", 3600)), p.To.In(time.FixedZone("X", 3600))
			return sim.CacheKey("u1", sc, q, "data")
		}()},
		{"a rate with trailing zeros", func() string {
			q := p
			q.Fees.Rate = dp("0.001")
			return sim.CacheKey("u1", sc, q, "data")
		}()},
		{"the default points written out", func() string {
			q := p
			q.Points = sim.DefaultPoints
			return sim.CacheKey("u1", sc, q, "data")
		}()},
	}
	for _, s := range same {
		if s.key != base {
			t.Errorf("%s: key %s, want %s", s.name, s.key, base)
		}
	}
	// Any difference gives another key.
	other := map[string]string{
		"user":     sim.CacheKey("u2", sc, p, "data"),
		"data":     sim.CacheKey("u1", sc, p, "data2"),
		"scenario": sim.CacheKey("u1", sim.Scenario{Kind: sim.KindFollowRule, RuleIDs: []string{"r1", "r2"}, StopLossPct: 6}, p, "data"),
		"window": func() string {
			q := p
			q.To = q.To.Add(time.Hour)
			return sim.CacheKey("u1", sc, q, "data")
		}(),
		"fees": func() string {
			q := p
			q.Fees.SlippageBps = decimal.New(6, 0)
			return sim.CacheKey("u1", sc, q, "data")
		}(),
		"no rate": func() string {
			q := p
			q.Fees.Rate = nil
			return sim.CacheKey("u1", sc, q, "data")
		}(),
	}
	seen := map[string]string{base: "base"}
	for name, k := range other {
		if prev, dup := seen[k]; dup {
			t.Errorf("%s gives the key of %s", name, prev)
		}
		seen[k] = name
	}
}
