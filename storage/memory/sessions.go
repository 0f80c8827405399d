package memory

import (
	"cmp"
	"context"
	"slices"
	"time"

	"github.com/tradecoach/coach"
)

// sessions is the storage.Sessions of a Store or transaction.
type sessions struct{ r repos }

func (r sessions) Create(ctx context.Context, s coach.Session) error {
	if err := s.Validate(); err != nil {
		return err
	}
	s.CreatedAt, s.ExpiresAt = s.CreatedAt.UTC(), s.ExpiresAt.UTC()
	return r.r.write(ctx, func(d *data, undo *undoLog) error {
		if _, ok := d.sessionTokens[s.TokenHash]; ok {
			return coach.Errorf(coach.ECONFLICT, "session token already in use")
		}
		if d.taken(kindSession, s.ID) {
			return coach.Errorf(coach.ECONFLICT, "session %s already exists", s.ID)
		}
		b := d.bucketFor(s.UserID, undo)
		p := &s
		b.sessions[s.ID] = p
		d.sessionTokens[s.TokenHash] = p
		d.setOwner(kindSession, s.ID, s.UserID, undo)
		undo.add(func() { delete(b.sessions, s.ID); delete(d.sessionTokens, s.TokenHash) })
		return nil
	})
}

func (r sessions) ByTokenHash(ctx context.Context, tokenHash string) (coach.Session, error) {
	var out coach.Session
	err := r.r.read(ctx, func(d *data) error {
		s, ok := d.sessionTokens[tokenHash]
		if !ok {
			return coach.Errorf(coach.ENOTFOUND, "session not found")
		}
		out = *s
		return nil
	})
	return out, err
}

func (r sessions) List(ctx context.Context, userID string) ([]coach.Session, error) {
	var out []coach.Session
	err := r.r.read(ctx, func(d *data) error {
		if b, ok := d.users[userID]; ok {
			for _, s := range b.sessions {
				out = append(out, *s)
			}
		}
		return nil
	})
	slices.SortFunc(out, func(a, b coach.Session) int {
		if c := b.CreatedAt.Compare(a.CreatedAt); c != 0 {
			return c
		}
		return cmp.Compare(b.ID, a.ID)
	})
	return out, err
}

func (r sessions) Delete(ctx context.Context, userID, id string) error {
	return r.r.write(ctx, func(d *data, undo *undoLog) error {
		b, ok := d.users[userID]
		if !ok || b.sessions[id] == nil {
			return notFound("session", id)
		}
		d.dropSession(b.sessions[id], undo)
		return nil
	})
}

func (r sessions) Touch(ctx context.Context, userID, id string, expiresAt time.Time) error {
	return r.r.write(ctx, func(d *data, undo *undoLog) error {
		b, ok := d.users[userID]
		if !ok || b.sessions[id] == nil {
			return notFound("session", id)
		}
		s := b.sessions[id]
		if !expiresAt.After(s.CreatedAt) {
			return coach.Errorf(coach.EINVALID, "expiresAt: must be after createdAt")
		}
		old := s.ExpiresAt
		s.ExpiresAt = expiresAt.UTC()
		undo.add(func() { s.ExpiresAt = old })
		return nil
	})
}

func (r sessions) DeleteAll(ctx context.Context, userID string) (int, error) {
	n := 0
	err := r.r.write(ctx, func(d *data, undo *undoLog) error {
		if b, ok := d.users[userID]; ok {
			for _, s := range b.sessions {
				d.dropSession(s, undo)
				n++
			}
		}
		return nil
	})
	return n, err
}

func (r sessions) DeleteExpired(ctx context.Context, now time.Time) (int, error) {
	n := 0
	err := r.r.write(ctx, func(d *data, undo *undoLog) error {
		for _, s := range d.sessionTokens {
			if s.Expired(now) {
				d.dropSession(s, undo)
				n++
			}
		}
		return nil
	})
	return n, err
}

// dropSession removes s from its user's bucket (if the bucket is still there) and the indexes.
func (d *data) dropSession(s *coach.Session, undo *undoLog) {
	delete(d.sessionTokens, s.TokenHash)
	d.dropOwner(kindSession, s.ID, undo)
	b := d.users[s.UserID]
	if b != nil {
		delete(b.sessions, s.ID)
	}
	undo.add(func() {
		d.sessionTokens[s.TokenHash] = s
		if b != nil {
			b.sessions[s.ID] = s
		}
	})
}
