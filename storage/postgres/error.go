package postgres

import (
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
//   - a cancelled or expired context is ECANCELED (coach.ContextError), also when pgx wraps it
//     (a timeout, a connect error); errors.Is still finds context.Canceled or DeadlineExceeded;
//   - pgx.ErrNoRows is ENOTFOUND;
//   - unique_violation (23505) and exclusion_violation are ECONFLICT, except on a trade's exchange
//     key (a concurrent import stored the same fill from another source), which is ERETRYABLE;
//   - serialization_failure (40001) and deadlock_detected (40P01) are ERETRYABLE: the transaction
//     lost a race and the whole operation can be retried;
//   - foreign_key_violation (23503) is ENOTFOUND: the row it names (a user, a trade) does not
//     exist, or is being deleted;
//   - check_violation, not_null_violation, numeric and text errors (class 22: a NUL byte or bad
//     UTF-8 in text or JSON, an out-of-range number) are EINVALID;
//   - a lost or refused connection is EUNAVAILABLE;
//   - anything else is EINTERNAL: the driver error wrapped with a stack, for the log only.
//
// A coded error keeps the driver's error as its cause (errors.As reaches the *pgconn.PgError or
// the dial error), but its message never quotes the driver's text, which may contain data.
func formatError(err error) error {
	if err == nil {
		return nil
	}
	var ce *coach.Error
	if errors.As(err, &ce) {
		return err
	}
	if ce, ok := coach.ContextError(err); ok {
		return ce
	}
	if errors.Is(err, pgx.ErrNoRows) {
		return coach.WrapError(coach.ENOTFOUND, err, "not found")
	}
	var pe *pgconn.PgError
	if errors.As(err, &pe) {
		switch {
		case pe.Code == "23505" && pe.ConstraintName == "trades_user_broker_exchange_key":
			// Two imports stored one fill from two sources at once: a retry finds it stored.
			return coach.WrapError(coach.ERETRYABLE, err, "a concurrent import stored the same fill; the operation can be retried")
		case pe.Code == "23505" || pe.Code == "23P01":
			return coach.WrapError(coach.ECONFLICT, err, "%s already exists", constraintSubject(pe.ConstraintName, pe.TableName))
		case pe.Code == "40001":
			return coach.WrapError(coach.ERETRYABLE, err, "a concurrent change conflicted (serialization failure); the operation can be retried")
		case pe.Code == "40P01":
			return coach.WrapError(coach.ERETRYABLE, err, "a concurrent change conflicted (deadlock); the operation can be retried")
		case pe.Code == "23503":
			return coach.WrapError(coach.ENOTFOUND, err, "%s refers to something that does not exist", constraintSubject(pe.ConstraintName, pe.TableName))
		case pe.Code == "23514" && strings.HasPrefix(pe.Message, "no partition of relation"):
			// A row for a month without a partition: the store failed to make it. A fault.
			return pkgerrors.Wrap(err, "postgres: event outbox partition missing")
		case pe.Code == "23514" || pe.Code == "23502":
			return coach.WrapError(coach.EINVALID, err, "%s: a value is out of range", constraintSubject(pe.ConstraintName, pe.TableName))
		case strings.HasPrefix(pe.Code, "22"):
			return coach.WrapError(coach.EINVALID, err, "a value cannot be stored (bad text, JSON or number)")
		case strings.HasPrefix(pe.Code, "08") || strings.HasPrefix(pe.Code, "57P") || pe.Code == "53300":
			// Connection exceptions, the server shutting down or killing the session, too many
			// connections: the server is (for now) unavailable.
			return coach.WrapError(coach.EUNAVAILABLE, err, "database unavailable")
		}
		return pkgerrors.Wrapf(err, "postgres: sqlstate %s", pe.Code)
	}
	if connLost(err) {
		return coach.WrapError(coach.EUNAVAILABLE, err, "database unavailable")
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
	case "bias_tag_revisions_pkey":
		return "this revision of the tag"
	case "digests_user_period_start":
		return "a digest for this period"
	}
	if table != "" {
		return "a row of " + table
	}
	return "a row"
}

// sessionEnded reports whether err is the server ending the session (an administrator's
// pg_terminate_backend, a shutdown): the backend is gone, and with it any statement it ran that
// had not committed.
func sessionEnded(err error) bool {
	var pe *pgconn.PgError
	return errors.As(err, &pe) && (pe.Code == "57P01" || pe.Code == "57P02" || pe.Code == "57P03")
}
