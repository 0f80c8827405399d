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
