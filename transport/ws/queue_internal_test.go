package ws

import (
	"strconv"
	"strings"
	"testing"

	"github.com/tradecoach/coach"
)

func TestQueueIsBoundedAndKeepsOrder(t *testing.T) {
	t.Parallel()
	q := queue{max: 3, writing: true} // a writer runs (the replay)
	ev := func(i int) coach.Event { return coach.Event{ID: strconv.Itoa(i)} }
	next := 0 // the next id expected out
	in := 0   // the next id to push
	for round := range 50 {
		for {
			ok, start := q.push(ev(in))
			if start {
				t.Fatalf("round %d: push asked for a second writer", round)
			}
			if !ok {
				break
			}
			in++
		}
		if got := in - next; got != 3 {
			t.Fatalf("round %d: holds %d events, want the bound 3", round, got)
		}
		for range round%3 + 1 { // drain part of it, so the slice wraps and compacts
			e, pong, ok := q.next()
			if !ok || pong || e.ID != strconv.Itoa(next) {
				t.Fatalf("round %d: next gave %v %v %v, want %d", round, e.ID, pong, ok, next)
			}
			next++
		}
		if cap(q.items) > 8 {
			t.Fatalf("round %d: backing array grew to %d for a bound of 3", round, cap(q.items))
		}
	}
	for {
		e, _, ok := q.next()
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
	if q.items != nil {
		t.Errorf("an empty queue keeps a backing array of %d events", cap(q.items))
	}
}

// TestQueueStartsOneWriterAtATime: the first push or owed pong while no writer runs asks for
// one, later ones do not until the writer has found the queue empty; an owed pong comes first.
func TestQueueStartsOneWriterAtATime(t *testing.T) {
	t.Parallel()
	q := queue{max: 8}
	if _, start := q.push(coach.Event{ID: "1"}); !start {
		t.Fatal("the first push did not ask for a writer")
	}
	if _, start := q.push(coach.Event{ID: "2"}); start {
		t.Fatal("a second push asked for a writer while one runs")
	}
	if q.owePong() {
		t.Fatal("an owed pong asked for a writer while one runs")
	}
	var got []string
	for {
		e, pong, ok := q.next()
		if !ok {
			break
		}
		if pong {
			got = append(got, "pong")
		} else {
			got = append(got, e.ID)
		}
	}
	if want := "pong 1 2"; strings.Join(got, " ") != want {
		t.Errorf("the writer took %q, want %q", strings.Join(got, " "), want)
	}
	if !q.owePong() {
		t.Fatal("an owed pong after the writer stopped did not ask for a writer")
	}
	if _, start := q.push(coach.Event{ID: "3"}); start {
		t.Fatal("a push asked for a writer while the pong's writer runs")
	}
}
