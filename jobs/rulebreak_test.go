package jobs_test

import (
	"encoding/json"
	"testing"

	"github.com/tradecoach/coach"
	"github.com/tradecoach/coach/jobs"
	"github.com/tradecoach/coach/rules"
)

// TestScoreBiasTellsBrokenRulesOnce: with Config.Rules, score.bias appends rule.broken for the
// trades that broke the trader's rules, and running the job again appends none.
func TestScoreBiasTellsBrokenRulesOnce(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	rs, err := rules.New(rules.ServiceConfig{Store: f.store, Clock: f.clock})
	must(t, err, "rules.New")
	_, err = rs.Create(f.ctx, f.user.ID, coach.Rule{Kind: "maxTradesPerDay", Params: json.RawMessage(`{"n":1}`), Active: true})
	must(t, err, "create rule")
	f.cfg.Rules = rs
	q := &recordingQueue{}
	h := f.handlers(q)
	must(t, h.ImportTrades(f.ctx, f.job(jobs.ImportJob(f.importPayload()))), "ImportTrades")
	must(t, h.ScoreBias(f.ctx, q.jobs[0]), "ScoreBias")
	_, counts := f.events()
	if counts[coach.EventRuleBroken] == 0 {
		t.Fatalf("no rule.broken event after scoring a trader who trades more than once a day: %v", counts)
	}
	must(t, h.ScoreBias(f.ctx, q.jobs[0]), "ScoreBias again")
	if _, again := f.events(); again[coach.EventRuleBroken] != counts[coach.EventRuleBroken] {
		t.Errorf("rule.broken events: %d, then %d after running the job again", counts[coach.EventRuleBroken], again[coach.EventRuleBroken])
	}
}
