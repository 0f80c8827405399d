package coach_test

import (
	"encoding/json"
	"math"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/tradecoach/coach"
)

var created = time.Date(2026, 3, 2, 10, 0, 0, 0, time.UTC)

func validUser() coach.User {
	return coach.User{ID: "cuser1", Email: "ana@example.com", PasswordHash: "$argon2id$v=19$m=65536,t=3,p=2$c2FsdA$aGFzaA",
		CreatedAt: created, TimeZone: "Europe/Berlin"}
}

func validSession() coach.Session {
	return coach.Session{ID: "csess1", UserID: "cuser1", CreatedAt: created, ExpiresAt: created.Add(time.Hour),
		IPHash: "iphash", UAHash: "uahash", TokenHash: "tokenhash"}
}

func validConnection() coach.BrokerConnection {
	exp := created.Add(time.Hour)
	return coach.BrokerConnection{ID: "cconn1", UserID: "cuser1", Broker: coach.BrokerCoinbase, Status: coach.ConnectionActive,
		AccessEnc: []byte("sealed-access"), RefreshEnc: []byte("sealed-refresh"), Scope: "wallet:fills:read",
		ExpiresAt: &exp, CreatedAt: created, Label: "main"}
}

func validTag() coach.BiasTag {
	return coach.BiasTag{ID: "ctag1", UserID: "cuser1", TradeID: "ctrade1", Label: coach.LabelFOMO, Confidence: 0.8,
		Features: json.RawMessage(`{"v":"2026.1"}`), CreatedAt: created}
}

func validRule() coach.Rule {
	return coach.Rule{ID: "crule1", UserID: "cuser1", Kind: "avoidSpikeOverPct",
		Params: json.RawMessage(`{"pct":10,"lookbackHours":24}`), Active: true, CreatedAt: created}
}

func validDigest() coach.Digest {
	return coach.Digest{ID: "cdig1", UserID: "cuser1", PeriodStart: coach.Date{Year: 2026, Month: 3, Day: 2},
		PeriodEnd: coach.Date{Year: 2026, Month: 3, Day: 8}, Payload: json.RawMessage(`{}`), CreatedAt: created}
}

func validAudit() coach.Audit {
	return coach.Audit{ID: "caud1", UserID: "cuser1", Action: coach.AuditLogin, Meta: json.RawMessage(`{"ip":"h"}`), CreatedAt: created}
}

// TestEntityValidate checks each entity's Validate: the valid one passes, and each broken field
// gives EINVALID with a message that starts with the field's JSON name.
func TestEntityValidate(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name  string
		err   func() error
		field string // "" when the entity stays valid
	}{
		{"user", func() error { return validUser().Validate() }, ""},
		{"user without id (store sets it)", func() error { u := validUser(); u.ID = ""; return u.Validate() }, ""},
		{"user in UTC", func() error { u := validUser(); u.TimeZone = ""; return u.Validate() }, ""},
		{"user reporting currency", func() error { u := validUser(); u.ReportingCurrency = "usd"; return u.Validate() }, "reportingCurrency"},
		{"user id", func() error { u := validUser(); u.ID = "a b"; return u.Validate() }, "id"},
		{"user no email (a host-owned user)", func() error { u := validUser(); u.Email = ""; return u.Validate() }, ""},
		{"user with a host's uuid id", func() error { u := validUser(); u.ID = "3f2b8c1e-9d4a-4e6b-8f0c-2a7d5e9b1c43"; return u.Validate() }, ""},
		{"user id with a pipe", func() error { u := validUser(); u.ID = "auth0|5f7c8ec7"; return u.Validate() }, "id"},
		{"user id of 65 characters", func() error { u := validUser(); u.ID = strings.Repeat("a", 65); return u.Validate() }, "id"},
		{"user email with a name", func() error { u := validUser(); u.Email = "Ana <ana@example.com>"; return u.Validate() }, "email"},
		{"user email not an address", func() error { u := validUser(); u.Email = "ana"; return u.Validate() }, "email"},
		{"user email too long", func() error { u := validUser(); u.Email = strings.Repeat("a", 250) + "@x.io"; return u.Validate() }, "email"},
		{"user unknown zone", func() error { u := validUser(); u.TimeZone = "Mars/Olympus"; return u.Validate() }, "timeZone"},
		{"user machine zone", func() error { u := validUser(); u.TimeZone = "Local"; return u.Validate() }, "timeZone"},
		{"user zone as a path", func() error { u := validUser(); u.TimeZone = "/etc/localtime"; return u.Validate() }, "timeZone"},

		{"session", func() error { return validSession().Validate() }, ""},
		{"session id", func() error { s := validSession(); s.ID = ""; return s.Validate() }, "id"},
		{"session userId", func() error { s := validSession(); s.UserID = ""; return s.Validate() }, "userId"},
		{"session tokenHash", func() error { s := validSession(); s.TokenHash = ""; return s.Validate() }, "tokenHash"},
		{"session createdAt", func() error { s := validSession(); s.CreatedAt = time.Time{}; return s.Validate() }, "createdAt"},
		{"session expiresAt", func() error { s := validSession(); s.ExpiresAt = s.CreatedAt; return s.Validate() }, "expiresAt"},
		{"session ipHash", func() error { s := validSession(); s.IPHash = ""; return s.Validate() }, "ipHash"},

		{"connection", func() error { return validConnection().Validate() }, ""},
		{"connection id", func() error { c := validConnection(); c.ID = ""; return c.Validate() }, "id"},
		{"connection userId", func() error { c := validConnection(); c.UserID = "u/1"; return c.Validate() }, "userId"},
		{"connection broker", func() error { c := validConnection(); c.Broker = "Coinbase"; return c.Validate() }, "broker"},
		{"connection status", func() error { c := validConnection(); c.Status = "on"; return c.Validate() }, "status"},
		{"connection scope", func() error { c := validConnection(); c.Scope = strings.Repeat("s", 1025); return c.Validate() }, "scope"},
		{"connection label", func() error { c := validConnection(); c.Label = strings.Repeat("l", 65); return c.Validate() }, "label"},
		{"connection createdAt", func() error { c := validConnection(); c.CreatedAt = time.Time{}; return c.Validate() }, "createdAt"},

		{"tag", func() error { return validTag().Validate() }, ""},
		{"tag id", func() error { g := validTag(); g.ID = ""; return g.Validate() }, "id"},
		{"tag userId", func() error { g := validTag(); g.UserID = ""; return g.Validate() }, "userId"},
		{"tag tradeId", func() error { g := validTag(); g.TradeID = ""; return g.Validate() }, "tradeId"},
		{"tag label", func() error { g := validTag(); g.Label = "fomo"; return g.Validate() }, "label"},
		{"tag confidence above 1", func() error { g := validTag(); g.Confidence = 1.01; return g.Validate() }, "confidence"},
		{"tag confidence NaN", func() error { g := validTag(); g.Confidence = math.NaN(); return g.Validate() }, "confidence"},
		{"tag features not an object", func() error { g := validTag(); g.Features = json.RawMessage(`[1]`); return g.Validate() }, "features"},
		{"tag features null", func() error { g := validTag(); g.Features = json.RawMessage(`null`); return g.Validate() }, "features"},
		{"tag features too large", func() error {
			g := validTag()
			g.Features = json.RawMessage(`{"x":"` + strings.Repeat("a", 8<<10) + `"}`)
			return g.Validate()
		}, "features"},
		{"tag createdAt", func() error { g := validTag(); g.CreatedAt = time.Time{}; return g.Validate() }, "createdAt"},
		{"tag revision 0 (read as 1)", func() error { g := validTag(); g.Revision = 0; return g.Validate() }, ""},
		{"tag revision 7", func() error { g := validTag(); g.Revision = 7; return g.Validate() }, ""},
		{"tag revision negative", func() error { g := validTag(); g.Revision = -1; return g.Validate() }, "revision"},
		{"tag revision beyond int32", func() error { g := validTag(); g.Revision = coach.MaxTagRevision + 1; return g.Validate() }, "revision"},

		{"rule", func() error { return validRule().Validate() }, ""},
		{"rule id", func() error { r := validRule(); r.ID = ""; return r.Validate() }, "id"},
		{"rule userId", func() error { r := validRule(); r.UserID = ""; return r.Validate() }, "userId"},
		{"rule kind", func() error { r := validRule(); r.Kind = "1pct"; return r.Validate() }, "kind"},
		{"rule params", func() error { r := validRule(); r.Params = json.RawMessage(`"x"`); return r.Validate() }, "params"},
		{"rule params too large", func() error {
			r := validRule()
			r.Params = json.RawMessage(`{"x":"` + strings.Repeat("a", 4<<10) + `"}`)
			return r.Validate()
		}, "params"},

		{"digest", func() error { return validDigest().Validate() }, ""},
		{"digest id", func() error { x := validDigest(); x.ID = ""; return x.Validate() }, "id"},
		{"digest userId", func() error { x := validDigest(); x.UserID = ""; return x.Validate() }, "userId"},
		{"digest periodStart", func() error { x := validDigest(); x.PeriodStart = coach.Date{}; return x.Validate() }, "periodStart"},
		{"digest periodEnd", func() error { x := validDigest(); x.PeriodEnd = x.PeriodStart.AddDays(-1); return x.Validate() }, "periodEnd"},
		{"digest payload", func() error { x := validDigest(); x.Payload = nil; return x.Validate() }, "payload"},

		{"audit", func() error { return validAudit().Validate() }, ""},
		{"audit without meta", func() error { a := validAudit(); a.Meta = nil; return a.Validate() }, ""},
		{"audit id", func() error { a := validAudit(); a.ID = ""; return a.Validate() }, "id"},
		{"audit userId", func() error { a := validAudit(); a.UserID = ""; return a.Validate() }, "userId"},
		{"audit action", func() error { a := validAudit(); a.Action = "Login"; return a.Validate() }, "action"},
		{"audit meta", func() error { a := validAudit(); a.Meta = json.RawMessage(`[`); return a.Validate() }, "meta"},
		{"audit createdAt", func() error { a := validAudit(); a.CreatedAt = time.Time{}; return a.Validate() }, "createdAt"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			err := tc.err()
			if tc.field == "" {
				if err != nil {
					t.Fatalf("Validate() = %v, want nil", err)
				}
				return
			}
			if coach.ErrorCode(err) != coach.EINVALID {
				t.Fatalf("Validate() = %v, want EINVALID", err)
			}
			if msg := coach.ErrorMessage(err); !strings.HasPrefix(msg, tc.field+":") {
				t.Errorf("message %q does not name the field %s", msg, tc.field)
			}
		})
	}
}

// jsonKeys returns the top-level keys of v marshalled to JSON, sorted.
func jsonKeys(t *testing.T, v any) []string {
	t.Helper()
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	var m map[string]json.RawMessage
	if err := json.Unmarshal(b, &m); err != nil {
		t.Fatal(err)
	}
	var keys []string
	for k := range m {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	return keys
}

// TestEntityJSONNames checks that every entity speaks JSON with the seed's field names (plus the
// documented additions), and that hashes and sealed tokens never leave in JSON.
func TestEntityJSONNames(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name string
		v    any
		want []string
	}{
		{"User", validUser(), []string{"createdAt", "digestByEmail", "email", "id", "timeZone"}},
		{"Session", validSession(), []string{"createdAt", "expiresAt", "id", "ipHash", "uaHash", "userId"}},
		{"BrokerConnection", validConnection(), []string{"broker", "createdAt", "expiresAt", "id", "label", "scope", "status", "userId"}},
		{"Trade", validTrade(), []string{"broker", "connectionId", "exchangeTradeId", "extId", "fee", "feeAsset", "id", "liquidity", "orderId", "price", "qty", "side", "symbol", "ts", "userId"}},
		{"BiasTag", validTag(), []string{"confidence", "createdAt", "features", "id", "label", "revision", "tradeId", "userId"}},
		{"Rule", validRule(), []string{"active", "createdAt", "id", "kind", "params", "userId"}},
		{"Digest", validDigest(), []string{"createdAt", "deliveredAt", "id", "payload", "periodEnd", "periodStart", "userId"}},
		{"Audit", validAudit(), []string{"action", "createdAt", "id", "meta", "userId"}},
		{"Event", coach.Event{ID: "01J", UserID: "cuser1", Type: coach.EventCoachReflect, V: 1, TS: created, Payload: json.RawMessage(`{}`)},
			[]string{"deliveredAt", "id", "payload", "ts", "type", "userId", "v"}},
	} {
		if diff := cmp.Diff(tc.want, jsonKeys(t, tc.v)); diff != "" {
			t.Errorf("%s JSON keys (-want +got):\n%s", tc.name, diff)
		}
	}
}

func TestUserHelpers(t *testing.T) {
	t.Parallel()
	if got := coach.NormalizeEmail("  Ana@Example.COM "); got != "ana@example.com" {
		t.Errorf("NormalizeEmail = %q", got)
	}
	for zone, want := range map[string]string{"": "UTC", "Europe/Berlin": "Europe/Berlin", "Mars/Olympus": "UTC", "Local": "UTC"} {
		if got := (coach.User{TimeZone: zone}).Location().String(); got != want {
			t.Errorf("Location() of %q = %s, want %s", zone, got, want)
		}
	}
	s := validSession()
	if s.Expired(s.ExpiresAt.Add(-time.Nanosecond)) || !s.Expired(s.ExpiresAt) {
		t.Errorf("Expired: a session must expire exactly at ExpiresAt")
	}
}

func TestManualClock(t *testing.T) {
	t.Parallel()
	berlin := time.FixedZone("CET", 3600)
	c := coach.NewManualClock(created.In(berlin))
	if got := c.Now(); !got.Equal(created) || got.Location() != time.UTC {
		t.Errorf("Now() = %v, want %v in UTC", got, created)
	}
	if got := c.Advance(90 * time.Minute); !got.Equal(created.Add(90*time.Minute)) || !c.Now().Equal(got) {
		t.Errorf("Advance = %v, Now = %v", got, c.Now())
	}
	c.Set(created.AddDate(1, 0, 0).In(berlin))
	if got := c.Now(); !got.Equal(created.AddDate(1, 0, 0)) || got.Location() != time.UTC {
		t.Errorf("after Set, Now() = %v", got)
	}
	if loc := (coach.SystemClock{}).Now().Location(); loc != time.UTC {
		t.Errorf("SystemClock.Now() is in %v, want UTC", loc)
	}
}

// A rule whose JSON leaves out "active" is active, as the seed's default says; an explicit false
// stays false, and a rule round-trips.
func TestRuleActiveDefaultsToTrue(t *testing.T) {
	t.Parallel()
	for in, want := range map[string]bool{
		`{"kind":"maxTradesPerDay","params":{"max":3}}`:                true,
		`{"kind":"maxTradesPerDay","params":{"max":3},"active":null}`:  true,
		`{"kind":"maxTradesPerDay","params":{"max":3},"active":true}`:  true,
		`{"kind":"maxTradesPerDay","params":{"max":3},"active":false}`: false,
	} {
		var r coach.Rule
		if err := json.Unmarshal([]byte(in), &r); err != nil {
			t.Fatalf("%s: %v", in, err)
		}
		if r.Active != want || r.Kind != "maxTradesPerDay" || string(r.Params) != `{"max":3}` {
			t.Errorf("%s: decoded %+v, want active %v", in, r, want)
		}
	}
	r := coach.Rule{ID: "r1", UserID: "u1", Kind: "k", Params: json.RawMessage(`{}`), Active: false}
	b, _ := json.Marshal(r)
	var back coach.Rule
	if err := json.Unmarshal(b, &back); err != nil || back.Active || back.ID != "r1" {
		t.Errorf("round trip of an inactive rule: %s → %+v, %v", b, back, err)
	}
}
