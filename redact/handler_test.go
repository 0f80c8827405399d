package redact_test

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"log/slog"
	"strings"
	"testing"

	"github.com/tradecoach/coach/redact"
)

var testKey = []byte("0123456789abcdef-log-hash-key")

func newLogger(t *testing.T) (*slog.Logger, *bytes.Buffer) {
	t.Helper()
	var out bytes.Buffer
	h, err := redact.NewHandler(slog.NewJSONHandler(&out, nil), testKey)
	if err != nil {
		t.Fatal(err)
	}
	return slog.New(h), &out
}

func TestHandlerRedacts(t *testing.T) {
	hash := redact.EmailHash(testKey, "Ana@Example.com")
	for _, tc := range []struct {
		name string
		log  func(*slog.Logger)
		want map[string]any // top-level fields the line must have
	}{
		{"email attribute becomes its hash", func(l *slog.Logger) { l.Info("signup", "email", "ana@example.com") },
			map[string]any{"emailHash": hash}},
		{"an address in the message", func(l *slog.Logger) { l.Info("login failed for ANA@example.com ") },
			map[string]any{"msg": "login failed for " + hash + " "}},
		{"an address in a string value", func(l *slog.Logger) { l.Info("mail", "to", "Ana <ana@example.com>") },
			map[string]any{"to": "Ana <" + hash + ">"}},
		{"an address in an error", func(l *slog.Logger) { l.Error("send", "err", errors.New("smtp: 550 ana@example.com unknown")) },
			map[string]any{"err": "smtp: 550 " + hash + " unknown"}},
		{"secrets by key", func(l *slog.Logger) {
			l.Info("auth", "password", "hunter2", "accessToken", "tok", "Authorization", "Bearer x", "api_key", "k", "X-Signature", "s")
		}, map[string]any{"password": redact.Redacted, "accessToken": redact.Redacted, "Authorization": redact.Redacted,
			"api_key": redact.Redacted, "X-Signature": redact.Redacted}},
		{"inside a group", func(l *slog.Logger) {
			l.Info("req", slog.Group("user", "email", "ana@example.com", "refresh_token", "r"))
		}, map[string]any{"user": map[string]any{"emailHash": hash, "refresh_token": redact.Redacted}}},
		{"attributes added once with With", func(l *slog.Logger) { l.With("userEmail", "ana@example.com").Info("x") },
			map[string]any{"userEmailHash": hash}},
		{"values without personal data are left alone", func(l *slog.Logger) { l.Info("ok", "n", 3, "path", "/trades") },
			map[string]any{"n": float64(3), "path": "/trades"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			l, out := newLogger(t)
			tc.log(l)
			line := out.String()
			for _, leak := range []string{"@example.com", "hunter2", "Bearer x", `"tok"`} {
				if strings.Contains(strings.ToLower(line), strings.ToLower(leak)) {
					t.Fatalf("line leaks %q: %s", leak, line)
				}
			}
			var got map[string]any
			if err := json.Unmarshal([]byte(line), &got); err != nil {
				t.Fatalf("line is not JSON: %v: %s", err, line)
			}
			for k, want := range tc.want {
				if g, _ := json.Marshal(got[k]); string(g) != mustJSON(t, want) {
					t.Errorf("%s = %s, want %s (line %s)", k, g, mustJSON(t, want), line)
				}
			}
		})
	}
}

func TestEmailHashIsKeyedAndNormalized(t *testing.T) {
	a := redact.EmailHash(testKey, "ana@example.com")
	if a != redact.EmailHash(testKey, "  ANA@example.COM ") {
		t.Fatal("the same address in another case hashes differently")
	}
	if a == redact.EmailHash([]byte("another-key-of-16+bytes"), "ana@example.com") {
		t.Fatal("the hash does not depend on the key")
	}
	if a == redact.EmailHash(testKey, "bob@example.com") {
		t.Fatal("two addresses share a hash")
	}
	if !strings.HasPrefix(a, "eh_") || len(a) != 27 {
		t.Fatalf("hash %q: want eh_ and 24 hex digits", a)
	}
}

func TestNewHandlerRefusesAShortKey(t *testing.T) {
	if _, err := redact.NewHandler(slog.NewJSONHandler(&bytes.Buffer{}, nil), []byte("short")); err == nil {
		t.Fatal("a 5-byte key was accepted")
	}
	if _, err := redact.NewHandler(nil, testKey); err == nil {
		t.Fatal("a nil next handler was accepted")
	}
}

func TestHandlerKeepsLevelFiltering(t *testing.T) {
	var out bytes.Buffer
	h, err := redact.NewHandler(slog.NewJSONHandler(&out, &slog.HandlerOptions{Level: slog.LevelWarn}), testKey)
	if err != nil {
		t.Fatal(err)
	}
	if h.Enabled(context.Background(), slog.LevelInfo) {
		t.Fatal("info enabled under a warn handler")
	}
	slog.New(h).Info("hidden")
	if out.Len() != 0 {
		t.Fatalf("info line written: %s", out.String())
	}
}

func mustJSON(t *testing.T, v any) string {
	t.Helper()
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}
