package web

import (
	"fmt"
	"html/template"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/tradecoach/coach"
	"github.com/tradecoach/coach/bias"
	"github.com/tradecoach/coach/refhost/web/chart"
)

// tradeLabel is one label of a trade as the page explains it.
type tradeLabel struct {
	coach.TagWithDispute
	Name       string
	Why        string // the coach's reflection: what the evidence shows, in plain words
	Definition string
	Version    string
	Evidence   []evidence
}

// tradeData is the trade page's data.
type tradeData struct {
	Trade    coach.Trade
	When     string
	Order    []coach.Trade
	Notional string
	Chart    template.HTML
	Table    template.HTML
	Labels   []tradeLabel
	Notes    []coach.TradeNote
	Reasons  []disputeReason
	TimeZone string
	// Ask is the Coach page with its question box filled in about this trade.
	Ask string
}

// disputeReason is a choice of the dispute form.
type disputeReason struct{ Value, Text string }

var disputeReasons = []disputeReason{
	{coach.DisputePlan, "It followed my plan"},
	{coach.DisputeData, "The data is wrong (the fill, its price or the market)"},
	{coach.DisputeOther, "Another reason (say it in the note)"},
}

// tradePage renders one trade (GET /app/trades/{id}): its fills, the candles around it with the
// fills marked, each label's evidence and why, the trader's disputes and notes.
func (w *Web) tradePage(rq *Request) (View, error) {
	id := rq.PathValue("id")
	var d tradeDetail
	var me coach.User
	err := rq.Parallel(
		func() error { return rq.Get("/trades/"+url.PathEscape(id), &d) },
		func() error { return rq.Get("/me", &me) },
	)
	if err != nil {
		return View{}, err
	}
	loc := me.Location()
	for i := range d.Order { // the fills' and notes' times read in the trader's zone, as the heading's
		d.Order[i].TS = d.Order[i].TS.In(loc)
	}
	for i := range d.Notes {
		d.Notes[i].CreatedAt = d.Notes[i].CreatedAt.In(loc)
	}
	data := tradeData{Trade: d.Trade, When: d.Trade.TS.In(loc).Format("Mon Jan 2 2006, 15:04 MST"), Order: d.Order, Notes: d.Notes,
		Reasons: disputeReasons, Notional: money(d.Trade.Qty.Mul(d.Trade.Price)), TimeZone: loc.String()}
	for _, tag := range d.Tags {
		l := tradeLabel{TagWithDispute: tag, Name: labelName(tag.Label), Why: bias.Reflect(tag.BiasTag)}
		l.Definition = labels[tag.Label].Definition
		l.Version, l.Evidence = readEvidence(tag.Features)
		data.Labels = append(data.Labels, l)
	}
	data.Ask = "/app/coach?q=" + url.QueryEscape(askAbout(d.Trade, data.Labels, loc)) + "#ask"
	c := chart.CandleChart{Frame: chart.Frame{Title: "The market around this trade", Unit: d.Trade.Symbol.Quote(), ID: "candles",
		Location: loc}, Candles: d.Candles}
	for _, f := range d.Order {
		c.Fills = append(c.Fills, chart.Fill{T: f.TS, Price: f.Price.InexactFloat64(), Side: f.Side, Label: strings.ToLower(string(f.Side))})
	}
	if len(d.Candles) > 0 {
		data.Chart, data.Table = chart.Candles(c), chart.Table(chart.CandlesTable(c))
	}
	return View{Template: "trade", Data: data}, nil
}

// tradePost disputes a label, withdraws a dispute, or adds a note, then shows the trade again.
func (w *Web) tradePost(rq *Request) (string, error) {
	id := rq.PathValue("id")
	base := "/trades/" + url.PathEscape(id)
	page := "/app/trades/" + url.PathEscape(id)
	label := rq.Form.Get("label")
	switch rq.Form.Get("action") {
	case "dispute":
		reason := rq.Form.Get("reason")
		if reason == "" {
			return "", fieldErrs{{"reason", "Choose why the label does not fit."}}.err()
		}
		in := map[string]any{"reason": reason, "note": strings.TrimSpace(rq.Form.Get("note")),
			"excludeFromAttribution": rq.Form.Get("exclude") == "on"}
		if err := rq.Send(http.MethodPut, base+"/tags/"+url.PathEscape(label)+"/dispute", in, nil); err != nil {
			return "", err
		}
		return page + "#label-" + url.PathEscape(label), nil
	case "withdraw":
		if err := rq.Send(http.MethodDelete, base+"/tags/"+url.PathEscape(label)+"/dispute", nil, nil); err != nil {
			return "", err
		}
		return page + "#label-" + url.PathEscape(label), nil
	case "note":
		text := strings.TrimSpace(rq.Form.Get("text"))
		if text == "" {
			return "", fieldErrs{{"text", "Write the note first."}}.err()
		}
		if err := rq.Send(http.MethodPost, base+"/notes", map[string]string{"text": text}, nil); err != nil {
			return "", err
		}
		return page + "#notes", nil
	}
	return "", coach.Errorf(coach.EINVALID, "the form asked for nothing this page does")
}

// askAbout is a question about t for the coach's box, naming what the coach matches evidence by:
// the side, the symbol, the day and the labels.
func askAbout(t coach.Trade, labels []tradeLabel, loc *time.Location) string {
	q := fmt.Sprintf("my %s of %s on %s", strings.ToLower(string(t.Side)), t.Symbol, t.TS.In(loc).Format("January 2"))
	if len(labels) == 0 {
		return "What does the evidence say about " + q + "?"
	}
	names := make([]string, len(labels))
	for i, l := range labels {
		names[i] = string(l.Label)
	}
	return "Why was " + q + " labelled " + strings.Join(names, " and ") + "?"
}
