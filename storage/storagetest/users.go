package storagetest

import (
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/tradecoach/coach"
	"github.com/tradecoach/coach/storage"
)

func runUsers(t *testing.T, newStore func(*testing.T) storage.Store) {
	t.Run("CreateThenGetByIDAndEmail", func(t *testing.T) {
		f := setup(t, newStore)
		u := coach.User{ID: coach.NewID(), Email: "Mixed.Case@Example.COM", PasswordHash: "phc", CreatedAt: base, TimeZone: "America/New_York"}
		must(t, f.s.Users().Create(f.ctx, u), "Create")
		want := u
		want.Email = "mixed.case@example.com"
		got, err := f.s.Users().ByID(f.ctx, u.ID)
		must(t, err, "ByID")
		diff(t, "ByID", want, got)
		got, err = f.s.Users().ByEmail(f.ctx, "  MIXED.case@example.com ")
		must(t, err, "ByEmail")
		diff(t, "ByEmail", want, got)
	})

	t.Run("UnknownIsNotFound", func(t *testing.T) {
		f := setup(t, newStore)
		f.user()
		_, err := f.s.Users().ByID(f.ctx, coach.NewID())
		wantCode(t, err, coach.ENOTFOUND, "ByID unknown")
		_, err = f.s.Users().ByEmail(f.ctx, "nobody@example.com")
		wantCode(t, err, coach.ENOTFOUND, "ByEmail unknown")
		wantCode(t, f.s.Users().Update(f.ctx, coach.User{ID: coach.NewID(), Email: "x@example.com"}), coach.ENOTFOUND, "Update unknown")
		wantCode(t, f.s.Users().Delete(f.ctx, coach.NewID()), coach.ENOTFOUND, "Delete unknown")
	})

	t.Run("EmailIsUniqueCaseInsensitively", func(t *testing.T) {
		f := setup(t, newStore)
		u := f.user()
		dup := coach.User{ID: coach.NewID(), Email: strings.ToUpper(u.Email), CreatedAt: base}
		wantCode(t, f.s.Users().Create(f.ctx, dup), coach.ECONFLICT, "Create with a taken email in other case")
		_, err := f.s.Users().ByID(f.ctx, dup.ID)
		wantCode(t, err, coach.ENOTFOUND, "ByID of the rejected user")
	})

	t.Run("IDIsUnique", func(t *testing.T) {
		f := setup(t, newStore)
		u := f.user()
		wantCode(t, f.s.Users().Create(f.ctx, coach.User{ID: u.ID, Email: "other@example.com", CreatedAt: base}), coach.ECONFLICT, "Create with a taken id")
	})

	t.Run("UsersWithoutEmail", func(t *testing.T) {
		// A host that keeps its own user table stores its users without their email.
		f := setup(t, newStore)
		a := coach.User{ID: coach.NewID(), CreatedAt: base}
		b := coach.User{ID: coach.NewID(), CreatedAt: base, TimeZone: "Asia/Tokyo"}
		must(t, f.s.Users().Create(f.ctx, a), "Create a without email")
		must(t, f.s.Users().Create(f.ctx, b), "Create b without email")
		for _, u := range []coach.User{a, b} {
			got, err := f.s.Users().ByID(f.ctx, u.ID)
			must(t, err, "ByID")
			diff(t, "user without email", u, got)
		}
		_, err := f.s.Users().ByEmail(f.ctx, "")
		wantCode(t, err, coach.ENOTFOUND, `ByEmail("")`)

		// An email given later is unique as ever; taken away, it is free again.
		withEmail := a
		withEmail.Email = "a@example.com"
		must(t, f.s.Users().Update(f.ctx, withEmail), "Update a: add an email")
		got, err := f.s.Users().ByEmail(f.ctx, "A@example.com")
		must(t, err, "ByEmail after adding it")
		diff(t, "user with the added email", withEmail, got)
		taken := b
		taken.Email = "a@example.com"
		wantCode(t, f.s.Users().Update(f.ctx, taken), coach.ECONFLICT, "Update b to a's email")
		wantCode(t, f.s.Users().Create(f.ctx, coach.User{ID: coach.NewID(), Email: "A@Example.com", CreatedAt: base}), coach.ECONFLICT, "Create with a's email")
		must(t, f.s.Users().Update(f.ctx, a), "Update a: remove the email")
		_, err = f.s.Users().ByEmail(f.ctx, "a@example.com")
		wantCode(t, err, coach.ENOTFOUND, "ByEmail after removing it")
		must(t, f.s.Users().Update(f.ctx, taken), "Update b to the freed email")
		must(t, f.s.Users().Delete(f.ctx, a.ID), "Delete a user without email")
		must(t, f.s.Users().Create(f.ctx, coach.User{ID: coach.NewID(), CreatedAt: base}), "Create a third user without email")
	})

	t.Run("HostChosenIDRoundTrips", func(t *testing.T) {
		// A host's own ids: a UUID, a number, a provider's prefixed id, 64 characters.
		f := setup(t, newStore)
		suffix := randomKey(t)[:8]
		for _, id := range []string{
			"3f2b8c1e-9d4a-4e6b-8f0c-" + suffix + "1c43",
			"4711" + suffix,
			"user_2NNEqL2nrIRdJ194" + suffix,
			strings.Repeat("x", 56) + suffix,
		} {
			u := coach.User{ID: id, CreatedAt: base}
			must(t, f.s.Users().Create(f.ctx, u), "Create "+id)
			got, err := f.s.Users().ByID(f.ctx, id)
			must(t, err, "ByID "+id)
			diff(t, "user "+id, u, got)
			// The id works everywhere a user id does.
			diff(t, "upsert for "+id, storage.UpsertResult{Inserted: 1}, f.upsert(id, trade("t1", base)))
			evs, err := f.s.Events().Append(f.ctx, event(id, 1))
			must(t, err, "Append for "+id)
			since, err := f.s.Events().Since(f.ctx, id, "", 0)
			must(t, err, "Since for "+id)
			if len(since) != 1 || since[0].ID != evs[0].ID {
				t.Errorf("events of %s: %v, want the one appended", id, since)
			}
		}
		wantCode(t, f.s.Users().Create(f.ctx, coach.User{ID: "4711" + suffix, CreatedAt: base}), coach.ECONFLICT, "Create with a taken host id")
	})

	t.Run("DigestByEmail", func(t *testing.T) {
		// The opt-in is off unless set, stored as given at Create, changed by Update both ways,
		// and read back the same by ByID, ByEmail and List.
		f := setup(t, newStore)
		a := coach.User{ID: coach.NewID(), Email: "optin-a@example.com", CreatedAt: base}
		b := coach.User{ID: coach.NewID(), Email: "optin-b@example.com", CreatedAt: base, DigestByEmail: true}
		must(t, f.s.Users().Create(f.ctx, a), "Create a without the opt-in")
		must(t, f.s.Users().Create(f.ctx, b), "Create b opted in")
		for _, u := range []coach.User{a, b} {
			got, err := f.s.Users().ByID(f.ctx, u.ID)
			must(t, err, "ByID")
			diff(t, "user "+u.Email, u, got)
		}
		a.DigestByEmail, b.DigestByEmail = true, false
		must(t, f.s.Users().Update(f.ctx, a), "Update a to opted in")
		must(t, f.s.Users().Update(f.ctx, b), "Update b to opted out")
		got, err := f.s.Users().ByEmail(f.ctx, a.Email)
		must(t, err, "ByEmail a")
		diff(t, "user a after opting in", a, got)
		got, err = f.s.Users().ByID(f.ctx, b.ID)
		must(t, err, "ByID b")
		diff(t, "user b after opting out", b, got)
		list, err := f.s.Users().List(f.ctx, storage.UserFilter{})
		must(t, err, "List")
		opted := map[string]bool{}
		for _, u := range list {
			opted[u.ID] = u.DigestByEmail
		}
		diff(t, "opt-ins listed", map[string]bool{a.ID: true, b.ID: false}, opted)
	})

	t.Run("ReportingCurrency", func(t *testing.T) {
		// Stored as given ("" is the USD default, kept as unset), changed by Update, and a bad code
		// is refused without touching the stored user.
		f := setup(t, newStore)
		a := coach.User{ID: coach.NewID(), CreatedAt: base}
		b := coach.User{ID: coach.NewID(), CreatedAt: base, ReportingCurrency: "EUR"}
		must(t, f.s.Users().Create(f.ctx, a), "Create a without a reporting currency")
		must(t, f.s.Users().Create(f.ctx, b), "Create b in EUR")
		got, err := f.s.Users().ByID(f.ctx, a.ID)
		must(t, err, "ByID a")
		diff(t, "user without a reporting currency", a, got)
		if got.Currency() != "USD" {
			t.Errorf("Currency() of a stored user without a choice = %q, want USD", got.Currency())
		}
		got, err = f.s.Users().ByID(f.ctx, b.ID)
		must(t, err, "ByID b")
		diff(t, "user in EUR", b, got)

		next := a
		next.ReportingCurrency = "USDT"
		must(t, f.s.Users().Update(f.ctx, next), "Update a to USDT")
		got, err = f.s.Users().ByID(f.ctx, a.ID)
		must(t, err, "ByID a after Update")
		diff(t, "user in USDT", next, got)

		for _, bad := range []string{"eur", "E", "ABCDEFGHIJK", "EU R", "€"} {
			u := next
			u.ReportingCurrency = bad
			wantCode(t, f.s.Users().Update(f.ctx, u), coach.EINVALID, "Update to reportingCurrency "+bad)
			wantCode(t, f.s.Users().Create(f.ctx, coach.User{ID: coach.NewID(), CreatedAt: base, ReportingCurrency: bad}), coach.EINVALID, "Create with reportingCurrency "+bad)
		}
		got, err = f.s.Users().ByID(f.ctx, a.ID)
		must(t, err, "ByID a after the refused updates")
		diff(t, "user after the refused updates", next, got)

		// Back to the default.
		must(t, f.s.Users().Update(f.ctx, a), "Update a back to unset")
		got, err = f.s.Users().ByID(f.ctx, a.ID)
		must(t, err, "ByID a after unsetting")
		diff(t, "user back to the default", a, got)
	})

	t.Run("CreateRejectsInvalid", func(t *testing.T) {
		f := setup(t, newStore)
		for name, u := range map[string]coach.User{
			"no id":           {Email: "a@example.com", CreatedAt: base},
			"id with a pipe":  {ID: "auth0|5f7c8ec7c33c6c004bbafe82", CreatedAt: base},
			"id with a space": {ID: "a b", CreatedAt: base},
			"id with a slash": {ID: "../x", CreatedAt: base},
			"id of 65 bytes":  {ID: strings.Repeat("a", 65), CreatedAt: base},
			"id not ascii":    {ID: "üser", CreatedAt: base},
			"bad email":       {ID: coach.NewID(), Email: "not an email", CreatedAt: base},
			"bad zone":        {ID: coach.NewID(), Email: "b@example.com", TimeZone: "Mars/Olympus", CreatedAt: base},
		} {
			wantCode(t, f.s.Users().Create(f.ctx, u), coach.EINVALID, "Create "+name)
		}
	})

	t.Run("Update", func(t *testing.T) {
		f := setup(t, newStore)
		u := f.user()
		other := f.user()
		next := u
		next.Email, next.PasswordHash, next.TimeZone = "New.Address@example.com", "phc2", "Asia/Tokyo"
		next.CreatedAt = base.Add(time.Hour) // not a mutable field
		must(t, f.s.Users().Update(f.ctx, next), "Update")
		want := u
		want.Email, want.PasswordHash, want.TimeZone = "new.address@example.com", "phc2", "Asia/Tokyo"
		got, err := f.s.Users().ByEmail(f.ctx, "new.address@example.com")
		must(t, err, "ByEmail new")
		diff(t, "updated user", want, got)
		_, err = f.s.Users().ByEmail(f.ctx, u.Email)
		wantCode(t, err, coach.ENOTFOUND, "ByEmail old")

		taken := want
		taken.Email = strings.ToUpper(other.Email)
		wantCode(t, f.s.Users().Update(f.ctx, taken), coach.ECONFLICT, "Update to another user's email")
		got, err = f.s.Users().ByID(f.ctx, u.ID)
		must(t, err, "ByID")
		diff(t, "user after the rejected update", want, got)
		// The old address is free again.
		must(t, f.s.Users().Create(f.ctx, coach.User{ID: coach.NewID(), Email: u.Email, CreatedAt: base}), "Create with the freed email")
	})

	t.Run("DeleteCascades", func(t *testing.T) {
		f := setup(t, newStore)
		a, b := f.user(), f.user()
		fill := func(u coach.User) (sess coach.Session, conn coach.BrokerConnection, tradeID string) {
			sess = session(u.ID, base)
			must(t, f.s.Sessions().Create(f.ctx, sess), "create session")
			conn = connection(u.ID, coach.BrokerBinance, base)
			must(t, f.s.Connections().Create(f.ctx, conn), "create connection")
			f.upsert(u.ID, trade("t1", base), trade("t2", base.Add(time.Minute)))
			t1 := f.storedTrade(u.ID, "t1")
			must(t, f.s.Trades().Delete(f.ctx, u.ID, f.storedTrade(u.ID, "t2").ID), "delete t2 (tombstone)")
			must(t, f.s.Tags().Replace(f.ctx, u.ID, []string{t1.ID}, []coach.BiasTag{tag(u.ID, t1.ID, coach.LabelFOMO, 0.8)}), "tag")
			must(t, f.s.Rules().Create(f.ctx, rule(u.ID, base)), "create rule")
			_, err := f.s.Digests().Put(f.ctx, digest(u.ID, day(0), `{"fomo":1}`))
			must(t, err, "put digest")
			must(t, f.s.Audit().Append(f.ctx, coach.Audit{ID: coach.NewID(), UserID: u.ID, Action: coach.AuditLogin, Meta: json.RawMessage(`{}`), CreatedAt: base}), "audit")
			_, err = f.s.Events().Append(f.ctx, event(u.ID, 1), event(u.ID, 2))
			must(t, err, "append events")
			must(t, f.s.Checkpoints().Put(f.ctx, u.ID, conn.ID, "BTCUSDT", "123"), "checkpoint")
			return sess, conn, t1.ID
		}
		sessA, connA, tradeA := fill(a)
		fill(b)
		must(t, f.s.Users().Delete(f.ctx, a.ID), "Delete")

		_, err := f.s.Users().ByID(f.ctx, a.ID)
		wantCode(t, err, coach.ENOTFOUND, "ByID")
		_, err = f.s.Users().ByEmail(f.ctx, a.Email)
		wantCode(t, err, coach.ENOTFOUND, "ByEmail")
		_, err = f.s.Sessions().ByTokenHash(f.ctx, sessA.TokenHash)
		wantCode(t, err, coach.ENOTFOUND, "session ByTokenHash")
		_, err = f.s.Connections().Get(f.ctx, a.ID, connA.ID)
		wantCode(t, err, coach.ENOTFOUND, "connection Get")
		_, err = f.s.Trades().Get(f.ctx, a.ID, tradeA)
		wantCode(t, err, coach.ENOTFOUND, "trade Get")
		_, err = f.s.Checkpoints().Get(f.ctx, a.ID, connA.ID, "BTCUSDT")
		wantCode(t, err, coach.ENOTFOUND, "checkpoint Get")
		_, err = f.s.Digests().Latest(f.ctx, a.ID)
		wantCode(t, err, coach.ENOTFOUND, "digest Latest")
		_, err = f.s.Events().Oldest(f.ctx, a.ID)
		wantCode(t, err, coach.ENOTFOUND, "events Oldest")
		counts := func(u coach.User) map[string]int {
			n, err := f.s.Trades().Count(f.ctx, u.ID)
			must(t, err, "Count")
			sessions, err := f.s.Sessions().List(f.ctx, u.ID)
			must(t, err, "sessions")
			conns, err := f.s.Connections().List(f.ctx, u.ID)
			must(t, err, "connections")
			tags, err := f.s.Tags().List(f.ctx, u.ID, storage.TagFilter{})
			must(t, err, "tags")
			rules, err := f.s.Rules().List(f.ctx, u.ID)
			must(t, err, "rules")
			digests, err := f.s.Digests().List(f.ctx, u.ID, 0)
			must(t, err, "digests")
			audit, err := f.s.Audit().List(f.ctx, u.ID, 0)
			must(t, err, "audit")
			events, err := f.s.Events().Since(f.ctx, u.ID, "", 0)
			must(t, err, "events")
			cps, err := f.s.Checkpoints().List(f.ctx, u.ID, connA.ID)
			must(t, err, "checkpoints")
			return map[string]int{"trades": n, "sessions": len(sessions), "connections": len(conns), "tags": len(tags),
				"rules": len(rules), "digests": len(digests), "audit": len(audit), "events": len(events), "checkpoints": len(cps)}
		}
		diff(t, "rows of the deleted user", map[string]int{"trades": 0, "sessions": 0, "connections": 0, "tags": 0,
			"rules": 0, "digests": 0, "audit": 0, "events": 0, "checkpoints": 0}, counts(a))
		diff(t, "rows of the other user", map[string]int{"trades": 1, "sessions": 1, "connections": 1, "tags": 1,
			"rules": 1, "digests": 1, "audit": 1, "events": 2, "checkpoints": 0}, counts(b))
		undelivered, err := f.s.Events().Undelivered(f.ctx, 0)
		must(t, err, "Undelivered")
		for _, e := range undelivered {
			if e.UserID == a.ID {
				t.Errorf("Undelivered still returns an event of the deleted user: %+v", e)
			}
		}

		// The email is free, and a user created again under the same id starts with nothing:
		// the deleted user's tombstones are gone too.
		again := a
		again.CreatedAt = base.Add(time.Hour)
		must(t, f.s.Users().Create(f.ctx, again), "Create again")
		diff(t, "re-import for the re-created user", storage.UpsertResult{Inserted: 2},
			f.upsert(a.ID, trade("t1", base), trade("t2", base.Add(time.Minute))))
	})
}
