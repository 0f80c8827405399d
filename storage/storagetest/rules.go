package storagetest

import (
	"encoding/json"
	"testing"
	"time"

	"github.com/tradecoach/coach"
	"github.com/tradecoach/coach/storage"
)

func runRules(t *testing.T, newStore func(*testing.T) storage.Store) {
	t.Run("CRUD", func(t *testing.T) {
		f := setup(t, newStore)
		u := f.user()
		r1, r2 := rule(u.ID, base.Add(time.Hour)), rule(u.ID, base)
		r2.Kind, r2.Params, r2.Active = "maxTradesPerDay", json.RawMessage(`{"max":5}`), false
		must(t, f.s.Rules().Create(f.ctx, r1), "Create")
		must(t, f.s.Rules().Create(f.ctx, r2), "Create")
		got, err := f.s.Rules().Get(f.ctx, u.ID, r1.ID)
		must(t, err, "Get")
		diff(t, "Get", r1, got)
		list, err := f.s.Rules().List(f.ctx, u.ID)
		must(t, err, "List")
		diff(t, "List oldest first", []coach.Rule{r2, r1}, list)

		next := r1
		next.Kind, next.Params, next.Active = "stopAfterLosses", json.RawMessage(`{"losses":3}`), false
		must(t, f.s.Rules().Update(f.ctx, next), "Update")
		got, err = f.s.Rules().Get(f.ctx, u.ID, r1.ID)
		must(t, err, "Get")
		diff(t, "updated rule", next, got)

		must(t, f.s.Rules().Delete(f.ctx, u.ID, r1.ID), "Delete")
		_, err = f.s.Rules().Get(f.ctx, u.ID, r1.ID)
		wantCode(t, err, coach.ENOTFOUND, "Get deleted")
		wantCode(t, f.s.Rules().Delete(f.ctx, u.ID, r1.ID), coach.ENOTFOUND, "Delete again")
		wantCode(t, f.s.Rules().Update(f.ctx, next), coach.ENOTFOUND, "Update deleted")
		list, err = f.s.Rules().List(f.ctx, u.ID)
		must(t, err, "List")
		diff(t, "List after delete", []coach.Rule{r2}, list)
	})

	t.Run("CreateRejectsInvalidAndDuplicate", func(t *testing.T) {
		f := setup(t, newStore)
		u := f.user()
		r := rule(u.ID, base)
		must(t, f.s.Rules().Create(f.ctx, r), "Create")
		dup := rule(u.ID, base)
		dup.ID = r.ID
		wantCode(t, f.s.Rules().Create(f.ctx, dup), coach.ECONFLICT, "Create with a taken id")
		bad := rule(u.ID, base)
		bad.Params = json.RawMessage(`[1,2]`)
		wantCode(t, f.s.Rules().Create(f.ctx, bad), coach.EINVALID, "Create with array params")
		upd := r
		upd.Kind = "9lives"
		wantCode(t, f.s.Rules().Update(f.ctx, upd), coach.EINVALID, "Update with a bad kind")
		got, err := f.s.Rules().Get(f.ctx, u.ID, r.ID)
		must(t, err, "Get")
		diff(t, "rule after rejected writes", r, got)
	})

	t.Run("OtherUsersRuleIsNotFound", func(t *testing.T) {
		f := setup(t, newStore)
		u, other := f.user(), f.user()
		r := rule(u.ID, base)
		must(t, f.s.Rules().Create(f.ctx, r), "Create")
		_, err := f.s.Rules().Get(f.ctx, other.ID, r.ID)
		wantCode(t, err, coach.ENOTFOUND, "Get as another user")
		hijack := r
		hijack.UserID, hijack.Active = other.ID, false
		wantCode(t, f.s.Rules().Update(f.ctx, hijack), coach.ENOTFOUND, "Update as another user")
		wantCode(t, f.s.Rules().Delete(f.ctx, other.ID, r.ID), coach.ENOTFOUND, "Delete as another user")
		list, err := f.s.Rules().List(f.ctx, other.ID)
		must(t, err, "List as another user")
		diff(t, "another user's rules", []coach.Rule(nil), list)
		got, err := f.s.Rules().Get(f.ctx, u.ID, r.ID)
		must(t, err, "Get as the owner")
		diff(t, "rule after another user's attempts", r, got)
	})
}
