package storage

import (
	"context"
	"encoding/json"
	"time"
)

// Erasure is the pseudonymized record of one erasure of a user: it says that a subject was
// erased, when, and how many rows of each kind went, and nothing that names the user. Subject is
// a keyed hash of the user's id (privacy.Subject), never the id, an email or an exchange id; the
// record outlives the user.
type Erasure struct {
	ID       string    `json:"id"`
	Subject  string    `json:"subject"`
	ErasedAt time.Time `json:"erasedAt"`
	// Counts are the rows, keys and objects removed, by kind ("trades", "blobs", "redisKeys", …).
	// An erasure of a user already erased has no counts above zero.
	Counts map[string]int `json:"counts"`
}

// Erasures erases users from a Store and keeps the pseudonymized record of each erasure.
type Erasures interface {
	// Erase deletes the user and everything of theirs in the store — every row Users.Delete
	// removes, the dead letters whose UserID is the user's, and the user's data key — and returns
	// how many rows of each kind went (kinds with none are left out). It holds the user's lock
	// while it deletes, so a concurrent write of the user either commits before it (and is
	// erased) or fails for want of the user. Erasing a user who does not exist, or no longer
	// does, is not an error: it removes what is left (dead letters, a data key) and returns the
	// counts, all zero when nothing was left.
	Erase(ctx context.Context, userID string) (map[string]int, error)

	// Record stores r, which needs an ID, a Subject of 1-128 bytes and an ErasedAt; EINVALID
	// otherwise, ECONFLICT for an ID already stored.
	Record(ctx context.Context, r Erasure) error

	// BySubject returns the records of subject, oldest first.
	BySubject(ctx context.Context, subject string) ([]Erasure, error)
}

// DataKey is a user's data-encryption key as stored: wrapped by the key-encryption key KEKID
// (see broker/seal), never in clear. ID names the key (it is not secret).
type DataKey struct {
	ID        string
	UserID    string
	KEKID     string
	Wrapped   []byte
	CreatedAt time.Time
}

// DataKeys stores one wrapped data key per user.
type DataKeys interface {
	// Get returns the user's data key, or ENOTFOUND.
	Get(ctx context.Context, userID string) (DataKey, error)

	// Put stores the user's wrapped key, or replaces the KEKID and Wrapped of the key stored for
	// k.UserID (a KEK rotation), which keeps its ID and CreatedAt. A new key gets k.ID, or a
	// fresh id when k.ID is "", and k.CreatedAt, or now when zero. EINVALID without a UserID, a
	// KEKID or Wrapped bytes.
	Put(ctx context.Context, k DataKey) error

	// Delete removes the user's data key, reporting whether there was one.
	Delete(ctx context.Context, userID string) (bool, error)
}

// PayloadUserID returns the "userId" string at the top level of a JSON payload (every job of
// the jobs package carries one), or "" when there is none. Dead-letter adapters use it to give a
// DeadLetter stored without a UserID the user its payload carries.
func PayloadUserID(payload []byte) string {
	var p struct {
		UserID string `json:"userId"`
	}
	if len(payload) == 0 || payload[0] != '{' || json.Unmarshal(payload, &p) != nil {
		return ""
	}
	return p.UserID
}
