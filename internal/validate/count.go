package validate

import (
	"slices"

	"github.com/tradecoach/coach"
)

// Outcome is one order: its side, the labels its trader intended (empty for a neutral order)
// and the labels the scorer gave it (the union over its fills).
type Outcome struct {
	Side     coach.Side
	Intended []string
	Labelled []string
}

// Counts are one label's tallies over a set of orders.
type Counts struct {
	// Intended is the number of orders intended with the label, Labelled the number given it,
	// and Both the number with both (true positives).
	Intended, Labelled, Both int
	// Eligible is the number of orders the label can apply to (Eligible).
	Eligible int
}

// Precision returns Both/Labelled, and false when no order was labelled.
func (c Counts) Precision() (float64, bool) {
	if c.Labelled == 0 {
		return 0, false
	}
	return float64(c.Both) / float64(c.Labelled), true
}

// Recall returns Both/Intended, and false when no order was intended.
func (c Counts) Recall() (float64, bool) {
	if c.Intended == 0 {
		return 0, false
	}
	return float64(c.Both) / float64(c.Intended), true
}

// FalsePositiveRate returns (Labelled − Both)/Eligible: for the null trader, whose orders intend
// nothing, the share of eligible orders labelled. False when no order is eligible.
func (c Counts) FalsePositiveRate() (float64, bool) {
	if c.Eligible == 0 {
		return 0, false
	}
	return float64(c.Labelled-c.Both) / float64(c.Eligible), true
}

// Add returns the sum of c and d.
func (c Counts) Add(d Counts) Counts {
	return Counts{Intended: c.Intended + d.Intended, Labelled: c.Labelled + d.Labelled, Both: c.Both + d.Both, Eligible: c.Eligible + d.Eligible}
}

// Neutral and None name the confusion's row of orders intended with no label and its column of
// orders given no label.
const (
	Neutral = "neutral"
	None    = "none"
)

// Tally is the count of a set of orders for each label.
type Tally struct {
	Orders int
	Counts map[string]Counts
	// Confusion[intended][labelled] counts the orders with intended label i (or Neutral) and
	// given label l (or None). An order counts once for every pair, so a row adds up to more
	// than its orders when they were given several labels.
	Confusion map[string]map[string]int
}

// Eligible reports whether a label can apply to an order of the given side: FOMO and REVENGE
// judge entries (buys), PANIC and HOLDING_LOSERS exits (sells), any other label every order.
func Eligible(label string, side coach.Side) bool {
	switch label {
	case coach.LabelFOMO, coach.LabelRevenge:
		return side == coach.Buy
	case coach.LabelPanic, coach.LabelHoldingLosers:
		return side == coach.Sell
	}
	return true
}

// Count tallies outcomes for each of labels; labels given or intended outside that list are
// left out of Counts but kept in Confusion.
func Count(outcomes []Outcome, labels []string) Tally {
	t := Tally{Orders: len(outcomes), Counts: map[string]Counts{}, Confusion: map[string]map[string]int{}}
	for _, l := range labels {
		t.Counts[l] = Counts{}
	}
	for _, o := range outcomes {
		for _, l := range labels {
			c := t.Counts[l]
			in, got := slices.Contains(o.Intended, l), slices.Contains(o.Labelled, l)
			if in {
				c.Intended++
			}
			if got {
				c.Labelled++
			}
			if in && got {
				c.Both++
			}
			if Eligible(l, o.Side) {
				c.Eligible++
			}
			t.Counts[l] = c
		}
		rows, cols := o.Intended, o.Labelled
		if len(rows) == 0 {
			rows = []string{Neutral}
		}
		if len(cols) == 0 {
			cols = []string{None}
		}
		for _, r := range rows {
			if t.Confusion[r] == nil {
				t.Confusion[r] = map[string]int{}
			}
			for _, c := range cols {
				t.Confusion[r][c]++
			}
		}
	}
	return t
}

// Merge returns the tally of both sets of orders.
func (t Tally) Merge(u Tally) Tally {
	out := Tally{Orders: t.Orders + u.Orders, Counts: map[string]Counts{}, Confusion: map[string]map[string]int{}}
	for _, x := range []Tally{t, u} {
		for l, c := range x.Counts {
			out.Counts[l] = out.Counts[l].Add(c)
		}
		for r, row := range x.Confusion {
			if out.Confusion[r] == nil {
				out.Confusion[r] = map[string]int{}
			}
			for c, n := range row {
				out.Confusion[r][c] += n
			}
		}
	}
	return out
}

// Agreement counts, over orders scored at several candle intervals (sets[k][i] is the sorted
// labels of order i at interval k), the orders labelled at some interval and, of those, the ones
// given the same labels at every interval. With a label other than "", it counts the orders given
// that label at some interval and, of those, the ones given it at every interval.
func Agreement(sets [][][]string, label string) (agree, labelled int) {
	if len(sets) == 0 {
		return 0, 0
	}
	for i := range sets[0] {
		seen, same := false, true
		for k := range sets {
			has := len(sets[k][i]) > 0
			if label != "" {
				has = slices.Contains(sets[k][i], label)
			}
			seen = seen || has
			if label == "" {
				same = same && slices.Equal(sets[k][i], sets[0][i])
			} else {
				same = same && has == slices.Contains(sets[0][i], label)
			}
		}
		if seen {
			labelled++
			if same {
				agree++
			}
		}
	}
	return agree, labelled
}
