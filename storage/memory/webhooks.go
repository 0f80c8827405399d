package memory

import (
	"cmp"
	"context"
	"slices"
	"time"

	"github.com/tradecoach/coach"
	"github.com/tradecoach/coach/storage"
)

// webhooks is the storage.Webhooks of a Store or transaction.
type webhooks struct{ r repos }

// hookBook holds one user's webhook endpoints and deliveries.
type hookBook struct {
	endpoints  map[string]*coach.WebhookEndpoint
	deliveries map[string]*deliveryRec
	// pending indexes the pending deliveries by endpoint id and delivery id, so that Pending and
	// Due cost what is pending, not every delivery ever made.
	pending map[string]map[string]*deliveryRec
}

// setPending files rec under pending or takes it out, as its status says, undoably.
func (h hookBook) setPending(rec *deliveryRec, undo *undoLog) {
	ep, id := rec.d.EndpointID, rec.d.ID
	_, was := h.pending[ep][id]
	is := rec.d.Status == coach.DeliveryPending
	switch {
	case is && !was:
		if h.pending[ep] == nil {
			h.pending[ep] = map[string]*deliveryRec{}
		}
		h.pending[ep][id] = rec
		undo.add(func() { delete(h.pending[ep], id) })
	case !is && was:
		delete(h.pending[ep], id)
		undo.add(func() { h.pending[ep][id] = rec })
	}
}

// deliveryRec is a stored delivery with its insertion number: the order of Pending.
type deliveryRec struct {
	d   coach.WebhookDelivery
	seq uint64
}

func newHookBook() hookBook {
	return hookBook{endpoints: map[string]*coach.WebhookEndpoint{}, deliveries: map[string]*deliveryRec{},
		pending: map[string]map[string]*deliveryRec{}}
}

// dropOwners forgets the store-wide ids of the book's rows (the user is being deleted).
func (h hookBook) dropOwners(d *data, undo *undoLog) {
	for id := range h.endpoints {
		d.dropOwner(kindWebhook, id, undo)
	}
	for id := range h.deliveries {
		d.dropOwner(kindDelivery, id, undo)
	}
}

func cloneEndpoint(e coach.WebhookEndpoint) coach.WebhookEndpoint {
	e.EventTypes = slices.Clone(e.EventTypes)
	if e.EventTypes == nil {
		e.EventTypes = []string{}
	}
	e.SecretEnc = slices.Clone(e.SecretEnc)
	e.PrevSecretEnc = slices.Clone(e.PrevSecretEnc)
	e.PrevUntil = cloneTime(e.PrevUntil)
	e.CreatedAt, e.UpdatedAt = e.CreatedAt.UTC(), e.UpdatedAt.UTC()
	return e
}

func cloneDelivery(d coach.WebhookDelivery) coach.WebhookDelivery {
	d.Body = cloneRaw(d.Body)
	d.NextAttemptAt, d.LastAttemptAt, d.DeliveredAt = cloneTime(d.NextAttemptAt), cloneTime(d.LastAttemptAt), cloneTime(d.DeliveredAt)
	d.CreatedAt = d.CreatedAt.UTC()
	return d
}

// endpointOf returns the user's endpoint id, or ENOTFOUND.
func endpointOf(d *data, userID, id string) (*coach.WebhookEndpoint, *bucket, error) {
	b, ok := d.users[userID]
	if !ok || b.hooks.endpoints[id] == nil {
		return nil, nil, notFound("webhook endpoint", id)
	}
	return b.hooks.endpoints[id], b, nil
}

func (r webhooks) CreateEndpoint(ctx context.Context, e coach.WebhookEndpoint) (coach.WebhookEndpoint, error) {
	if err := e.Validate(); err != nil {
		return coach.WebhookEndpoint{}, err
	}
	e = cloneEndpoint(e)
	err := r.r.write(ctx, func(d *data, undo *undoLog) error {
		if d.taken(kindWebhook, e.ID) {
			return coach.Errorf(coach.ECONFLICT, "webhook endpoint %s already exists", e.ID)
		}
		b, ok := d.users[e.UserID]
		if !ok || b.user == nil {
			return notFound("user", e.UserID)
		}
		p := cloneEndpoint(e)
		b.hooks.endpoints[e.ID] = &p
		d.setOwner(kindWebhook, e.ID, e.UserID, undo)
		undo.add(func() { delete(b.hooks.endpoints, e.ID) })
		return nil
	})
	if err != nil {
		return coach.WebhookEndpoint{}, err
	}
	return e, nil
}

func (r webhooks) Endpoint(ctx context.Context, userID, id string) (coach.WebhookEndpoint, error) {
	var out coach.WebhookEndpoint
	err := r.r.read(ctx, func(d *data) error {
		e, _, err := endpointOf(d, userID, id)
		if err != nil {
			return err
		}
		out = cloneEndpoint(*e)
		return nil
	})
	return out, err
}

func (r webhooks) Endpoints(ctx context.Context, userID string) ([]coach.WebhookEndpoint, error) {
	var out []coach.WebhookEndpoint
	err := r.r.read(ctx, func(d *data) error {
		if b, ok := d.users[userID]; ok {
			for _, e := range b.hooks.endpoints {
				out = append(out, cloneEndpoint(*e))
			}
		}
		return nil
	})
	slices.SortFunc(out, func(a, b coach.WebhookEndpoint) int {
		return cmp.Or(a.CreatedAt.Compare(b.CreatedAt), cmp.Compare(a.ID, b.ID))
	})
	return out, err
}

func (r webhooks) UpdateEndpoint(ctx context.Context, e coach.WebhookEndpoint) (coach.WebhookEndpoint, error) {
	var out coach.WebhookEndpoint
	err := r.r.write(ctx, func(d *data, undo *undoLog) error {
		p, _, err := endpointOf(d, e.UserID, e.ID)
		if err != nil {
			return err
		}
		n := cloneEndpoint(e)
		n.Cursor, n.CreatedAt = p.Cursor, p.CreatedAt
		if err := n.Validate(); err != nil {
			return err
		}
		old := *p
		*p = n
		undo.add(func() { *p = old })
		out = cloneEndpoint(n)
		return nil
	})
	return out, err
}

func (r webhooks) DeleteEndpoint(ctx context.Context, userID, id string) error {
	return r.r.write(ctx, func(d *data, undo *undoLog) error {
		p, b, err := endpointOf(d, userID, id)
		if err != nil {
			return err
		}
		delete(b.hooks.endpoints, id)
		d.dropOwner(kindWebhook, id, undo)
		undo.add(func() { b.hooks.endpoints[id] = p })
		if pend, ok := b.hooks.pending[id]; ok {
			delete(b.hooks.pending, id)
			undo.add(func() { b.hooks.pending[id] = pend })
		}
		for did, rec := range b.hooks.deliveries {
			if rec.d.EndpointID == id {
				delete(b.hooks.deliveries, did)
				d.dropOwner(kindDelivery, did, undo)
				undo.add(func() { b.hooks.deliveries[did] = rec })
			}
		}
		return nil
	})
}

// Active scans every endpoint of every user.
func (r webhooks) Active(ctx context.Context, after string, limit int) ([]coach.WebhookEndpoint, error) {
	var out []coach.WebhookEndpoint
	err := r.r.read(ctx, func(d *data) error {
		for _, b := range d.users {
			for _, e := range b.hooks.endpoints {
				if e.Enabled && e.ID > after {
					out = append(out, cloneEndpoint(*e))
				}
			}
		}
		return nil
	})
	slices.SortFunc(out, func(a, b coach.WebhookEndpoint) int { return cmp.Compare(a.ID, b.ID) })
	return out[:min(len(out), storage.Clamp(limit))], err
}

func (r webhooks) Enqueue(ctx context.Context, userID, endpointID string, ds []coach.WebhookDelivery, move *storage.CursorMove) error {
	for _, dl := range ds {
		if err := dl.Validate(); err != nil {
			return err
		}
		if dl.UserID != userID || dl.EndpointID != endpointID || dl.Status != coach.DeliveryPending {
			return coach.Errorf(coach.EINVALID, "delivery %s: want a pending delivery of endpoint %s", dl.ID, endpointID)
		}
	}
	return r.r.write(ctx, func(d *data, undo *undoLog) error {
		p, b, err := endpointOf(d, userID, endpointID)
		if err != nil {
			return err
		}
		if move != nil {
			if p.Cursor != move.From {
				return coach.Errorf(coach.ECONFLICT, "webhook endpoint %s: cursor moved", endpointID)
			}
			old := p.Cursor
			p.Cursor = move.To
			undo.add(func() { p.Cursor = old })
		}
		have := map[string]bool{}
		for _, rec := range b.hooks.deliveries {
			if rec.d.EndpointID == endpointID {
				have[rec.d.MessageID] = true
			}
		}
		for _, dl := range ds {
			if have[dl.MessageID] {
				continue
			}
			if d.taken(kindDelivery, dl.ID) {
				return coach.Errorf(coach.ECONFLICT, "webhook delivery %s already exists", dl.ID)
			}
			have[dl.MessageID] = true
			rec := &deliveryRec{d: cloneDelivery(dl), seq: d.nextSeq()}
			b.hooks.deliveries[dl.ID] = rec
			d.setOwner(kindDelivery, dl.ID, userID, undo)
			id := dl.ID
			undo.add(func() { delete(b.hooks.deliveries, id) })
			b.hooks.setPending(rec, undo)
		}
		return nil
	})
}

func (r webhooks) Pending(ctx context.Context, userID, endpointID string, limit int) ([]coach.WebhookDelivery, error) {
	var recs []*deliveryRec
	err := r.r.read(ctx, func(d *data) error {
		if b, ok := d.users[userID]; ok {
			for _, rec := range b.hooks.pending[endpointID] {
				c := *rec
				c.d = cloneDelivery(rec.d)
				recs = append(recs, &c)
			}
		}
		return nil
	})
	slices.SortFunc(recs, func(a, b *deliveryRec) int { return cmp.Compare(a.seq, b.seq) })
	out := make([]coach.WebhookDelivery, 0, len(recs))
	for _, rec := range recs[:min(len(recs), storage.Clamp(limit))] {
		out = append(out, rec.d)
	}
	return out, err
}

// Due scans every pending delivery of every user.
func (r webhooks) Due(ctx context.Context, now time.Time, limit int) ([]storage.DueEndpoint, error) {
	var out []storage.DueEndpoint
	err := r.r.read(ctx, func(d *data) error {
		for uid, b := range d.users {
			for eid, pend := range b.hooks.pending {
				if e := b.hooks.endpoints[eid]; e == nil || !e.Enabled {
					continue
				}
				for _, rec := range pend {
					if !rec.d.NextAttemptAt.After(now) {
						out = append(out, storage.DueEndpoint{UserID: uid, EndpointID: eid})
						break
					}
				}
			}
		}
		return nil
	})
	slices.SortFunc(out, func(a, b storage.DueEndpoint) int { return cmp.Compare(a.EndpointID, b.EndpointID) })
	return out[:min(len(out), storage.Clamp(limit))], err
}

func (r webhooks) RecordAttempt(ctx context.Context, userID, id string, a storage.WebhookAttempt) (coach.WebhookDelivery, coach.WebhookEndpoint, error) {
	if err := a.Validate(); err != nil {
		return coach.WebhookDelivery{}, coach.WebhookEndpoint{}, err
	}
	var (
		outD coach.WebhookDelivery
		outE coach.WebhookEndpoint
	)
	err := r.r.write(ctx, func(d *data, undo *undoLog) error {
		b, ok := d.users[userID]
		if !ok || b.hooks.deliveries[id] == nil {
			return notFound("webhook delivery", id)
		}
		rec := b.hooks.deliveries[id]
		e := b.hooks.endpoints[rec.d.EndpointID]
		oldD, oldE := rec.d, *e
		rec.d = a.Apply(cloneDelivery(rec.d))
		if a.Status == coach.DeliverySucceeded {
			e.Failures = 0
		} else {
			e.Failures++
		}
		undo.add(func() { rec.d, *e = oldD, oldE })
		b.hooks.setPending(rec, undo)
		outD, outE = cloneDelivery(rec.d), cloneEndpoint(*e)
		return nil
	})
	return outD, outE, err
}

func (r webhooks) Delivery(ctx context.Context, userID, id string) (coach.WebhookDelivery, error) {
	var out coach.WebhookDelivery
	err := r.r.read(ctx, func(d *data) error {
		b, ok := d.users[userID]
		if !ok || b.hooks.deliveries[id] == nil {
			return notFound("webhook delivery", id)
		}
		out = cloneDelivery(b.hooks.deliveries[id].d)
		return nil
	})
	return out, err
}

// newestFirst orders deliveries by (CreatedAt, ID), descending.
func newestFirst(a, b coach.WebhookDelivery) int {
	return cmp.Or(b.CreatedAt.Compare(a.CreatedAt), cmp.Compare(b.ID, a.ID))
}

func (r webhooks) Deliveries(ctx context.Context, userID, endpointID, before string, limit int) ([]coach.WebhookDelivery, error) {
	var out []coach.WebhookDelivery
	err := r.r.read(ctx, func(d *data) error {
		b, ok := d.users[userID]
		if !ok {
			return nil
		}
		var cut *coach.WebhookDelivery
		if before != "" {
			rec := b.hooks.deliveries[before]
			if rec == nil {
				return notFound("webhook delivery", before)
			}
			cut = &rec.d
		}
		for _, rec := range b.hooks.deliveries {
			if (endpointID == "" || rec.d.EndpointID == endpointID) && (cut == nil || newestFirst(*cut, rec.d) < 0) {
				out = append(out, cloneDelivery(rec.d))
			}
		}
		return nil
	})
	slices.SortFunc(out, newestFirst)
	return out[:min(len(out), storage.Clamp(limit))], err
}

func (r webhooks) Replay(ctx context.Context, userID, id string, at time.Time) (coach.WebhookDelivery, error) {
	if at.IsZero() {
		return coach.WebhookDelivery{}, coach.Errorf(coach.EINVALID, "replay: at: required")
	}
	var out coach.WebhookDelivery
	err := r.r.write(ctx, func(d *data, undo *undoLog) error {
		b, ok := d.users[userID]
		if !ok || b.hooks.deliveries[id] == nil {
			return notFound("webhook delivery", id)
		}
		rec := b.hooks.deliveries[id]
		old := rec.d
		n := at.UTC()
		rec.d.Status, rec.d.NextAttemptAt, rec.d.Attempts = coach.DeliveryPending, &n, 0
		undo.add(func() { rec.d = old })
		b.hooks.setPending(rec, undo)
		out = cloneDelivery(rec.d)
		return nil
	})
	return out, err
}

// PruneDeliveries scans every delivery of every user.
func (r webhooks) PruneDeliveries(ctx context.Context, before time.Time, limit int) (int, error) {
	if before.IsZero() {
		return 0, coach.Errorf(coach.EINVALID, "prune deliveries: before: required")
	}
	type victim struct {
		b   *bucket
		rec *deliveryRec
	}
	n := 0
	err := r.r.write(ctx, func(d *data, undo *undoLog) error {
		var vs []victim
		for _, b := range d.users {
			for _, rec := range b.hooks.deliveries {
				if rec.d.Status != coach.DeliveryPending && storage.DeliverySettledAt(rec.d).Before(before) {
					vs = append(vs, victim{b, rec})
				}
			}
		}
		slices.SortFunc(vs, func(x, y victim) int {
			return cmp.Or(storage.DeliverySettledAt(x.rec.d).Compare(storage.DeliverySettledAt(y.rec.d)), cmp.Compare(x.rec.d.ID, y.rec.d.ID))
		})
		for _, v := range vs[:min(len(vs), storage.Clamp(limit))] {
			id, b, rec := v.rec.d.ID, v.b, v.rec
			delete(b.hooks.deliveries, id)
			d.dropOwner(kindDelivery, id, undo)
			undo.add(func() { b.hooks.deliveries[id] = rec })
			n++
		}
		return nil
	})
	if err != nil {
		return 0, err
	}
	return n, nil
}
