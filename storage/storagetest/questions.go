package storagetest

import (
	"testing"
	"time"

	"github.com/tradecoach/coach"
	"github.com/tradecoach/coach/storage"
)

// question adds a question of the user created at created and returns it as stored.
func (f *fixture) question(userID, text string, created time.Time) coach.Question {
	f.t.Helper()
	q, err := f.s.Questions().Add(f.ctx, coach.Question{ID: coach.NewID(), UserID: userID, Text: text,
		Answer: "You made 3 trades.", Source: coach.AnswerDeterministic, EvidenceIDs: []string{"digest:2026-W01:tradeCount"},
		Versions: "chat-prompt/1 chat-check/1", CreatedAt: microTime(created)})
	must(f.t, err, "Add question")
	return q
}

func runQuestions(t *testing.T, newStore func(*testing.T) storage.Store) {
	t.Run("AddAndReadBack", func(t *testing.T) {
		f := setup(t, newStore)
		u := f.user()
		in := coach.Question{ID: coach.NewID(), UserID: u.ID, Text: "Why do I keep selling in panics? ✅\r\nHonestly.",
			Answer: "You sold ETH 12.3% below its 24-hour high.", Source: coach.AnswerModel,
			EvidenceIDs: []string{"tag:t2:drawdown", "tag:t2:th.rangeBars"}, Rejected: 1, Versions: "chat-prompt/1", CreatedAt: base}
		got, err := f.s.Questions().Add(f.ctx, in)
		must(t, err, "Add")
		diff(t, "Add's answer", in, got)
		list, err := f.s.Questions().List(f.ctx, u.ID, storage.AnswerPage{})
		must(t, err, "List")
		diff(t, "List", []coach.Question{in}, list)
	})

	t.Run("ZeroCreatedAtIsTheStoresClock", func(t *testing.T) {
		f := setup(t, newStore)
		u := f.user()
		got, err := f.s.Questions().Add(f.ctx, coach.Question{ID: coach.NewID(), UserID: u.ID, Text: "now?", Answer: "Now.",
			Source: coach.AnswerDeterministic})
		must(t, err, "Add")
		if got.CreatedAt.IsZero() || got.EvidenceIDs == nil {
			t.Errorf("stored %+v: want a CreatedAt and an empty (not nil) list of evidence ids", got)
		}
	})

	t.Run("ListPagesRecentAndCount", func(t *testing.T) {
		f := setup(t, newStore)
		u, other := f.user(), f.user()
		var all []coach.Question
		for i := range 5 {
			all = append(all, f.question(u.ID, "question", base.Add(time.Duration(i)*time.Hour)))
		}
		f.question(other.ID, "not yours", base.Add(2*time.Hour))
		first, err := f.s.Questions().List(f.ctx, u.ID, storage.AnswerPage{Limit: 2})
		must(t, err, "List page 1")
		pos := storage.QuestionPos(first[1])
		rest, err := f.s.Questions().List(f.ctx, u.ID, storage.AnswerPage{After: &pos})
		must(t, err, "List page 2")
		diff(t, "pages", all, append(first, rest...))
		recent, err := f.s.Questions().Recent(f.ctx, u.ID, 2)
		must(t, err, "Recent")
		diff(t, "Recent", []coach.Question{all[4], all[3]}, recent)
		n, err := f.s.Questions().CountSince(f.ctx, u.ID, base.Add(2*time.Hour))
		must(t, err, "CountSince")
		if n != 3 {
			t.Errorf("CountSince = %d, want 3 (the other user's question is not counted)", n)
		}
	})

	t.Run("Refusals", func(t *testing.T) {
		f := setup(t, newStore)
		u := f.user()
		taken := f.question(u.ID, "first", base)
		_, err := f.s.Questions().Add(f.ctx, coach.Question{ID: taken.ID, UserID: u.ID, Text: "again", Answer: "a", Source: coach.AnswerModel})
		wantCode(t, err, coach.ECONFLICT, "Add with a taken id")
		_, err = f.s.Questions().Add(f.ctx, coach.Question{ID: coach.NewID(), UserID: coach.NewID(), Text: "who?", Answer: "a", Source: coach.AnswerModel})
		wantCode(t, err, coach.ENOTFOUND, "Add for an unknown user")
		_, err = f.s.Questions().Add(f.ctx, coach.Question{ID: coach.NewID(), UserID: u.ID, Text: "x", Answer: "a", Source: "oracle"})
		wantCode(t, err, coach.EINVALID, "Add of an unknown source")
		list, err := f.s.Questions().List(f.ctx, u.ID, storage.AnswerPage{})
		must(t, err, "List")
		diff(t, "List after refusals", []coach.Question{taken}, list)
	})

	t.Run("RollsBackWithTheTransaction", func(t *testing.T) {
		f := setup(t, newStore)
		u := f.user()
		boom := coach.Errorf(coach.EINVALID, "boom")
		err := f.s.InTx(f.ctx, func(tx storage.Tx) error {
			if _, err := tx.Questions().Add(f.ctx, coach.Question{ID: coach.NewID(), UserID: u.ID, Text: "q", Answer: "a",
				Source: coach.AnswerModel}); err != nil {
				return err
			}
			return boom
		})
		if err != boom {
			t.Fatalf("InTx = %v, want fn's error", err)
		}
		n, err := f.s.Questions().CountSince(f.ctx, u.ID, time.Time{})
		must(t, err, "CountSince")
		if n != 0 {
			t.Errorf("%d questions after a rollback, want 0", n)
		}
	})
}
