package memory

import (
	"bytes"
	"cmp"
	"context"
	"encoding/json"
	"slices"
	"time"

	"github.com/tradecoach/coach"
	"github.com/tradecoach/coach/storage"
)

// digests is the storage.Digests of a Store or transaction.
type digests struct{ r repos }

func cloneDigest(g coach.Digest) coach.Digest {
	g.Payload = cloneRaw(g.Payload)
	g.DeliveredAt = cloneTime(g.DeliveredAt)
	g.CreatedAt = g.CreatedAt.UTC()
	return g
}

// latestFirst orders digests by PeriodEnd, then PeriodStart, newest first.
func latestFirst(a, b *coach.Digest) int {
	if c := b.PeriodEnd.In(time.UTC).Compare(a.PeriodEnd.In(time.UTC)); c != 0 {
		return c
	}
	if c := b.PeriodStart.In(time.UTC).Compare(a.PeriodStart.In(time.UTC)); c != 0 {
		return c
	}
	return cmp.Compare(b.ID, a.ID)
}

func (r digests) Put(ctx context.Context, g coach.Digest) (coach.Digest, error) {
	if err := g.Validate(); err != nil {
		return coach.Digest{}, err
	}
	g = cloneDigest(g)
	var out coach.Digest
	err := r.r.write(ctx, func(d *data, undo *undoLog) error {
		b := d.bucketFor(g.UserID, undo)
		if id, ok := b.digestStart[g.PeriodStart]; ok {
			p := b.digests[id]
			old := *p
			p.PeriodEnd, p.Payload = g.PeriodEnd, g.Payload
			undo.add(func() { *p = old })
			out = cloneDigest(*p)
			return nil
		}
		if d.taken(kindDigest, g.ID) {
			return coach.Errorf(coach.ECONFLICT, "digest %s already exists", g.ID)
		}
		if g.CreatedAt.IsZero() {
			g.CreatedAt = r.r.now()
		}
		p := &g
		b.digests[g.ID] = p
		b.digestStart[g.PeriodStart] = g.ID
		d.setOwner(kindDigest, g.ID, g.UserID, undo)
		undo.add(func() { delete(b.digests, g.ID); delete(b.digestStart, g.PeriodStart) })
		out = cloneDigest(g)
		return nil
	})
	return out, err
}

func (r digests) Get(ctx context.Context, userID, id string) (coach.Digest, error) {
	var out coach.Digest
	err := r.r.read(ctx, func(d *data) error {
		b, ok := d.users[userID]
		if !ok || b.digests[id] == nil {
			return notFound("digest", id)
		}
		out = cloneDigest(*b.digests[id])
		return nil
	})
	return out, err
}

func (r digests) Latest(ctx context.Context, userID string) (coach.Digest, error) {
	list, err := r.List(ctx, userID, 1)
	if err != nil {
		return coach.Digest{}, err
	}
	if len(list) == 0 {
		return coach.Digest{}, coach.Errorf(coach.ENOTFOUND, "no digest yet")
	}
	return list[0], nil
}

func (r digests) List(ctx context.Context, userID string, limit int) ([]coach.Digest, error) {
	var out []coach.Digest
	err := r.r.read(ctx, func(d *data) error {
		b, ok := d.users[userID]
		if !ok {
			return nil
		}
		all := make([]*coach.Digest, 0, len(b.digests))
		for _, g := range b.digests {
			all = append(all, g)
		}
		slices.SortFunc(all, latestFirst)
		for _, g := range all[:min(len(all), storage.Clamp(limit))] {
			out = append(out, cloneDigest(*g))
		}
		return nil
	})
	return out, err
}

func (r digests) MarkDelivered(ctx context.Context, userID, id string, at time.Time) error {
	return r.r.write(ctx, func(d *data, undo *undoLog) error {
		b, ok := d.users[userID]
		if !ok || b.digests[id] == nil {
			return notFound("digest", id)
		}
		p := b.digests[id]
		old := p.DeliveredAt
		p.DeliveredAt = cloneTime(&at)
		undo.add(func() { p.DeliveredAt = old })
		return nil
	})
}

func (r digests) DeleteEndedBefore(ctx context.Context, day coach.Date) (int, error) {
	n := 0
	err := r.r.write(ctx, func(d *data, undo *undoLog) error {
		for _, b := range d.users {
			for id, g := range b.digests {
				if !g.PeriodEnd.Before(day) {
					continue
				}
				delete(b.digests, id)
				delete(b.digestStart, g.PeriodStart)
				d.dropOwner(kindDigest, id, undo)
				undo.add(func() { b.digests[id] = g; b.digestStart[g.PeriodStart] = id })
				n++
			}
		}
		return nil
	})
	return n, err
}

func (r digests) EndedBefore(ctx context.Context, day coach.Date, afterID string, limit int) ([]coach.Digest, error) {
	var out []coach.Digest
	err := r.r.read(ctx, func(d *data) error {
		for _, b := range d.users {
			for _, g := range b.digests {
				if g.PeriodEnd.Before(day) && g.ID > afterID {
					out = append(out, cloneDigest(*g))
				}
			}
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	slices.SortFunc(out, func(a, b coach.Digest) int { return cmp.Compare(a.ID, b.ID) })
	return out[:min(len(out), storage.Clamp(limit))], nil
}

func (r digests) DeleteArchived(ctx context.Context, a coach.Digest) error {
	return r.r.write(ctx, func(d *data, undo *undoLog) error {
		b, ok := d.users[a.UserID]
		if !ok || b.digests[a.ID] == nil {
			return notFound("digest", a.ID)
		}
		g := b.digests[a.ID]
		if g.PeriodEnd != a.PeriodEnd || !jsonEqual(g.Payload, a.Payload) || !sameTime(g.DeliveredAt, a.DeliveredAt) {
			return coach.Errorf(coach.ECONFLICT, "digest %s changed since it was read", a.ID)
		}
		delete(b.digests, a.ID)
		delete(b.digestStart, g.PeriodStart)
		d.dropOwner(kindDigest, a.ID, undo)
		undo.add(func() { b.digests[a.ID] = g; b.digestStart[g.PeriodStart] = a.ID })
		return nil
	})
}

// jsonEqual reports whether a and b are the same JSON text, insignificant space aside.
func jsonEqual(a, b json.RawMessage) bool {
	var ca, cb bytes.Buffer
	if json.Compact(&ca, a) != nil || json.Compact(&cb, b) != nil {
		return bytes.Equal(a, b)
	}
	return bytes.Equal(ca.Bytes(), cb.Bytes())
}

// sameTime reports whether a and b are both nil or the same instant.
func sameTime(a, b *time.Time) bool {
	if a == nil || b == nil {
		return a == b
	}
	return a.Equal(*b)
}
