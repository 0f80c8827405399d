package storagetest

import (
	"encoding/json"
	"testing"
	"time"

	"github.com/tradecoach/coach"
	"github.com/tradecoach/coach/storage"
)

func runAudit(t *testing.T, newStore func(*testing.T) storage.Store) {
	audit := func(userID, action string, at time.Time) coach.Audit {
		return coach.Audit{ID: coach.NewID(), UserID: userID, Action: action, Meta: json.RawMessage(`{"ipHash":"abc"}`), CreatedAt: microTime(at)}
	}

	t.Run("AppendThenListNewestFirst", func(t *testing.T) {
		f := setup(t, newStore)
		u, other := f.user(), f.user()
		a1, a3, a2 := audit(u.ID, coach.AuditLogin, base), audit(u.ID, coach.AuditLogout, base.Add(2*time.Hour)), audit(u.ID, coach.AuditBrokerLinked, base.Add(time.Hour))
		for _, a := range []coach.Audit{a1, a3, a2, audit(other.ID, coach.AuditLogin, base.Add(time.Hour))} {
			must(t, f.s.Audit().Append(f.ctx, a), "Append")
		}
		got, err := f.s.Audit().List(f.ctx, u.ID, 0)
		must(t, err, "List")
		diff(t, "List", []coach.Audit{a3, a2, a1}, got)
		got, err = f.s.Audit().List(f.ctx, u.ID, 2)
		must(t, err, "List 2")
		diff(t, "List limit 2", []coach.Audit{a3, a2}, got)
		got, err = f.s.Audit().List(f.ctx, coach.NewID(), 0)
		must(t, err, "List for nobody")
		diff(t, "List for nobody", []coach.Audit(nil), got)
	})

	t.Run("AppendRejectsInvalid", func(t *testing.T) {
		f := setup(t, newStore)
		u := f.user()
		bad := audit(u.ID, "Not An Action", base)
		wantCode(t, f.s.Audit().Append(f.ctx, bad), coach.EINVALID, "Append with a bad action")
		bad = audit(u.ID, coach.AuditLogin, base)
		bad.Meta = json.RawMessage(`[1]`)
		wantCode(t, f.s.Audit().Append(f.ctx, bad), coach.EINVALID, "Append with array meta")
		got, err := f.s.Audit().List(f.ctx, u.ID, 0)
		must(t, err, "List")
		diff(t, "List after rejected appends", []coach.Audit(nil), got)
	})
}
