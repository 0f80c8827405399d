package postgres

import (
	"context"

	"github.com/jackc/pgx/v5"
	"github.com/tradecoach/coach"
	"github.com/tradecoach/coach/storage"
)

// InExternalTx runs fn as a unit of work inside tx, a transaction of the host's on the same
// database, so that the host's own writes and the store's (trades, tags, rules, audit rows,
// outbox events, … — every repository of storage.Tx) commit together or not at all. It is the
// transactional-outbox pattern of river's InsertTx and watermill's SQL publisher: a host inserts
// its order row with tx, appends a coach event through the storage.Tx, then commits tx.
//
// The contract:
//   - InExternalTx never commits or rolls back tx: the host does, after InExternalTx returns.
//     Everything fn wrote is stored if and only if the host commits; if the host rolls back,
//     nothing of the store's was stored (no event, no trade, no audit row).
//   - fn runs inside a savepoint of tx. If fn returns an error or panics, InExternalTx rolls back
//     to that savepoint — undoing what fn wrote through the storage.Tx, and any statement of the
//     host's that fn ran on tx — and returns fn's error (or re-raises the panic); tx stays usable,
//     so the host may still commit its own earlier work.
//   - Event ids keep their contract: Append takes the user's stream lock in tx and holds it until
//     the host commits or rolls back, so ids still increase in commit order and a reader paging
//     with "since" never skips an event committed late. Hold the transaction briefly: other
//     appends for the same user wait for it.
//   - Events are dispatched after the host commits: the outbox dispatcher finds them on its next
//     poll of Undelivered (or sooner if the host calls the dispatcher's Notify after its commit).
//   - Statements name the store's schema, so tx's search_path does not matter and the host's own
//     tables are never touched.
//
// fn must use the storage.Tx it is given, never the DB, for work that belongs to the unit; calls
// through it are serialized on tx, and fn must not use tx for its own statements at the same
// moment from another goroutine. A nil tx is EINVALID.
func (db *DB) InExternalTx(ctx context.Context, tx pgx.Tx, fn func(tx storage.Tx) error) error {
	if tx == nil {
		return coach.Errorf(coach.EINVALID, "postgres: InExternalTx: tx: required")
	}
	if err := db.usable(); err != nil {
		return err
	}
	sp, err := tx.Begin(ctx) // a savepoint
	if err != nil {
		return formatError(err)
	}
	done := false
	defer func() {
		if !done {
			rollback(ctx, sp) // fn panicked: undo its work, then let the panic go on
		}
	}()
	if err := fn(repos{s: &scope{db: db, tx: sp}}); err != nil {
		done = true
		rollback(ctx, sp)
		return err
	}
	done = true
	if err := sp.Commit(ctx); err != nil { // RELEASE SAVEPOINT: the host's commit decides
		return formatError(err)
	}
	return nil
}
