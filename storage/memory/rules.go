package memory

import (
	"cmp"
	"context"
	"slices"

	"github.com/tradecoach/coach"
	"github.com/tradecoach/coach/storage"
)

// rules is the storage.Rules of a Store or transaction.
type rules struct{ r repos }

// ruleRec is a stored rule with its insertion number, the tie-break of List's order.
type ruleRec struct {
	r   coach.Rule
	seq uint64
}

func cloneRule(r coach.Rule) coach.Rule {
	r.Params = cloneRaw(r.Params)
	r.CreatedAt = r.CreatedAt.UTC()
	return r
}

func (r rules) Create(ctx context.Context, ru coach.Rule) error {
	if err := ru.Validate(); err != nil {
		return err
	}
	ru = cloneRule(ru)
	return r.r.write(ctx, func(d *data, undo *undoLog) error {
		if d.taken(kindRule, ru.ID) {
			return coach.Errorf(coach.ECONFLICT, "rule %s already exists", ru.ID)
		}
		if ru.CreatedAt.IsZero() {
			ru.CreatedAt = r.r.now()
		}
		b := d.bucketFor(ru.UserID, undo)
		b.rules[ru.ID] = &ruleRec{r: ru, seq: d.nextSeq()}
		d.setOwner(kindRule, ru.ID, ru.UserID, undo)
		undo.add(func() { delete(b.rules, ru.ID) })
		return nil
	})
}

func (r rules) Get(ctx context.Context, userID, id string) (coach.Rule, error) {
	var out coach.Rule
	err := r.r.read(ctx, func(d *data) error {
		b, ok := d.users[userID]
		if !ok || b.rules[id] == nil {
			return notFound("rule", id)
		}
		out = cloneRule(b.rules[id].r)
		return nil
	})
	return out, err
}

func (r rules) List(ctx context.Context, userID string) ([]coach.Rule, error) {
	var out []coach.Rule
	err := r.r.read(ctx, func(d *data) error {
		b, ok := d.users[userID]
		if !ok {
			return nil
		}
		recs := make([]*ruleRec, 0, len(b.rules))
		for _, x := range b.rules {
			recs = append(recs, x)
		}
		slices.SortFunc(recs, func(a, b *ruleRec) int {
			if c := a.r.CreatedAt.Compare(b.r.CreatedAt); c != 0 {
				return c
			}
			return cmp.Compare(a.seq, b.seq)
		})
		for _, x := range recs {
			out = append(out, cloneRule(x.r))
		}
		return nil
	})
	return out, err
}

func (r rules) Update(ctx context.Context, ru coach.Rule) error {
	if err := ru.Validate(); err != nil {
		return err
	}
	return r.r.write(ctx, func(d *data, undo *undoLog) error {
		b, ok := d.users[ru.UserID]
		if !ok || b.rules[ru.ID] == nil {
			return notFound("rule", ru.ID)
		}
		rec := b.rules[ru.ID]
		old := rec.r
		rec.r.Kind, rec.r.Params, rec.r.Active = ru.Kind, cloneRaw(ru.Params), ru.Active
		undo.add(func() { rec.r = old })
		return nil
	})
}

func (r rules) Delete(ctx context.Context, userID, id string) error {
	return r.r.write(ctx, func(d *data, undo *undoLog) error {
		b, ok := d.users[userID]
		if !ok || b.rules[id] == nil {
			return notFound("rule", id)
		}
		rec := b.rules[id]
		delete(b.rules, id)
		d.dropOwner(kindRule, id, undo)
		undo.add(func() { b.rules[id] = rec })
		return nil
	})
}

func (r rules) MarkBroken(ctx context.Context, userID string, breaks []storage.RuleBreak) ([]storage.RuleBreak, error) {
	for _, b := range breaks {
		if b.RuleID == "" || b.TradeID == "" || len(b.RuleID) > 256 || len(b.TradeID) > 256 {
			return nil, coach.Errorf(coach.EINVALID, "rule break: rule and trade ids required")
		}
	}
	var out []storage.RuleBreak
	err := r.r.write(ctx, func(d *data, undo *undoLog) error {
		out = nil
		bk, ok := d.users[userID]
		if !ok || bk.user == nil {
			return notFound("user", userID)
		}
		for _, b := range breaks {
			k := [2]string{b.RuleID, b.TradeID}
			if bk.ruleBreaks[k] {
				continue
			}
			bk.ruleBreaks[k] = true
			undo.add(func() { delete(bk.ruleBreaks, k) })
			out = append(out, b)
		}
		return nil
	})
	return out, err
}
