package redis

import (
	"testing"

	"github.com/tradecoach/coach/internal/secrettest"
)

// A Config never prints its password.
func TestConfigNeverPrintsPassword(t *testing.T) {
	t.Parallel()
	const pw = "REDISPASS-secret-5d7e"
	secrettest.AssertCallableRedacted(t, [][]byte{[]byte(pw)}, Config{Addr: "x:6379", Username: "u", Password: pw})
}
