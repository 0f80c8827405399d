package memory

import (
	"bytes"
	"cmp"
	"context"
	"slices"
	"time"

	"github.com/tradecoach/coach"
)

// connections is the storage.Connections of a Store or transaction.
type connections struct{ r repos }

// connRec is a stored connection with its insertion number, the tie-break of List's order.
type connRec struct {
	c      coach.BrokerConnection
	seq    uint64
	synced time.Time // storage.ConnectionSync.SyncedThrough (syncs.go)
}

// cloneConn returns c with its own copies of the sealed tokens and the expiry.
func cloneConn(c coach.BrokerConnection) coach.BrokerConnection {
	c.AccessEnc = bytes.Clone(c.AccessEnc)
	c.RefreshEnc = bytes.Clone(c.RefreshEnc)
	c.ExpiresAt = cloneTime(c.ExpiresAt)
	c.CreatedAt = c.CreatedAt.UTC()
	return c
}

func (r connections) Create(ctx context.Context, c coach.BrokerConnection) error {
	if err := c.Validate(); err != nil {
		return err
	}
	c = cloneConn(c)
	return r.r.write(ctx, func(d *data, undo *undoLog) error {
		if d.taken(kindConnection, c.ID) {
			return coach.Errorf(coach.ECONFLICT, "connection %s already exists", c.ID)
		}
		b := d.bucketFor(c.UserID, undo)
		b.connections[c.ID] = &connRec{c: c, seq: d.nextSeq()}
		d.setOwner(kindConnection, c.ID, c.UserID, undo)
		undo.add(func() { delete(b.connections, c.ID) })
		return nil
	})
}

func (r connections) Get(ctx context.Context, userID, id string) (coach.BrokerConnection, error) {
	var out coach.BrokerConnection
	err := r.r.read(ctx, func(d *data) error {
		b, ok := d.users[userID]
		if !ok || b.connections[id] == nil {
			return notFound("connection", id)
		}
		out = cloneConn(b.connections[id].c)
		return nil
	})
	return out, err
}

func (r connections) List(ctx context.Context, userID string) ([]coach.BrokerConnection, error) {
	var recs []*connRec
	var out []coach.BrokerConnection
	err := r.r.read(ctx, func(d *data) error {
		if b, ok := d.users[userID]; ok {
			for _, c := range b.connections {
				recs = append(recs, c)
			}
		}
		slices.SortFunc(recs, func(a, b *connRec) int {
			if c := a.c.CreatedAt.Compare(b.c.CreatedAt); c != 0 {
				return c
			}
			return cmp.Compare(a.seq, b.seq)
		})
		for _, c := range recs {
			out = append(out, cloneConn(c.c))
		}
		return nil
	})
	return out, err
}

func (r connections) Update(ctx context.Context, c coach.BrokerConnection) error {
	return r.update(ctx, c, nil)
}

// Rotate is Update when the stored RefreshEnc equals prevRefreshEnc; the check and the write
// happen under the same write lock.
func (r connections) Rotate(ctx context.Context, c coach.BrokerConnection, prevRefreshEnc []byte) error {
	return r.update(ctx, c, func(cur coach.BrokerConnection) error {
		if !bytes.Equal(cur.RefreshEnc, prevRefreshEnc) {
			return coach.Errorf(coach.ECONFLICT, "connection tokens were rotated concurrently")
		}
		return nil
	})
}

// update replaces the mutable fields of c after check (when set) accepted the stored connection.
func (r connections) update(ctx context.Context, c coach.BrokerConnection, check func(cur coach.BrokerConnection) error) error {
	return r.r.write(ctx, func(d *data, undo *undoLog) error {
		b, ok := d.users[c.UserID]
		if !ok || b.connections[c.ID] == nil {
			return notFound("connection", c.ID)
		}
		rec := b.connections[c.ID]
		if check != nil {
			if err := check(rec.c); err != nil {
				return err
			}
		}
		next := rec.c
		next.Status, next.AccessEnc, next.RefreshEnc = c.Status, c.AccessEnc, c.RefreshEnc
		next.Scope, next.ExpiresAt, next.Label = c.Scope, c.ExpiresAt, c.Label
		if err := next.Validate(); err != nil {
			return err
		}
		old := rec.c
		rec.c = cloneConn(next)
		undo.add(func() { rec.c = old })
		return nil
	})
}

func (r connections) Delete(ctx context.Context, userID, id string) error {
	return r.r.write(ctx, func(d *data, undo *undoLog) error {
		b, ok := d.users[userID]
		if !ok || b.connections[id] == nil {
			return notFound("connection", id)
		}
		rec := b.connections[id]
		delete(b.connections, id)
		d.dropOwner(kindConnection, id, undo)
		cps, had := b.checkpoints[id]
		delete(b.checkpoints, id)
		undo.add(func() {
			b.connections[id] = rec
			if had {
				b.checkpoints[id] = cps
			}
		})
		return nil
	})
}
