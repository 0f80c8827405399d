package core

import (
	"maps"
	"net/http"
	"slices"
	"time"

	"github.com/shopspring/decimal"

	"github.com/tradecoach/coach/bias"
	"github.com/tradecoach/coach/digest"
	"github.com/tradecoach/coach/ledger"
	"github.com/tradecoach/coach/storage"
	"github.com/tradecoach/coach/transport/httpjson"
)

// dashboard is the series the dashboard draws over a window, bucketed by day, week or month in
// the user's time zone.
type dashboard struct {
	From     time.Time `json:"from"`
	To       time.Time `json:"to"`
	Bucket   string    `json:"bucket"`
	TimeZone string    `json:"timeZone"`
	// PnL is the realized P/L (FIFO, fees included) of each period and quote asset, with Equity
	// the running sum over the window: what closed in the period, whenever it was opened.
	PnL []pnlPoint `json:"pnl"`
	// Labels counts the orders carrying each label in each period (fills of one order count
	// once).
	Labels []labelPoint `json:"labels"`
	// PnLByLabel sums the weekly digests' attribution of realized P/L to each label over the
	// digests whose week starts inside the window, in Quote (the digests' main quote asset).
	PnLByLabel map[string]digest.Bucket `json:"pnlByLabel"`
	Quote      string                   `json:"quote,omitempty"`
}

type pnlPoint struct {
	Period      string          `json:"period"`
	Quote       string          `json:"quote"`
	Closes      int             `json:"closes"`
	PnL         decimal.Decimal `json:"pnl"`
	Fees        decimal.Decimal `json:"fees"`
	Equity      decimal.Decimal `json:"equity"`
	FeesUnknown bool            `json:"feesUnknown,omitempty"`
}

type labelPoint struct {
	Period string         `json:"period"`
	Counts map[string]int `json:"counts"`
}

// maxDashboardWindow bounds the window one request reads.
const maxDashboardWindow = 366 * 24 * time.Hour

// dashboardSeries answers the dashboard's series. Query: from, to (RFC 3339; the last 30 days
// by default), bucket (day, week or month; day by default).
func (a *API) dashboardSeries(r *http.Request, userID string) (int, any, error) {
	ctx := r.Context()
	q := newQuery(r)
	to, from := q.time("to"), q.time("from")
	bucket := q.str("bucket")
	if bucket == "" {
		bucket = "day"
	}
	if err := q.err(); err != nil {
		return fail(err)
	}
	if to.IsZero() {
		to = a.clock.Now().UTC()
	}
	if from.IsZero() {
		from = to.Add(-30 * 24 * time.Hour)
	}
	if !from.Before(to) || to.Sub(from) > maxDashboardWindow {
		return fail(httpjson.Field("from", "want from before to, at most 366 days apart"))
	}
	u, err := a.store.Users().ByID(ctx, userID)
	if err != nil {
		return fail(err)
	}
	loc := u.Location()
	period := map[string]func(*time.Location) func(time.Time) string{
		"day": ledger.DayPeriod, "week": ledger.WeekPeriod, "month": ledger.MonthPeriod}[bucket]
	if period == nil {
		return fail(httpjson.Field("bucket", "want day, week or month"))
	}
	name := period(loc)
	out := dashboard{From: from, To: to, Bucket: bucket, TimeZone: loc.String(), PnL: []pnlPoint{}, Labels: []labelPoint{},
		PnLByLabel: map[string]digest.Bucket{}}

	// Every fill up to the window's end: a position closed in the window may have been opened
	// long before it.
	trades, err := storage.ListAll(ctx, a.store.Trades(), userID, storage.TradeFilter{To: to})
	if err != nil {
		return fail(err)
	}
	res, err := ledger.New(ledger.FIFO).Apply(trades)
	if err != nil && res == nil {
		return fail(err)
	}
	inWindow := &ledger.Result{Method: res.Method, Realized: closedSince(res.Realized, from)}
	equity := map[string]decimal.Decimal{}
	for _, t := range inWindow.ByPeriod(name) {
		equity[t.Quote] = equity[t.Quote].Add(t.PnL)
		out.PnL = append(out.PnL, pnlPoint{Period: t.Period, Quote: t.Quote, Closes: t.Closes, PnL: t.PnL, Fees: t.Fees,
			Equity: equity[t.Quote], FeesUnknown: t.FeesUnknown})
	}

	// Labels per period, an order counted once per label.
	tags, err := a.store.Tags().List(ctx, userID, storage.TagFilter{From: from, To: to})
	if err != nil {
		return fail(err)
	}
	// Trades by id as indices: a map of whole trades would store each one out of line.
	byID := make(map[string]int, len(trades))
	for i := range trades {
		byID[trades[i].ID] = i
	}
	counts := map[string]map[string]int{}
	seen := map[labelOrder]bool{}
	for _, tag := range tags {
		i, ok := byID[tag.TradeID]
		if !ok {
			continue
		}
		t := &trades[i]
		key := labelOrder{tag.Label, bias.OrderKey(*t)}
		if seen[key] {
			continue
		}
		seen[key] = true
		p := name(t.TS)
		if counts[p] == nil {
			counts[p] = map[string]int{}
		}
		counts[p][tag.Label]++
	}
	for _, p := range slices.Sorted(maps.Keys(counts)) {
		out.Labels = append(out.Labels, labelPoint{Period: p, Counts: counts[p]})
	}

	// P/L by label from the weekly digests of the window.
	ds, err := a.store.Digests().List(ctx, userID, 60)
	if err != nil {
		return fail(err)
	}
	for _, d := range ds {
		start := d.PeriodStart.In(loc)
		if start.Before(from) || !start.Before(to) {
			continue
		}
		p, err := digest.ParsePayload(d.Payload)
		if err != nil || (out.Quote != "" && p.Quote != out.Quote) {
			continue // a digest in another quote asset is not added to these figures
		}
		out.Quote = p.Quote
		for label, b := range p.PnLByBias {
			acc := out.PnLByLabel[label]
			acc.Realized = acc.Realized.Add(b.Realized)
			acc.Trades += b.Trades
			acc.Closes += b.Closes
			acc.Excluded += b.Excluded
			out.PnLByLabel[label] = acc
		}
	}
	return ok(out)
}

// labelOrder is a label on one order (bias.OrderKey): the dashboard counts each once.
type labelOrder struct{ label, order string }

// closedSince returns the closing fills of realized that closed at or after from, in their order.
// When they are a tail of realized (the ledger's order is the trades' time order), that tail is
// returned without a copy.
func closedSince(realized []ledger.Realized, from time.Time) []ledger.Realized {
	i := 0
	for i < len(realized) && realized[i].ClosedAt.Before(from) {
		i++
	}
	n := 0
	for k := i; k < len(realized); k++ {
		if !realized[k].ClosedAt.Before(from) {
			n++
		}
	}
	if n == 0 {
		return nil
	}
	if n == len(realized)-i {
		return realized[i:len(realized):len(realized)]
	}
	out := make([]ledger.Realized, 0, n)
	for k := i; k < len(realized); k++ {
		if !realized[k].ClosedAt.Before(from) {
			out = append(out, realized[k])
		}
	}
	return out
}
