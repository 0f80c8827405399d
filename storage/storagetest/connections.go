package storagetest

import (
	"testing"
	"time"

	"github.com/tradecoach/coach"
	"github.com/tradecoach/coach/storage"
)

// connection returns a valid connection of userID to broker, not yet stored.
func connection(userID, broker string, created time.Time) coach.BrokerConnection {
	exp := microTime(created.Add(time.Hour))
	return coach.BrokerConnection{
		ID:         coach.NewID(),
		UserID:     userID,
		Broker:     broker,
		Status:     coach.ConnectionActive,
		AccessEnc:  []byte{1, 2, 3, 0, 255},
		RefreshEnc: []byte{9, 8, 7},
		Scope:      "wallet:fills:read",
		ExpiresAt:  &exp,
		CreatedAt:  microTime(created),
		Label:      "main",
	}
}

// connection creates a connection of userID and returns its id.
func (f *fixture) connection(userID string) string {
	f.t.Helper()
	c := connection(userID, coach.BrokerBinance, base)
	must(f.t, f.s.Connections().Create(f.ctx, c), "create connection")
	return c.ID
}

func runConnections(t *testing.T, newStore func(*testing.T) storage.Store) {
	t.Run("SeveralPerBrokerListedOldestFirst", func(t *testing.T) {
		f := setup(t, newStore)
		u, other := f.user(), f.user()
		c1 := connection(u.ID, coach.BrokerBinance, base.Add(time.Hour))
		c2 := connection(u.ID, coach.BrokerBinance, base)
		c2.Label, c2.ExpiresAt, c2.RefreshEnc = "savings", nil, nil
		c3 := connection(u.ID, coach.BrokerCoinbase, base.Add(2*time.Hour))
		for _, c := range []coach.BrokerConnection{c1, c2, c3, connection(other.ID, coach.BrokerBinance, base)} {
			must(t, f.s.Connections().Create(f.ctx, c), "Create")
		}
		got, err := f.s.Connections().List(f.ctx, u.ID)
		must(t, err, "List")
		diff(t, "List", []coach.BrokerConnection{c2, c1, c3}, got)
		one, err := f.s.Connections().Get(f.ctx, u.ID, c1.ID)
		must(t, err, "Get")
		diff(t, "Get", c1, one)
	})

	t.Run("IDIsUnique", func(t *testing.T) {
		f := setup(t, newStore)
		u := f.user()
		c := connection(u.ID, coach.BrokerBinance, base)
		must(t, f.s.Connections().Create(f.ctx, c), "Create")
		dup := connection(u.ID, coach.BrokerCoinbase, base)
		dup.ID = c.ID
		wantCode(t, f.s.Connections().Create(f.ctx, dup), coach.ECONFLICT, "Create with a taken id")
	})

	t.Run("CreateRejectsInvalid", func(t *testing.T) {
		f := setup(t, newStore)
		u := f.user()
		c := connection(u.ID, "Not A Broker", base)
		wantCode(t, f.s.Connections().Create(f.ctx, c), coach.EINVALID, "Create with a bad broker")
		_, err := f.s.Connections().Get(f.ctx, u.ID, c.ID)
		wantCode(t, err, coach.ENOTFOUND, "Get the rejected connection")
	})

	t.Run("UpdateReplacesMutableFields", func(t *testing.T) {
		f := setup(t, newStore)
		u := f.user()
		c := connection(u.ID, coach.BrokerCoinbase, base)
		must(t, f.s.Connections().Create(f.ctx, c), "Create")
		exp := microTime(base.Add(3 * time.Hour))
		next := c
		next.Status, next.AccessEnc, next.RefreshEnc = coach.ConnectionPaused, []byte("new-access"), []byte("rotated-refresh")
		next.Scope, next.ExpiresAt, next.Label = "wallet:fills:read offline_access", &exp, "renamed"
		must(t, f.s.Connections().Update(f.ctx, next), "Update")
		got, err := f.s.Connections().Get(f.ctx, u.ID, c.ID)
		must(t, err, "Get")
		diff(t, "updated connection", next, got)

		immutable := next
		immutable.Broker, immutable.CreatedAt = coach.BrokerBinance, base.Add(time.Hour)
		must(t, f.s.Connections().Update(f.ctx, immutable), "Update with other immutable fields")
		got, err = f.s.Connections().Get(f.ctx, u.ID, c.ID)
		must(t, err, "Get")
		diff(t, "connection after an update of immutable fields", next, got)

		bad := next
		bad.Status = "lost"
		wantCode(t, f.s.Connections().Update(f.ctx, bad), coach.EINVALID, "Update with a bad status")
	})

	t.Run("AccessEncRequiredUnlessRevoked", func(t *testing.T) {
		// As the seed's ERD says, only refreshEnc is nullable — except on a revoked connection,
		// whose tokens may be erased while the row stays.
		f := setup(t, newStore)
		u := f.user()
		for _, status := range []string{coach.ConnectionActive, coach.ConnectionPaused} {
			c := connection(u.ID, coach.BrokerCoinbase, base)
			c.Status, c.AccessEnc = status, nil
			wantCode(t, f.s.Connections().Create(f.ctx, c), coach.EINVALID, "Create "+status+" without accessEnc")
		}
		c := connection(u.ID, coach.BrokerCoinbase, base)
		c.RefreshEnc = nil
		must(t, f.s.Connections().Create(f.ctx, c), "Create without refreshEnc")
		dropped := c
		dropped.AccessEnc = nil
		wantCode(t, f.s.Connections().Update(f.ctx, dropped), coach.EINVALID, "Update an active connection to no accessEnc")
		got, err := f.s.Connections().Get(f.ctx, u.ID, c.ID)
		must(t, err, "Get")
		diff(t, "connection after the refused update", c, got)

		revoked := c
		revoked.Status, revoked.AccessEnc, revoked.RefreshEnc = coach.ConnectionRevoked, nil, nil
		must(t, f.s.Connections().Update(f.ctx, revoked), "Update a revoked connection to no tokens")
		got, err = f.s.Connections().Get(f.ctx, u.ID, c.ID)
		must(t, err, "Get")
		if got.Status != coach.ConnectionRevoked || len(got.AccessEnc) != 0 || len(got.RefreshEnc) != 0 {
			t.Errorf("revoked connection after erasing its tokens: %v", got)
		}
	})

	t.Run("OtherUsersConnectionIsNotFound", func(t *testing.T) {
		f := setup(t, newStore)
		u, other := f.user(), f.user()
		c := connection(u.ID, coach.BrokerBinance, base)
		must(t, f.s.Connections().Create(f.ctx, c), "Create")
		_, err := f.s.Connections().Get(f.ctx, other.ID, c.ID)
		wantCode(t, err, coach.ENOTFOUND, "Get as another user")
		hijack := c
		hijack.UserID, hijack.Status = other.ID, coach.ConnectionRevoked
		wantCode(t, f.s.Connections().Update(f.ctx, hijack), coach.ENOTFOUND, "Update as another user")
		wantCode(t, f.s.Connections().Delete(f.ctx, other.ID, c.ID), coach.ENOTFOUND, "Delete as another user")
		got, err := f.s.Connections().Get(f.ctx, u.ID, c.ID)
		must(t, err, "Get as the owner")
		diff(t, "connection after another user's attempts", c, got)
		list, err := f.s.Connections().List(f.ctx, other.ID)
		must(t, err, "List as another user")
		diff(t, "another user's list", []coach.BrokerConnection(nil), list)
	})

	t.Run("DeleteDropsCheckpointsKeepsTrades", func(t *testing.T) {
		f := setup(t, newStore)
		u := f.user()
		c, keep := connection(u.ID, coach.BrokerBinance, base), connection(u.ID, coach.BrokerBinance, base)
		must(t, f.s.Connections().Create(f.ctx, c), "Create")
		must(t, f.s.Connections().Create(f.ctx, keep), "Create")
		must(t, f.s.Checkpoints().Put(f.ctx, u.ID, c.ID, "BTCUSDT", "1"), "Put checkpoint")
		must(t, f.s.Checkpoints().Put(f.ctx, u.ID, keep.ID, "BTCUSDT", "2"), "Put checkpoint")
		tr := trade("fill-1", base)
		tr.ConnectionID = c.ID
		f.upsert(u.ID, tr)
		must(t, f.s.Connections().Delete(f.ctx, u.ID, c.ID), "Delete")
		_, err := f.s.Connections().Get(f.ctx, u.ID, c.ID)
		wantCode(t, err, coach.ENOTFOUND, "Get deleted")
		wantCode(t, f.s.Connections().Delete(f.ctx, u.ID, c.ID), coach.ENOTFOUND, "Delete again")
		_, err = f.s.Checkpoints().Get(f.ctx, u.ID, c.ID, "BTCUSDT")
		wantCode(t, err, coach.ENOTFOUND, "checkpoint of the deleted connection")
		v, err := f.s.Checkpoints().Get(f.ctx, u.ID, keep.ID, "BTCUSDT")
		must(t, err, "checkpoint of the other connection")
		if v != "2" {
			t.Errorf("other connection's checkpoint = %q, want 2", v)
		}
		if n, err := f.s.Trades().Count(f.ctx, u.ID); err != nil || n != 1 {
			t.Errorf("Count after deleting the connection = %d, %v; want 1", n, err)
		}
	})

	t.Run("CallerCannotMutateStoredSecrets", func(t *testing.T) {
		f := setup(t, newStore)
		u := f.user()
		c := connection(u.ID, coach.BrokerBinance, base)
		want := c
		want.AccessEnc = append([]byte(nil), c.AccessEnc...)
		must(t, f.s.Connections().Create(f.ctx, c), "Create")
		c.AccessEnc[0] = 'X'
		got, err := f.s.Connections().Get(f.ctx, u.ID, c.ID)
		must(t, err, "Get")
		got.AccessEnc[1] = 'Y'
		again, err := f.s.Connections().Get(f.ctx, u.ID, c.ID)
		must(t, err, "Get again")
		diff(t, "stored connection", want, again)
	})
}
