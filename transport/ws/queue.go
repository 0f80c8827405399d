package ws

import (
	"sync"

	"github.com/tradecoach/coach"
)

// queue holds what a connection has to write — live events, at most max of them, and a pong the
// client is owed — and whether a writer is running. The first push or owed pong while no writer
// runs tells the caller to start one; the writer takes work until none is left, and then (in
// the same locked step) stops being the writer. An empty queue holds no backing array.
type queue struct {
	max int

	mu      sync.Mutex
	items   []coach.Event
	head    int
	pong    bool // a pong is owed
	writing bool // a writer runs (or the connection has stopped writing for good)
}

// push appends e and reports whether it fit (false when max events are already waiting) and
// whether the caller must start a writer.
func (q *queue) push(e coach.Event) (ok, start bool) {
	q.mu.Lock()
	defer q.mu.Unlock()
	if len(q.items)-q.head >= q.max {
		return false, false
	}
	if q.head > 0 && len(q.items) == cap(q.items) {
		n := copy(q.items, q.items[q.head:])
		clear(q.items[n:])
		q.items, q.head = q.items[:n], 0
	}
	q.items = append(q.items, e)
	return true, q.claim()
}

// owePong records that a pong is owed and reports whether the caller must start a writer.
func (q *queue) owePong() (start bool) {
	q.mu.Lock()
	defer q.mu.Unlock()
	q.pong = true
	return q.claim()
}

// claim makes the caller the writer if none runs; q.mu must be held.
func (q *queue) claim() bool {
	if q.writing {
		return false
	}
	q.writing = true
	return true
}

// next gives the writer its next piece of work: the owed pong first, then the oldest event. With
// nothing left it reports ok false, and the writer has stopped: the next push starts another.
func (q *queue) next() (e coach.Event, pong, ok bool) {
	q.mu.Lock()
	defer q.mu.Unlock()
	if q.pong {
		q.pong = false
		return coach.Event{}, true, true
	}
	if q.head == len(q.items) {
		q.items, q.head = nil, 0 // an idle connection keeps no buffer
		q.writing = false
		return coach.Event{}, false, false
	}
	e = q.items[q.head]
	q.items[q.head] = coach.Event{}
	q.head++
	return e, false, true
}
