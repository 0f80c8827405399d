package validate_test

import (
	"context"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/tradecoach/coach"
	"github.com/tradecoach/coach/bias"
	"github.com/tradecoach/coach/broker/brokertest"
	"github.com/tradecoach/coach/internal/validate"
	"github.com/tradecoach/coach/rules"
)

func smallOptions() validate.Options {
	return validate.Options{Tuning: []int64{11}, HeldOut: []int64{12}, Days: 20}
}

// TestRunCountsOrdersAsTheScorerLabelsTheirFills scores the held-out seed again here, straight
// through bias.Score, and checks that Run's counts are those of the orders whose fills carry
// each label: a tag on any partial fill labels its order, once.
func TestRunCountsOrdersAsTheScorerLabelsTheirFills(t *testing.T) {
	rep, err := validate.Run(context.Background(), smallOptions())
	if err != nil {
		t.Fatal(err)
	}
	if len(rep.Groups) != 2 || rep.Groups[0].Name != "tuning" || rep.Groups[1].Name != "held out" {
		t.Fatalf("groups = %+v", rep.Groups)
	}
	if rep.Interval != coach.Minute1 {
		t.Errorf("scored on %s candles, want the finest of %v", rep.Interval, rep.Intervals)
	}
	if !slices.Equal(rep.Labels[:6], brokertest.ValidationLabels()) {
		t.Errorf("labels = %v, want the persona's first", rep.Labels)
	}
	if !slices.Equal(rep.Unread, []string{brokertest.RuleKindTakeProfitPct}) {
		t.Errorf("unread rule kinds = %v", rep.Unread)
	}

	v, err := brokertest.NewValidation(12, brokertest.ValidationOptions{Days: 20})
	if err != nil {
		t.Fatal(err)
	}
	p := v.Persona()
	plan, _, err := validate.PlanRules(v.Plan())
	if err != nil {
		t.Fatal(err)
	}
	cfg := bias.DefaultConfig()
	cfg.Interval = rep.Interval // the finest of the intervals compared: 1m
	cfg.Plan = bias.PlanOf(v.Plan())
	candles := v.Candles(cfg.Interval)
	ev, err := rules.Evaluate(p.Trades, candles, plan, time.UTC)
	if err != nil {
		t.Fatal(err)
	}
	cfg.Rules = func(tr coach.Trade) bias.Verdict {
		n, broken := ev.Check(tr)
		return bias.Verdict{Checked: n, Broken: broken}
	}
	res, err := bias.Score(p.Trades, candles, cfg)
	if err != nil {
		t.Fatal(err)
	}
	labelled := map[string]map[string]bool{} // label → order keys
	split := 0
	for _, g := range res.Tags {
		for _, o := range p.Orders {
			if slices.Contains(o.ExtIDs, g.TradeID) {
				if labelled[g.Label] == nil {
					labelled[g.Label] = map[string]bool{}
				}
				labelled[g.Label][o.Key] = true
				if len(o.ExtIDs) > 1 {
					split++
				}
			}
		}
	}
	if split == 0 {
		t.Error("no tag on a partial fill: the mapping of fills to orders is not exercised")
	}
	held := rep.Groups[1]
	splitOrders := 0
	for _, o := range p.Orders {
		if len(o.ExtIDs) > 1 {
			splitOrders++
		}
	}
	if held.Split[1] != splitOrders || held.Split[0] > held.Split[1] {
		t.Errorf("split orders = %v, want %d in all", held.Split, splitOrders)
	}
	if held.Persona.Orders != len(p.Orders) {
		t.Errorf("held-out orders = %d, want %d", held.Persona.Orders, len(p.Orders))
	}
	for _, l := range rep.Labels {
		if got, want := held.Persona.Counts[l].Labelled, len(labelled[l]); got != want {
			t.Errorf("%s: %d orders labelled in the report, %d by scoring directly", l, got, want)
		}
		intended := 0
		for _, o := range p.Orders {
			if slices.Contains(o.Intents, l) {
				intended++
			}
		}
		if got := held.Persona.Counts[l].Intended; got != intended {
			t.Errorf("%s: %d orders intended in the report, want %d", l, got, intended)
		}
	}
	for _, s := range held.Sensitivity {
		for _, l := range rep.Labels {
			for k := range 2 {
				if !s.Changed[k] && s.Counts[l][k] != held.Persona.Counts[l].Labelled {
					t.Errorf("%s unchanged, yet %s's count moved", s.Field, l)
				}
			}
		}
	}
	md := rep.Markdown()
	for _, want := range []string{"| FOMO |", "held out (seeds 12)", "takeProfitPct", "| any |"} {
		if !strings.Contains(md, want) {
			t.Errorf("Markdown lacks %q", want)
		}
	}
	again, err := validate.Run(context.Background(), smallOptions())
	if err != nil {
		t.Fatal(err)
	}
	if again.Markdown() != md {
		t.Error("two runs of the same options give different tables")
	}
}

func TestRunRefuses(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if _, err := validate.Run(ctx, smallOptions()); coach.ErrorCode(err) != coach.ECANCELED {
		t.Errorf("canceled: err = %v, want ECANCELED", err)
	}
	cfg := bias.DefaultConfig()
	cfg.Interval = "7m"
	opts := smallOptions()
	opts.Config = &cfg
	if _, err := validate.Run(context.Background(), opts); coach.ErrorCode(err) != coach.EINVALID {
		t.Errorf("invalid config: err = %v, want EINVALID", err)
	}
	opts = smallOptions()
	opts.Days = 3
	if _, err := validate.Run(context.Background(), opts); coach.ErrorCode(err) != coach.EINVALID {
		t.Errorf("3 days: err = %v, want EINVALID", err)
	}
}
