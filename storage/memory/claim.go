package memory

import (
	"cmp"
	"context"
	"slices"
	"time"

	"github.com/tradecoach/coach"
	"github.com/tradecoach/coach/storage"
)

// lease is a dispatcher's hold on a user's undelivered events (storage.Events.Claim).
type lease struct {
	owner string
	until time.Time
}

// heldByOther reports whether another owner than owner holds the user's lease at now.
func (d *data) heldByOther(userID, owner string, now time.Time) bool {
	l, ok := d.leases[userID]
	return ok && l.owner != owner && l.until.After(now)
}

// undeliveredInOrder returns every undelivered event, oldest id first.
func (d *data) undeliveredInOrder() []*coach.Event {
	all := make([]*coach.Event, 0, len(d.undelivered))
	for _, e := range d.undelivered {
		all = append(all, e)
	}
	slices.SortFunc(all, func(a, b *coach.Event) int { return cmp.Compare(a.ID, b.ID) })
	return all
}

// Claim leases to owner the users whose undelivered events come first (see storage.Events). It is
// one short write under the store's lock; the caller publishes after it returns, holding nothing.
func (r events) Claim(ctx context.Context, owner string, limit int, leaseFor time.Duration) ([]coach.Event, error) {
	if owner == "" {
		return nil, coach.Errorf(coach.EINVALID, "events: claim: owner is required")
	}
	if leaseFor <= 0 {
		return nil, coach.Errorf(coach.EINVALID, "events: claim: lease must be positive, got %s", leaseFor)
	}
	n := storage.Clamp(limit)
	var out []coach.Event
	err := r.r.write(ctx, func(d *data, undo *undoLog) error {
		now := r.r.now()
		all := d.undeliveredInOrder()
		// Users in order of their oldest undelivered event, while the batch has room.
		picked := map[string]bool{}
		count := map[string]int{}
		for _, e := range all {
			count[e.UserID]++
		}
		before := 0
		for _, e := range all {
			u := e.UserID
			if _, seen := count[u]; !seen || d.heldByOther(u, owner, now) {
				delete(count, u)
				continue
			}
			if before >= n {
				break
			}
			picked[u] = true
			before += count[u]
			delete(count, u)
		}
		for u := range picked {
			old, had := d.leases[u]
			d.leases[u] = lease{owner: owner, until: now.Add(leaseFor)}
			undo.add(func() {
				if had {
					d.leases[u] = old
				} else {
					delete(d.leases, u)
				}
			})
		}
		for _, e := range all {
			if len(out) == n {
				break
			}
			if picked[e.UserID] {
				out = append(out, cloneEvent(e))
			}
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}

// Release marks the delivered events and ends owner's leases (see storage.Events).
func (r events) Release(ctx context.Context, owner string, delivered []string, at time.Time) error {
	if owner == "" {
		return coach.Errorf(coach.EINVALID, "events: release: owner is required")
	}
	return r.r.write(ctx, func(d *data, undo *undoLog) error {
		d.markDelivered(delivered, at, undo)
		for u, l := range d.leases {
			if l.owner == owner {
				delete(d.leases, u)
				undo.add(func() { d.leases[u] = l })
			}
		}
		return nil
	})
}
