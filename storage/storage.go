// Package storage declares the ports through which tradecoach's services keep data: one interface
// per aggregate, a unit of work (Store.InTx) so that a change and the outbox event describing it
// commit together or not at all, and the non-transactional stores (blobs, cache, idempotency
// records, nonces, rate limits).
//
// Tenant isolation is a property of the ports: every method that reads or writes user data takes
// the user's id, and a row of another user is never returned, changed or deleted — asking for it
// gives coach.ENOTFOUND, exactly as for a row that does not exist.
//
// Errors are coach errors: EINVALID for input the domain rejects (checked before anything is
// written), ENOTFOUND, ECONFLICT for unique constraints, EGONE for events past retention,
// ECANCELED (wrapping the context's error) when the caller's context ended, ERETRYABLE when a
// transaction lost a race (serialization failure, deadlock) and may be retried as a whole,
// EUNAVAILABLE when the server cannot be reached, and EINTERNAL (wrapped with a stack) for driver
// faults. The conformance suite in storagetest checks
// every contract here against any adapter; storage/memory and storage/postgres both pass it.
package storage

import "context"

// Tx is the set of repositories bound to one unit of work. Inside Store.InTx every call through
// the Tx sees the transaction's own writes and commits or rolls back with it.
type Tx interface {
	Users() Users
	Sessions() Sessions
	Connections() Connections
	Trades() Trades
	Tags() Tags
	Disputes() Disputes
	Notes() Notes
	Questions() Questions
	Rules() Rules
	Digests() Digests
	Audit() AuditLog
	Events() Events
	Checkpoints() Checkpoints
	Candles() Candles
	DeadLetters() DeadLetters
	SimulationRuns() SimulationRuns
	Exports() Exports
	DataKeys() DataKeys
	Erasures() Erasures
	Syncs() Syncs
	Webhooks() Webhooks
}

// Store is a deployment's transactional data store. Calls made through Store directly (outside
// InTx) each run in a transaction of their own.
type Store interface {
	Tx

	// InTx runs fn in one transaction: everything fn writes through tx commits if fn returns nil
	// and is rolled back — leaving no trace — if fn returns an error or panics (the panic is then
	// re-raised). fn must use only tx, never the Store, for the work of the transaction. InTx
	// returns fn's error unchanged, or a commit error.
	InTx(ctx context.Context, fn func(tx Tx) error) error

	// Close releases the store's resources. The store is unusable afterwards.
	Close() error
}

// Listing limits.
const (
	DefaultLimit = 100
	MaxLimit     = 10_000
)

// Clamp returns the effective limit for n: DefaultLimit for n ≤ 0, MaxLimit for n > MaxLimit.
func Clamp(n int) int {
	switch {
	case n <= 0:
		return DefaultLimit
	case n > MaxLimit:
		return MaxLimit
	}
	return n
}
