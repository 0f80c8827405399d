// Package s3test runs the S3 adapter against an in-process S3-compatible server — gofakes3 with
// its in-memory backend — over real HTTP on a loopback port, for this module's tests and demos.
// It needs no network and no credentials, and never skips.
package s3test

import (
	"context"
	"net/http/httptest"
	"testing"

	"github.com/johannesboyne/gofakes3"
	"github.com/johannesboyne/gofakes3/backend/s3mem"

	"github.com/tradecoach/coach/storage/s3"
)

// Bucket is the bucket MustOpen creates.
const Bucket = "coach-test"

// Server starts a fresh fake S3 server, closed at cleanup, and returns its base URL
// ("http://127.0.0.1:port"). Buckets must be created (Config.CreateBucket) before use.
func Server(tb testing.TB) string {
	tb.Helper()
	faker := gofakes3.New(s3mem.New(), gofakes3.WithLogger(gofakes3.DiscardLog()))
	srv := httptest.NewServer(faker.Server())
	tb.Cleanup(srv.Close)
	return srv.URL
}

// Config returns a configuration of the adapter for the fake server at endpoint: path-style
// addressing, static dummy credentials, bucket Bucket created on Open.
func Config(endpoint string) s3.Config {
	return s3.Config{
		Endpoint:     endpoint,
		Bucket:       Bucket,
		AccessKey:    "test-access-key",
		SecretKey:    "test-secret-key",
		PathStyle:    true,
		CreateBucket: true,
	}
}

// MustOpen returns Blobs on a bucket of a fresh fake S3 server of its own.
func MustOpen(tb testing.TB) *s3.Blobs {
	tb.Helper()
	b, err := s3.Open(context.Background(), Config(Server(tb)))
	if err != nil {
		tb.Fatalf("s3test: open: %v", err)
	}
	return b
}
