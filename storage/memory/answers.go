package memory

import (
	"slices"
	"time"

	"github.com/tradecoach/coach"
	"github.com/tradecoach/coach/storage"
)

// Kinds of ownerKey for the trader's answers, numbered apart from data.go's kinds so that the
// two lists can grow independently.
const (
	kindDispute byte = 64 + iota
	kindNote
	kindQuestion
)

// answerBook is one user's disputes and trade notes (a field of bucket). Its maps are made on
// the first write.
type answerBook struct {
	disputes map[labelKey]*coach.TagDispute // by (trade id, label)
	notes    map[string]*coach.TradeNote    // by note id
	// questions are the trader's questions to the coach, by id (questions.go).
	questions map[string]*coach.Question
}

// labelKey names a label on a trade: what a dispute is about.
type labelKey struct{ trade, label string }

// ensure makes the maps of a book that has never been written.
func (a *answerBook) ensure() {
	if a.disputes == nil {
		a.disputes = make(map[labelKey]*coach.TagDispute)
		a.notes = make(map[string]*coach.TradeNote)
		a.questions = make(map[string]*coach.Question)
	}
}

// dropTrade removes the disputes and notes of trade tradeID (the trade is being deleted).
func (a *answerBook) dropTrade(d *data, tradeID string, undo *undoLog) {
	for k, x := range a.disputes {
		if k.trade == tradeID {
			delete(a.disputes, k)
			d.dropOwner(kindDispute, x.ID, undo)
			undo.add(func() { a.disputes[k] = x })
		}
	}
	for id, n := range a.notes {
		if n.TradeID == tradeID {
			delete(a.notes, id)
			d.dropOwner(kindNote, id, undo)
			undo.add(func() { a.notes[id] = n })
		}
	}
}

// dropOwners forgets the ids of every dispute and note of the book (the user is being deleted).
func (a *answerBook) dropOwners(d *data, undo *undoLog) {
	for _, x := range a.disputes {
		d.dropOwner(kindDispute, x.ID, undo)
	}
	for id := range a.questions {
		d.dropOwner(kindQuestion, id, undo)
	}
	for id := range a.notes {
		d.dropOwner(kindNote, id, undo)
	}
}

// currentTag returns the tag of label on the user's trade tradeID, or nil: the revision a
// dispute of that label is shown with.
func (b *bucket) currentTag(tradeID, label string) *coach.BiasTag {
	for i, g := range b.tags[tradeID] {
		if g.Label == label {
			return &b.tags[tradeID][i]
		}
	}
	return nil
}

// stamp returns t in UTC, or now when t is zero, at the microsecond precision every adapter keeps.
func stamp(t, now time.Time) time.Time {
	if t.IsZero() {
		t = now
	}
	return t.UTC().Truncate(time.Microsecond)
}

// notBefore returns t, or floor when t is before it.
func notBefore(t, floor time.Time) time.Time {
	if t.Before(floor) {
		return floor
	}
	return t
}

// page returns the rows of rows (any order) after p.After in (CreatedAt, ID) order, at most
// storage.Clamp(p.Limit), copied.
func page[T any](rows []*T, pos func(*T) storage.AnswerPos, p storage.AnswerPage) []T {
	slices.SortFunc(rows, func(a, b *T) int {
		pa, pb := pos(a), pos(b)
		switch {
		case pa.Less(pb):
			return -1
		case pb.Less(pa):
			return 1
		}
		return 0
	})
	limit := storage.Clamp(p.Limit)
	var out []T
	for _, x := range rows {
		if len(out) == limit {
			break
		}
		if p.After != nil && !p.After.Less(pos(x)) {
			continue
		}
		out = append(out, *x)
	}
	return out
}

// uniqueSorted returns ids sorted without repeats.
func uniqueSorted(ids []string) []string {
	out := slices.Clone(ids)
	slices.Sort(out)
	return slices.Compact(out)
}
