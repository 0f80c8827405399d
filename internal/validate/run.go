package validate

import (
	"context"
	"slices"

	"github.com/tradecoach/coach"
	"github.com/tradecoach/coach/bias"
	"github.com/tradecoach/coach/broker/brokertest"
)

// Options says what Run measures. Zero fields take the defaults named.
type Options struct {
	// Tuning and HeldOut are the seeds the definitions may be tuned on (1-5) and the seeds they
	// are reported on (6-10).
	Tuning, HeldOut []int64
	// Days is the length of each seed's history (brokertest.ValidationDefaultDays).
	Days int
	// Config is the scorer's configuration (bias.DefaultConfig() at the finest of Intervals); its
	// Interval is the candle interval of every figure but the interval agreement. Its Rules are replaced by the
	// persona's written plan.
	Config *bias.Config
	// Intervals are the candle intervals whose labels are compared (1m, 5m, 1h).
	Intervals []coach.Interval
	// Step is the relative change of each threshold in the sensitivity table (0.1).
	Step float64
}

func (o *Options) defaults() {
	if o.Tuning == nil {
		o.Tuning = []int64{1, 2, 3, 4, 5}
	}
	if o.HeldOut == nil {
		o.HeldOut = []int64{6, 7, 8, 9, 10}
	}
	if o.Days == 0 {
		o.Days = brokertest.ValidationDefaultDays
	}
	if o.Intervals == nil {
		o.Intervals = []coach.Interval{coach.Minute1, coach.Minute5, coach.Hour1}
	}
	if o.Config == nil {
		// The evidence is read at the finest candle interval the persona's market offers.
		cfg := bias.DefaultConfig()
		cfg.Interval = slices.MinFunc(o.Intervals, func(a, b coach.Interval) int { return int(a.Duration() - b.Duration()) })
		o.Config = &cfg
	}
	if o.Step == 0 {
		o.Step = 0.1
	}
}

// Report is everything Run measured.
type Report struct {
	Version   string
	Interval  coach.Interval
	Days      int
	Intervals []coach.Interval
	Step      float64
	// Labels are the labels reported: the persona's, then any other label the scorer gave,
	// sorted.
	Labels []string
	// PlanKinds are the rule kinds of the persona's plan the scorer read; Unread those package
	// rules does not know.
	PlanKinds, Unread []string
	// Groups are the tuning seeds' figures, then the held-out seeds'.
	Groups []Group
}

// Group is the figures of one set of seeds, pooled.
type Group struct {
	Name  string
	Seeds []int64
	// Persona and Null tally the persona's and the null trader's orders at Report.Interval.
	Persona, Null Tally
	// ByReason tallies the persona's orders by the rule that placed them (near-misses
	// included).
	ByReason map[string]Tally
	// Sensitivity has one row per threshold.
	Sensitivity []Sensitivity
	// Agreement counts the persona's orders labelled at some interval of Report.Intervals and
	// those with the same labels at every one: under "" for any label, and per label.
	Agreement map[string][2]int
	// Split counts the persona's orders of several fills and, of those, the ones given the
	// same labels as when the order is filled in one piece (Unsplit).
	Split [2]int
	// PraisedAndQuestioned counts the persona's orders given DISCIPLINE together with FOMO,
	// PANIC, REVENGE or HOLDING_LOSERS.
	PraisedAndQuestioned int
	// StopExits counts the persona's exits at its declared stop, and those given PANIC.
	StopExits [2]int
}

// questioning are the labels that question an order, which DISCIPLINE must never join.
var questioning = []string{coach.LabelFOMO, coach.LabelPanic, coach.LabelRevenge, coach.LabelHoldingLosers}

// Sensitivity is the persona's label counts with one threshold scaled down and up by Step.
type Sensitivity struct {
	Field, Base, Low, High string
	// Changed says whether scaling changed the value (a small count may round back), Invalid
	// whether bias.Config.Validate refused it; index 0 is down, 1 up.
	Changed, Invalid [2]bool
	// Counts[label] are the orders given the label, down and up.
	Counts map[string][2]int
}

// Run builds each seed's validation history, scores it and tallies the figures. ctx is checked
// between seeds.
func Run(ctx context.Context, opts Options) (*Report, error) {
	opts.defaults()
	base := *opts.Config
	if err := base.Validate(); err != nil {
		return nil, err
	}
	r := &Report{Version: base.Version, Interval: base.Interval, Days: opts.Days, Intervals: opts.Intervals, Step: opts.Step}
	type seedRun struct {
		persona, null []Outcome
		reasons       []string
		split         []bool
		sens          [][2][][]string // per threshold, down and up: each order's labels
		changed, bad  [][2]bool
		intervals     [][][]string
		unsplit       [][]string
	}
	thresholds := Thresholds()
	runs := map[int64]*seedRun{}
	seen := map[string]bool{}
	for _, seed := range slices.Concat(opts.Tuning, opts.HeldOut) {
		if cerr, ended := coach.ContextError(ctx.Err()); ended {
			return nil, cerr
		}
		v, err := brokertest.NewValidation(seed, brokertest.ValidationOptions{Days: opts.Days})
		if err != nil {
			return nil, err
		}
		plan, unread, err := PlanRules(v.Plan())
		if err != nil {
			return nil, err
		}
		r.Unread = unread
		r.PlanKinds = r.PlanKinds[:0]
		for _, p := range plan {
			r.PlanKinds = append(r.PlanKinds, p.Kind())
		}
		sr := &seedRun{}
		candles := v.Candles(base.Interval)
		persona, err := newSubject(v.Persona(), candles, plan, v.Plan())
		if err != nil {
			return nil, err
		}
		null, err := newSubject(v.Null(), candles, plan, v.Plan())
		if err != nil {
			return nil, err
		}
		pl, err := persona.labels(base)
		if err != nil {
			return nil, err
		}
		nl, err := null.labels(base)
		if err != nil {
			return nil, err
		}
		sr.persona, sr.null = outcomes(persona.trader, pl), outcomes(null.trader, nl)
		for _, o := range persona.trader.Orders {
			sr.reasons = append(sr.reasons, o.Reason)
			sr.split = append(sr.split, len(o.ExtIDs) > 1)
		}
		whole, err := newSubject(Unsplit(persona.trader), candles, plan, v.Plan())
		if err != nil {
			return nil, err
		}
		if sr.unsplit, err = whole.labels(base); err != nil {
			return nil, err
		}
		for _, ls := range slices.Concat(pl, nl) {
			for _, l := range ls {
				seen[l] = true
			}
		}
		for _, th := range thresholds {
			var pair [2][][]string
			var changed, bad [2]bool
			for k, f := range []float64{1 - opts.Step, 1 + opts.Step} {
				cfg, ok := th.Scale(base, f)
				changed[k] = ok
				if !ok {
					pair[k] = pl
					continue
				}
				if err := cfg.Validate(); err != nil {
					bad[k] = true
					continue
				}
				if pair[k], err = persona.labels(cfg); err != nil {
					return nil, err
				}
			}
			sr.sens = append(sr.sens, pair)
			sr.changed, sr.bad = append(sr.changed, changed), append(sr.bad, bad)
		}
		for _, iv := range opts.Intervals {
			cfg := base
			cfg.Interval = iv
			s, err := newSubject(v.Persona(), v.Candles(iv), plan, v.Plan())
			if err != nil {
				return nil, err
			}
			ls, err := s.labels(cfg)
			if err != nil {
				return nil, err
			}
			sr.intervals = append(sr.intervals, ls)
		}
		runs[seed] = sr
	}
	r.Labels = brokertest.ValidationLabels()
	var extra []string
	for l := range seen {
		if !slices.Contains(r.Labels, l) {
			extra = append(extra, l)
		}
	}
	slices.Sort(extra)
	r.Labels = append(r.Labels, extra...)

	for _, g := range []struct {
		name  string
		seeds []int64
	}{{"tuning", opts.Tuning}, {"held out", opts.HeldOut}} {
		grp := Group{Name: g.name, Seeds: g.seeds, ByReason: map[string]Tally{}, Agreement: map[string][2]int{}}
		grp.Persona, grp.Null = Count(nil, r.Labels), Count(nil, r.Labels)
		sens := make([]Sensitivity, len(thresholds))
		for i, th := range thresholds {
			sens[i] = Sensitivity{Field: th.Field, Base: th.Value(base), Counts: map[string][2]int{}}
			if low, ok := th.Scale(base, 1-opts.Step); ok {
				sens[i].Low = th.Value(low)
			}
			if high, ok := th.Scale(base, 1+opts.Step); ok {
				sens[i].High = th.Value(high)
			}
		}
		for _, seed := range g.seeds {
			sr := runs[seed]
			grp.Persona = grp.Persona.Merge(Count(sr.persona, r.Labels))
			grp.Null = grp.Null.Merge(Count(sr.null, r.Labels))
			for i, o := range sr.persona {
				grp.ByReason[sr.reasons[i]] = grp.ByReason[sr.reasons[i]].Merge(Count([]Outcome{o}, r.Labels))
				if sr.split[i] {
					grp.Split[1]++
					if slices.Equal(o.Labelled, sr.unsplit[i]) {
						grp.Split[0]++
					}
				}
				if slices.Contains(o.Labelled, coach.LabelDiscipline) && slices.ContainsFunc(o.Labelled, func(l string) bool { return slices.Contains(questioning, l) }) {
					grp.PraisedAndQuestioned++
				}
				if sr.reasons[i] == brokertest.ReasonPlanStop || sr.reasons[i] == brokertest.ReasonPlanStopInDrop {
					grp.StopExits[1]++
					if slices.Contains(o.Labelled, coach.LabelPanic) {
						grp.StopExits[0]++
					}
				}
			}
			for i := range thresholds {
				for k := range 2 {
					sens[i].Changed[k] = sr.changed[i][k]
					sens[i].Invalid[k] = sens[i].Invalid[k] || sr.bad[i][k]
				}
				for _, l := range r.Labels {
					c := sens[i].Counts[l]
					for k := range 2 {
						c[k] += Count(outcomesOf(sr.sens[i][k]), []string{l}).Counts[l].Labelled
					}
					sens[i].Counts[l] = c
				}
			}
			for _, l := range append([]string{""}, r.Labels...) {
				agree, labelled := Agreement(sr.intervals, l)
				a := grp.Agreement[l]
				grp.Agreement[l] = [2]int{a[0] + agree, a[1] + labelled}
			}
		}
		grp.Sensitivity = sens
		r.Groups = append(r.Groups, grp)
	}
	return r, nil
}

// outcomesOf wraps labels as outcomes with nothing intended, for counting labels alone.
func outcomesOf(labels [][]string) []Outcome {
	out := make([]Outcome, len(labels))
	for i, ls := range labels {
		out[i] = Outcome{Labelled: ls}
	}
	return out
}
