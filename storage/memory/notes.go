package memory

import (
	"context"
	"slices"
	"strings"

	"github.com/tradecoach/coach"
	"github.com/tradecoach/coach/storage"
)

// notes is the storage.Notes of a Store or transaction.
type notes struct{ r repos }

func (r notes) Add(ctx context.Context, in coach.TradeNote) (coach.TradeNote, error) {
	if err := in.Validate(); err != nil {
		return coach.TradeNote{}, err
	}
	var out coach.TradeNote
	err := r.r.write(ctx, func(d *data, undo *undoLog) error {
		b, ok := d.users[in.UserID]
		if !ok || b.trades.byID[in.TradeID] == nil {
			return notFound("trade", in.TradeID)
		}
		if d.taken(kindNote, in.ID) {
			return coach.Errorf(coach.ECONFLICT, "note %s already exists", in.ID)
		}
		now := r.r.now()
		n := in
		n.CreatedAt = stamp(in.CreatedAt, now)
		n.UpdatedAt = notBefore(stamp(in.UpdatedAt, now), n.CreatedAt)
		b.answers.ensure()
		b.answers.notes[n.ID] = &n
		d.setOwner(kindNote, n.ID, n.UserID, undo)
		undo.add(func() { delete(b.answers.notes, n.ID) })
		out = n
		return nil
	})
	return out, err
}

func (r notes) Update(ctx context.Context, in coach.TradeNote) (coach.TradeNote, error) {
	if err := in.Validate(); err != nil {
		return coach.TradeNote{}, err
	}
	var out coach.TradeNote
	err := r.r.write(ctx, func(d *data, undo *undoLog) error {
		b, ok := d.users[in.UserID]
		if !ok || b.answers.notes[in.ID] == nil {
			return notFound("note", in.ID)
		}
		n := b.answers.notes[in.ID]
		next := *n // the trade and CreatedAt stay as stored
		next.Text = in.Text
		next.UpdatedAt = notBefore(stamp(in.UpdatedAt, r.r.now()), n.CreatedAt)
		prev := *n
		*n = next
		undo.add(func() { *n = prev })
		out = next
		return nil
	})
	return out, err
}

func (r notes) Delete(ctx context.Context, userID, id string) error {
	return r.r.write(ctx, func(d *data, undo *undoLog) error {
		b, ok := d.users[userID]
		if !ok || b.answers.notes[id] == nil {
			return notFound("note", id)
		}
		n := b.answers.notes[id]
		delete(b.answers.notes, id)
		d.dropOwner(kindNote, id, undo)
		undo.add(func() { b.answers.notes[id] = n })
		return nil
	})
}

func (r notes) ByTrades(ctx context.Context, userID string, tradeIDs []string) ([]coach.TradeNote, error) {
	var out []coach.TradeNote
	err := r.r.read(ctx, func(d *data) error {
		b, ok := d.users[userID]
		if !ok || len(b.answers.notes) == 0 {
			return nil
		}
		want := make(map[string]bool, len(tradeIDs))
		for _, id := range tradeIDs {
			want[id] = true
		}
		for _, n := range b.answers.notes {
			if want[n.TradeID] {
				out = append(out, *n)
			}
		}
		slices.SortFunc(out, compareNotes)
		return nil
	})
	return out, err
}

func (r notes) List(ctx context.Context, userID string, p storage.AnswerPage) ([]coach.TradeNote, error) {
	var out []coach.TradeNote
	err := r.r.read(ctx, func(d *data) error {
		b, ok := d.users[userID]
		if !ok || len(b.answers.notes) == 0 {
			return nil
		}
		rows := make([]*coach.TradeNote, 0, len(b.answers.notes))
		for _, n := range b.answers.notes {
			rows = append(rows, n)
		}
		out = page(rows, notePos, p)
		return nil
	})
	return out, err
}

func notePos(n *coach.TradeNote) storage.AnswerPos { return storage.NotePos(*n) }

// compareNotes orders notes by trade id, then (CreatedAt, ID): the order of ByTrades.
func compareNotes(a, b coach.TradeNote) int {
	if c := strings.Compare(a.TradeID, b.TradeID); c != 0 {
		return c
	}
	pa, pb := storage.NotePos(a), storage.NotePos(b)
	switch {
	case pa.Less(pb):
		return -1
	case pb.Less(pa):
		return 1
	}
	return 0
}
