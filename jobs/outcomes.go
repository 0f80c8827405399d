package jobs

import (
	"context"
	"encoding/json"
	"time"

	"github.com/tradecoach/coach"
	"github.com/tradecoach/coach/digest"
	"github.com/tradecoach/coach/sim"
	"github.com/tradecoach/coach/storage"
)

// SimOutcomes is a digest.SimSource over the simulation runs a user ran: give it to
// digest.ServiceConfig.Sims, and the weekly digest cites what the trader's own what-if
// simulations of the week found. It reads runs through Simulator; one without a Simulator
// answers EINVALID.
type SimOutcomes struct {
	Simulator *sim.Service
}

var _ digest.SimSource = SimOutcomes{}

// outcomesPage is how many runs Outcomes reads at a time.
const outcomesPage = 100

// Outcomes returns the outcomes of the user's done runs whose window lies within [from, to]: for
// the newest such run of each scenario (the same kind, label and settings), one SimOutcome per
// quote asset of its P/L (scenario kind, the label it is about — REVENGE for noRevenge, none for
// followRule —, the counterfactual minus the actual total, the quote asset). Runs created
// before from are not read: they cannot have seen the week.
func (s SimOutcomes) Outcomes(ctx context.Context, userID string, from, to time.Time) ([]digest.SimOutcome, error) {
	if s.Simulator == nil {
		return nil, coach.Errorf(coach.EINVALID, "jobs: SimOutcomes.Simulator is required")
	}
	seen := map[string]bool{} // scenarios, as JSON
	var out []digest.SimOutcome
	f := storage.RunFilter{Status: coach.SimulationDone, Limit: outcomesPage}
	for {
		page, err := s.Simulator.List(ctx, userID, f)
		if err != nil {
			return nil, err
		}
		for _, r := range page {
			if r.CreatedAt.Before(from) {
				return out, nil
			}
			req, err := sim.RunRequest(r)
			if err != nil || req.From.Before(from) || req.To.After(to) {
				continue
			}
			k, err := json.Marshal(req.Scenario)
			if err != nil || seen[string(k)] {
				continue
			}
			res, err := sim.RunResult(r)
			if err != nil {
				continue
			}
			seen[string(k)] = true
			for _, p := range res.PnL {
				out = append(out, digest.SimOutcome{Scenario: req.Scenario.Kind, Label: scenarioLabel(req.Scenario),
					Delta: p.Delta.Total, Quote: p.Quote})
			}
		}
		if len(page) < outcomesPage {
			return out, nil
		}
		after := storage.PosOfRun(page[len(page)-1])
		f.After = &after
	}
}

// scenarioLabel is the bias label a scenario is about.
func scenarioLabel(sc sim.Scenario) string {
	switch sc.Kind {
	case sim.KindNoRevenge:
		return coach.LabelRevenge
	case sim.KindFollowRule:
		return ""
	}
	return sc.Label
}
