package redact_test

import (
	"log/slog"
	"os"

	"github.com/tradecoach/coach/redact"
)

// A host wraps its log handler once; every line then names people by a keyed hash and never
// carries a secret.
func ExampleNewHandler() {
	plain := slog.NewTextHandler(os.Stdout, &slog.HandlerOptions{
		ReplaceAttr: func(_ []string, a slog.Attr) slog.Attr {
			if a.Key == slog.TimeKey {
				return slog.Attr{} // a fixed output for the example
			}
			return a
		},
	})
	h, err := redact.NewHandler(plain, []byte("a key the host keeps secret"))
	if err != nil {
		panic(err)
	}
	log := slog.New(h)
	log.Info("password reset requested", "email", "ana@example.com", "token", "d41d8cd98f00")
	// Output:
	// level=INFO msg="password reset requested" emailHash=eh_df5778f16d64a97b0eb75488 token=[redacted]
}
