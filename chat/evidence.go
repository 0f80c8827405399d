package chat

import (
	"cmp"
	"encoding/json"
	"math"
	"slices"
	"strconv"
	"time"

	"github.com/tradecoach/coach"
	"github.com/tradecoach/coach/bias"
	"github.com/tradecoach/coach/digest"
	"github.com/tradecoach/coach/rules"
	"github.com/tradecoach/coach/sim"
)

// TaggedTrade is a bias tag with the trade it labels.
type TaggedTrade struct {
	Tag   coach.BiasTag
	Trade coach.Trade
}

// Input is the evidence of one user as the capabilities give it. Only the fields Gather reads
// reach the facts: of a trade its symbol, side, time, price and quantity — never its broker,
// ExtID, order or exchange ids, connection or user.
type Input struct {
	// TimeZone is the user's IANA zone for dates ("" is UTC); Now resolves relative dates.
	TimeZone string
	Now      time.Time
	// Tags are the relevant bias tags with their trades.
	Tags []TaggedTrade
	// Windows are the account windows (bias.Service.AccountWindows), reflected under Config.
	Windows []bias.AccountWindow
	Config  bias.Config
	// Streaks are the rule streaks; Digest the latest weekly digest; Simulations what-if results.
	Streaks     *rules.StreakReport
	Digest      *digest.Payload
	Simulations []sim.Result
}

// Gather turns in into Evidence (EvidenceVersion): one fact per number of each tag's features,
// trade, account window, streak, digest figure and simulation figure, in a fixed order — tags by
// trade time, then windows, streaks, digest, simulations — with ids that depend only on their
// source. Undefined numbers (NaN, infinities, metrics marked insufficient) give no fact: the
// coach never speaks of them. Trades are referenced T1, T2, … in trade order.
func Gather(in Input) (Evidence, error) {
	loc := time.UTC
	if in.TimeZone != "" {
		l, err := time.LoadLocation(in.TimeZone)
		if err != nil {
			return Evidence{}, coach.Errorf(coach.EINVALID, "timeZone: unknown zone %q", in.TimeZone)
		}
		loc = l
	}
	g := gatherer{ev: Evidence{Version: EvidenceVersion, TimeZone: loc.String(), Now: in.Now.UTC()}, loc: loc}
	tags := slices.Clone(in.Tags)
	slices.SortStableFunc(tags, func(a, b TaggedTrade) int {
		return cmp.Or(a.Trade.TS.Compare(b.Trade.TS), cmp.Compare(a.Trade.ID, b.Trade.ID), cmp.Compare(a.Tag.Label, b.Tag.Label))
	})
	refs := map[string]string{}
	for _, t := range tags {
		if _, ok := refs[t.Trade.ID]; !ok {
			refs[t.Trade.ID] = "T" + strconv.Itoa(len(refs)+1)
		}
		g.tag(t, refs[t.Trade.ID])
	}
	for _, w := range in.Windows {
		g.window(w, in.Config)
	}
	if in.Streaks != nil {
		g.streaks(in.Streaks)
	}
	if in.Digest != nil {
		g.digest(in.Digest)
	}
	for _, r := range in.Simulations {
		g.simulation(r)
	}
	// Most recent tag first: the deterministic answer speaks of what just happened.
	slices.Reverse(g.tagRefl)
	g.ev.Reflections = append(g.tagRefl, g.ev.Reflections...)
	return g.ev, nil
}

type gatherer struct {
	ev      Evidence
	loc     *time.Location
	tagRefl []Reflection
}

// add appends a fact with a number, unless the number is undefined; it returns whether it did.
func (g *gatherer) add(id string, s Subject, v float64, unit string) bool {
	if math.IsNaN(v) || math.IsInf(v, 0) {
		return false
	}
	g.ev.Facts = append(g.ev.Facts, Fact{ID: id, Subject: s, Number: v, HasNumber: true, Unit: unit})
	return true
}

// mention appends a fact without a number: that the subject exists in the evidence.
func (g *gatherer) mention(id string, s Subject) {
	g.ev.Facts = append(g.ev.Facts, Fact{ID: id, Subject: s})
}

func (g *gatherer) day(t time.Time) string { return t.In(g.loc).Format(time.DateOnly) }

func decimalFloat(d interface{ Float64() (float64, bool) }) float64 {
	f, _ := d.Float64()
	return f
}

// tag adds the facts of one tag: the trade (price, quantity), the confidence, and every number of
// the features' top level, "ev" and "th" objects.
func (g *gatherer) tag(t TaggedTrade, ref string) {
	base := Subject{Label: t.Tag.Label, Symbol: string(t.Trade.Symbol), Trade: ref, Date: g.day(t.Trade.TS)}
	id := "tag:" + t.Tag.ID + ":"
	first := len(g.ev.Facts)
	s := base
	s.Metric = "trade"
	g.mention(id+"trade", s)
	s.Metric = "price"
	g.add(id+"price", s, decimalFloat(t.Trade.Price), UnitMoney)
	s.Metric = "qty"
	g.add(id+"qty", s, decimalFloat(t.Trade.Qty), UnitNone)
	s.Metric = "confidence"
	g.add(id+"confidence", s, t.Tag.Confidence, UnitRatio)
	var f struct {
		Ev map[string]json.RawMessage `json:"ev"`
		Th map[string]json.RawMessage `json:"th"`
	}
	if json.Unmarshal(t.Tag.Features, &f) == nil {
		// Assets the evidence names besides the trade's own (the loss before a revenge trade).
		for _, metric := range []string{"lossSymbol", "paperLoser"} {
			var sym string
			if json.Unmarshal(f.Ev[metric], &sym) == nil && coach.Symbol(sym).Valid() {
				r := struct{ metric, symbol string }{metric, sym}
				rs := base
				rs.Symbol, rs.Metric = r.symbol, r.metric
				g.mention(id+r.metric, rs)
			}
		}
		for _, part := range []struct {
			prefix string
			m      map[string]json.RawMessage
		}{{"", f.Ev}, {"th.", f.Th}} {
			keys := make([]string, 0, len(part.m))
			for k := range part.m {
				keys = append(keys, k)
			}
			slices.Sort(keys)
			for _, k := range keys {
				var v float64
				if json.Unmarshal(part.m[k], &v) != nil {
					continue
				}
				s.Metric = part.prefix + k
				g.add(id+part.prefix+k, s, v, featureUnit(k))
				if k == "rangePos" && part.prefix == "" && v < 1 {
					// The reflection says "in the top x% of its range".
					s.Metric = "topOfRange"
					g.add(id+"topOfRange", s, 1-v, UnitRatio)
				}
			}
		}
	}
	g.tagRefl = append(g.tagRefl, Reflection{Subject: base, Text: bias.Reflect(t.Tag), EvidenceIDs: IDs(g.ev.Facts[first:])})
}

// ratioFeatures are the features whose numbers are fractions (DEFINITIONS.md).
var ratioFeatures = map[string]bool{
	"rangePos": true, "belowHigh": true, "runUp": true, "priorReturn": true, "lossPct": true,
	"drawdown": true, "gainPct": true, "paperLoserPct": true, "pgr": true, "plr": true,
	"pLoss": true, "pGain": true, "nearHigh": true, "de": true, "diff": true,
}

func featureUnit(key string) string {
	switch {
	case ratioFeatures[key]:
		return UnitRatio
	case key == "holdHours" || key == "meanWinnerHoldHours":
		return UnitHours
	}
	return UnitNone
}

// window adds an account window's defined metrics and the reflections bias.ReflectWindow gives.
func (g *gatherer) window(w bias.AccountWindow, cfg bias.Config) {
	month := w.From.In(g.loc).Format("2006-01")
	id := "window:" + month + ":"
	first := len(g.ev.Facts)
	d := w.Disposition
	if d.Insufficient == "" {
		s := Subject{Label: coach.LabelDisposition, Month: month}
		for _, m := range []struct {
			k    string
			v    float64
			unit string
		}{{"moments", float64(d.Moments), UnitNone}, {"pgr", d.PGR, UnitRatio}, {"plr", d.PLR, UnitRatio},
			{"de", d.DE, UnitRatio}, {"positions", float64(d.Clustered.Clusters), UnitNone}, {"t", d.Clustered.T, UnitNone}} {
			s.Metric = "disposition." + m.k
			g.add(id+s.Metric, s, m.v, m.unit)
		}
	}
	l := w.LossChasing
	if l.Insufficient == "" {
		s := Subject{Label: coach.LabelLossChasing, Month: month}
		for _, m := range []struct {
			k    string
			v    float64
			unit string
		}{{"afterLoss", float64(l.AfterLoss), UnitNone}, {"afterGain", float64(l.AfterGain), UnitNone},
			{"pLoss", l.PLoss, UnitRatio}, {"pGain", l.PGain, UnitRatio}, {"diff", l.Diff, UnitRatio},
			{"positions", float64(l.Clustered.Clusters), UnitNone}, {"t", l.Clustered.T, UnitNone}} {
			s.Metric = "lossChasing." + m.k
			g.add(id+s.Metric, s, m.v, m.unit)
		}
	}
	ids := IDs(g.ev.Facts[first:])
	for _, r := range bias.ReflectWindow(w, cfg) {
		g.ev.Reflections = append(g.ev.Reflections, Reflection{Subject: Subject{Label: r.Label, Month: month}, Text: r.Text, EvidenceIDs: ids})
	}
}

// streaks adds the overall and per-rule standings.
func (g *gatherer) streaks(r *rules.StreakReport) {
	add := func(prefix, id string, st rules.Standing) {
		for _, m := range []struct {
			k string
			v int
		}{{"trades.current", st.Trades.Current}, {"trades.best", st.Trades.Best}, {"days.current", st.Days.Current},
			{"days.best", st.Days.Best}, {"followed", st.Followed}, {"broken", st.Broken}} {
			g.add(id+m.k, Subject{Metric: prefix + m.k}, float64(m.v), UnitNone)
		}
	}
	add("streak.", "streak:overall:", r.Overall)
	for _, rs := range r.Rules {
		add("streak."+rs.Kind+".", "streak:"+rs.RuleID+":", rs.Standing)
	}
}

// digest adds the week's figures: totals, counts and P/L by bias, days, violations.
func (g *gatherer) digest(p *digest.Payload) {
	id := "digest:" + p.Week + ":"
	g.mention(id+"periodStart", Subject{Date: p.PeriodStart.String(), Metric: "digest.periodStart"})
	g.mention(id+"periodEnd", Subject{Date: p.PeriodEnd.String(), Metric: "digest.periodEnd"})
	for _, m := range []struct {
		k    string
		v    float64
		unit string
	}{{"tradeCount", float64(p.TradeCount), UnitNone}, {"activeDays", float64(p.ActiveDays), UnitNone},
		{"closes", float64(p.Closes), UnitNone}, {"realized", decimalFloat(p.Realized), UnitMoney},
		{"fees", decimalFloat(p.Fees), UnitMoney}} {
		g.add(id+m.k, Subject{Metric: "digest." + m.k}, m.v, m.unit)
	}
	labels := make([]string, 0, len(p.CountsByBias))
	for l := range p.CountsByBias {
		labels = append(labels, l)
	}
	slices.Sort(labels)
	for _, l := range labels {
		g.add(id+"count:"+l, Subject{Label: l, Metric: "digest.count"}, float64(p.CountsByBias[l]), UnitNone)
		if b, ok := p.PnLByBias[l]; ok {
			g.add(id+"realized:"+l, Subject{Label: l, Metric: "digest.realized"}, decimalFloat(b.Realized), UnitMoney)
		}
	}
	for _, d := range p.Days {
		s := Subject{Date: d.Date.String(), Metric: "digest.day.trades"}
		g.add(id+"day:"+d.Date.String()+":trades", s, float64(d.Trades), UnitNone)
		s.Metric = "digest.day.realized"
		g.add(id+"day:"+d.Date.String()+":realized", s, decimalFloat(d.Realized), UnitMoney)
	}
	for _, v := range p.RuleViolations {
		g.add(id+"violations:"+v.RuleID, Subject{Metric: "digest.violations." + v.Kind}, float64(v.Count), UnitNone)
	}
}

// simulation adds a what-if result's actual, counterfactual and delta totals per quote asset.
func (g *gatherer) simulation(r sim.Result) {
	key := r.Scenario.Kind
	if r.Scenario.Label != "" {
		key += ":" + r.Scenario.Label
	}
	id := "sim:" + key + ":" + r.From.UTC().Format("20060102") + ":"
	for _, p := range r.PnL {
		for _, m := range []struct {
			k string
			v float64
		}{{"actual", decimalFloat(p.Actual.Total)}, {"counterfactual", decimalFloat(p.Counterfactual.Total)},
			{"delta", decimalFloat(p.Delta.Total)}} {
			g.add(id+p.Quote+":"+m.k, Subject{Label: r.Scenario.Label, Metric: "sim." + r.Scenario.Kind + "." + m.k}, m.v, UnitMoney)
		}
	}
}
