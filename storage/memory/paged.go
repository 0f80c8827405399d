package memory

import (
	"cmp"
	"context"
	"slices"
	"time"

	"github.com/tradecoach/coach"
	"github.com/tradecoach/coach/storage"
)

// The keyset reads an export pages through: tombstones, tag revisions by trade, the audit log.

func (r trades) Tombstones(ctx context.Context, userID string, after *storage.Tombstone, limit int) ([]storage.Tombstone, error) {
	var out []storage.Tombstone
	err := r.r.read(ctx, func(d *data) error {
		b, ok := d.users[userID]
		if !ok {
			return nil
		}
		for k := range b.trades.tombs {
			if after != nil && (k.broker < after.Broker || k.broker == after.Broker && k.extID <= after.ExtID) {
				continue
			}
			out = append(out, storage.Tombstone{Broker: k.broker, ExtID: k.extID, DeletedAt: b.trades.tombAt[k]})
		}
		slices.SortFunc(out, func(a, b storage.Tombstone) int {
			if c := cmp.Compare(a.Broker, b.Broker); c != 0 {
				return c
			}
			return cmp.Compare(a.ExtID, b.ExtID)
		})
		out = out[:min(len(out), storage.Clamp(limit))]
		return nil
	})
	return out, err
}

func (r tags) RevisionsByTrades(ctx context.Context, userID string, tradeIDs []string) ([]coach.BiasTag, error) {
	var out []coach.BiasTag
	err := r.r.read(ctx, func(d *data) error {
		b, ok := d.users[userID]
		if !ok {
			return nil
		}
		seen := make(map[string]bool, len(tradeIDs))
		for _, tid := range tradeIDs {
			if seen[tid] {
				continue
			}
			seen[tid] = true
			for _, revs := range b.tagRevs[tid] {
				out = append(out, cloneTags(revs)...)
			}
			out = append(out, cloneTags(b.tags[tid])...)
		}
		slices.SortFunc(out, func(a, b coach.BiasTag) int {
			if c := cmp.Compare(a.TradeID, b.TradeID); c != 0 {
				return c
			}
			if c := cmp.Compare(a.ID, b.ID); c != 0 {
				return c
			}
			return cmp.Compare(a.Revision, b.Revision)
		})
		return nil
	})
	return out, err
}

func (r auditLog) Since(ctx context.Context, userID string, after *storage.AuditPos, limit int) ([]coach.Audit, error) {
	var out []coach.Audit
	err := r.r.read(ctx, func(d *data) error {
		b, ok := d.users[userID]
		if !ok {
			return nil
		}
		// b.audit is sorted by CreatedAt only (equal times in append order): sort a copy of the
		// rows after the position by (CreatedAt, ID).
		i := 0
		if after != nil {
			i, _ = slices.BinarySearchFunc(b.audit, after.CreatedAt, func(a coach.Audit, t time.Time) int { return a.CreatedAt.Compare(t) })
		}
		var rest []coach.Audit
		for _, a := range b.audit[i:] {
			if after == nil || after.Less(storage.PosOfAudit(a)) {
				rest = append(rest, a)
			}
		}
		slices.SortStableFunc(rest, func(a, b coach.Audit) int {
			if c := a.CreatedAt.Compare(b.CreatedAt); c != 0 {
				return c
			}
			return cmp.Compare(a.ID, b.ID)
		})
		for _, a := range rest[:min(len(rest), storage.Clamp(limit))] {
			out = append(out, cloneAudit(a))
		}
		return nil
	})
	return out, err
}
