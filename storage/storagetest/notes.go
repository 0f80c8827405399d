package storagetest

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/tradecoach/coach"
	"github.com/tradecoach/coach/storage"
)

// note adds a note with text on the user's trade, created at created, and returns it as stored.
func (f *fixture) note(userID, tradeID, text string, created time.Time) coach.TradeNote {
	f.t.Helper()
	n, err := f.s.Notes().Add(f.ctx, coach.TradeNote{ID: coach.NewID(), UserID: userID, TradeID: tradeID, Text: text,
		CreatedAt: microTime(created), UpdatedAt: microTime(created)})
	must(f.t, err, "Add note")
	return n
}

func runNotes(t *testing.T, newStore func(*testing.T) storage.Store) {
	// twoTrades stores trades a and b for userID and returns them.
	twoTrades := func(f *fixture, userID string) (a, b coach.Trade) {
		f.upsert(userID, trade("a", base), trade("b", base.Add(time.Minute)))
		return f.storedTrade(userID, "a"), f.storedTrade(userID, "b")
	}

	t.Run("AddAndReadBack", func(t *testing.T) {
		f := setup(t, newStore)
		u := f.user()
		a, b := twoTrades(f, u.ID)
		in := coach.TradeNote{ID: coach.NewID(), UserID: u.ID, TradeID: a.ID, Text: "Bought the retest.\r\nStop under the range — 2% risk. ✅",
			CreatedAt: base, UpdatedAt: base}
		got, err := f.s.Notes().Add(f.ctx, in)
		must(t, err, "Add")
		diff(t, "Add's answer", in, got)
		later := f.note(u.ID, a.ID, "Sold half at the target.", base.Add(time.Hour))
		onB := f.note(u.ID, b.ID, "No plan for this one.", base.Add(-time.Hour))
		byTrades, err := f.s.Notes().ByTrades(f.ctx, u.ID, []string{b.ID, a.ID, coach.NewID(), a.ID})
		must(t, err, "ByTrades")
		diff(t, "ByTrades", sortNotes([]coach.TradeNote{in, later, onB}), byTrades)
	})

	t.Run("ZeroTimesAreTheStoresClock", func(t *testing.T) {
		f := setup(t, newStore)
		u := f.user()
		a, _ := twoTrades(f, u.ID)
		got, err := f.s.Notes().Add(f.ctx, coach.TradeNote{ID: coach.NewID(), UserID: u.ID, TradeID: a.ID, Text: "now"})
		must(t, err, "Add")
		if got.CreatedAt.IsZero() || !got.UpdatedAt.Equal(got.CreatedAt) {
			t.Errorf("stamped times: createdAt %v updatedAt %v, want a set createdAt and the same updatedAt", got.CreatedAt, got.UpdatedAt)
		}
		list, err := f.s.Notes().List(f.ctx, u.ID, storage.AnswerPage{})
		must(t, err, "List")
		diff(t, "stored note", []coach.TradeNote{got}, list)
	})

	t.Run("UpdateChangesTextOnly", func(t *testing.T) {
		f := setup(t, newStore)
		u := f.user()
		a, b := twoTrades(f, u.ID)
		n := f.note(u.ID, a.ID, "first thought", base)
		edit := n
		edit.Text, edit.TradeID, edit.UpdatedAt = "second thought", b.ID, base.Add(time.Minute)
		got, err := f.s.Notes().Update(f.ctx, edit)
		must(t, err, "Update")
		want := n
		want.Text, want.UpdatedAt = "second thought", base.Add(time.Minute)
		diff(t, "updated note", want, got)
		list, err := f.s.Notes().ByTrades(f.ctx, u.ID, []string{a.ID, b.ID})
		must(t, err, "ByTrades")
		diff(t, "notes after Update (still on trade a)", []coach.TradeNote{want}, list)
		early := want
		early.CreatedAt, early.UpdatedAt = time.Time{}, base.Add(-time.Hour)
		got, err = f.s.Notes().Update(f.ctx, early)
		must(t, err, "Update with an early time")
		if !got.UpdatedAt.Equal(n.CreatedAt) {
			t.Errorf("updatedAt %v after an early update, want createdAt %v", got.UpdatedAt, n.CreatedAt)
		}
		bad := want
		bad.Text = "   "
		wantCode(t, errOf(f.s.Notes().Update(f.ctx, bad)), coach.EINVALID, "Update to blank text")
		missing := want
		missing.ID = coach.NewID()
		wantCode(t, errOf(f.s.Notes().Update(f.ctx, missing)), coach.ENOTFOUND, "Update of an unknown note")
	})

	t.Run("DeleteRemovesOne", func(t *testing.T) {
		f := setup(t, newStore)
		u := f.user()
		a, _ := twoTrades(f, u.ID)
		gone := f.note(u.ID, a.ID, "gone", base)
		keep := f.note(u.ID, a.ID, "kept", base.Add(time.Second))
		must(t, f.s.Notes().Delete(f.ctx, u.ID, gone.ID), "Delete")
		wantCode(t, f.s.Notes().Delete(f.ctx, u.ID, gone.ID), coach.ENOTFOUND, "Delete again")
		list, err := f.s.Notes().List(f.ctx, u.ID, storage.AnswerPage{})
		must(t, err, "List")
		diff(t, "notes after Delete", []coach.TradeNote{keep}, list)
	})

	t.Run("AddRejectsBadInput", func(t *testing.T) {
		f := setup(t, newStore)
		u := f.user()
		a, _ := twoTrades(f, u.ID)
		taken := f.note(u.ID, a.ID, "first", base)
		for _, tc := range []struct {
			name string
			text string
			code coach.Code
		}{
			{"empty text", "", coach.EINVALID},
			{"blank text", "\n\t ", coach.EINVALID},
			{"text too long", strings.Repeat("é", coach.MaxNoteText+1), coach.EINVALID},
			{"text with NUL", "a\x00b", coach.EINVALID},
			{"text not UTF-8", "a\xc3", coach.EINVALID},
		} {
			_, err := f.s.Notes().Add(f.ctx, coach.TradeNote{ID: coach.NewID(), UserID: u.ID, TradeID: a.ID, Text: tc.text})
			wantCode(t, err, tc.code, "Add with "+tc.name)
		}
		_, err := f.s.Notes().Add(f.ctx, coach.TradeNote{ID: taken.ID, UserID: u.ID, TradeID: a.ID, Text: "same id"})
		wantCode(t, err, coach.ECONFLICT, "Add with a taken id")
		_, err = f.s.Notes().Add(f.ctx, coach.TradeNote{ID: coach.NewID(), UserID: u.ID, TradeID: coach.NewID(), Text: "no trade"})
		wantCode(t, err, coach.ENOTFOUND, "Add on an unknown trade")
		longest := strings.Repeat("é", coach.MaxNoteText)
		n := f.note(u.ID, a.ID, longest, base.Add(time.Second))
		if n.Text != longest {
			t.Errorf("the longest note came back with %d characters", len([]rune(n.Text)))
		}
		list, err := f.s.Notes().List(f.ctx, u.ID, storage.AnswerPage{})
		must(t, err, "List")
		diff(t, "notes after rejected Adds", []coach.TradeNote{taken, n}, list)
	})

	t.Run("ListPagesInCreationOrder", func(t *testing.T) {
		f := setup(t, newStore)
		u := f.user()
		a, b := twoTrades(f, u.ID)
		var want []coach.TradeNote
		for i := range 8 {
			tr := a
			if i%2 == 1 {
				tr = b
			}
			// Notes 3 to 7 share one CreatedAt: the id breaks the tie.
			want = append(want, f.note(u.ID, tr.ID, fmt.Sprintf("note %d", i), base.Add(time.Duration(min(i, 3))*time.Second)))
		}
		want = sortNotesByPos(want)
		var got []coach.TradeNote
		p := storage.AnswerPage{Limit: 3}
		for range len(want) + 1 {
			page, err := f.s.Notes().List(f.ctx, u.ID, p)
			must(t, err, "List")
			got = append(got, page...)
			if len(page) < p.Limit {
				break
			}
			after := storage.NotePos(page[len(page)-1])
			p.After = &after
		}
		diff(t, "every note, paged by 3", want, got)
	})

	t.Run("Tenancy/OtherUsersNotesAreNotFound", func(t *testing.T) {
		f := setup(t, newStore)
		u, other := f.user(), f.user()
		a, _ := twoTrades(f, u.ID)
		oa, _ := twoTrades(f, other.ID)
		theirs := f.note(other.ID, oa.ID, "mine", base)
		_, err := f.s.Notes().Add(f.ctx, coach.TradeNote{ID: coach.NewID(), UserID: u.ID, TradeID: oa.ID, Text: "on your trade"})
		wantCode(t, err, coach.ENOTFOUND, "Add on another user's trade")
		edit := theirs
		edit.UserID, edit.Text = u.ID, "changed"
		wantCode(t, errOf(f.s.Notes().Update(f.ctx, edit)), coach.ENOTFOUND, "Update of another user's note")
		wantCode(t, f.s.Notes().Delete(f.ctx, u.ID, theirs.ID), coach.ENOTFOUND, "Delete of another user's note")
		byTrades, err := f.s.Notes().ByTrades(f.ctx, u.ID, []string{oa.ID, a.ID})
		must(t, err, "ByTrades")
		diff(t, "ByTrades naming another user's trade", []coach.TradeNote(nil), byTrades)
		list, err := f.s.Notes().List(f.ctx, u.ID, storage.AnswerPage{})
		must(t, err, "List")
		diff(t, "the user's own notes", []coach.TradeNote(nil), list)
		owned, err := f.s.Notes().List(f.ctx, other.ID, storage.AnswerPage{})
		must(t, err, "List as the owner")
		diff(t, "the owner's note, untouched", []coach.TradeNote{theirs}, owned)
	})
}

// sortNotes orders notes as ByTrades does: by trade id, then (CreatedAt, ID).
func sortNotes(ns []coach.TradeNote) []coach.TradeNote {
	out := append([]coach.TradeNote(nil), ns...)
	less := func(x, y coach.TradeNote) bool {
		if x.TradeID != y.TradeID {
			return x.TradeID < y.TradeID
		}
		return storage.NotePos(x).Less(storage.NotePos(y))
	}
	for i := range out {
		for j := i + 1; j < len(out); j++ {
			if less(out[j], out[i]) {
				out[i], out[j] = out[j], out[i]
			}
		}
	}
	return out
}

// sortNotesByPos orders notes as List does: by (CreatedAt, ID).
func sortNotesByPos(ns []coach.TradeNote) []coach.TradeNote {
	out := append([]coach.TradeNote(nil), ns...)
	for i := range out {
		for j := i + 1; j < len(out); j++ {
			if storage.NotePos(out[j]).Less(storage.NotePos(out[i])) {
				out[i], out[j] = out[j], out[i]
			}
		}
	}
	return out
}
