package digest

import (
	"slices"
	"strconv"
	"time"

	"github.com/shopspring/decimal"

	"github.com/tradecoach/coach"
	"github.com/tradecoach/coach/bias"
	"github.com/tradecoach/coach/ledger"
	"github.com/tradecoach/coach/rules"
)

// Input is everything Build reads, as values.
type Input struct {
	// User gives the time zone (User.Location) of the days and the week, and the reporting
	// currency (User.Currency) Converter must convert into.
	User coach.User
	// Week is the ISO week of the digest.
	Week Week
	// Trades are the user's fills up to the end of the week: the week's own and every earlier one
	// (the FIFO lots a week's sell closes may have been opened long before). Later fills are
	// ignored. They may come in any order.
	Trades []coach.Trade
	// Tags are the bias tags of those trades (TradeID is the trade's ID, or its ExtID when it has
	// none). Tags of earlier trades matter: a FOMO buy of last week is charged with the P/L its
	// position realized this week. Tags of unknown trades are ignored, and so are stored
	// DISPOSITION and LOSS_CHASING tags: those are account effects, read from Windows.
	Tags []coach.BiasTag
	// Disputes are the trader's disputes of those tags. One with ExcludeFromAttribution takes its
	// trade out of its label's P/L attribution: the trade still counts for the label
	// (CountsByBias, Bucket.Trades, Bucket.Excluded), but the P/L of its lots is attributed as if
	// it did not carry the label (to its other labels, or to Unlabelled when it has none). Other
	// disputes change nothing. Disputes of unknown trades or labels are ignored.
	Disputes []coach.TagDispute
	// Rules is the evaluation of the user's rules over Trades (rules.Evaluate), or nil when the
	// user has no rules. Verdicts decided after the week are ignored.
	Rules *rules.Evaluation
	// Simulations are what-if results for the week, for the suggestion to cite.
	Simulations []SimOutcome
	// Windows are the user's account windows (bias.AccountWindow, from AccountSource): the
	// last month among them that ended by the end of the week is Payload.Account. Nil leaves
	// Payload.Account out.
	Windows []bias.AccountWindow
	// Previous is the previous week's payload, for VsPreviousWeek; nil for none.
	Previous *Payload
	// Converter, when set, converts the week's money into the user's reporting currency
	// (Payload.InCurrency); its Currency must be User.Currency(). Nil leaves InCurrency out.
	Converter *ledger.Converter
}

// SimOutcome is one what-if simulation result, as a value: package sim computes them and digest
// does not import it. From a sim.Result over the week, a host makes one SimOutcome per entry of
// its PnL: {Scenario.Kind, Scenario.Label, PnL.Delta.Total, PnL.Quote}.
type SimOutcome struct {
	// Scenario names the simulation, e.g. "skipLabel".
	Scenario string
	// Label is the bias label the scenario is about ("" when none).
	Label string
	// Delta is the scenario's P/L minus the actual P/L over the week: positive when the scenario
	// would have done better.
	Delta decimal.Decimal
	// Quote is the asset of Delta; "" means the digest's quote asset. An outcome in another
	// asset is not cited.
	Quote string
}

// Build makes the weekly digest of in.Week. It is pure and deterministic: the same Input gives
// the same Payload, whatever order the trades and tags come in.
//
// Realized P/L comes from ledger.New(ledger.FIFO) over all of in.Trades up to the end of the
// week; a close belongs to the week of its fill. See Bucket for how P/L is attributed to labels,
// and Suggestion for how the suggestion is chosen.
//
// Errors: EINVALID for a week its year does not have, or trades of more than one user or that
// the ledger rejects as a whole.
func Build(in Input) (Payload, error) {
	if !in.Week.Valid() {
		return Payload{}, coach.Errorf(coach.EINVALID, "digest: week %s: not a week its year has", in.Week)
	}
	if in.Converter != nil && in.Converter.Currency() != in.User.Currency() {
		return Payload{}, coach.Errorf(coach.EINVALID, "digest: converter: currency %s is not the user's reporting currency %s", in.Converter.Currency(), in.User.Currency())
	}
	loc := in.User.Location()
	start, end := in.Week.Start(loc), in.Week.End(loc)
	tz := in.User.TimeZone
	if tz == "" || loc == time.UTC {
		tz = "UTC"
	}
	p := Payload{
		V: PayloadVersion, Week: in.Week.String(), TimeZone: tz,
		PeriodStart: in.Week.Monday(), PeriodEnd: in.Week.Sunday(),
		CountsByBias: map[string]int{}, PnLByBias: map[string]Bucket{},
		RuleViolations: []Violation{}, DataQuality: DataQuality{Reasons: []string{}},
	}

	hist := in.Trades // the trades up to the end of the week; copied only when some are later
	for i := range in.Trades {
		if !in.Trades[i].TS.Before(end) {
			hist = make([]coach.Trade, 0, len(in.Trades))
			for j := range in.Trades {
				if in.Trades[j].TS.Before(end) {
					hist = append(hist, in.Trades[j])
				}
			}
			break
		}
	}
	res, err := ledger.New(ledger.FIFO).Apply(hist)
	if res == nil {
		return Payload{}, err
	}

	labels := labelIndex(in.Tags)
	labelsOf := func(key string) []string { return labels[key] }
	attrOf := attributionOf(labels, in.Disputes) // labelsOf less the labels excluded from attribution

	// The week's trades: counts, days, fees.
	weekKeys := make(map[string]bool)
	quotes := map[string]int{}
	for i := range hist {
		if t := &hist[i]; !t.TS.Before(start) {
			weekKeys[t.Ref()] = true
			quotes[t.Symbol.Quote()]++
		}
	}
	p.Quote = mainQuote(quotes)
	p.Days = make([]Day, 7)
	for d := range p.Days {
		p.Days[d].Date = p.PeriodStart.AddDays(d)
	}
	labelDays := map[string]map[int]bool{}
	fillsByBias := map[string]int{}
	orderLabels := map[string]bool{} // (order, label) pairs counted: labels count once per order
	for i := range hist {
		t := &hist[i]
		if t.TS.Before(start) {
			continue
		}
		day := dayIndex(p.PeriodStart, t.TS.In(loc))
		p.TradeCount++
		p.Days[day].Trades++
		ls := labelsOf(t.Ref())
		if len(ls) == 0 {
			p.Unlabelled.Trades++
		} else {
			p.Labelled.Trades++
		}
		order := bias.OrderKey(*t)
		for _, l := range ls {
			fillsByBias[l]++
			if k := order + "\x00" + l; !orderLabels[k] {
				orderLabels[k] = true
				p.CountsByBias[l]++
			}
			if labelDays[l] == nil {
				labelDays[l] = map[int]bool{}
			}
			labelDays[l][day] = true
		}
		if t.Symbol.Quote() != p.Quote {
			p.DataQuality.OtherQuoteTrades++
			continue
		}
		p.Fees = p.Fees.Add(weekFee(t, &p.DataQuality))
	}
	for _, d := range p.Days {
		if d.Trades > 0 {
			p.ActiveDays++
		}
	}
	for l, n := range fillsByBias {
		b := p.PnLByBias[l]
		b.Trades = n
		p.PnLByBias[l] = b
	}

	// What the ledger could not account for.
	skipped := map[string]bool{}
	for _, e := range res.Errors {
		if e.Skipped {
			skipped[e.TradeID] = true
		}
		if weekKeys[e.TradeID] {
			p.DataQuality.LedgerErrors++
		}
	}
	for _, u := range res.Uncovered {
		if weekKeys[u.TradeID] {
			p.DataQuality.UncoveredSells++
		}
	}

	// Realized P/L of the week's closes, and its attribution.
	var closes []*ledger.Realized
	want := map[string]bool{}
	for i := range res.Realized {
		r := &res.Realized[i]
		if !weekKeys[r.TradeID] {
			continue
		}
		want[r.TradeID] = true // every quote asset's: InCurrency attributes them all
		if r.Symbol.Quote() == p.Quote {
			closes = append(closes, r)
		}
	}
	parts := traceLots(hist, skipped, want)
	var portions []portion
	for _, r := range closes {
		p.Closes++
		p.Realized = p.Realized.Add(r.PnL)
		day := dayIndex(p.PeriodStart, r.ClosedAt.In(loc))
		p.Days[day].Realized = p.Days[day].Realized.Add(r.PnL)
		var ok bool
		portions, ok = split(portions, r, parts[r.TradeID], attrOf)
		if !ok {
			p.DataQuality.UnattributedCloses++
		}
		p.attribute(portions)
	}
	cum := decimal.Zero
	for d := range p.Days {
		cum = cum.Add(p.Days[d].Realized)
		p.Days[d].Cumulative = cum
	}

	if in.Converter != nil {
		p.InCurrency = currencyFigures(in.Converter, res, hist, weekKeys, parts, attrOf, fillsByBias, p.Labelled.Trades, p.Unlabelled.Trades)
	}

	p.noteExclusions(hist, start, labelsOf, attrOf)

	var ruleDays map[string]int
	if in.Rules != nil {
		p.RuleViolations, ruleDays = violations(in.Rules, start, end, loc)
		e := in.Rules
		for i := range e.Verdicts {
			if !e.Verdicts[i].At.Before(end) { // decided after the week: leave it out
				e = e.Window(time.Time{}, end)
				break
			}
		}
		s := streaksOf(rules.Streaks(e, loc))
		p.Streaks = &s
	}
	p.DataQuality.Insufficient, p.DataQuality.Reasons = thin(p.TradeCount, p.ActiveDays)
	if in.Previous != nil {
		c := compare(&p, in.Previous)
		p.VsPreviousWeek = &c
	}
	p.Suggestion = chooseSuggestion(&p, labelDays, ruleDays, in.Simulations)
	if in.Windows != nil {
		p.Account = accountMonth(in.Windows, end, tz)
	}
	return p, nil
}

// attribute adds each portion to the buckets of its labels (a close counted once per bucket),
// and to Labelled or Unlabelled.
func (p *Payload) attribute(portions []portion) {
	var seen []string
	labelled, unlabelled := false, false
	for _, q := range portions {
		if len(q.labels) == 0 {
			p.Unlabelled.Realized = p.Unlabelled.Realized.Add(q.pnl)
			unlabelled = true
			continue
		}
		p.Labelled.Realized = p.Labelled.Realized.Add(q.pnl)
		labelled = true
		for _, l := range q.labels {
			b := p.PnLByBias[l]
			b.Realized = b.Realized.Add(q.pnl)
			if !slices.Contains(seen, l) {
				seen = append(seen, l)
				b.Closes++
			}
			p.PnLByBias[l] = b
		}
	}
	if labelled {
		p.Labelled.Closes++
	}
	if unlabelled {
		p.Unlabelled.Closes++
	}
}

// labelIndex maps each trade key to its labels, sorted and without repeats.
func labelIndex(tags []coach.BiasTag) map[string][]string {
	m := make(map[string][]string)
	for _, g := range tags {
		if g.Label == "" || retired(g.Label) {
			continue
		}
		ls := m[g.TradeID]
		if !slices.Contains(ls, g.Label) {
			m[g.TradeID] = append(ls, g.Label)
		}
	}
	for k := range m {
		slices.Sort(m[k])
	}
	return m
}

// mainQuote returns the quote asset with the most trades, alphabetically first among equals; ""
// when there are none.
func mainQuote(counts map[string]int) string {
	best, n := "", 0
	for q, c := range counts {
		if c > n || c == n && q < best {
			best, n = q, c
		}
	}
	return best
}

// dayIndex returns the day of the week (0 = Monday) of local time t in the week starting monday.
func dayIndex(monday coach.Date, t time.Time) int {
	d := coach.DateOf(t).In(time.UTC)
	return min(max(int(d.Sub(monday.In(time.UTC))/(24*time.Hour)), 0), 6)
}

// weekFee returns t's fee in its quote asset: a quote-asset fee as it is, a base-asset fee at the
// fill price. A null fee or one in a third asset counts zero and is noted in q.
func weekFee(t *coach.Trade, q *DataQuality) decimal.Decimal {
	switch {
	case !t.Fee.Valid:
		q.UnknownFees++
		return decimal.Zero
	case t.Fee.Decimal.IsZero():
		return decimal.Zero
	case t.FeeAsset == t.Symbol.Quote():
		return t.Fee.Decimal
	case t.FeeAsset == t.Symbol.Base():
		return t.Fee.Decimal.Mul(t.Price)
	}
	q.UnvaluedFees++
	return decimal.Zero
}

// thin says whether a week is too thin for trend language, and why.
func thin(trades, activeDays int) (bool, []string) {
	reasons := []string{}
	switch {
	case trades == 0:
		reasons = append(reasons, "no trades this week")
	case activeDays < 2:
		reasons = append(reasons, "trades on only one day")
	}
	if trades > 0 && trades < bias.MinTrendEvents {
		reasons = append(reasons, "fewer than "+strconv.Itoa(bias.MinTrendEvents)+" trades")
	}
	return len(reasons) > 0, reasons
}
