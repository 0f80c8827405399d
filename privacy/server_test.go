package privacy_test

import (
	"net/http"
	"net/http/httptest"
	"testing"
)

// newServer serves h on a loopback port until the test ends.
func newServer(t testing.TB, h http.Handler) *httptest.Server {
	t.Helper()
	srv := httptest.NewServer(h)
	t.Cleanup(srv.Close)
	return srv
}
