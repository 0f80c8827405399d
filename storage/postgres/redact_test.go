package postgres

import (
	"testing"

	"github.com/tradecoach/coach/internal/secrettest"
)

// A Config never prints its password, whatever form its URL takes.
func TestConfigNeverPrintsPassword(t *testing.T) {
	t.Parallel()
	const pw = "PGPASS-secret-91b2"
	for _, u := range []string{
		"postgres://app:" + pw + "@db.internal:5432/coach?sslmode=require",
		"postgres://app@db.internal/coach?password=" + pw,
		"host=db.internal user=app password=" + pw + " dbname=coach",
	} {
		secrettest.AssertCallableRedacted(t, [][]byte{[]byte(pw)}, Config{URL: u, Schema: "s"})
	}
}
