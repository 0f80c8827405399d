package web

import (
	"html/template"
	"net/url"
	"slices"
	"sort"
	"time"

	"github.com/shopspring/decimal"

	"github.com/tradecoach/coach"
	"github.com/tradecoach/coach/bias"
	"github.com/tradecoach/coach/digest"
	"github.com/tradecoach/coach/refhost/web/chart"
	"github.com/tradecoach/coach/rules"
)

// dashboardDays is the window the dashboard shows.
const dashboardDays = 30

// recentTrades is how many of the latest trades the dashboard lists with their labels.
const recentTrades = 8

// dashboardSeries is core's GET /dashboard answer.
type dashboardSeries struct {
	From     time.Time `json:"from"`
	To       time.Time `json:"to"`
	TimeZone string    `json:"timeZone"`
	PnL      []struct {
		Period      string          `json:"period"`
		Quote       string          `json:"quote"`
		Closes      int             `json:"closes"`
		PnL         decimal.Decimal `json:"pnl"`
		Fees        decimal.Decimal `json:"fees"`
		Equity      decimal.Decimal `json:"equity"`
		FeesUnknown bool            `json:"feesUnknown"`
	} `json:"pnl"`
	Labels []struct {
		Period string         `json:"period"`
		Counts map[string]int `json:"counts"`
	} `json:"labels"`
	PnLByLabel map[string]digest.Bucket `json:"pnlByLabel"`
	Quote      string                   `json:"quote"`
}

// tradeDetail is core's GET /trades/{id} answer.
type tradeDetail struct {
	Trade   coach.Trade            `json:"trade"`
	Order   []coach.Trade          `json:"order"`
	Tags    []coach.TagWithDispute `json:"tags"`
	Notes   []coach.TradeNote      `json:"notes"`
	Candles []coach.Candle         `json:"candles"`
}

// quoteTotal is one quote asset's realized P/L over the window.
type quoteTotal struct {
	Quote  string
	PnL    decimal.Decimal
	Fees   decimal.Decimal
	Closes int
}

// recentRow is a recent trade with its labels.
type recentRow struct {
	Trade    coach.Trade
	When     string
	Labels   []coach.TagWithDispute
	Notional decimal.Decimal
}

// dashboardData is the dashboard template's data.
type dashboardData struct {
	Empty       bool // no broker connected and no trade: say how to start
	Days        int
	Totals      []quoteTotal
	Equity      template.HTML
	EquityTable template.HTML
	ByLabel     template.HTML
	ByLabelNote string
	ByLabelTab  template.HTML
	Mix         template.HTML
	MixTable    template.HTML
	Recent      []recentRow
	Streaks     rules.StreakReport
	RuleCount   int
	Account     *bias.AccountWindow
}

// dashboardPage renders the dashboard (GET /app): P/L and equity, P/L by label, the labels over
// time, the latest trades with their labels, streaks and rule status, and the account effects.
func (w *Web) dashboardPage(rq *Request) (View, error) {
	now := w.cfg.Clock.Now().UTC()
	from := now.AddDate(0, 0, -dashboardDays)
	var (
		series  dashboardSeries
		report  rules.Report
		account struct {
			Windows []bias.AccountWindow `json:"windows"`
		}
		conns struct {
			Connections []coach.BrokerConnection `json:"connections"`
		}
		recent []coach.Trade
	)
	q := url.Values{"from": {from.Format(time.RFC3339)}, "to": {now.Format(time.RFC3339)}, "bucket": {"day"}}
	err := rq.Parallel(
		func() error { return rq.Get("/dashboard?"+q.Encode(), &series) },
		func() error {
			return rq.Get("/rules/evaluation?"+url.Values{"from": {from.Format(time.RFC3339)}}.Encode(), &report)
		},
		func() error { return rq.Get("/account/metrics", &account) },
		func() error { return rq.Get("/brokers/connections", &conns) },
		func() (err error) { recent, err = latestTrades(rq, now, recentTrades); return err },
	)
	if err != nil {
		return View{}, err
	}
	d := dashboardData{Days: dashboardDays, Streaks: report.Streaks}
	if report.Evaluation != nil {
		d.RuleCount = len(report.Evaluation.Rules)
	}
	if len(conns.Connections) == 0 && len(recent) == 0 {
		d.Empty = true
		return View{Template: "dashboard", Data: d}, nil
	}
	if n := len(account.Windows); n > 0 {
		d.Account = &account.Windows[n-1]
	}
	loc, err := time.LoadLocation(series.TimeZone)
	if err != nil {
		loc = time.UTC
	}
	d.Totals, d.Equity, d.EquityTable = equityOf(series, loc)
	d.ByLabel, d.ByLabelTab, d.ByLabelNote = byLabelOf(series)
	d.Mix, d.MixTable = mixOf(series, loc)
	if d.Recent, err = recentRows(rq, recent, loc); err != nil {
		return View{}, err
	}
	return View{Template: "dashboard", Data: d}, nil
}

// latestTrades returns up to n of the user's latest fills, newest first, widening the window
// until it has them (core lists oldest first).
func latestTrades(rq *Request, now time.Time, n int) ([]coach.Trade, error) {
	for _, days := range []int{1, 7, 30, 365} {
		var page struct {
			Trades []coach.Trade `json:"trades"`
			Next   string        `json:"next"`
		}
		var all []coach.Trade
		q := url.Values{"from": {now.AddDate(0, 0, -days).Format(time.RFC3339)}, "limit": {"1000"}}
		for {
			if err := rq.Get("/trades?"+q.Encode(), &page); err != nil {
				return nil, err
			}
			all = append(all, page.Trades...)
			if len(all) > n {
				all = all[len(all)-n:] // only the latest n are kept
			}
			if page.Next == "" {
				break
			}
			q.Set("after", page.Next)
			page.Next = ""
		}
		if len(all) >= n || days == 365 {
			slices.Reverse(all)
			return all, nil
		}
	}
	return nil, nil
}

// recentRows reads the labels of each recent trade (one call each, at once).
func recentRows(rq *Request, trades []coach.Trade, loc *time.Location) ([]recentRow, error) {
	rows := make([]recentRow, len(trades))
	calls := make([]func() error, len(trades))
	for i, t := range trades {
		rows[i] = recentRow{Trade: t, When: when(t.TS, loc), Notional: t.Qty.Mul(t.Price)}
		calls[i] = func() error {
			var d tradeDetail
			if err := rq.Get("/trades/"+url.PathEscape(t.ID), &d); err != nil {
				return err
			}
			for _, tag := range d.Tags {
				if tag.TradeID == t.ID {
					rows[i].Labels = append(rows[i].Labels, tag)
				}
			}
			return nil
		}
	}
	return rows, rq.Parallel(calls...)
}

// equityOf sums each quote asset's P/L and draws the equity curve of each.
func equityOf(s dashboardSeries, loc *time.Location) ([]quoteTotal, template.HTML, template.HTML) {
	byQuote := map[string]*quoteTotal{}
	points := map[string][]chart.Point{}
	var quotes []string
	for _, p := range s.PnL {
		t := byQuote[p.Quote]
		if t == nil {
			t = &quoteTotal{Quote: p.Quote}
			byQuote[p.Quote] = t
			quotes = append(quotes, p.Quote)
		}
		t.PnL, t.Fees, t.Closes = t.PnL.Add(p.PnL), t.Fees.Add(p.Fees), t.Closes+p.Closes
		day, err := time.ParseInLocation(time.DateOnly, p.Period, loc)
		if err != nil {
			continue
		}
		points[p.Quote] = append(points[p.Quote], chart.Point{T: day, V: p.Equity.InexactFloat64()})
	}
	sort.Strings(quotes)
	totals := make([]quoteTotal, 0, len(quotes))
	c := chart.LineChart{Frame: chart.Frame{Title: "Realized P/L, running total", YLabel: "Equity", ID: "equity", Location: loc},
		ZeroLine: true, Markers: true}
	for _, q := range quotes {
		totals = append(totals, *byQuote[q])
		c.Series = append(c.Series, chart.Series{Name: q, Points: points[q]})
	}
	if len(quotes) == 1 {
		c.Unit = quotes[0]
	}
	if len(c.Series) == 0 {
		return totals, "", ""
	}
	return totals, chart.Line(c), chart.Table(chart.LineTable(c))
}

// byLabelOf draws the realized P/L the weekly digests attribute to each label.
func byLabelOf(s dashboardSeries) (template.HTML, template.HTML, string) {
	if len(s.PnLByLabel) == 0 {
		return "", "", ""
	}
	keys := make([]string, 0, len(s.PnLByLabel))
	for k := range s.PnLByLabel {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	c := chart.BarsChart{Frame: chart.Frame{Title: "Realized P/L by label", Unit: s.Quote, ID: "bylabel"}, Decimals: 2}
	for _, k := range keys {
		c.Bars = append(c.Bars, chart.Bar{Label: shortLabel(k), Value: s.PnLByLabel[k].Realized.InexactFloat64()})
	}
	note := "From your weekly digests of the last " + itoa(dashboardDays) + " days: the realized P/L of the positions each label's trades closed, in " + s.Quote + "."
	return chart.Bars(c), chart.Table(chart.BarsTable(c)), note
}

// mixOf draws how many orders carried each label, day by day.
func mixOf(s dashboardSeries, loc *time.Location) (template.HTML, template.HTML) {
	if len(s.Labels) == 0 {
		return "", ""
	}
	seen := map[string]bool{}
	var keys []string
	for _, p := range s.Labels {
		for k := range p.Counts {
			if !seen[k] {
				seen[k] = true
				keys = append(keys, k)
			}
		}
	}
	sort.Strings(keys)
	c := chart.StackedChart{Frame: chart.Frame{Title: "Labels per day", Unit: "orders", ID: "mix", Location: loc}}
	for _, k := range keys {
		c.Keys = append(c.Keys, shortLabel(k))
	}
	for _, p := range s.Labels {
		b := chart.Bucket{Label: p.Period}
		if day, err := time.Parse(time.DateOnly, p.Period); err == nil {
			b.Label = day.Format("Jan 2")
		}
		for _, k := range keys {
			b.Values = append(b.Values, float64(p.Counts[k]))
		}
		c.Buckets = append(c.Buckets, b)
	}
	return chart.Stacked(c), chart.Table(chart.StackedTable(c))
}
