package memory

import (
	"context"

	"github.com/tradecoach/coach"
	"github.com/tradecoach/coach/storage"
)

// auditLog is the storage.AuditLog of a Store or transaction.
type auditLog struct{ r repos }

func cloneAudit(a coach.Audit) coach.Audit {
	a.Meta = cloneRaw(a.Meta)
	a.CreatedAt = a.CreatedAt.UTC()
	return a
}

func (r auditLog) Append(ctx context.Context, a coach.Audit) error {
	if err := a.Validate(); err != nil {
		return err
	}
	a = cloneAudit(a)
	return r.r.write(ctx, func(d *data, undo *undoLog) error {
		if d.taken(kindAudit, a.ID) {
			return coach.Errorf(coach.ECONFLICT, "audit row %s already exists", a.ID)
		}
		b := d.bucketFor(a.UserID, undo)
		// Keep the log sorted by CreatedAt (stable for equal times), so List walks it backwards.
		old := b.audit
		i := len(old)
		for i > 0 && old[i-1].CreatedAt.After(a.CreatedAt) {
			i--
		}
		if i == len(old) {
			b.audit = append(old, a)
		} else {
			next := make([]coach.Audit, 0, len(old)+1)
			next = append(append(append(next, old[:i]...), a), old[i:]...)
			b.audit = next
		}
		d.setOwner(kindAudit, a.ID, a.UserID, undo)
		undo.add(func() { b.audit = old })
		return nil
	})
}

func (r auditLog) List(ctx context.Context, userID string, limit int) ([]coach.Audit, error) {
	var out []coach.Audit
	err := r.r.read(ctx, func(d *data) error {
		b, ok := d.users[userID]
		if !ok {
			return nil
		}
		for i := len(b.audit) - 1; i >= 0 && len(out) < storage.Clamp(limit); i-- {
			out = append(out, cloneAudit(b.audit[i]))
		}
		return nil
	})
	return out, err
}
