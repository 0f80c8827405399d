package postgres

import (
	"context"
	"errors"
	"io"
	"net"
	"strings"
	"syscall"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
	pkgerrors "github.com/pkg/errors"
	"github.com/tradecoach/coach"
)

// formatError turns an error of the driver into the error the store returns. It is the one place
// where PostgreSQL's errors become coach errors:
//
//   - a *coach.Error passes through unchanged;
//   - a cancelled or expired context passes through (errors.Is still finds it), with a stack;
//   - pgx.ErrNoRows is ENOTFOUND;
//   - unique_violation (23505) and exclusion_violation are ECONFLICT, as are serialization failures
//     and deadlocks (the transaction lost a race and may be retried);
//   - foreign_key_violation (23503) is ENOTFOUND: the row it names (a user, a trade) does not
//     exist, or is being deleted;
//   - check_violation, not_null_violation, numeric and text errors (class 22: a NUL byte or bad
//     UTF-8 in text or JSON, an out-of-range number) are EINVALID;
//   - a lost or refused connection is EUNAVAILABLE;
//   - anything else is EINTERNAL: the driver error wrapped with a stack, for the log only.
//
// Messages never quote the driver's text, which may contain data.
func formatError(err error) error {
	if err == nil {
		return nil
	}
	var ce *coach.Error
	if errors.As(err, &ce) {
		return err
	}
	if errors.Is(err, context.Canceled) || errors.Is(err, context.DeadlineExceeded) {
		return pkgerrors.WithStack(err)
	}
	if errors.Is(err, pgx.ErrNoRows) {
		return coach.Errorf(coach.ENOTFOUND, "not found")
	}
	var pe *pgconn.PgError
	if errors.As(err, &pe) {
		switch {
		case pe.Code == "23505" || pe.Code == "23P01":
			return coach.Errorf(coach.ECONFLICT, "%s already exists", constraintSubject(pe.ConstraintName, pe.TableName))
		case pe.Code == "40001" || pe.Code == "40P01":
			return coach.Errorf(coach.ECONFLICT, "a concurrent change conflicted; try again")
		case pe.Code == "23503":
			return coach.Errorf(coach.ENOTFOUND, "%s refers to something that does not exist", constraintSubject(pe.ConstraintName, pe.TableName))
		case pe.Code == "23514" && strings.HasPrefix(pe.Message, "no partition of relation"):
			// A row for a month without a partition: the store failed to make it. A fault.
			return pkgerrors.Wrap(err, "postgres: event outbox partition missing")
		case pe.Code == "23514" || pe.Code == "23502":
			return coach.Errorf(coach.EINVALID, "%s: a value is out of range", constraintSubject(pe.ConstraintName, pe.TableName))
		case strings.HasPrefix(pe.Code, "22"):
			return coach.Errorf(coach.EINVALID, "a value cannot be stored (bad text, JSON or number)")
		case strings.HasPrefix(pe.Code, "08") || strings.HasPrefix(pe.Code, "57P") || pe.Code == "53300":
			// Connection exceptions, the server shutting down or killing the session, too many
			// connections: the server is (for now) unavailable.
			return coach.Errorf(coach.EUNAVAILABLE, "database unavailable")
		}
		return pkgerrors.Wrapf(err, "postgres: sqlstate %s", pe.Code)
	}
	if connLost(err) {
		return coach.Errorf(coach.EUNAVAILABLE, "database unavailable")
	}
	return pkgerrors.WithStack(err)
}

// connLost reports whether err says the connection to the server is gone or could not be made,
// as opposed to the server rejecting a statement.
func connLost(err error) bool {
	var connectErr *pgconn.ConnectError
	var netErr net.Error
	var pe *pgconn.PgError
	switch {
	case errors.As(err, &pe):
		return strings.HasPrefix(pe.Code, "08") || strings.HasPrefix(pe.Code, "57P")
	case errors.As(err, &connectErr),
		errors.Is(err, io.EOF), errors.Is(err, io.ErrUnexpectedEOF),
		errors.Is(err, net.ErrClosed), errors.Is(err, syscall.ECONNRESET),
		errors.Is(err, syscall.EPIPE), errors.Is(err, syscall.ECONNREFUSED),
		errors.Is(err, pgconn.ErrConnClosed):
		return true
	case errors.As(err, &netErr):
		return true
	}
	return false
}

// constraintSubject names what a constraint protects, for a message safe to show.
func constraintSubject(constraint, table string) string {
	switch constraint {
	case "users_email_key":
		return "a user with this email"
	case "users_pkey":
		return "a user with this id"
	case "sessions_token_hash_key":
		return "a session with this token"
	case "trades_user_broker_ext_id":
		return "a trade with this broker and extId"
	case "bias_tags_trade_label":
		return "a tag with this label on this trade"
	case "digests_user_period_start":
		return "a digest for this period"
	}
	if table != "" {
		return "a row of " + table
	}
	return "a row"
}
