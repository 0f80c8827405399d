package memory

import (
	"context"
	"slices"
	"strings"

	"github.com/tradecoach/coach"
	"github.com/tradecoach/coach/storage"
)

// disputes is the storage.Disputes of a Store or transaction.
type disputes struct{ r repos }

func (r disputes) Put(ctx context.Context, in coach.TagDispute) (coach.TagDispute, error) {
	if err := in.Validate(); err != nil {
		return coach.TagDispute{}, err
	}
	var out coach.TagDispute
	err := r.r.write(ctx, func(d *data, undo *undoLog) error {
		b, ok := d.users[in.UserID]
		var g *coach.BiasTag
		if ok {
			g = b.currentTag(in.TradeID, in.Label)
		}
		if g == nil || g.ID != in.TagID {
			return notFound("tag", in.TagID)
		}
		in.TagRevision = max(g.Revision, 1)
		now := r.r.now()
		b.answers.ensure()
		k := labelKey{in.TradeID, in.Label}
		if x := b.answers.disputes[k]; x != nil {
			prev := *x
			x.TagID, x.TagRevision, x.Reason, x.Note, x.ExcludeFromAttribution = in.TagID, in.TagRevision, in.Reason, in.Note, in.ExcludeFromAttribution
			x.UpdatedAt = notBefore(stamp(in.UpdatedAt, now), x.CreatedAt)
			undo.add(func() { *x = prev })
			out = *x
			return nil
		}
		if d.taken(kindDispute, in.ID) {
			return coach.Errorf(coach.ECONFLICT, "dispute %s already exists", in.ID)
		}
		x := in
		x.CreatedAt = stamp(in.CreatedAt, now)
		x.UpdatedAt = notBefore(stamp(in.UpdatedAt, now), x.CreatedAt)
		b.answers.disputes[k] = &x
		d.setOwner(kindDispute, x.ID, x.UserID, undo)
		undo.add(func() { delete(b.answers.disputes, k) })
		out = x
		return nil
	})
	return out, err
}

func (r disputes) Get(ctx context.Context, userID, tradeID, label string) (coach.TagDispute, error) {
	var out coach.TagDispute
	err := r.r.read(ctx, func(d *data) error {
		b, ok := d.users[userID]
		if !ok || b.answers.disputes[labelKey{tradeID, label}] == nil {
			return notFound("dispute of "+clipKey(label)+" on trade", tradeID)
		}
		out = *b.answers.disputes[labelKey{tradeID, label}]
		return nil
	})
	return out, err
}

func (r disputes) Delete(ctx context.Context, userID, tradeID, label string) error {
	return r.r.write(ctx, func(d *data, undo *undoLog) error {
		b, ok := d.users[userID]
		k := labelKey{tradeID, label}
		if !ok || b.answers.disputes[k] == nil {
			return notFound("dispute of "+clipKey(label)+" on trade", tradeID)
		}
		x := b.answers.disputes[k]
		delete(b.answers.disputes, k)
		d.dropOwner(kindDispute, x.ID, undo)
		undo.add(func() { b.answers.disputes[k] = x })
		return nil
	})
}

func (r disputes) ByTrades(ctx context.Context, userID string, tradeIDs []string) ([]coach.TagDispute, error) {
	var out []coach.TagDispute
	err := r.r.read(ctx, func(d *data) error {
		b, ok := d.users[userID]
		if !ok || len(b.answers.disputes) == 0 {
			return nil
		}
		want := make(map[string]bool, len(tradeIDs))
		for _, id := range tradeIDs {
			want[id] = true
		}
		for k, x := range b.answers.disputes {
			if want[k.trade] {
				out = append(out, *x)
			}
		}
		slices.SortFunc(out, func(a, b coach.TagDispute) int {
			if c := strings.Compare(a.TradeID, b.TradeID); c != 0 {
				return c
			}
			return strings.Compare(a.Label, b.Label)
		})
		return nil
	})
	return out, err
}

func (r disputes) Tagged(ctx context.Context, userID string, tradeIDs []string) ([]coach.TagWithDispute, error) {
	var out []coach.TagWithDispute
	err := r.r.read(ctx, func(d *data) error {
		b, ok := d.users[userID]
		if !ok {
			return nil
		}
		for _, id := range uniqueSorted(tradeIDs) {
			for _, g := range b.tags[id] {
				tw := coach.TagWithDispute{BiasTag: cloneTag(g)}
				if x := b.answers.disputes[labelKey{id, g.Label}]; x != nil {
					c := *x
					tw.Dispute = &c
				}
				out = append(out, tw)
			}
		}
		return nil
	})
	return out, err
}

func (r disputes) List(ctx context.Context, userID string, p storage.AnswerPage) ([]coach.TagDispute, error) {
	var out []coach.TagDispute
	err := r.r.read(ctx, func(d *data) error {
		b, ok := d.users[userID]
		if !ok || len(b.answers.disputes) == 0 {
			return nil
		}
		rows := make([]*coach.TagDispute, 0, len(b.answers.disputes))
		for _, x := range b.answers.disputes {
			rows = append(rows, x)
		}
		out = page(rows, func(x *coach.TagDispute) storage.AnswerPos { return storage.DisputePos(*x) }, p)
		return nil
	})
	return out, err
}

func (r disputes) LabelCounts(ctx context.Context, userID string) ([]coach.LabelDisputes, error) {
	var out []coach.LabelDisputes
	err := r.r.read(ctx, func(d *data) error {
		var tags []coach.BiasTag
		var ds []coach.TagDispute
		if b, ok := d.users[userID]; ok {
			tags, ds = b.answerCountInput(tags, ds)
		}
		out = coach.CountDisputes(tags, ds)
		return nil
	})
	return out, err
}

func (r disputes) PooledLabelCounts(ctx context.Context) ([]coach.LabelDisputes, error) {
	var out []coach.LabelDisputes
	err := r.r.read(ctx, func(d *data) error {
		var tags []coach.BiasTag
		var ds []coach.TagDispute
		for _, b := range d.users {
			tags, ds = b.answerCountInput(tags, ds)
		}
		out = coach.CountDisputes(tags, ds)
		return nil
	})
	return out, err
}

// answerCountInput appends the bucket's tags and disputes, what coach.CountDisputes counts.
func (b *bucket) answerCountInput(tags []coach.BiasTag, ds []coach.TagDispute) ([]coach.BiasTag, []coach.TagDispute) {
	for _, gs := range b.tags {
		tags = append(tags, gs...)
	}
	for _, x := range b.answers.disputes {
		ds = append(ds, *x)
	}
	return tags, ds
}
