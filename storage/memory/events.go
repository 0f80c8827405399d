package memory

import (
	"context"
	"slices"
	"sort"
	"strings"
	"time"

	"github.com/tradecoach/coach"
	"github.com/tradecoach/coach/storage"
)

// events is the storage.Events of a Store or transaction. Ids are assigned under the store's
// write lock, which a transaction holds until it ends: that is the per-user stream lock of the
// contract, so ids increase in commit order.
type events struct{ r repos }

func cloneEvent(e *coach.Event) coach.Event {
	c := *e
	c.Payload = cloneRaw(e.Payload)
	c.DeliveredAt = cloneTime(e.DeliveredAt)
	return c
}

// dropEvent removes e from the global indexes (its user's list is the caller's business).
func (d *data) dropEvent(e *coach.Event, undo *undoLog) {
	delete(d.events, e.ID)
	_, wasUndelivered := d.undelivered[e.ID]
	delete(d.undelivered, e.ID)
	undo.add(func() {
		d.events[e.ID] = e
		if wasUndelivered {
			d.undelivered[e.ID] = e
		}
	})
}

func (r events) Append(ctx context.Context, in ...coach.Event) ([]coach.Event, error) {
	if len(in) == 0 {
		return nil, nil
	}
	userID := in[0].UserID
	for _, e := range in {
		if err := e.Validate(); err != nil {
			return nil, err
		}
		if e.UserID != userID {
			return nil, coach.Errorf(coach.EINVALID, "events of one Append must be for one user")
		}
	}
	out := make([]coach.Event, 0, len(in))
	err := r.r.write(ctx, func(d *data, undo *undoLog) error {
		b := d.bucketFor(userID, undo)
		oldList, oldLast := b.events, b.lastEventID
		undo.add(func() { b.events, b.lastEventID = oldList, oldLast })
		now := r.r.now()
		for _, e := range in {
			id, err := coach.NextEventID(now, b.lastEventID)
			if err != nil {
				return err
			}
			ts, err := coach.EventIDTime(id)
			if err != nil {
				return err
			}
			p := &coach.Event{ID: id, UserID: userID, Type: e.Type, V: e.V, TS: ts, Payload: cloneRaw(e.Payload)}
			b.events = append(b.events, p)
			b.lastEventID = id
			d.events[id] = p
			d.undelivered[id] = p
			undo.add(func() { delete(d.events, id); delete(d.undelivered, id) })
			out = append(out, cloneEvent(p))
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}

func (r events) Since(ctx context.Context, userID, afterID string, limit int) ([]coach.Event, error) {
	if afterID != "" {
		if _, err := coach.EventIDTime(afterID); err != nil {
			return nil, err
		}
		afterID = strings.ToUpper(afterID) // ULIDs parse in either case but compare in upper case
	}
	var out []coach.Event
	err := r.r.read(ctx, func(d *data) error {
		if afterID != "" {
			if t, _ := coach.EventIDTime(afterID); t.Before(d.horizon) {
				return coach.Errorf(coach.EGONE, "events after %s are past retention; reload", afterID)
			}
		}
		b, ok := d.users[userID]
		if !ok {
			return nil
		}
		i := sort.Search(len(b.events), func(i int) bool { return b.events[i].ID > afterID })
		for _, e := range b.events[i:min(len(b.events), i+storage.Clamp(limit))] {
			out = append(out, cloneEvent(e))
		}
		return nil
	})
	return out, err
}

func (r events) Oldest(ctx context.Context, userID string) (string, error) {
	var out string
	err := r.r.read(ctx, func(d *data) error {
		b, ok := d.users[userID]
		if !ok || len(b.events) == 0 {
			return coach.Errorf(coach.ENOTFOUND, "no events")
		}
		out = b.events[0].ID
		return nil
	})
	return out, err
}

func (r events) Newest(ctx context.Context, userID string) (string, error) {
	var out string
	err := r.r.read(ctx, func(d *data) error {
		b, ok := d.users[userID]
		if !ok || len(b.events) == 0 {
			return coach.Errorf(coach.ENOTFOUND, "no events")
		}
		out = b.events[len(b.events)-1].ID
		return nil
	})
	return out, err
}

// Undelivered needs no claim: transactions are serialized, so no other one runs until this ends.
// Inside InTx it skips users leased by Claim, as the contract asks.
func (r events) Undelivered(ctx context.Context, limit int) ([]coach.Event, error) {
	var out []coach.Event
	err := r.r.read(ctx, func(d *data) error {
		now := r.r.now()
		for _, e := range d.undeliveredInOrder() {
			if len(out) == storage.Clamp(limit) {
				break
			}
			if r.r.tx != nil && d.heldByOther(e.UserID, "", now) {
				continue
			}
			out = append(out, cloneEvent(e))
		}
		return nil
	})
	return out, err
}

func (r events) MarkDelivered(ctx context.Context, ids []string, at time.Time) error {
	return r.r.write(ctx, func(d *data, undo *undoLog) error {
		d.markDelivered(ids, at, undo)
		return nil
	})
}

// markDelivered sets DeliveredAt on the undelivered events of ids.
func (d *data) markDelivered(ids []string, at time.Time, undo *undoLog) {
	at = at.UTC()
	for _, id := range ids {
		e, ok := d.undelivered[id]
		if !ok {
			continue
		}
		delete(d.undelivered, id)
		e.DeliveredAt = &at
		undo.add(func() { e.DeliveredAt = nil; d.undelivered[id] = e })
	}
}

func (r events) Prune(ctx context.Context, cutoff time.Time) (int, error) {
	if cutoff.IsZero() {
		return 0, nil
	}
	n := 0
	err := r.r.write(ctx, func(d *data, undo *undoLog) error {
		if oldHorizon := d.horizon; cutoff.After(oldHorizon) {
			d.horizon = cutoff
			undo.add(func() { d.horizon = oldHorizon })
		}
		for _, b := range d.users {
			i := sort.Search(len(b.events), func(i int) bool { return !b.events[i].TS.Before(cutoff) })
			if i == 0 {
				continue
			}
			old := b.events
			for _, e := range old[:i] {
				d.dropEvent(e, undo)
			}
			b.events = slices.Clone(old[i:])
			undo.add(func() { b.events = old })
			n += i
		}
		return nil
	})
	return n, err
}
