package memory

import (
	"context"

	"github.com/tradecoach/coach"
)

// users is the storage.Users of a Store or transaction.
type users struct{ r repos }

func (r users) Create(ctx context.Context, u coach.User) error {
	if err := u.Validate(); err != nil {
		return err
	}
	if u.ID == "" {
		return coach.Errorf(coach.EINVALID, "id: required")
	}
	u.Email = coach.NormalizeEmail(u.Email)
	return r.r.write(ctx, func(d *data, undo *undoLog) error {
		if b, ok := d.users[u.ID]; ok && b.user != nil {
			return coach.Errorf(coach.ECONFLICT, "user %s already exists", u.ID)
		}
		if _, ok := d.emails[u.Email]; ok && u.Email != "" {
			return coach.Errorf(coach.ECONFLICT, "email already registered")
		}
		if u.CreatedAt.IsZero() {
			u.CreatedAt = r.r.now()
		}
		u.CreatedAt = u.CreatedAt.UTC()
		b := d.bucketFor(u.ID, undo)
		b.user = &u
		undo.add(func() { b.user = nil })
		d.indexEmail(u.Email, u.ID, undo)
		return nil
	})
}

func (r users) ByID(ctx context.Context, id string) (coach.User, error) {
	var out coach.User
	err := r.r.read(ctx, func(d *data) error {
		b, ok := d.users[id]
		if !ok || b.user == nil {
			return notFound("user", id)
		}
		out = *b.user
		return nil
	})
	return out, err
}

func (r users) ByEmail(ctx context.Context, email string) (coach.User, error) {
	var out coach.User
	err := r.r.read(ctx, func(d *data) error {
		id, ok := d.emails[coach.NormalizeEmail(email)]
		if !ok || email == "" {
			return coach.Errorf(coach.ENOTFOUND, "no user with this email")
		}
		out = *d.users[id].user
		return nil
	})
	return out, err
}

func (r users) Update(ctx context.Context, u coach.User) error {
	if err := u.Validate(); err != nil {
		return err
	}
	email := coach.NormalizeEmail(u.Email)
	return r.r.write(ctx, func(d *data, undo *undoLog) error {
		b, ok := d.users[u.ID]
		if !ok || b.user == nil {
			return notFound("user", u.ID)
		}
		if other, ok := d.emails[email]; ok && other != u.ID && email != "" {
			return coach.Errorf(coach.ECONFLICT, "email already registered")
		}
		old := *b.user
		next := old
		next.Email, next.PasswordHash, next.TimeZone, next.ReportingCurrency = email, u.PasswordHash, u.TimeZone, u.ReportingCurrency
		next.DigestByEmail = u.DigestByEmail
		*b.user = next
		undo.add(func() { *b.user = old })
		d.unindexEmail(old.Email, undo)
		d.indexEmail(email, u.ID, undo)
		return nil
	})
}

// Delete removes the user's bucket and every index entry pointing into it.
func (r users) Delete(ctx context.Context, id string) error {
	return r.r.write(ctx, func(d *data, undo *undoLog) error {
		b, ok := d.users[id]
		if !ok || b.user == nil {
			return notFound("user", id)
		}
		d.dropUser(id, b, undo)
		return nil
	})
}

// dropUser removes the user id, whose bucket is b, and everything in it.
func (d *data) dropUser(id string, b *bucket, undo *undoLog) {
	delete(d.users, id)
	undo.add(func() { d.users[id] = b })
	if b.user != nil {
		d.unindexEmail(b.user.Email, undo)
	}
	b.answers.dropOwners(d, undo)
	for _, s := range b.sessions {
		d.dropSession(s, undo)
	}
	for cid := range b.connections {
		d.dropOwner(kindConnection, cid, undo)
	}
	for tid := range b.trades.byID {
		d.dropOwner(kindTrade, tid, undo)
	}
	for rid := range b.rules {
		d.dropOwner(kindRule, rid, undo)
	}
	for did := range b.digests {
		d.dropOwner(kindDigest, did, undo)
	}
	for _, ts := range b.tags {
		for _, g := range ts {
			d.dropOwner(kindTag, g.ID, undo)
		}
	}
	for _, revs := range b.tagRevs {
		for id := range revs {
			d.dropOwner(kindTag, id, undo)
		}
	}
	for _, a := range b.audit {
		d.dropOwner(kindAudit, a.ID, undo)
	}
	for _, e := range b.events {
		d.dropEvent(e, undo)
	}
	for rid := range b.runs {
		d.dropOwner(kindRun, rid, undo)
	}
	for eid := range b.exports {
		d.dropOwner(kindExport, eid, undo)
	}
	b.hooks.dropOwners(d, undo)
}

// indexEmail makes email (normalized; "" for none, which is not indexed) find user id.
func (d *data) indexEmail(email, id string, undo *undoLog) {
	if email == "" {
		return
	}
	d.emails[email] = id
	undo.add(func() { delete(d.emails, email) })
}

// unindexEmail forgets email ("" for none).
func (d *data) unindexEmail(email string, undo *undoLog) {
	id, ok := d.emails[email]
	if email == "" || !ok {
		return
	}
	delete(d.emails, email)
	undo.add(func() { d.emails[email] = id })
}
