package web

import (
	"encoding/json"
	"html/template"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/shopspring/decimal"

	"github.com/tradecoach/coach"
	"github.com/tradecoach/coach/refhost/web/chart"
	"github.com/tradecoach/coach/sim"
	"github.com/tradecoach/coach/transport/httpjson"
)

// The Simulations page: pick a what-if scenario and a window, submit it (core queues it; the
// page of the run shows it pending until simulation.ready, which static/simulation.js listens for
// to reload it), list past runs, and show one run's actual against counterfactual equity and the
// difference.

// maxChanges is the most changed trades a run's page lists.
const maxChanges = 50

// simRun is a run in the list.
type simRun struct {
	ID, Title, Status, StatusText, When string
}

// simulationsData is the list page's data: the form and past runs.
type simulationsData struct {
	Form     formFields
	Labels   []labelChoice
	Runs     []simRun
	Today    string
	MonthAgo string
}

// labelChoice is a label in the scenario's select.
type labelChoice struct{ Value, Name string }

// simPnL is one quote asset's figures.
type simPnL struct {
	Quote                         string
	Actual, Counterfactual, Delta amount
	FeesUnknown                   bool
}

// simChange is one trade the scenario changed.
type simChange struct {
	TradeID, Symbol, Change, Detail string
	// Link says TradeID is a trade of the app (not a broker's id), with a page.
	Link bool
}

// simulationData is one run's page.
type simulationData struct {
	Run        simRun
	Pending    bool
	Failed     string
	From, To   string
	PnL        []simPnL
	Charts     []template.HTML
	Changes    []simChange
	MoreChange int
	Trades     int
	Labelled   int
}

// scenarioTitle says a scenario in words.
func scenarioTitle(s sim.Scenario) string {
	switch s.Kind {
	case sim.KindSkipLabel:
		return "Without the " + biasName(s.Label) + " buys"
	case sim.KindNoRevenge:
		return "Without the revenge trades"
	case sim.KindHoldInstead:
		switch s.Until {
		case sim.UntilNCandles:
			return "Holding instead of the " + biasName(s.Label) + " sells, for " + strconv.Itoa(s.N) + " candles"
		case sim.UntilNextSell:
			return "Holding instead of the " + biasName(s.Label) + " sells, until the next sell"
		}
		return "Holding instead of the " + biasName(s.Label) + " sells, to the end"
	case sim.KindFollowRule:
		t := "Following your rules"
		if s.StopLossPct > 0 {
			t += ", stop loss " + strconv.FormatFloat(s.StopLossPct, 'f', -1, 64) + "%"
		}
		if s.TakeProfitPct > 0 {
			t += ", take profit " + strconv.FormatFloat(s.TakeProfitPct, 'f', -1, 64) + "%"
		}
		return t
	}
	return "A simulation"
}

// statusText says a run's status in words.
var statusText = map[string]string{
	coach.SimulationQueued: "Waiting to run", coach.SimulationRunning: "Running",
	coach.SimulationDone: "Ready", coach.SimulationFailed: "Could not run",
}

// runOf is a run as the list shows it.
func runOf(r coach.SimulationRun, loc *time.Location) simRun {
	var req sim.Request
	_ = json.Unmarshal(r.Params, &req)
	return simRun{ID: r.ID, Title: scenarioTitle(req.Scenario), Status: r.Status, StatusText: statusText[r.Status], When: stamp(r.CreatedAt, loc)}
}

// simulationsPage renders the form and the past runs.
func (w *Web) simulationsPage(rq *Request) (View, error) {
	loc, _ := rq.userLocation()
	var list struct {
		Runs []coach.SimulationRun `json:"runs"`
	}
	if err := rq.Get("/simulations?limit=20", &list); err != nil {
		return View{}, err
	}
	now := time.Now().In(loc)
	d := simulationsData{Form: formState(rq, "simulate"), Today: now.Format(time.DateOnly), MonthAgo: now.AddDate(0, 0, -30).Format(time.DateOnly)}
	if rq.Form.Get("form") == "" && len(rq.Errors) > 0 { // posted without the form field: show its errors anyway
		d.Form = formFields{Values: map[string]string{}, Errors: rq.Errors}
	}
	for _, l := range perTradeLabels {
		d.Labels = append(d.Labels, labelChoice{Value: l, Name: biasName(l)})
	}
	for _, r := range list.Runs {
		d.Runs = append(d.Runs, runOf(r, loc))
	}
	return View{Template: "simulations", Data: d}, nil
}

// simFields maps core's request paths to the form's fields.
var simFields = map[string]string{
	"scenario.kind": "kind", "kind": "kind", "scenario.label": "label", "label": "label", "scenario.until": "until",
	"until": "until", "scenario.n": "n", "n": "n", "scenario.stopLossPct": "stopLossPct", "stopLossPct": "stopLossPct",
	"scenario.takeProfitPct": "takeProfitPct", "takeProfitPct": "takeProfitPct", "from": "from", "to": "to",
	"fees.slippageBps": "slippageBps", "slippageBps": "slippageBps", "interval": "interval",
}

// simulationsPost submits the scenario of the form (POST /simulations/simple) and goes to the
// run's page.
func (w *Web) simulationsPost(rq *Request) (string, error) {
	loc, _ := rq.userLocation()
	req, err := simRequest(rq.Form, loc)
	if err != nil {
		return "", err
	}
	var run coach.SimulationRun
	if err := rq.Send("POST", "/simulations/simple", req, &run); err != nil {
		return "", formInvalid(err, simFields)
	}
	return "/app/simulations/" + url.PathEscape(run.ID), nil
}

// simRequest reads the form as a simulation request; a field that cannot be read is an error in
// plain words.
func simRequest(f url.Values, loc *time.Location) (sim.Request, error) {
	var errs httpjson.FieldErrors
	bad := func(field, msg string) { errs = append(errs, httpjson.FieldError{Field: field, Message: msg}) }
	num := func(field string) float64 {
		v := strings.TrimSpace(f.Get(field))
		if v == "" {
			return 0
		}
		x, err := strconv.ParseFloat(v, 64)
		if err != nil {
			bad(field, "Enter a number.")
		}
		return x
	}
	date := func(field string) time.Time {
		t, err := time.ParseInLocation(time.DateOnly, strings.TrimSpace(f.Get(field)), loc)
		if err != nil {
			bad(field, "Enter a date such as 2026-11-30.")
		}
		return t
	}
	var r sim.Request
	s := &r.Scenario
	s.Kind = f.Get("kind")
	switch s.Kind {
	case sim.KindSkipLabel:
		s.Label = f.Get("label")
	case sim.KindHoldInstead:
		s.Label, s.Until = f.Get("label"), f.Get("until")
		if s.Until == sim.UntilNCandles {
			s.N = int(num("n"))
		}
	case sim.KindFollowRule:
		s.StopLossPct, s.TakeProfitPct = num("stopLossPct"), num("takeProfitPct")
	case sim.KindNoRevenge:
	default:
		bad("kind", "Choose a scenario.")
	}
	r.From = date("from")
	r.To = date("to").AddDate(0, 0, 1) // the last day is included
	slip := num("slippageBps")
	r.Fees.SlippageBps = decimal.NewFromFloat(slip)
	if len(errs) > 0 {
		return sim.Request{}, errs
	}
	if !r.From.Before(r.To) {
		return sim.Request{}, httpjson.FieldErrors{{Field: "to", Message: "The last day must not be before the first."}}
	}
	return r, nil
}

// simulationPage renders one run: pending, failed, or its figures and equity curves.
func (w *Web) simulationPage(rq *Request) (View, error) {
	loc, _ := rq.userLocation()
	id := rq.PathValue("id")
	if !coach.ValidID(id) {
		return View{}, errNotFound
	}
	var run coach.SimulationRun
	if err := rq.Get("/simulations/"+url.PathEscape(id), &run); err != nil {
		return View{}, err
	}
	d := simulationData{Run: runOf(run, loc), Pending: !run.Final()}
	var req sim.Request
	if json.Unmarshal(run.Params, &req) == nil {
		// The form's last day is included: the window ends at the start of the day after it.
		d.From, d.To = req.From.In(loc).Format("Mon 2 Jan 2006"), req.To.Add(-time.Nanosecond).In(loc).Format("Mon 2 Jan 2006")
	}
	if run.Status == coach.SimulationFailed {
		d.Failed = "The simulation could not run."
		if run.Error != nil && run.Error.Code == string(coach.EINVALID) {
			d.Failed += " " + sentence(run.Error.Message)
		} else {
			d.Failed += " Try again, perhaps with a shorter window."
		}
	}
	if run.Status == coach.SimulationDone && len(run.Result) > 0 {
		var res sim.Result
		if err := json.Unmarshal(run.Result, &res); err != nil {
			return View{}, coach.WrapError(coach.EINTERNAL, err, "web: simulation %s: result", run.ID)
		}
		fillResult(&d, res, loc)
	}
	return View{Template: "simulation", Data: d}, nil
}

// fillResult adds a finished run's figures, charts and changes to d.
func fillResult(d *simulationData, res sim.Result, loc *time.Location) {
	d.Trades, d.Labelled = res.Data.Trades, res.Data.Labelled
	for _, p := range res.PnL {
		d.PnL = append(d.PnL, simPnL{Quote: p.Quote, Actual: moneyOf(p.Actual.Total, p.Quote), Counterfactual: moneyOf(p.Counterfactual.Total, p.Quote),
			Delta: moneyOf(p.Delta.Total, p.Quote), FeesUnknown: p.Actual.FeesUnknown || p.Counterfactual.FeesUnknown})
	}
	for i, c := range res.Equity {
		lc := chart.LineChart{Frame: chart.Frame{Title: "Equity in " + c.Quote + ": actual and " + strings.ToLower(d.Run.Title[:1]) + d.Run.Title[1:],
			YLabel: "P/L since the start", Unit: c.Quote, ID: "equity-" + strconv.Itoa(i), Location: loc}, ZeroLine: true}
		actual := chart.Series{Name: "Actual", Class: "actual"}
		counter := chart.Series{Name: "What if", Class: "counterfactual"}
		for _, p := range c.Points {
			actual.Points = append(actual.Points, chart.Point{T: p.At, V: p.Actual})
			counter.Points = append(counter.Points, chart.Point{T: p.At, V: p.Counterfactual})
		}
		lc.Series = []chart.Series{actual, counter}
		d.Charts = append(d.Charts, chart.Line(lc)+chart.Table(chart.LineTable(lc)))
	}
	for i, c := range res.Changes {
		if i == maxChanges {
			d.MoreChange = len(res.Changes) - maxChanges
			break
		}
		d.Changes = append(d.Changes, simChange{TradeID: c.TradeID, Symbol: string(c.Symbol), Change: c.Change, Detail: c.Detail,
			Link: coach.ValidID(c.TradeID)})
	}
}
