package ws

import (
	"strconv"
	"testing"

	"github.com/tradecoach/coach"
)

func TestQueueIsBoundedAndKeepsOrder(t *testing.T) {
	t.Parallel()
	q := queue{max: 3, ready: make(chan struct{}, 1)}
	ev := func(i int) coach.Event { return coach.Event{ID: strconv.Itoa(i)} }
	next := 0 // the next id expected out
	in := 0   // the next id to push
	for round := range 50 {
		for q.push(ev(in)) {
			in++
		}
		if got := in - next; got != 3 {
			t.Fatalf("round %d: holds %d events, want the bound 3", round, got)
		}
		for range round%3 + 1 { // drain part of it, so the slice wraps and compacts
			e, ok := q.pop()
			if !ok || e.ID != strconv.Itoa(next) {
				t.Fatalf("round %d: popped %v %v, want %d", round, e.ID, ok, next)
			}
			next++
		}
		if cap(q.items) > 8 {
			t.Fatalf("round %d: backing array grew to %d for a bound of 3", round, cap(q.items))
		}
	}
	for {
		e, ok := q.pop()
		if !ok {
			break
		}
		if e.ID != strconv.Itoa(next) {
			t.Fatalf("popped %s, want %d", e.ID, next)
		}
		next++
	}
	if next != in {
		t.Fatalf("popped %d of %d", next, in)
	}
	select {
	case <-q.ready:
	default:
		t.Fatal("push did not signal ready")
	}
}
