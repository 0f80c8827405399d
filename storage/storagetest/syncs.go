package storagetest

import (
	"testing"
	"time"

	"github.com/tradecoach/coach"
	"github.com/tradecoach/coach/storage"
)

// runSyncs checks Syncs: the sync mark only moves forward without a gap, State and MarkSynced are
// scoped to the user, and Due pages the active connections of every user that are due.
func runSyncs(t *testing.T, newStore func(*testing.T) storage.Store) {
	t.Run("MarkMovesForwardWithoutGaps", func(t *testing.T) {
		f := setup(t, newStore)
		u := f.user()
		id := f.connection(u.ID)
		h := func(n int) time.Time { return base.Truncate(time.Hour).Add(time.Duration(n) * time.Hour) }
		st, err := f.s.Syncs().State(f.ctx, u.ID, id)
		must(t, err, "State")
		diff(t, "state before any import", storage.ConnectionSync{UserID: u.ID, ConnectionID: id, Broker: coach.BrokerBinance,
			Status: coach.ConnectionActive, CreatedAt: microTime(base)}, st)
		for _, step := range []struct {
			from, to int
			moved    bool
			through  int
		}{
			{-24, 0, true, 0},  // the first import sets the mark
			{1, 2, false, 0},   // a window after the mark leaves a gap
			{-1, 0, false, 0},  // one ending at the mark changes nothing
			{-5, -2, false, 0}, // nor one before it
			{0, 1, true, 1},    // one starting at the mark continues it
			{-3, 3, true, 3},   // one overlapping it too
		} {
			moved, err := f.s.Syncs().MarkSynced(f.ctx, u.ID, id, h(step.from), h(step.to))
			must(t, err, "MarkSynced")
			st, err := f.s.Syncs().State(f.ctx, u.ID, id)
			must(t, err, "State")
			if moved != step.moved || !st.SyncedThrough.Equal(h(step.through)) {
				t.Errorf("MarkSynced [%d h, %d h): moved %v, through %s; want %v, %s", step.from, step.to, moved,
					st.SyncedThrough, step.moved, h(step.through))
			}
		}
		_, err = f.s.Syncs().MarkSynced(f.ctx, u.ID, id, h(5), h(5))
		wantCode(t, err, coach.EINVALID, "MarkSynced of an empty window")
	})

	t.Run("Tenancy/OtherUsersConnectionIsNotFound", func(t *testing.T) {
		f := setup(t, newStore)
		u, other := f.user(), f.user()
		id := f.connection(u.ID)
		_, err := f.s.Syncs().MarkSynced(f.ctx, other.ID, id, base.Add(-time.Hour), base)
		wantCode(t, err, coach.ENOTFOUND, "MarkSynced of another user's connection")
		_, err = f.s.Syncs().State(f.ctx, other.ID, id)
		wantCode(t, err, coach.ENOTFOUND, "State of another user's connection")
		_, err = f.s.Syncs().State(f.ctx, u.ID, coach.NewID())
		wantCode(t, err, coach.ENOTFOUND, "State of no connection")
		st, err := f.s.Syncs().State(f.ctx, u.ID, id)
		must(t, err, "State")
		if !st.SyncedThrough.IsZero() {
			t.Errorf("another user's MarkSynced moved the mark to %s", st.SyncedThrough)
		}
	})

	t.Run("DuePagesActiveConnectionsOfEveryUser", func(t *testing.T) {
		f := setup(t, newStore)
		cutoff := base.Truncate(time.Minute)
		mk := func(userID, broker, status string, synced time.Time) string {
			c := connection(userID, broker, base)
			c.Status = status
			must(t, f.s.Connections().Create(f.ctx, c), "Create")
			if !synced.IsZero() {
				_, err := f.s.Syncs().MarkSynced(f.ctx, userID, c.ID, synced.Add(-time.Hour), synced)
				must(t, err, "MarkSynced")
			}
			return c.ID
		}
		a, b := f.user(), f.user()
		want := map[string]storage.ConnectionSync{}
		due := func(userID, broker string, synced time.Time) {
			id := mk(userID, broker, coach.ConnectionActive, synced)
			want[id] = storage.ConnectionSync{UserID: userID, ConnectionID: id, Broker: broker, Status: coach.ConnectionActive,
				CreatedAt: microTime(base), SyncedThrough: synced}
		}
		due(a.ID, coach.BrokerBinance, time.Time{})                                    // never synced
		due(a.ID, coach.BrokerCoinbase, cutoff)                                        // synced at the cutoff
		due(b.ID, coach.BrokerBinance, cutoff.Add(-time.Hour))                         // before it
		due(b.ID, coach.BrokerDemo, time.Time{})                                       // another broker
		mk(a.ID, coach.BrokerBinance, coach.ConnectionActive, cutoff.Add(time.Second)) // synced after it
		mk(a.ID, coach.BrokerBinance, coach.ConnectionPaused, time.Time{})
		mk(b.ID, coach.BrokerCoinbase, coach.ConnectionPaused, cutoff.Add(-time.Hour))
		revoked := connection(b.ID, coach.BrokerBinance, base)
		revoked.Status, revoked.AccessEnc, revoked.RefreshEnc = coach.ConnectionRevoked, nil, nil
		must(t, f.s.Connections().Create(f.ctx, revoked), "Create revoked")
		mk(b.ID, coach.BrokerCSV, coach.ConnectionActive, time.Time{}) // skipped by broker

		filter := storage.SyncFilter{SyncedBefore: cutoff, SkipBrokers: []string{coach.BrokerCSV}}
		var got []storage.ConnectionSync
		for pages := 0; ; pages++ {
			if pages > len(want) {
				t.Fatal("Due never ends")
			}
			filter.Limit = 1
			page, err := f.s.Syncs().Due(f.ctx, filter)
			must(t, err, "Due")
			got = append(got, page...)
			if len(page) < 1 {
				break
			}
			filter.After = page[len(page)-1].ConnectionID
		}
		if len(got) != len(want) {
			t.Fatalf("Due listed %d connections, want %d: %+v", len(got), len(want), got)
		}
		for i, c := range got {
			if i > 0 && got[i-1].ConnectionID >= c.ConnectionID {
				t.Errorf("Due out of id order: %s then %s", got[i-1].ConnectionID, c.ConnectionID)
			}
			diff(t, "due connection "+c.ConnectionID, want[c.ConnectionID], c)
		}

		// Pausing a connection takes it off the schedule; resuming puts it back.
		var paused coach.BrokerConnection
		for _, c := range got[:1] {
			var err error
			paused, err = f.s.Connections().Get(f.ctx, c.UserID, c.ConnectionID)
			must(t, err, "Get")
		}
		paused.Status = coach.ConnectionPaused
		must(t, f.s.Connections().Update(f.ctx, paused), "pause")
		all, err := f.s.Syncs().Due(f.ctx, storage.SyncFilter{SyncedBefore: cutoff, SkipBrokers: []string{coach.BrokerCSV}})
		must(t, err, "Due after pausing")
		if len(all) != len(want)-1 {
			t.Errorf("Due after pausing one lists %d, want %d", len(all), len(want)-1)
		}
		for _, c := range all {
			if c.ConnectionID == paused.ID {
				t.Errorf("Due lists the paused connection %s", paused.ID)
			}
		}
		withCSV, err := f.s.Syncs().Due(f.ctx, storage.SyncFilter{SyncedBefore: cutoff})
		must(t, err, "Due without skipping")
		if len(withCSV) != len(want) { // one paused, the CSV one back
			t.Errorf("Due skipping no broker lists %d, want %d", len(withCSV), len(want))
		}

		_, err = f.s.Syncs().Due(f.ctx, storage.SyncFilter{})
		wantCode(t, err, coach.EINVALID, "Due without SyncedBefore")
		_, err = f.s.Syncs().Due(f.ctx, storage.SyncFilter{SyncedBefore: cutoff, After: "not an id!"})
		wantCode(t, err, coach.EINVALID, "Due after a malformed id")
	})

	t.Run("MarkRollsBackWithItsTransaction", func(t *testing.T) {
		f := setup(t, newStore)
		u := f.user()
		id := f.connection(u.ID)
		boom := coach.Errorf(coach.ECONFLICT, "roll back")
		err := f.s.InTx(f.ctx, func(tx storage.Tx) error {
			if _, err := tx.Syncs().MarkSynced(f.ctx, u.ID, id, base.Add(-time.Hour), base); err != nil {
				return err
			}
			return boom
		})
		wantCode(t, err, coach.ECONFLICT, "InTx")
		st, err := f.s.Syncs().State(f.ctx, u.ID, id)
		must(t, err, "State")
		if !st.SyncedThrough.IsZero() {
			t.Errorf("a rolled-back mark stayed: %s", st.SyncedThrough)
		}
	})
}
