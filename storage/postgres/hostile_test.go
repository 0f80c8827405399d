package postgres

import (
	"context"
	"encoding/json"
	"testing"
	"time"

	"github.com/shopspring/decimal"
	"github.com/tradecoach/coach"
	"github.com/tradecoach/coach/storage"
)

// TestHostileInputIsRejectedBeforeSQL sends values PostgreSQL would refuse (NUL bytes, invalid
// UTF-8, \u0000 in JSON) or that are absurd (a decimal with a huge exponent) through every
// writing method, on a store whose pool is already closed: the answer must be EINVALID, which
// proves it came from validation, not from the database (that would be EUNAVAILABLE or
// EINTERNAL).
func TestHostileInputIsRejectedBeforeSQL(t *testing.T) {
	t.Parallel()
	db := MustOpenTestDB(t)
	ctx := context.Background()
	u := newUser(t, db)
	must(t, db.Close(), "close")

	now := time.Now().UTC()
	nul, badUTF8 := "a\x00b", "a\xffb"
	id := coach.NewID()
	trade := fills(1, "demo", "h")[0]
	huge := trade
	huge.Qty = decimal.New(1, 1_000_000)
	tiny := trade
	tiny.Price = decimal.New(1, -1_000_000)
	nulExt := trade
	nulExt.ExtID = nul
	conn := coach.BrokerConnection{ID: id, UserID: u.ID, Broker: "coinbase", Status: "active", AccessEnc: []byte("sealed-access"), CreatedAt: now}
	sess := coach.Session{ID: id, UserID: u.ID, CreatedAt: now, ExpiresAt: now.Add(time.Hour), IPHash: "ip", TokenHash: "tok"}
	nulJSON := json.RawMessage(`{"a":"x\u0000y"}`)
	for _, tc := range []struct {
		name string
		call func() error
	}{
		{"user password hash with NUL", func() error {
			return db.Users().Create(ctx, coach.User{ID: id, Email: "h@example.com", PasswordHash: nul, CreatedAt: now})
		}},
		{"user email with NUL", func() error {
			return db.Users().Create(ctx, coach.User{ID: id, Email: "h\x00@example.com", CreatedAt: now})
		}},
		{"session ipHash with NUL", func() error { s := sess; s.IPHash = nul; return db.Sessions().Create(ctx, s) }},
		{"session uaHash not UTF-8", func() error { s := sess; s.UAHash = badUTF8; return db.Sessions().Create(ctx, s) }},
		{"session tokenHash with NUL", func() error { s := sess; s.TokenHash = nul; return db.Sessions().Create(ctx, s) }},
		{"connection label with NUL", func() error { c := conn; c.Label = nul; return db.Connections().Create(ctx, c) }},
		{"connection scope not UTF-8", func() error { c := conn; c.Scope = badUTF8; return db.Connections().Update(ctx, c) }},
		{"trade qty 1e1000000", func() error { _, err := db.Trades().Upsert(ctx, u.ID, []coach.Trade{huge}); return err }},
		{"trade price 1e-1000000", func() error { _, err := db.Trades().Upsert(ctx, u.ID, []coach.Trade{tiny}); return err }},
		{"trade extId with NUL", func() error { _, err := db.Trades().Upsert(ctx, u.ID, []coach.Trade{nulExt}); return err }},
		{"trade edit to a huge qty", func() error { h := huge; h.ID = id; return db.Trades().Update(ctx, u.ID, h) }},
		{"tag features with \\u0000", func() error {
			g := coach.BiasTag{ID: id, UserID: u.ID, TradeID: id, Label: "FOMO", Confidence: 0.5, Features: nulJSON, CreatedAt: now}
			return db.Tags().Replace(ctx, u.ID, []string{id}, []coach.BiasTag{g})
		}},
		{"rule params with \\u0000", func() error {
			return db.Rules().Create(ctx, coach.Rule{ID: id, UserID: u.ID, Kind: "k", Params: nulJSON, CreatedAt: now})
		}},
		{"digest payload with \\u0000", func() error {
			_, err := db.Digests().Put(ctx, coach.Digest{ID: id, UserID: u.ID, PeriodStart: coach.Date{Year: 2026, Month: 1, Day: 5},
				PeriodEnd: coach.Date{Year: 2026, Month: 1, Day: 11}, Payload: nulJSON})
			return err
		}},
		{"audit meta not UTF-8", func() error {
			return db.Audit().Append(ctx, coach.Audit{ID: id, UserID: u.ID, Action: "login", Meta: json.RawMessage("{\"a\":\"\xff\"}"), CreatedAt: now})
		}},
		{"event payload with \\u0000", func() error {
			_, err := db.Events().Append(ctx, coach.Event{UserID: u.ID, Type: "t", V: 1, Payload: nulJSON})
			return err
		}},
		{"event type with NUL", func() error {
			_, err := db.Events().Append(ctx, coach.Event{UserID: u.ID, Type: nul, V: 1, Payload: []byte(`{}`)})
			return err
		}},
		{"checkpoint value with NUL", func() error { return db.Checkpoints().Put(ctx, u.ID, id, "BTC-USDT", nul) }},
		{"checkpoint scope not UTF-8", func() error { return db.Checkpoints().Put(ctx, u.ID, id, badUTF8, "v") }},
		{"dead letter error with NUL", func() error {
			return db.DeadLetters().Add(ctx, storage.DeadLetter{ID: id, Queue: "q", TaskType: "t", Error: nul, FailedAt: now})
		}},
		{"candle with NaN", func() error {
			return db.Candles().Put(ctx, []coach.Candle{{Symbol: "BTC-USD", Interval: coach.Hour1, OpenTime: now.Truncate(time.Hour),
				Open: 1, High: 1, Low: 1, Close: 1, Volume: nanValue()}})
		}},
		{"events since a non-ULID", func() error { _, err := db.Events().Since(ctx, u.ID, "x\x00", 10); return err }},

		// Values the domain rejects (each type's Validate), which the database would take or
		// refuse with a driver error.
		{"user with a malformed email", func() error { return db.Users().Create(ctx, coach.User{ID: id, Email: "z", CreatedAt: now}) }},
		{"user with a host id outside the charset", func() error { return db.Users().Create(ctx, coach.User{ID: "auth0|5f7c", CreatedAt: now}) }},
		{"user with an unknown time zone", func() error {
			return db.Users().Create(ctx, coach.User{ID: id, Email: "z@example.com", TimeZone: "Mars/Olympus", CreatedAt: now})
		}},
		{"session expiring before it starts", func() error { s := sess; s.ExpiresAt = now.Add(-time.Hour); return db.Sessions().Create(ctx, s) }},
		{"connection with an unknown status", func() error { c := conn; c.Status = "zombie"; return db.Connections().Create(ctx, c) }},
		{"connection update to a bad broker", func() error { c := conn; c.Broker = "Bad Broker"; return db.Connections().Update(ctx, c) }},
		{"trade with a zero qty", func() error {
			z := trade
			z.Qty = decimal.Zero
			_, err := db.Trades().Upsert(ctx, u.ID, []coach.Trade{z})
			return err
		}},
		{"trade with a bad symbol", func() error {
			z := trade
			z.Symbol = "BTCUSD"
			_, err := db.Trades().Upsert(ctx, u.ID, []coach.Trade{z})
			return err
		}},
		{"trade with a bad side", func() error {
			z := trade
			z.Side = "HOLD"
			_, err := db.Trades().Upsert(ctx, u.ID, []coach.Trade{z})
			return err
		}},
		{"trade with a negative fee", func() error {
			z := trade
			z.Fee = decimal.NewNullDecimal(decimal.New(-1, 0))
			_, err := db.Trades().Upsert(ctx, u.ID, []coach.Trade{z})
			return err
		}},
		{"trade before 2009", func() error {
			z := trade
			z.TS = time.Date(2001, 1, 1, 0, 0, 0, 0, time.UTC)
			_, err := db.Trades().Upsert(ctx, u.ID, []coach.Trade{z})
			return err
		}},
		{"trade edit to a negative price", func() error {
			z := trade
			z.ID = id
			z.Price = decimal.New(-5, 0)
			return db.Trades().Update(ctx, u.ID, z)
		}},
		{"tag with confidence above 1", func() error {
			g := coach.BiasTag{ID: id, UserID: u.ID, TradeID: id, Label: "FOMO", Confidence: 1.5, Features: json.RawMessage(`{}`), CreatedAt: now}
			return db.Tags().Replace(ctx, u.ID, []string{id}, []coach.BiasTag{g})
		}},
		{"digest ending before it starts", func() error {
			_, err := db.Digests().Put(ctx, coach.Digest{ID: id, UserID: u.ID, PeriodStart: coach.Date{Year: 2026, Month: 1, Day: 11},
				PeriodEnd: coach.Date{Year: 2026, Month: 1, Day: 5}, Payload: json.RawMessage(`{}`)})
			return err
		}},
		{"audit without an action", func() error { return db.Audit().Append(ctx, coach.Audit{ID: id, UserID: u.ID, CreatedAt: now}) }},
		{"event version 0", func() error {
			_, err := db.Events().Append(ctx, coach.Event{UserID: u.ID, Type: "t", V: 0, Payload: []byte(`{}`)})
			return err
		}},
		{"event payload not JSON", func() error {
			_, err := db.Events().Append(ctx, coach.Event{UserID: u.ID, Type: "t", V: 1, Payload: []byte(`{"a":`)})
			return err
		}},
		{"candle with low above high", func() error {
			return db.Candles().Put(ctx, []coach.Candle{{Symbol: "BTC-USD", Interval: coach.Hour1, OpenTime: now.Truncate(time.Hour),
				Open: 1, High: 1, Low: 2, Close: 1, Volume: 1}})
		}},
	} {
		if err := tc.call(); coach.ErrorCode(err) != coach.EINVALID {
			t.Errorf("%s: %v, want EINVALID before any SQL", tc.name, err)
		}
	}
}

func nanValue() float64 {
	zero := 0.0
	return zero / zero
}

// TestHostileLookupsAreNotFound checks that keys which cannot exist (NUL bytes, bad UTF-8) are
// simply not found, on a live store, rather than driver errors.
func TestHostileLookupsAreNotFound(t *testing.T) {
	t.Parallel()
	db := MustOpenTestDB(t)
	ctx := context.Background()
	u := newUser(t, db)
	for _, key := range []string{"a\x00b", "a\xffb"} {
		_, err := db.Users().ByEmail(ctx, key)
		wantCode(t, err, coach.ENOTFOUND, "ByEmail")
		_, err = db.Sessions().ByTokenHash(ctx, key)
		wantCode(t, err, coach.ENOTFOUND, "ByTokenHash")
		_, err = db.Trades().Get(ctx, u.ID, key)
		wantCode(t, err, coach.ENOTFOUND, "Trades.Get")
		wantCode(t, db.Trades().Delete(ctx, key, key), coach.ENOTFOUND, "Trades.Delete")
		_, err = db.Checkpoints().Get(ctx, u.ID, key, key)
		wantCode(t, err, coach.ENOTFOUND, "Checkpoints.Get")
		_, err = db.DeadLetters().Take(ctx, key)
		wantCode(t, err, coach.ENOTFOUND, "DeadLetters.Take")
		tags, err := db.Tags().ByTrades(ctx, u.ID, []string{key})
		if err != nil || len(tags) != 0 {
			t.Errorf("ByTrades(%q) = %v, %v; want nothing", key, tags, err)
		}
		wantCode(t, db.Tags().Replace(ctx, u.ID, []string{key}, nil), coach.ENOTFOUND, "Tags.Replace of a trade that cannot exist")
		trades, err := db.Trades().List(ctx, u.ID, storage.TradeFilter{Symbol: coach.Symbol(key)})
		if err != nil || len(trades) != 0 {
			t.Errorf("List(symbol %q) = %v, %v; want nothing", key, trades, err)
		}
	}
}

// FuzzEventPayload appends arbitrary JSON objects as event payloads: the store either keeps the
// payload (and gives back the same document) or rejects it as EINVALID — never a driver fault.
func FuzzEventPayload(f *testing.F) {
	for _, s := range []string{`{}`, `{"a":1}`, `{"a":"\u0000"}`, `{"a":"\\u0000"}`, `{"a":"\ud800"}`, `{"n":1e999999}`,
		`{"k\u0000":1}`, "{\"a\":\"\xff\"}", `{"a":[1,{"b":"\u0000"}]}`, `{"a":"é\u00e9"}`, `{"a":-0.0}`} {
		f.Add([]byte(s))
	}
	db := MustOpenTestDB(f)
	u := newUser(f, db)
	ctx := context.Background()
	f.Fuzz(func(t *testing.T, payload []byte) {
		evs, err := db.Events().Append(ctx, coach.Event{UserID: u.ID, Type: "fuzz", V: 1, Payload: payload})
		switch code := coach.ErrorCode(err); code {
		case "":
		case coach.EINVALID:
			return
		default:
			t.Fatalf("Append(%q): %v (code %s), want success or EINVALID", payload, err, code)
		}
		var stored []byte
		if err := db.Pool().QueryRow(ctx, `SELECT payload FROM event_outbox WHERE id = $1`, evs[0].ID).Scan(&stored); err != nil {
			t.Fatalf("reading back %s: %v", evs[0].ID, err)
		}
		var a, b any
		if json.Unmarshal(payload, &a) != nil || json.Unmarshal(stored, &b) != nil {
			t.Fatalf("stored payload %q of %q is not JSON", stored, payload)
		}
	})
}
