package ws

import (
	"sync"

	"github.com/tradecoach/coach"
)

// queue holds live events between the pump and the writer, at most max of them.
type queue struct {
	max   int
	ready chan struct{} // signalled after a push (capacity 1)

	mu    sync.Mutex
	items []coach.Event
	head  int
}

// push appends e, or reports false when max events are already waiting.
func (q *queue) push(e coach.Event) bool {
	q.mu.Lock()
	if len(q.items)-q.head >= q.max {
		q.mu.Unlock()
		return false
	}
	if q.head > 0 && len(q.items) == cap(q.items) {
		n := copy(q.items, q.items[q.head:])
		clear(q.items[n:])
		q.items, q.head = q.items[:n], 0
	}
	q.items = append(q.items, e)
	q.mu.Unlock()
	select {
	case q.ready <- struct{}{}:
	default:
	}
	return true
}

// pop removes the oldest event.
func (q *queue) pop() (coach.Event, bool) {
	q.mu.Lock()
	defer q.mu.Unlock()
	if q.head == len(q.items) {
		q.items, q.head = q.items[:0], 0
		return coach.Event{}, false
	}
	e := q.items[q.head]
	q.items[q.head] = coach.Event{}
	q.head++
	return e, true
}
