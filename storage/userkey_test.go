package storage_test

import (
	"strings"
	"testing"

	"github.com/tradecoach/coach/storage"
)

func TestUserBlobKeyIsUnderTheUsersPrefix(t *testing.T) {
	key := storage.UserBlobKey("01HUSER", "exports", "01HEXPORT.zip")
	if key != "users/01HUSER/exports/01HEXPORT.zip" {
		t.Fatalf("key = %q", key)
	}
	if !strings.HasPrefix(key, storage.UserBlobPrefix("01HUSER")) || !storage.ValidBlobKey(key) {
		t.Fatalf("key %q is not a valid key under the user's prefix", key)
	}
	if strings.HasPrefix(storage.UserBlobKey("01HUSER2", "x"), storage.UserBlobPrefix("01HUSER")) {
		t.Fatal("one user's prefix covers another user's keys")
	}
}
