package webhook

import (
	"sync"
	"time"
)

// Lanes. A sender holds a slot while it sends an endpoint's queue: a slot of the shared lane
// (DelivererConfig.Concurrency) or, for an endpoint whose last attempt was slow, of the slow lane
// (DelivererConfig.SlowConcurrency). An attempt made in the shared lane that runs past SlowAfter
// gives its slot back at once — the request goes on, holding no slot — and moves its endpoint to
// the slow lane, where its later attempts wait for a slow slot. So a receiver that answers slowly
// or not at all holds shared capacity for at most SlowAfter per episode, and the other endpoints'
// deliveries never queue behind it. An endpoint goes back to the shared lane after an attempt that
// took less than SlowAfter.

// hold is the slot a sender holds, until it gives it back (an overrun) or ends.
type hold struct {
	mu     sync.Mutex
	lane   chan struct{} // the semaphore whose slot is held; nil once given back
	shared bool          // the slot is one of the shared lane
}

// held reports whether the sender still holds its slot.
func (h *hold) held() bool {
	h.mu.Lock()
	defer h.mu.Unlock()
	return h.lane != nil
}

// inShared reports whether the sender holds a slot of the shared lane.
func (h *hold) inShared() bool {
	h.mu.Lock()
	defer h.mu.Unlock()
	return h.lane != nil && h.shared
}

// giveBack frees the slot, once; it reports whether this call freed it.
func (h *hold) giveBack() bool {
	h.mu.Lock()
	defer h.mu.Unlock()
	if h.lane == nil {
		return false
	}
	<-h.lane
	h.lane = nil
	return true
}

// laneOf returns the semaphore an endpoint's sender takes a slot of.
func (d *Deliverer) laneOf(endpointID string) (lane chan struct{}, shared bool) {
	d.mu.Lock()
	defer d.mu.Unlock()
	if d.slow[endpointID] {
		return d.slowSem, false
	}
	return d.sem, true
}

// setSlow files the endpoint in the slow lane or takes it out.
func (d *Deliverer) setSlow(endpointID string, slow bool) {
	d.mu.Lock()
	defer d.mu.Unlock()
	if slow {
		d.slow[endpointID] = true
	} else {
		delete(d.slow, endpointID)
	}
}

// overrun is called when an attempt of the endpoint has run for SlowAfter: the endpoint moves
// to the slow lane and, when the sender holds a shared slot, gives it back and wakes Run to
// start another endpoint in it.
func (d *Deliverer) overrun(h *hold, endpointID string) {
	d.setSlow(endpointID, true)
	if h.inShared() && h.giveBack() {
		d.signalFreed()
	}
}

// watch arms the overrun of an attempt about to be made; the returned func, called when the
// attempt is over with how long it took, disarms it and files the endpoint in its lane.
func (d *Deliverer) watch(h *hold, endpointID string) func(took time.Duration) {
	var t *time.Timer
	if h.inShared() {
		t = time.AfterFunc(d.slowAfter, func() { d.overrun(h, endpointID) })
	}
	return func(took time.Duration) {
		if t != nil {
			t.Stop()
		}
		if took >= d.slowAfter {
			d.overrun(h, endpointID)
		} else {
			d.setSlow(endpointID, false)
		}
	}
}

// signalFreed wakes Run's loop because a slot was freed. It never blocks.
func (d *Deliverer) signalFreed() {
	select {
	case d.freed <- struct{}{}:
	default:
	}
}
