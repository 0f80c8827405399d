// Package secrettest checks that values holding secrets never print them: under every fmt verb,
// through log/slog's text and JSON handlers and encoding/json, alone and nested in structs
// (exported and unexported fields), slices, maps and pointers.
package secrettest

import (
	"bytes"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"log/slog"
	"strings"
	"testing"
)

// Verbs are the fmt verbs and flags every value is printed with.
var Verbs = []string{"%v", "%+v", "%#v", "%s", "%q", "%x", "%X", "%d", "% x", "%T %v"}

// Forms returns the ways a secret could show in text: as is, hex (both cases, spaced), base64
// (standard and URL, padded or not) and as fmt prints a byte slice in decimal.
func Forms(secret []byte) []string {
	h := hex.EncodeToString(secret)
	return []string{
		string(secret), h, strings.ToUpper(h), fmt.Sprintf("% x", secret),
		base64.StdEncoding.EncodeToString(secret), base64.RawStdEncoding.EncodeToString(secret),
		base64.URLEncoding.EncodeToString(secret), base64.RawURLEncoding.EncodeToString(secret),
		strings.Trim(fmt.Sprint(secret), "[]"),
	}
}

// Print returns everything v prints: every verb alone and nested, slog text and JSON, and its
// JSON encoding (when it has one).
func Print(v any) string { return print(v, true) }

// PrintCallable is Print without the nesting in an unexported field, where fmt cannot call the
// value's methods: for types whose secret is an exported string field (configuration), which only
// a pointer-backed type could hide there.
func PrintCallable(v any) string { return print(v, false) }

func print(v any, unexportedField bool) string {
	type exported struct{ V any }
	type unexported struct {
		name string
		v    any
	}
	nested := []any{v, &v, exported{v}, &exported{v}, []any{v}, map[string]any{"k": v}}
	if unexportedField {
		nested = append(nested, unexported{"x", v})
	}
	var out bytes.Buffer
	for _, verb := range Verbs {
		for _, n := range nested {
			fmt.Fprintf(&out, verb+"\n", n)
		}
	}
	fmt.Fprintln(&out, v, nested)
	for _, h := range []slog.Handler{slog.NewTextHandler(&out, nil), slog.NewJSONHandler(&out, nil)} {
		slog.New(h).Info("m", "v", v, slog.Any("nested", exported{v}), slog.Group("g", "v", v))
	}
	if b, err := json.Marshal(v); err == nil {
		out.Write(b)
	}
	return out.String()
}

// AssertRedacted fails t if any value prints any form of any secret (see Forms and Print).
func AssertRedacted(t testing.TB, secrets [][]byte, values ...any) {
	t.Helper()
	assert(t, Print, secrets, values)
}

// AssertCallableRedacted is AssertRedacted with PrintCallable.
func AssertCallableRedacted(t testing.TB, secrets [][]byte, values ...any) {
	t.Helper()
	assert(t, PrintCallable, secrets, values)
}

func assert(t testing.TB, print func(any) string, secrets [][]byte, values []any) {
	t.Helper()
	for i, v := range values {
		text := print(v)
		for _, s := range secrets {
			for _, form := range Forms(s) {
				if form != "" && strings.Contains(text, form) {
					t.Errorf("value %d (%T) prints the secret %q as %q", i, v, s, form)
					break
				}
			}
		}
	}
}
