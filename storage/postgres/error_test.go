package postgres

import (
	"context"
	"errors"
	"fmt"
	"io"
	"testing"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
	"github.com/tradecoach/coach"
)

func TestFormatError(t *testing.T) {
	t.Parallel()
	pg := func(code string) error {
		return fmt.Errorf("exec: %w", &pgconn.PgError{Code: code, Message: "driver text with data"})
	}
	coachErr := coach.Errorf(coach.EGONE, "gone")
	for _, tc := range []struct {
		name string
		err  error
		want coach.Code
	}{
		{"nil", nil, ""},
		{"coach error", coachErr, coach.EGONE},
		{"no rows", pgx.ErrNoRows, coach.ENOTFOUND},
		{"unique_violation", pg("23505"), coach.ECONFLICT},
		{"exclusion_violation", pg("23P01"), coach.ECONFLICT},
		{"unique_violation on a trade's exchange key (a concurrent import of the fill)",
			&pgconn.PgError{Code: "23505", ConstraintName: "trades_user_broker_exchange_key"}, coach.ERETRYABLE},
		{"serialization_failure", pg("40001"), coach.ERETRYABLE},
		{"deadlock_detected", pg("40P01"), coach.ERETRYABLE},
		{"foreign_key_violation", pg("23503"), coach.ENOTFOUND},
		{"check_violation", pg("23514"), coach.EINVALID},
		{"not_null_violation", pg("23502"), coach.EINVALID},
		{"bad UTF-8 or NUL", pg("22021"), coach.EINVALID},
		{"untranslatable_character (\\u0000 in jsonb)", pg("22P05"), coach.EINVALID},
		{"numeric_value_out_of_range", pg("22003"), coach.EINVALID},
		{"admin_shutdown", pg("57P01"), coach.EUNAVAILABLE},
		{"connection_failure", pg("08006"), coach.EUNAVAILABLE},
		{"too_many_connections", pg("53300"), coach.EUNAVAILABLE},
		{"missing partition", &pgconn.PgError{Code: "23514", Message: `no partition of relation "event_outbox" found for row`}, coach.EINTERNAL},
		{"syntax_error", pg("42601"), coach.EINTERNAL},
		{"unexpected EOF", fmt.Errorf("read: %w", io.ErrUnexpectedEOF), coach.EUNAVAILABLE},
		{"conn closed", pgconn.ErrConnClosed, coach.EUNAVAILABLE},
		{"anything else", errors.New("boom"), coach.EINTERNAL},
		{"canceled", context.Canceled, coach.ECANCELED},
		{"deadline", context.DeadlineExceeded, coach.ECANCELED},
		{"canceled wrapped by pgx", fmt.Errorf("timeout: %w", fmt.Errorf("read: %w", context.Canceled)), coach.ECANCELED},
	} {
		got := formatError(tc.err)
		if code := coach.ErrorCode(got); code != tc.want {
			t.Errorf("%s: code %q (%v), want %q", tc.name, code, got, tc.want)
		}
		if got != nil && coach.ErrorMessage(got) != "internal error" {
			if msg := coach.ErrorMessage(got); contains(msg, "driver text") {
				t.Errorf("%s: message %q quotes the driver", tc.name, msg)
			}
		}
	}
	if formatError(coachErr) != coachErr {
		t.Error("a coach error is not passed through unchanged")
	}
	if err := formatError(fmt.Errorf("q: %w", context.DeadlineExceeded)); !errors.Is(err, context.DeadlineExceeded) {
		t.Errorf("deadline error %v lost context.DeadlineExceeded", err)
	}
	// Every coded translation keeps the driver error as its cause.
	for _, code := range []string{"23505", "40001", "40P01", "23503", "23514", "22021", "57P01"} {
		var pe *pgconn.PgError
		if err := formatError(pg(code)); !errors.As(err, &pe) || pe.Code != code {
			t.Errorf("%s: %v does not keep the *pgconn.PgError", code, err)
		}
	}
	if err := formatError(io.ErrUnexpectedEOF); !errors.Is(err, io.ErrUnexpectedEOF) {
		t.Errorf("unavailable %v lost its cause", err)
	}
	if err := formatError(errors.New("boom")); fmt.Sprintf("%+v", err) == "boom" {
		t.Error("an internal error has no stack")
	}
}

func contains(s, sub string) bool {
	for i := 0; i+len(sub) <= len(s); i++ {
		if s[i:i+len(sub)] == sub {
			return true
		}
	}
	return false
}

// TestConstraintsBackTheValidation bypasses the Go validation with raw SQL and checks that the
// schema's own constraints reject what the domain rejects, with the codes formatError gives.
func TestConstraintsBackTheValidation(t *testing.T) {
	t.Parallel()
	db := MustOpenTestDB(t)
	ctx := context.Background()
	u := newUser(t, db)
	for _, tc := range []struct {
		name string
		sql  string
		args []any
		want coach.Code
	}{
		{"negative qty", `INSERT INTO trades (id, user_id, broker, ext_id, symbol, side, qty, price, ts) VALUES ('t1', $1, 'demo', 'e', 'BTC-USD', 'BUY', -1, 1, now())`, []any{u.ID}, coach.EINVALID},
		{"bad side", `INSERT INTO trades (id, user_id, broker, ext_id, symbol, side, qty, price, ts) VALUES ('t1', $1, 'demo', 'e', 'BTC-USD', 'HOLD', 1, 1, now())`, []any{u.ID}, coach.EINVALID},
		{"no such user", `INSERT INTO rules (id, user_id, kind, params, created_at) VALUES ('r1', 'nobody', 'k', '{}', now())`, nil, coach.ENOTFOUND},
		{"taken email", `INSERT INTO users (id, email, created_at) VALUES ('u2', $1, now())`, []any{u.Email}, coach.ECONFLICT},
		{"confidence above 1", `INSERT INTO bias_tags (id, user_id, trade_id, label, confidence, features, created_at) VALUES ('g', $1, 'x', 'FOMO', 2, '{}', now())`, []any{u.ID}, coach.EINVALID},
		{"NUL in text", `SELECT $1::text`, []any{"a\x00b"}, coach.EINVALID},
		{"NUL in jsonb", `SELECT '{"a":"\u0000"}'::jsonb`, nil, coach.EINVALID},
		{"event without partition", `INSERT INTO event_outbox (id, user_id, type, v, ts, payload) VALUES ('e', $1, 't', 1, '1999-01-01Z', '{}')`, []any{u.ID}, coach.EINTERNAL},
	} {
		_, err := db.Pool().Exec(ctx, tc.sql, tc.args...)
		if got := coach.ErrorCode(formatError(err)); got != tc.want {
			t.Errorf("%s: %v → code %q, want %q", tc.name, err, got, tc.want)
		}
	}
}
