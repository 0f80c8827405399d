package storagetest

import (
	"errors"
	"testing"
	"time"

	"github.com/tradecoach/coach"
	"github.com/tradecoach/coach/storage"
)

// everything gives userID one or more rows of every kind a user has and returns the ids of its
// connection and of its trade "a".
func (f *fixture) everything(userID string) (connID, tradeID string) {
	f.t.Helper()
	ctx := f.ctx
	a, b, _, aFomo, _, _ := f.tagged(userID)
	// A new revision of a's tags leaves revision 1 in the revisions table.
	fomo2 := aFomo
	fomo2.Revision, fomo2.Confidence = 2, 0.9
	must(f.t, f.s.Tags().Replace(ctx, userID, []string{a.ID}, []coach.BiasTag{fomo2}), "Replace tags (revision 2)")
	f.put(dispute(fomo2, "plan", true))
	f.note(userID, a.ID, "I chased it", base)
	f.question(userID, "Why did I chase it?", base)
	must(f.t, f.s.Trades().Delete(ctx, userID, b.ID), "Delete trade b (tombstone)")
	connID = f.connection(userID)
	must(f.t, f.s.Checkpoints().Put(ctx, userID, connID, "fills", "cursor-1"), "Put checkpoint")
	must(f.t, f.s.Sessions().Create(ctx, session(userID, base)), "Create session")
	must(f.t, f.s.Rules().Create(ctx, rule(userID, base)), "Create rule")
	_, err := f.s.Digests().Put(ctx, digest(userID, day(0), `{"counts":{"FOMO":1}}`))
	must(f.t, err, "Put digest")
	must(f.t, f.s.Audit().Append(ctx, coach.Audit{ID: coach.NewID(), UserID: userID, Action: "login", CreatedAt: base}), "Append audit")
	f.appendEvents(userID, 2)
	f.createRun(run(userID, base))
	_, err = f.s.Exports().Create(ctx, coach.Export{ID: coach.NewID(), UserID: userID, Status: coach.ExportQueued, RequestedAt: base})
	must(f.t, err, "Create export")
	must(f.t, f.s.DataKeys().Put(ctx, storage.DataKey{UserID: userID, KEKID: "local-1", Wrapped: []byte("wrapped key")}), "Put data key")
	ep := f.endpoint(userID)
	must(f.t, f.s.Webhooks().Enqueue(ctx, userID, ep.ID, []coach.WebhookDelivery{delivery(ep, 1)}, nil), "Enqueue webhook delivery")
	_, err = f.s.Rules().MarkBroken(ctx, userID, []storage.RuleBreak{{RuleID: "r1", TradeID: a.ID, At: base}})
	must(f.t, err, "MarkBroken")
	must(f.t, f.s.DeadLetters().Add(ctx, storage.DeadLetter{ID: "q_score:" + userID, Queue: "q_score", TaskType: "score.bias",
		TaskID: "score:" + userID, Payload: []byte(`{"userId":"` + userID + `"}`), Error: "boom", Attempts: 3, FailedAt: base}), "Add dead letter")
	return connID, a.ID
}

func runErasures(t *testing.T, newStore func(*testing.T) storage.Store) {
	t.Run("EraseRemovesEverythingOfTheUserOnly", func(t *testing.T) {
		f := setup(t, newStore)
		u, other := f.user(), f.user()
		connID, tradeID := f.everything(u.ID)
		otherConn, otherTrade := f.everything(other.ID)

		counts, err := f.s.Erasures().Erase(f.ctx, u.ID)
		must(t, err, "Erase")
		diff(t, "counts", map[string]int{"tradeNotes": 1, "questions": 1, "tagDisputes": 1, "tagRevisions": 2, "tags": 1, "trades": 2,
			"tombstones": 1, "checkpoints": 1, "sessions": 1, "connections": 1, "rules": 1, "digests": 1, "audit": 1,
			"events": 2, "eventStreams": 1, "simulationRuns": 1, "exports": 1, "dataKeys": 1, "deadLetters": 1, "users": 1,
			"webhookEndpoints": 1, "webhookDeliveries": 1, "ruleBreaks": 1}, counts)

		_, err = f.s.Users().ByID(f.ctx, u.ID)
		wantCode(t, err, coach.ENOTFOUND, "ByID of the erased user")
		_, err = f.s.Connections().Get(f.ctx, u.ID, connID)
		wantCode(t, err, coach.ENOTFOUND, "connection of the erased user")
		_, err = f.s.Trades().Get(f.ctx, u.ID, tradeID)
		wantCode(t, err, coach.ENOTFOUND, "trade of the erased user")
		_, err = f.s.DataKeys().Get(f.ctx, u.ID)
		wantCode(t, err, coach.ENOTFOUND, "data key of the erased user")
		dls, err := f.s.DeadLetters().List(f.ctx, "", 0)
		must(t, err, "List dead letters")
		if len(dls) != 1 || dls[0].UserID != other.ID {
			t.Errorf("dead letters after the erasure: %+v, want only the other user's", dls)
		}
		// A user with the erased user's email can sign up again: nothing of theirs is left.
		again := coach.User{ID: coach.NewID(), Email: u.Email, CreatedAt: base}
		must(t, f.s.Users().Create(f.ctx, again), "Create a user with the erased email")

		// The other user is intact.
		if _, err := f.s.Connections().Get(f.ctx, other.ID, otherConn); err != nil {
			t.Errorf("other user's connection: %v", err)
		}
		if _, err := f.s.Trades().Get(f.ctx, other.ID, otherTrade); err != nil {
			t.Errorf("other user's trade: %v", err)
		}
		if _, err := f.s.DataKeys().Get(f.ctx, other.ID); err != nil {
			t.Errorf("other user's data key: %v", err)
		}
		tags, err := f.s.Tags().ByTrades(f.ctx, other.ID, []string{otherTrade})
		must(t, err, "other user's tags")
		if len(tags) != 1 {
			t.Errorf("other user's tags on trade a: %d, want 1 (FOMO revision 2)", len(tags))
		}
		evs, err := f.s.Events().Since(f.ctx, other.ID, "", 0)
		must(t, err, "other user's events")
		if len(evs) != 2 {
			t.Errorf("other user's events: %d, want 2", len(evs))
		}
	})

	t.Run("EraseIsIdempotent", func(t *testing.T) {
		f := setup(t, newStore)
		u := f.user()
		f.everything(u.ID)
		_, err := f.s.Erasures().Erase(f.ctx, u.ID)
		must(t, err, "Erase")
		counts, err := f.s.Erasures().Erase(f.ctx, u.ID)
		must(t, err, "Erase again")
		diff(t, "counts of the second erasure", map[string]int{}, counts)
		counts, err = f.s.Erasures().Erase(f.ctx, coach.NewID())
		must(t, err, "Erase a user who never existed")
		diff(t, "counts of a user who never existed", map[string]int{}, counts)
	})

	t.Run("EraseRemovesDeadLettersOfAUserAlreadyDeleted", func(t *testing.T) {
		f := setup(t, newStore)
		u := f.user()
		must(t, f.s.DeadLetters().Add(f.ctx, storage.DeadLetter{ID: "q_digest:x", Queue: "q_digest", TaskType: "digest.weekly",
			TaskID: "digest:" + u.ID + ":2026-W02", Payload: []byte(`{"userId":"` + u.ID + `","week":"2026-W02"}`), Error: "boom",
			Attempts: 1, FailedAt: base}), "Add dead letter")
		must(t, f.s.Users().Delete(f.ctx, u.ID), "Delete user")
		counts, err := f.s.Erasures().Erase(f.ctx, u.ID)
		must(t, err, "Erase")
		diff(t, "counts", map[string]int{"deadLetters": 1}, counts)
	})

	t.Run("EraseRollsBackWithItsTransaction", func(t *testing.T) {
		f := setup(t, newStore)
		u := f.user()
		f.everything(u.ID)
		errStop := errors.New("stop")
		err := f.s.InTx(f.ctx, func(tx storage.Tx) error {
			if _, err := tx.Erasures().Erase(f.ctx, u.ID); err != nil {
				return err
			}
			return errStop
		})
		if !errors.Is(err, errStop) {
			t.Fatalf("InTx: %v, want the function's error", err)
		}
		if _, err := f.s.Users().ByID(f.ctx, u.ID); err != nil {
			t.Errorf("user after a rolled-back erasure: %v", err)
		}
		if _, err := f.s.DataKeys().Get(f.ctx, u.ID); err != nil {
			t.Errorf("data key after a rolled-back erasure: %v", err)
		}
		dls, err := f.s.DeadLetters().List(f.ctx, "", 0)
		must(t, err, "List dead letters")
		if len(dls) != 1 {
			t.Errorf("dead letters after a rolled-back erasure: %d, want 1", len(dls))
		}
	})

	t.Run("RecordAndBySubject", func(t *testing.T) {
		f := setup(t, newStore)
		subject := randomKey(t)
		e1 := storage.Erasure{ID: coach.NewID(), Subject: subject, ErasedAt: microTime(base.Add(time.Hour)), Counts: map[string]int{"trades": 3}}
		e2 := storage.Erasure{ID: coach.NewID(), Subject: subject, ErasedAt: microTime(base.Add(2 * time.Hour)), Counts: map[string]int{}}
		must(t, f.s.Erasures().Record(f.ctx, e2), "Record e2")
		must(t, f.s.Erasures().Record(f.ctx, e1), "Record e1")
		must(t, f.s.Erasures().Record(f.ctx, storage.Erasure{ID: coach.NewID(), Subject: "another", ErasedAt: base}), "Record another subject")
		wantCode(t, f.s.Erasures().Record(f.ctx, e1), coach.ECONFLICT, "Record the same id")
		wantCode(t, f.s.Erasures().Record(f.ctx, storage.Erasure{ID: coach.NewID(), ErasedAt: base}), coach.EINVALID, "Record without subject")
		wantCode(t, f.s.Erasures().Record(f.ctx, storage.Erasure{ID: coach.NewID(), Subject: subject}), coach.EINVALID, "Record without time")
		got, err := f.s.Erasures().BySubject(f.ctx, subject)
		must(t, err, "BySubject")
		diff(t, "BySubject", []storage.Erasure{e1, e2}, got)
	})
}

func runDataKeys(t *testing.T, newStore func(*testing.T) storage.Store) {
	t.Run("PutGetRotateDelete", func(t *testing.T) {
		f := setup(t, newStore)
		u, other := f.user(), f.user()
		_, err := f.s.DataKeys().Get(f.ctx, u.ID)
		wantCode(t, err, coach.ENOTFOUND, "Get before Put")
		must(t, f.s.DataKeys().Put(f.ctx, storage.DataKey{UserID: u.ID, KEKID: "kek-1", Wrapped: []byte{1, 2, 3}, CreatedAt: base}), "Put")
		first, err := f.s.DataKeys().Get(f.ctx, u.ID)
		must(t, err, "Get")
		if first.ID == "" {
			t.Fatal("Put gave the key no id")
		}
		diff(t, "Get", storage.DataKey{ID: first.ID, UserID: u.ID, KEKID: "kek-1", Wrapped: []byte{1, 2, 3}, CreatedAt: base}, first)

		must(t, f.s.DataKeys().Put(f.ctx, storage.DataKey{UserID: u.ID, KEKID: "kek-2", Wrapped: []byte{4, 5}, CreatedAt: base.Add(time.Hour)}), "Put (rotation)")
		rotated, err := f.s.DataKeys().Get(f.ctx, u.ID)
		must(t, err, "Get after rotation")
		diff(t, "Get after rotation", storage.DataKey{ID: first.ID, UserID: u.ID, KEKID: "kek-2", Wrapped: []byte{4, 5}, CreatedAt: base}, rotated)

		_, err = f.s.DataKeys().Get(f.ctx, other.ID)
		wantCode(t, err, coach.ENOTFOUND, "Get of another user")
		had, err := f.s.DataKeys().Delete(f.ctx, other.ID)
		must(t, err, "Delete of another user")
		if had {
			t.Error("Delete of another user reported a key")
		}
		had, err = f.s.DataKeys().Delete(f.ctx, u.ID)
		must(t, err, "Delete")
		if !had {
			t.Error("Delete reported no key")
		}
		_, err = f.s.DataKeys().Get(f.ctx, u.ID)
		wantCode(t, err, coach.ENOTFOUND, "Get after Delete")
	})

	t.Run("RefusesBadKeysAndUnknownUsers", func(t *testing.T) {
		f := setup(t, newStore)
		u := f.user()
		wantCode(t, f.s.DataKeys().Put(f.ctx, storage.DataKey{UserID: coach.NewID(), KEKID: "k", Wrapped: []byte{1}}), coach.ENOTFOUND, "Put for no user")
		wantCode(t, f.s.DataKeys().Put(f.ctx, storage.DataKey{UserID: u.ID, Wrapped: []byte{1}}), coach.EINVALID, "Put without KEKID")
		wantCode(t, f.s.DataKeys().Put(f.ctx, storage.DataKey{UserID: u.ID, KEKID: "k"}), coach.EINVALID, "Put without Wrapped")
	})

	t.Run("UserDeleteTakesTheKey", func(t *testing.T) {
		f := setup(t, newStore)
		u := f.user()
		must(t, f.s.DataKeys().Put(f.ctx, storage.DataKey{UserID: u.ID, KEKID: "k", Wrapped: []byte{1}}), "Put")
		must(t, f.s.Users().Delete(f.ctx, u.ID), "Delete user")
		_, err := f.s.DataKeys().Get(f.ctx, u.ID)
		wantCode(t, err, coach.ENOTFOUND, "Get after the user was deleted")
	})

	t.Run("DeadLetterTakesTheUserOfItsPayload", func(t *testing.T) {
		f := setup(t, newStore)
		d := storage.DeadLetter{ID: coach.NewID(), Queue: "q_sim", TaskType: "simulate.simple", TaskID: "sim:1",
			Payload: []byte(`{"userId":"cuser1","runId":"r1"}`), Error: "x", Attempts: 1, FailedAt: base}
		must(t, f.s.DeadLetters().Add(f.ctx, d), "Add")
		got, err := f.s.DeadLetters().Take(f.ctx, d.ID)
		must(t, err, "Take")
		if got.UserID != "cuser1" {
			t.Errorf("UserID %q, want the payload's cuser1", got.UserID)
		}
	})
}
