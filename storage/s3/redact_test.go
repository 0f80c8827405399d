package s3

import (
	"testing"

	"github.com/tradecoach/coach/internal/secrettest"
)

// A Config never prints its credentials.
func TestConfigNeverPrintsCredentials(t *testing.T) {
	t.Parallel()
	const key, secret = "AKIARECOGNIZABLE7", "S3SECRET-recognizable-0c4f"
	secrettest.AssertCallableRedacted(t, [][]byte{[]byte(key), []byte(secret)}, Config{Bucket: "b", AccessKey: key, SecretKey: secret})
}
