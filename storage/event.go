package storage

import (
	"context"
	"time"

	"github.com/tradecoach/coach"
)

// Events is the event outbox.
//
// Ordering: Append assigns each event an id (coach.NextEventID) while holding the user's stream
// lock until the transaction ends, so a user's ids increase strictly in commit order, and a reader
// that repeatedly asks for Since(its last seen id) never misses an event committed late. TS is the
// time encoded in the id.
//
// Retention: Prune drops events older than a cut-off; Since with an id older than what has been
// pruned gives EGONE, never a silent partial replay.
type Events interface {
	// Append validates events, assigns their ID and TS, stores them and returns them as stored. All
	// events of one call must be for the same user. Inside InTx they commit with the transaction.
	Append(ctx context.Context, events ...coach.Event) ([]coach.Event, error)

	// Since returns the user's events with id > afterID in id order, at most Clamp(limit). An empty
	// afterID starts at the oldest retained event. EGONE if afterID is older than the retention
	// horizon (events after it may have been pruned); EINVALID if afterID is not a ULID.
	Since(ctx context.Context, userID, afterID string, limit int) ([]coach.Event, error)

	// Oldest returns the id of the user's oldest retained event, or ENOTFOUND if there is none.
	Oldest(ctx context.Context, userID string) (string, error)

	// Newest returns the id of the user's newest retained committed event, or ENOTFOUND if there
	// is none. Every id a client can have seen is at or below it (unless pruned since), and every
	// event committed later has a larger id.
	Newest(ctx context.Context, userID string) (string, error)

	// Undelivered returns up to limit events of any user with no DeliveredAt, oldest id first.
	// Inside InTx it claims the users whose events it returns until the transaction ends: a
	// concurrent Undelivered in another transaction returns none of those users' events (not even
	// later ones), and it skips users leased by Claim. A transaction that publishes what it
	// claimed this way holds locks appends need while the bus answers: dispatchers use Claim.
	Undelivered(ctx context.Context, limit int) ([]coach.Event, error)

	// MarkDelivered sets DeliveredAt on the events with these ids (ids already delivered or pruned
	// are ignored).
	MarkDelivered(ctx context.Context, ids []string, at time.Time) error

	// Claim leases users' undelivered events to owner (a dispatcher's id) for lease, in a short
	// transaction of its own, and returns up to limit of those users' undelivered events, oldest
	// id first. It takes whole users, in order of their oldest undelivered event, as many as the
	// batch can hold, skipping a user leased to another owner until that lease ends, and a user
	// with an append in flight. A user already leased to owner is taken again, so an owner that
	// lost the answer to a Claim or a Release loses no time. The caller publishes the events
	// holding no transaction or lock (appends and reads of every user go on meanwhile, and
	// while the bus hangs), stops publishing before lease has passed, then calls Release. Times
	// are the store's clock. EINVALID if owner is empty or lease is not positive.
	Claim(ctx context.Context, owner string, limit int, lease time.Duration) ([]coach.Event, error)

	// Release ends owner's leases and sets DeliveredAt to at on the events delivered (as
	// MarkDelivered), in one transaction. A lease on a user with an append in flight may be left
	// to expire (or to owner's next Claim) rather than waited for.
	Release(ctx context.Context, owner string, delivered []string, at time.Time) error

	// Prune drops every event with TS before cutoff and returns how many. The retention horizon
	// moves to cutoff. A zero cutoff drops nothing.
	Prune(ctx context.Context, cutoff time.Time) (int, error)
}

// Checkpoints keeps an importer's resume points: per user, connection and scope (e.g. a symbol),
// an opaque value such as a cursor or the last trade id seen.
type Checkpoints interface {
	// Get returns the checkpoint, or ENOTFOUND if none was put.
	Get(ctx context.Context, userID, connectionID, scope string) (string, error)

	// Put stores or replaces the checkpoint.
	Put(ctx context.Context, userID, connectionID, scope, value string) error

	// List returns the connection's checkpoints by scope.
	List(ctx context.Context, userID, connectionID string) (map[string]string, error)
}

// Candles caches market data, which belongs to no user. A candle is identified by
// (Symbol, Interval, OpenTime); putting it again replaces it.
type Candles interface {
	// Put validates and stores candles.
	Put(ctx context.Context, candles []coach.Candle) error

	// Range returns the stored candles of symbol and interval with OpenTime in [from, to), in time
	// order. Gaps are simply absent: the caller decides whether they are acceptable.
	Range(ctx context.Context, symbol coach.Symbol, interval coach.Interval, from, to time.Time) ([]coach.Candle, error)
}

// DeadLetter is a job that failed its last retry, mirrored from the queue (whose own archive is
// capped) so that it can be inspected and requeued.
type DeadLetter struct {
	ID       string `json:"id"`
	Queue    string `json:"queue"`
	TaskType string `json:"taskType"`
	TaskID   string `json:"taskId"`
	Payload  []byte `json:"payload"`
	// UserID is the user the job is about, so that erasing the user removes it: when stored
	// without one, the adapter takes the payload's (PayloadUserID).
	UserID   string    `json:"userId,omitempty"`
	Error    string    `json:"error"`
	Attempts int       `json:"attempts"`
	FailedAt time.Time `json:"failedAt"`
}

// DeadLetters stores dead-lettered jobs.
type DeadLetters interface {
	// Add stores d (an ID already stored is replaced: the same task failing again). A d without
	// a UserID is stored with PayloadUserID(d.Payload).
	Add(ctx context.Context, d DeadLetter) error

	// List returns dead letters of queue ("" for all), newest first, at most Clamp(limit).
	List(ctx context.Context, queue string, limit int) ([]DeadLetter, error)

	// Take removes and returns the dead letter id (to requeue it), or gives ENOTFOUND.
	Take(ctx context.Context, id string) (DeadLetter, error)

	// DeleteFailedBefore removes every dead letter whose FailedAt is before cutoff (retention)
	// and returns how many. A zero cutoff removes nothing.
	DeleteFailedBefore(ctx context.Context, cutoff time.Time) (int, error)
}
