package storage

import (
	"context"
	"time"
)

// ConnectionSync is a broker connection's place in the sync schedule: who it belongs to, which
// broker it reads and how far its fills are imported. It carries no credential.
type ConnectionSync struct {
	UserID       string
	ConnectionID string
	Broker       string
	Status       string
	// CreatedAt is when the connection was linked: a first sync reaches back from it.
	CreatedAt time.Time
	// SyncedThrough is the end of the fills imported without a gap (see Syncs.MarkSynced); zero
	// when the connection was never imported.
	SyncedThrough time.Time
}

// SyncFilter selects connections for Syncs.Due.
type SyncFilter struct {
	// SyncedBefore keeps the connections never synced or synced through a time at or before it.
	// Required.
	SyncedBefore time.Time
	// SkipBrokers leaves out the connections of these brokers (those that do not sync on their
	// own, such as coach.BrokerCSV).
	SkipBrokers []string
	// After, when set, continues a listing after the connection with that id (keyset paging).
	After string
	// Limit caps the connections returned (see Clamp).
	Limit int
}

// Syncs keeps when each broker connection was last imported, for the scheduler that syncs them.
// MarkSynced and State are scoped to one user as every user-data method is; Due lists the
// connections of every user, and is for the scheduler only: it must never answer a request made
// on a user's behalf.
type Syncs interface {
	// MarkSynced records that the connection's fills in [from, to) are imported: its
	// SyncedThrough moves to to when it has none, or when from is at or before it and to after
	// it (the window continues the history without a gap). A window that would leave a gap, or
	// that ends at or before SyncedThrough, changes nothing, so SyncedThrough never moves back.
	// It reports whether SyncedThrough moved. ENOTFOUND if the user has no such connection;
	// EINVALID if from is not before to.
	MarkSynced(ctx context.Context, userID, connectionID string, from, to time.Time) (bool, error)

	// State returns the user's connection's ConnectionSync, or ENOTFOUND.
	State(ctx context.Context, userID, connectionID string) (ConnectionSync, error)

	// Due returns the active connections (neither paused nor revoked) of every user matching f,
	// in connection id order (byte order), at most Clamp(f.Limit), for keyset paging as
	// Users.List pages. A connection that stays due throughout a listing is in exactly one of its
	// pages; one synced, paused or revoked meanwhile may leave it. EINVALID when f.SyncedBefore
	// is zero or f.After is neither "" nor a valid id.
	//
	// Cost: in PostgreSQL, a page reads the active connections after f.After in id order (a
	// partial index of the active ones), filtered; the memory adapter scans every connection.
	Due(ctx context.Context, f SyncFilter) ([]ConnectionSync, error)
}
