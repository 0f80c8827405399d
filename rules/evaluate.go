package rules

import (
	"slices"
	"time"

	"github.com/tradecoach/coach"
	"github.com/tradecoach/coach/ledger"
)

// Evaluate judges each trade against each active rule (an inactive rule gives no verdicts);
// each Params type's doc comment says which trades its kind applies to and when it is broken.
// Days and wall-clock times are those of loc, the user's time zone (nil means UTC). The trades
// must all be one user's; they are judged in the trade order (TS, Broker, ExtID, ID) whatever
// order they are given in, and are not modified. Realized P/L is the FIFO ledger's
// (ledger.New(ledger.FIFO)); a fill the ledger cannot take gives its sell no stop-loss
// decision (undecided, "noEntry"). Candles are read only for the symbols traded.
//
// Errors: EINVALID for a rule without Params or with Params out of range, two rules with the
// same ID (the empty ID included: verdicts and streaks name rules by ID), or trades of more
// than one user.
func Evaluate(trades []coach.Trade, candles CandleSeries, rules []Rule, loc *time.Location) (*Evaluation, error) {
	if loc == nil {
		loc = time.UTC
	}
	e := &evaluator{trades: trades, candles: candles, loc: loc}
	if err := e.compile(rules); err != nil {
		return nil, err
	}
	for i := range trades {
		if trades[i].UserID != trades[0].UserID {
			return nil, coach.Errorf(coach.EINVALID, "rules: trades of more than one user")
		}
	}
	out := &Evaluation{Rules: make([]RuleRef, len(e.rules)), Trades: len(trades)}
	for i, r := range e.rules {
		out.Rules[i] = r.ref
	}
	e.out = out
	if len(e.rules) == 0 || len(trades) == 0 {
		out.Verdicts = []Verdict{}
		return out, nil
	}
	if e.needLedger {
		res, err := ledger.New(ledger.FIFO).Apply(trades)
		if res == nil {
			return nil, err
		}
		e.ledger = res
	}
	e.frames = make(map[coach.Symbol]*frame)
	out.Verdicts = make([]Verdict, 0, e.capacity())
	out.seq = make([]int32, 0, cap(out.Verdicts))
	order := tradeOrder(trades)
	for k := range trades {
		i := k
		if order != nil {
			i = int(order[k])
		}
		e.step(int32(k), &trades[i])
	}
	e.finish()
	return out, nil
}

// capacity returns how many verdicts the trades can get: the exact number unless a buy holds
// nothing (then fewer).
func (e *evaluator) capacity() int {
	buys, sells := 0, 0
	for i := range e.trades {
		switch e.trades[i].Side {
		case coach.Buy:
			buys++
		case coach.Sell:
			sells++
		}
	}
	n := 0
	for i := range e.rules {
		switch r := &e.rules[i]; r.kind {
		case kAvoidSpike, kCooldown:
			n += buys
		case kMaxTradesPerDay, kWindow:
			n += len(e.trades)
		case kStopLoss:
			n += buys + sells
		case kMaxNotional:
			for j := range e.trades {
				if t := &e.trades[j]; t.Side == coach.Buy && t.Symbol.Quote() == r.quote {
					n++
				}
			}
		}
	}
	return n
}

// evaluator is the state of one Evaluate call.
type evaluator struct {
	trades  []coach.Trade
	candles CandleSeries
	loc     *time.Location
	rules   []compiled
	out     *Evaluation
	ev      evidence

	needLocal, needLedger, needLots bool

	ledger   *ledger.Result
	realized int // the next unmatched entry of ledger.Realized

	frames map[coach.Symbol]*frame

	// maxTradesPerDay
	day      coach.Date
	dayCount int
	// cooldownAfterLoss: the last realized loss so far, and its evidence
	loss     *ledger.Realized
	lossFrag []byte
	// stopLossPct on buys
	lots    map[coach.Symbol]*lotQueue
	pending []pendingVerdict
}

// tradeOrder returns the indexes of trades in the trade order, or nil when they are in it.
func tradeOrder(trades []coach.Trade) []int32 {
	if slices.IsSortedFunc(trades, func(a, b coach.Trade) int { return coach.CompareTrades(&a, &b) }) {
		return nil
	}
	order := make([]int32, len(trades))
	for i := range order {
		order[i] = int32(i)
	}
	slices.SortStableFunc(order, func(a, b int32) int { return coach.CompareTrades(&trades[a], &trades[b]) })
	return order
}

// local is a trade's wall-clock time in the user's zone.
type local struct {
	t       time.Time
	date    coach.Date
	minute  int // after midnight
	weekday time.Weekday
}

// step judges trade t, the k-th in the trade order, against every rule.
func (e *evaluator) step(k int32, t *coach.Trade) {
	key := t.Ref()
	var lt local
	if e.needLocal {
		lt.t = t.TS.In(e.loc)
		lt.date = coach.DateOf(lt.t)
		h, m, _ := lt.t.Clock()
		lt.minute, lt.weekday = h*60+m, lt.t.Weekday()
		if lt.date != e.day {
			e.day, e.dayCount = lt.date, 0
		}
		e.dayCount++
	}
	var realized *ledger.Realized
	if e.ledger != nil {
		realized = e.matchRealized(t, key)
	}
	var lot *lot
	if e.needLots && t.Side == coach.Buy {
		lot = e.openLot(k, t)
	}
	buy := t.Side == coach.Buy
	for ri := range e.rules {
		r := &e.rules[ri]
		switch r.kind {
		case kAvoidSpike:
			if buy {
				e.avoidSpike(k, r, t, key)
			}
		case kMaxTradesPerDay:
			e.maxTradesPerDay(k, r, t, key, &lt)
		case kCooldown:
			if buy {
				e.cooldown(k, r, t, key)
			}
		case kMaxNotional:
			if buy && t.Symbol.Quote() == r.quote {
				e.maxNotional(k, r, t, key)
			}
		case kWindow:
			e.window(k, r, t, key, &lt)
		case kStopLoss:
			switch {
			case t.Side == coach.Sell:
				e.stopLossSell(k, r, t, key, realized)
			case lot != nil:
				e.pending = append(e.pending, pendingVerdict{verdict: int32(len(e.out.Verdicts)), rule: int32(ri)})
				lot.pendingEnd = int32(len(e.pending))
				e.add(k, r, key, t.TS, Undecided, ReasonOpen, nil) // until the lot closes
			}
		}
	}
	if e.needLots && t.Side == coach.Sell {
		e.closeLots(t)
	}
	if realized != nil && realized.PnL.Sign() < 0 {
		e.setLoss(realized)
	}
}

// setLoss makes r the last realized loss.
func (e *evaluator) setLoss(r *ledger.Realized) {
	e.loss = r
	w := evidence{buf: e.lossFrag[:0]}
	w.str("lossTradeId", r.TradeID)
	w.time("lossAt", r.ClosedAt)
	w.dec("pnl", r.PnL)
	w.str("quote", r.Symbol.Quote())
	e.lossFrag = w.buf
}

// add appends a verdict.
func (e *evaluator) add(k int32, r *compiled, key string, at time.Time, o Outcome, reason string, ev []byte) {
	if ev == nil {
		ev = emptyObject
	}
	e.out.Verdicts = append(e.out.Verdicts, Verdict{
		RuleID: r.ref.ID, Kind: r.ref.Kind, TradeID: key, At: at.UTC(), Outcome: o, Reason: reason, Evidence: ev,
	})
	e.out.seq = append(e.out.seq, k)
}

var emptyObject = []byte("{}")

// matchRealized returns the ledger's Realized entry of t, a sell, or nil. The ledger lists them
// in the trade order, so one pass in step with the trades finds each.
func (e *evaluator) matchRealized(t *coach.Trade, key string) *ledger.Realized {
	rs := e.ledger.Realized
	if e.realized < len(rs) && rs[e.realized].TradeID == key && rs[e.realized].ClosedAt.Equal(t.TS) {
		e.realized++
		return &rs[e.realized-1]
	}
	return nil
}

// frame returns the clean bars of sym, preparing them on first use; nil when there are none.
func (e *evaluator) frame(sym coach.Symbol) *frame {
	f, ok := e.frames[sym]
	if !ok {
		if in := e.candles[sym]; len(in) > 0 {
			f = prepare(sym, in, &e.out.Data)
		}
		e.frames[sym] = f
	}
	return f
}

// finish decides the stop-loss verdicts of positions still open.
func (e *evaluator) finish() {
	syms := make([]coach.Symbol, 0, len(e.lots))
	for s := range e.lots {
		syms = append(syms, s)
	}
	slices.Sort(syms)
	for _, s := range syms {
		q := e.lots[s]
		for i := q.head; i < len(q.lots); i++ {
			e.resolve(s, &q.lots[i], 0, false)
		}
	}
}
