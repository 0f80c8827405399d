package s3_test

import (
	"context"
	"strings"
	"testing"

	"github.com/tradecoach/coach/internal/canceltest"
	"github.com/tradecoach/coach/storage/s3"
	"github.com/tradecoach/coach/storage/s3/s3test"
)

// TestContextEndedIsCanceled checks that every call made with a cancelled or expired context is
// ECANCELED, not EUNAVAILABLE or EINTERNAL, with the context's error reachable by errors.Is.
func TestContextEndedIsCanceled(t *testing.T) {
	t.Parallel()
	endpoint := s3test.Server(t)
	cfg := s3test.Config(endpoint)
	b, err := s3.Open(t.Context(), cfg)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := b.Put(t.Context(), "k", strings.NewReader("v"), ""); err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct {
		name string
		call func(ctx context.Context) error
	}{
		{"Put", func(ctx context.Context) error {
			_, err := b.Put(ctx, "k2", strings.NewReader("v"), "")
			return err
		}},
		{"Get", func(ctx context.Context) error {
			r, _, err := b.Get(ctx, "k")
			if r != nil {
				r.Close()
			}
			return err
		}},
		{"List", func(ctx context.Context) error { _, err := b.List(ctx, ""); return err }},
		{"Delete", func(ctx context.Context) error { return b.Delete(ctx, "k") }},
		{"Open", func(ctx context.Context) error {
			_, err := s3.Open(ctx, cfg)
			return err
		}},
	} {
		for _, e := range canceltest.Ends() {
			t.Run(c.name+"/"+e.Name, func(t *testing.T) {
				ctx, cancel := e.Context()
				defer cancel()
				err := c.call(ctx)
				canceltest.Want(t, err, e.Target)
			})
		}
	}
}
