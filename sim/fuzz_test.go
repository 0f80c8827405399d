package sim_test

import (
	"encoding/json"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/tradecoach/coach"
	"github.com/tradecoach/coach/sim"
)

// FuzzParseScenario: any input is either EINVALID or a valid scenario that survives a JSON round
// trip unchanged.
func FuzzParseScenario(f *testing.F) {
	for _, s := range []string{
		`{"kind":"skipLabel","label":"FOMO"}`,
		`{"kind":"noRevenge"}`,
		`{"kind":"holdInstead","label":"PANIC","until":"nCandles","n":24}`,
		`{"kind":"holdInstead","label":"PANIC","until":"nextSell"}`,
		`{"kind":"holdInstead","label":"PANIC","until":"windowEnd"}`,
		`{"kind":"followRule","ruleIds":["r1","r2"],"stopLossPct":5,"takeProfitPct":12.5}`,
		`{"kind":"followRule","stopLossPct":1e400}`,
		`{"kind":"skipLabel","label":"FOMO"} trailing`,
		`{"kind":"holdInstead","label":"PANIC","until":"nCandles","n":-1}`,
		`{"kind":"skipLabel","label":"\u0000"}`,
		`nul`, ``, `{`, `[]`,
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		sc, err := sim.ParseScenario(b)
		if err != nil {
			if coach.ErrorCode(err) != coach.EINVALID {
				t.Fatalf("ParseScenario(%q): %v, want EINVALID", b, err)
			}
			return
		}
		if err := sc.Validate(); err != nil {
			t.Fatalf("ParseScenario(%q) gave %+v, which does not validate: %v", b, sc, err)
		}
		out, err := json.Marshal(sc)
		if err != nil {
			t.Fatalf("marshal %+v: %v", sc, err)
		}
		again, err := sim.ParseScenario(out)
		if err != nil {
			t.Fatalf("ParseScenario(%s) (a round trip of %q): %v", out, b, err)
		}
		if diff := cmp.Diff(sc, again); diff != "" {
			t.Fatalf("round trip of %q (-first +again):\n%s", b, diff)
		}
	})
}

// FuzzParseRequest: any input is either EINVALID or a valid request that survives a JSON round
// trip unchanged.
func FuzzParseRequest(f *testing.F) {
	for _, s := range []string{
		`{"scenario":{"kind":"skipLabel","label":"FOMO"},"from":"2026-01-01T00:00:00Z","to":"2026-02-01T00:00:00Z"}`,
		`{"scenario":{"kind":"noRevenge"},"from":"2026-01-01T00:00:00Z","to":"2026-02-01T00:00:00Z","interval":"1m","fees":{"rate":"0.001","slippageBps":5},"points":100}`,
		`{"scenario":{"kind":"followRule","stopLossPct":5},"from":"2026-01-01T00:00:00+05:00","to":"2026-01-02T00:00:00Z","fees":{"rate":1e-3}}`,
		`{"scenario":{"kind":"noRevenge"},"from":"2026-01-01T00:00:00Z","to":"2026-02-01T00:00:00Z","fees":{"slippageBps":"1e99999"}}`,
		`{"scenario":null,"from":null}`,
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		r, err := sim.ParseRequest(b)
		if err != nil {
			if coach.ErrorCode(err) != coach.EINVALID {
				t.Fatalf("ParseRequest(%q): %v, want EINVALID", b, err)
			}
			return
		}
		if err := r.Validate(); err != nil {
			t.Fatalf("ParseRequest(%q) gave a request that does not validate: %v", b, err)
		}
		out, err := json.Marshal(r)
		if err != nil {
			t.Fatalf("marshal %+v: %v", r, err)
		}
		again, err := sim.ParseRequest(out)
		if err != nil {
			t.Fatalf("ParseRequest(%s) (a round trip of %q): %v", out, b, err)
		}
		if diff := cmp.Diff(r, again); diff != "" {
			t.Fatalf("round trip of %q (-first +again):\n%s", b, diff)
		}
	})
}
