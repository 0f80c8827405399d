package validate_test

import (
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/tradecoach/coach"
	"github.com/tradecoach/coach/internal/validate"
)

// A hand-made example: six orders, two labels.
//
//	order  side  intended        labelled
//	1      buy   FOMO            FOMO            FOMO: true positive
//	2      buy   FOMO            –               FOMO: missed
//	3      buy   –               FOMO            FOMO: false positive
//	4      sell  PANIC           FOMO, PANIC     (FOMO judges buys: a sell so labelled is not eligible, yet counted)
//	5      sell  –               –               neutral, nothing said
//	6      sell  PANIC, FOMO     PANIC
func handMade() []validate.Outcome {
	F, P := coach.LabelFOMO, coach.LabelPanic
	return []validate.Outcome{
		{Side: coach.Buy, Intended: []string{F}, Labelled: []string{F}},
		{Side: coach.Buy, Intended: []string{F}},
		{Side: coach.Buy, Labelled: []string{F}},
		{Side: coach.Sell, Intended: []string{P}, Labelled: []string{F, P}},
		{Side: coach.Sell},
		{Side: coach.Sell, Intended: []string{F, P}, Labelled: []string{P}},
	}
}

func TestCountPrecisionRecall(t *testing.T) {
	F, P := coach.LabelFOMO, coach.LabelPanic
	got := validate.Count(handMade(), []string{F, P})
	want := map[string]validate.Counts{
		// FOMO intended on 1, 2, 6; labelled on 1, 3, 4; both on 1. Eligible: the three buys.
		F: {Intended: 3, Labelled: 3, Both: 1, Eligible: 3},
		// PANIC intended on 4, 6; labelled on 4, 6. Eligible: the three sells.
		P: {Intended: 2, Labelled: 2, Both: 2, Eligible: 3},
	}
	if diff := cmp.Diff(want, got.Counts); diff != "" {
		t.Errorf("counts (-want +got):\n%s", diff)
	}
	for _, tc := range []struct {
		label             string
		precision, recall float64
	}{{F, 1.0 / 3, 1.0 / 3}, {P, 1, 1}} {
		c := got.Counts[tc.label]
		if p, ok := c.Precision(); !ok || p != tc.precision {
			t.Errorf("%s precision = %v, %v; want %v", tc.label, p, ok, tc.precision)
		}
		if r, ok := c.Recall(); !ok || r != tc.recall {
			t.Errorf("%s recall = %v, %v; want %v", tc.label, r, ok, tc.recall)
		}
	}
	wantConfusion := map[string]map[string]int{
		F:                {F: 1, validate.None: 1, P: 1}, // orders 1, 2 and 6
		P:                {F: 1, P: 2},                   // orders 4 and 6
		validate.Neutral: {F: 1, validate.None: 1},       // orders 3 and 5
	}
	if diff := cmp.Diff(wantConfusion, got.Confusion); diff != "" {
		t.Errorf("confusion (-want +got):\n%s", diff)
	}
	if got.Orders != 6 {
		t.Errorf("orders = %d, want 6", got.Orders)
	}
}

func TestCountUndefinedRatios(t *testing.T) {
	c := validate.Counts{}
	if _, ok := c.Precision(); ok {
		t.Error("precision with nothing labelled is defined")
	}
	if _, ok := c.Recall(); ok {
		t.Error("recall with nothing intended is defined")
	}
	if _, ok := c.FalsePositiveRate(); ok {
		t.Error("false-positive rate with nothing eligible is defined")
	}
	null := validate.Count([]validate.Outcome{
		{Side: coach.Buy, Labelled: []string{coach.LabelFOMO}}, {Side: coach.Buy}, {Side: coach.Buy}, {Side: coach.Buy},
		{Side: coach.Sell, Labelled: []string{coach.LabelFOMO}},
	}, []string{coach.LabelFOMO}).Counts[coach.LabelFOMO]
	// Two labelled, four eligible buys: the rate counts what was said, over what could be.
	if r, ok := null.FalsePositiveRate(); !ok || r != 0.5 {
		t.Errorf("null false-positive rate = %v, %v; want 0.5", r, ok)
	}
}

func TestTallyMerge(t *testing.T) {
	labels := []string{coach.LabelFOMO, coach.LabelPanic}
	all := handMade()
	merged := validate.Count(all[:2], labels).Merge(validate.Count(all[2:], labels))
	if diff := cmp.Diff(validate.Count(all, labels), merged); diff != "" {
		t.Errorf("merge of two halves differs from the whole (-whole +merged):\n%s", diff)
	}
}

func TestEligible(t *testing.T) {
	for _, tc := range []struct {
		label     string
		buy, sell bool
	}{
		{coach.LabelFOMO, true, false}, {coach.LabelRevenge, true, false},
		{coach.LabelPanic, false, true}, {coach.LabelHoldingLosers, false, true},
		{coach.LabelDiscipline, true, true}, {coach.LabelOvertrading, true, true},
	} {
		if got := validate.Eligible(tc.label, coach.Buy); got != tc.buy {
			t.Errorf("Eligible(%s, BUY) = %v", tc.label, got)
		}
		if got := validate.Eligible(tc.label, coach.Sell); got != tc.sell {
			t.Errorf("Eligible(%s, SELL) = %v", tc.label, got)
		}
	}
}

func TestAgreement(t *testing.T) {
	F, P, D := coach.LabelFOMO, coach.LabelPanic, coach.LabelDiscipline
	// Three intervals, five orders.
	sets := [][][]string{
		{{F}, nil, {D}, {P}, {F, D}},
		{{F}, nil, {D}, nil, {F}},
		{{F}, nil, {D}, nil, {F, D}},
	}
	for _, tc := range []struct {
		label           string
		agree, labelled int
	}{
		{"", 2, 4}, // orders 0, 2, 3, 4 labelled somewhere; 0 and 2 the same everywhere
		{F, 2, 2},  // orders 0 and 4 have FOMO at every interval
		{P, 0, 1},  // order 3 only on the first
		{D, 1, 2},  // order 2 everywhere, order 4 not
	} {
		agree, labelled := validate.Agreement(sets, tc.label)
		if agree != tc.agree || labelled != tc.labelled {
			t.Errorf("Agreement(%q) = %d of %d, want %d of %d", tc.label, agree, labelled, tc.agree, tc.labelled)
		}
	}
	if a, l := validate.Agreement(nil, ""); a != 0 || l != 0 {
		t.Errorf("Agreement of nothing = %d of %d", a, l)
	}
}
