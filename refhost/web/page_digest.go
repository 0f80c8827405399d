package web

import (
	"html/template"
	"net/url"
	"slices"
	"strconv"
	"time"

	"github.com/tradecoach/coach"
	"github.com/tradecoach/coach/digest"
	"github.com/tradecoach/coach/refhost/web/chart"
)

// The Digest page: the latest weekly digest (/app/digest) or one of them (/app/digests/{id}, an
// id or an ISO week such as 2026-W48), with its figures, charts and the one suggestion, and the
// past weeks listed.

// digestWeek is one digest in the list of past weeks.
type digestWeek struct {
	ID      string
	Week    string
	Period  string
	Current bool
}

// countRow is one label's count.
type countRow struct {
	Label string
	Count int
	Delta string
}

// streakRow is one streak (overall or a rule's).
type streakRow struct {
	Name                                             string
	CurrentTrades, BestTrades, CurrentDays, BestDays int
}

// violationRow is one rule's verdicts of the week.
type violationRow struct {
	Kind                       string
	Broken, Checked, Undecided int
}

// digestView is one digest as the page shows it.
type digestView struct {
	ID, Week, Period, Quote string
	TradeCount, ActiveDays  int
	Closes                  int
	Realized, Fees          amount
	Counts                  []countRow
	PnLChart, PnLTable      template.HTML
	EquityChart, EquityTbl  template.HTML
	Streaks                 []streakRow
	Violations              []violationRow
	SuggestionText          string
	SuggestionNote          string
	SuggestionRealized      amount
	SuggestionLabel         string
	SimDelta                *amount
	Scenario                string
	Quality                 []string
	Previous                *digestWeek
}

// digestData is the Digest page's data: the digest shown (nil before the first one) and the
// list of weeks.
type digestData struct {
	Digest *digestView
	Weeks  []digestWeek
}

// digestPage renders the latest digest, or the one of the path's id.
func (w *Web) digestPage(rq *Request) (View, error) {
	var d coach.Digest
	var err error
	if id := rq.PathValue("id"); id != "" {
		err = rq.Get("/digests/weekly/"+url.PathEscape(id), &d)
	} else {
		err = rq.Get("/digests/weekly/latest", &d)
		if coach.ErrorCode(err) == coach.ENOTFOUND {
			return View{Template: "digest", Data: digestData{}}, nil
		}
	}
	if err != nil {
		return View{}, err
	}
	var list struct {
		Digests []coach.Digest `json:"digests"`
	}
	if err := rq.Get("/digests/weekly?limit=26", &list); err != nil {
		return View{}, err
	}
	data := digestData{}
	for _, x := range list.Digests {
		data.Weeks = append(data.Weeks, digestWeek{ID: x.ID, Week: weekOf(x), Period: day(x.PeriodStart) + " – " + day(x.PeriodEnd), Current: x.ID == d.ID})
	}
	p, err := digest.ParsePayload(d.Payload)
	if err != nil {
		return View{}, coach.WrapError(coach.EINTERNAL, err, "web: digest %s", d.ID)
	}
	data.Digest = digestOf(d, p)
	return View{Template: "digest", Data: data}, nil
}

// weekOf names a digest's ISO week ("2026-W48").
func weekOf(d coach.Digest) string {
	y, wk := d.PeriodStart.In(time.UTC).ISOWeek()
	return digest.Week{Year: y, Week: wk}.String()
}

// digestOf builds the view of d, whose payload is p.
func digestOf(d coach.Digest, p digest.Payload) *digestView {
	v := &digestView{ID: d.ID, Week: p.Week, Period: day(p.PeriodStart) + " – " + day(p.PeriodEnd), Quote: p.Quote,
		TradeCount: p.TradeCount, ActiveDays: p.ActiveDays, Closes: p.Closes,
		Realized: moneyOf(p.Realized, p.Quote), Fees: moneyOf(p.Fees.Neg(), p.Quote)}
	labels := make([]string, 0, len(p.CountsByBias))
	for l := range p.CountsByBias {
		labels = append(labels, l)
	}
	slices.SortFunc(labels, func(a, b string) int {
		if c := p.CountsByBias[b] - p.CountsByBias[a]; c != 0 {
			return c
		}
		return compareStrings(a, b)
	})
	for _, l := range labels {
		r := countRow{Label: biasName(l), Count: p.CountsByBias[l]}
		if c := p.VsPreviousWeek; c != nil {
			r.Delta = signedInt(c.CountsByBias[l])
		}
		v.Counts = append(v.Counts, r)
	}
	if len(p.PnLByBias) > 0 {
		bars := chart.BarsChart{Frame: chart.Frame{Title: "Realized P/L by bias, week " + p.Week, Unit: p.Quote, ID: "pnl-by-bias"}}
		keys := make([]string, 0, len(p.PnLByBias))
		for l := range p.PnLByBias {
			keys = append(keys, l)
		}
		slices.Sort(keys)
		for _, l := range keys {
			bars.Bars = append(bars.Bars, chart.Bar{Label: biasName(l), Value: p.PnLByBias[l].Realized.InexactFloat64()})
		}
		bars.Bars = append(bars.Bars, chart.Bar{Label: "No label", Value: p.Unlabelled.Realized.InexactFloat64(), Class: "unlabelled"})
		v.PnLChart, v.PnLTable = chart.Bars(bars), chart.Table(chart.BarsTable(bars))
	}
	if p.TradeCount > 0 && len(p.Days) > 0 {
		line := chart.LineChart{Frame: chart.Frame{Title: "Realized P/L through the week", YLabel: "Cumulative P/L", Unit: p.Quote, ID: "week-equity"},
			ZeroLine: true, Markers: true}
		s := chart.Series{Name: "Realized P/L", Class: "actual"}
		for _, dd := range p.Days {
			s.Points = append(s.Points, chart.Point{T: dd.Date.In(time.UTC), V: dd.Cumulative.InexactFloat64()})
		}
		line.Series = []chart.Series{s}
		v.EquityChart, v.EquityTbl = chart.Line(line), chart.Table(chart.LineTable(line))
	}
	if s := p.Streaks; s != nil {
		o := s.Overall
		v.Streaks = append(v.Streaks, streakRow{Name: "All rules", CurrentTrades: o.CurrentTrades, BestTrades: o.BestTrades, CurrentDays: o.CurrentDays, BestDays: o.BestDays})
		for _, r := range s.Rules {
			v.Streaks = append(v.Streaks, streakRow{Name: ruleKindName(r.Kind), CurrentTrades: r.CurrentTrades, BestTrades: r.BestTrades, CurrentDays: r.CurrentDays, BestDays: r.BestDays})
		}
	}
	for _, r := range p.RuleViolations {
		v.Violations = append(v.Violations, violationRow{Kind: ruleKindName(r.Kind), Broken: r.Count, Checked: r.Checked, Undecided: r.Undecided})
	}
	sg := p.Suggestion
	v.SuggestionText, v.SuggestionNote = sg.Text, sg.Note
	if sg.Kind == digest.SuggestLabel {
		v.SuggestionLabel = biasName(sg.Label)
		v.SuggestionRealized = moneyOf(sg.Evidence.Realized, p.Quote)
	}
	if sg.SimulationDelta != nil {
		a := moneyOf(*sg.SimulationDelta, p.Quote)
		v.SimDelta, v.Scenario = &a, sg.Scenario
	}
	v.Quality = p.DataQuality.Reasons
	if c := p.VsPreviousWeek; c != nil {
		v.Previous = &digestWeek{Week: c.Week, ID: c.Week}
	}
	return v
}

func compareStrings(a, b string) int {
	switch {
	case a < b:
		return -1
	case a > b:
		return 1
	}
	return 0
}

// signedInt writes n with its sign ("+2", "−1", "±0").
func signedInt(n int) string {
	switch {
	case n > 0:
		return "+" + strconv.Itoa(n)
	case n < 0:
		return "−" + strconv.Itoa(-n)
	}
	return "±0"
}
