package redact

import (
	"context"
	"fmt"
	"log/slog"
	"strings"

	"github.com/tradecoach/coach"
)

// Redacted is the value that replaces a secret.
const Redacted = "[redacted]"

// MinKeyBytes is the shortest hash key NewHandler accepts.
const MinKeyBytes = 16

// secretWords name a secret when they appear in an attribute's key, compared in lower case with
// "-" and "_" removed.
var secretWords = []string{"password", "passwd", "secret", "token", "authorization", "cookie", "apikey",
	"privatekey", "signature", "credential", "accessenc", "refreshenc"}

// NewHandler returns a slog.Handler that redacts every record (see the package doc) and passes it
// to next. EINVALID when key is shorter than MinKeyBytes.
func NewHandler(next slog.Handler, key []byte) (slog.Handler, error) {
	if next == nil {
		return nil, coach.Errorf(coach.EINVALID, "redact: a next handler is required")
	}
	if len(key) < MinKeyBytes {
		return nil, coach.Errorf(coach.EINVALID, "redact: the hash key must have at least %d bytes", MinKeyBytes)
	}
	return &handler{next: next, key: append([]byte(nil), key...)}, nil
}

type handler struct {
	next slog.Handler
	key  []byte
}

func (h *handler) Enabled(ctx context.Context, l slog.Level) bool { return h.next.Enabled(ctx, l) }

func (h *handler) Handle(ctx context.Context, r slog.Record) error {
	out := slog.NewRecord(r.Time, r.Level, Text(h.key, r.Message), r.PC)
	r.Attrs(func(a slog.Attr) bool {
		out.AddAttrs(h.attr(a))
		return true
	})
	return h.next.Handle(ctx, out)
}

func (h *handler) WithAttrs(as []slog.Attr) slog.Handler {
	return &handler{next: h.next.WithAttrs(h.attrs(as)), key: h.key}
}

func (h *handler) WithGroup(name string) slog.Handler {
	return &handler{next: h.next.WithGroup(name), key: h.key}
}

func (h *handler) attrs(as []slog.Attr) []slog.Attr {
	out := make([]slog.Attr, len(as))
	for i, a := range as {
		out[i] = h.attr(a)
	}
	return out
}

// attr redacts one attribute: a secret's value goes, an email-named attribute becomes its hash
// under "<key>Hash", and addresses inside any other value are hashed in place.
func (h *handler) attr(a slog.Attr) slog.Attr {
	v := a.Value.Resolve()
	switch {
	case v.Kind() == slog.KindGroup:
		return slog.Attr{Key: a.Key, Value: slog.GroupValue(h.attrs(v.Group())...)}
	case isSecret(a.Key):
		return slog.String(a.Key, Redacted)
	case isEmail(a.Key) && v.Kind() == slog.KindString:
		return slog.String(a.Key+"Hash", EmailHash(h.key, v.String()))
	case v.Kind() == slog.KindString:
		return slog.String(a.Key, Text(h.key, v.String()))
	case v.Kind() == slog.KindAny:
		// An error or any other value is rendered as the output handler would render it: the
		// rendering replaces the value only when it carried an address.
		s := fmt.Sprint(v.Any())
		if r := Text(h.key, s); r != s {
			return slog.String(a.Key, r)
		}
	}
	return slog.Attr{Key: a.Key, Value: v}
}

func normalizedKey(k string) string {
	return strings.NewReplacer("-", "", "_", "").Replace(strings.ToLower(k))
}

func isSecret(k string) bool {
	n := normalizedKey(k)
	for _, w := range secretWords {
		if strings.Contains(n, w) {
			return true
		}
	}
	return false
}

func isEmail(k string) bool {
	n := normalizedKey(k)
	return n == "email" || strings.HasSuffix(n, "email")
}
