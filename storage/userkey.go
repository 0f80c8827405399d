package storage

import "strings"

// UserBlobKey returns the blob key of a user's object: "users/{userId}/{part}/{part}…". Every
// blob that holds a user's data lives under UserBlobPrefix(userID), so erasing the user removes
// one prefix and an export or a scan finds all of it there.
func UserBlobKey(userID string, parts ...string) string {
	return UserBlobPrefix(userID) + strings.Join(parts, "/")
}

// UserBlobPrefix returns "users/{userId}/", the prefix of every blob of the user's.
func UserBlobPrefix(userID string) string { return "users/" + userID + "/" }

// UserKey returns the key of a user's entry in a key-value store (Cache, Idempotency,
// RateLimiter, Leases): "u:{userId}:{part}:{part}…". Every key that holds or names a user's data
// is made by it, so that an adapter can index the user's keys and KeyEraser.EraseUser removes
// them without scanning the server.
func UserKey(userID string, parts ...string) string {
	return UserKeyPrefix(userID) + strings.Join(parts, ":")
}

// UserKeyPrefix returns "u:{userId}:", the prefix of every key UserKey makes for the user.
func UserKeyPrefix(userID string) string { return "u:" + userID + ":" }

// KeyUser returns the user id of a key made by UserKey, or "" for any other key.
func KeyUser(key string) string {
	rest, ok := strings.CutPrefix(key, "u:")
	if !ok {
		return ""
	}
	id, _, ok := strings.Cut(rest, ":")
	if !ok {
		return ""
	}
	return id
}
