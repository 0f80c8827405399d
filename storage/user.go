package storage

import (
	"context"
	"time"

	"github.com/tradecoach/coach"
)

// Users stores accounts. Emails are optional and, when present, unique case-insensitively (stored
// in coach.NormalizeEmail form): a host that keeps its own user table creates users with its own
// ids and no email, and keeps the personal data in its own table.
type Users interface {
	// Create stores u, which must be valid and have an ID: coach.NewID(), or the host's own id
	// for the user (any id coach.ValidID accepts). An id or an email already taken is ECONFLICT;
	// any number of users may have no email.
	Create(ctx context.Context, u coach.User) error

	// ByID returns the user with id, or ENOTFOUND.
	ByID(ctx context.Context, id string) (coach.User, error)

	// ByEmail returns the user with email (compared in normalized form), or ENOTFOUND — always
	// for "", so a user without an email is found by id only.
	ByEmail(ctx context.Context, email string) (coach.User, error)

	// Update replaces the user's email ("" removes it), password hash, time zone, reporting
	// currency and digest-by-email opt-in. ENOTFOUND if there is no such user; ECONFLICT if the
	// new email is taken.
	Update(ctx context.Context, u coach.User) error

	// Delete erases the user and everything of theirs in this store: sessions, connections, trades
	// and tombstones, tags, rules, digests, audit rows, events, checkpoints, simulation runs,
	// exports (their records; the caller deletes the blobs).
	// ENOTFOUND if there is no such user.
	Delete(ctx context.Context, id string) error

	// List returns the users matching f in id order (byte order), at most Clamp(f.Limit), for
	// keyset paging: a caller that wants everything passes the last id of each page as the next
	// f.After until a page is shorter than the limit. A user who exists and matches f throughout
	// a listing is in exactly one of its pages, whatever else is created, changed or deleted
	// meanwhile; one whose TimeZone changes during a listing filtered by zone may enter or leave
	// it. EINVALID if f.After is neither "" nor an id coach.ValidID accepts.
	//
	// Cost: with f.TimeZones, a page reads about one index entry per user it returns plus one
	// index probe per zone (in PostgreSQL, up to 32 zones: an index on (time_zone, id) merged in
	// id order; with more, the rows after f.After in id order, filtered); without, the rows it
	// returns. The memory adapter scans every user on each page.
	List(ctx context.Context, f UserFilter) ([]coach.User, error)

	// TimeZones returns the distinct TimeZone values of the stored users, in byte order; "" is
	// among them when some user has none. Its cost grows with the number of distinct values, not
	// with the number of users (in PostgreSQL, one index probe per value). A value is returned
	// as stored, so a zone this machine's tzdata does not know may be among them
	// (coach.User.Location reads it as UTC).
	TimeZones(ctx context.Context) ([]string, error)
}

// UserFilter selects users for Users.List.
type UserFilter struct {
	// TimeZones, when not empty, keeps only users whose stored TimeZone is one of these ("" for
	// the users without one). Repeated values count once; a value no user has matches no one.
	TimeZones []string
	// CreatedBefore, when set, keeps only users whose CreatedAt is before it.
	CreatedBefore time.Time
	// After, when set, continues a listing after the user with that id (keyset paging).
	After string
	// Limit caps the users returned (see Clamp).
	Limit int
}

// Sessions stores signed-in sessions by the hash of their token.
type Sessions interface {
	// Create stores s, which must be valid. A token hash already stored is ECONFLICT.
	Create(ctx context.Context, s coach.Session) error

	// ByTokenHash returns the session with that token hash, expired or not (the caller checks
	// Expired), or ENOTFOUND.
	ByTokenHash(ctx context.Context, tokenHash string) (coach.Session, error)

	// List returns the user's sessions, newest first.
	List(ctx context.Context, userID string) ([]coach.Session, error)

	// Delete removes one of the user's sessions, or gives ENOTFOUND.
	Delete(ctx context.Context, userID, id string) error

	// DeleteAll removes every session of the user and returns how many there were.
	DeleteAll(ctx context.Context, userID string) (int, error)

	// Touch sets the expiry of one of the user's sessions to expiresAt (an idle timeout slides it
	// forward while the session is used), or gives ENOTFOUND. expiresAt must be after the
	// session's CreatedAt (EINVALID otherwise).
	Touch(ctx context.Context, userID, id string, expiresAt time.Time) error

	// DeleteExpired removes every session that expired at or before now, for all users.
	DeleteExpired(ctx context.Context, now time.Time) (int, error)
}

// Connections stores a user's broker connections; a user may have several per broker.
type Connections interface {
	// Create stores c, which must be valid. An ID already used is ECONFLICT.
	Create(ctx context.Context, c coach.BrokerConnection) error

	// Get returns the user's connection id, or ENOTFOUND.
	Get(ctx context.Context, userID, id string) (coach.BrokerConnection, error)

	// List returns the user's connections, oldest first.
	List(ctx context.Context, userID string) ([]coach.BrokerConnection, error)

	// Update replaces the mutable fields of c (status, sealed tokens, scope, expiry, label),
	// matched by (c.UserID, c.ID); ENOTFOUND otherwise. It does not check what is stored: a
	// refresh-token rotation uses Rotate, which does.
	Update(ctx context.Context, c coach.BrokerConnection) error

	// Rotate is Update as a compare-and-swap: it replaces the mutable fields of c only while the
	// stored RefreshEnc is still prevRefreshEnc, byte for byte (nil and empty are the same). The
	// check and the write are one atomic step against every concurrent Rotate or Update, inside
	// InTx or not, so of two rotations from the same previous token exactly one succeeds and the
	// other gets ECONFLICT, changing nothing. ENOTFOUND if there is no such connection.
	Rotate(ctx context.Context, c coach.BrokerConnection, prevRefreshEnc []byte) error

	// Delete removes the connection and its checkpoints (its trades stay), or gives ENOTFOUND.
	Delete(ctx context.Context, userID, id string) error
}
