package core_test

import (
	"slices"
	"strings"
	"testing"

	"github.com/tradecoach/coach/refhost/core"
	"github.com/tradecoach/coach/refhost/openapi"
)

// TestEveryRouteIsInTheDocument fails when a route of core's table is missing from the public
// API's OpenAPI document (path and method), so a new route cannot be forgotten there.
func TestEveryRouteIsInTheDocument(t *testing.T) {
	doc, err := openapi.Load()
	if err != nil {
		t.Fatal(err)
	}
	ops := openapi.Operations(doc)
	patterns := core.Patterns()
	if len(patterns) < 25 {
		t.Fatalf("core.Patterns gives %d routes, want the whole table", len(patterns))
	}
	for _, p := range patterns {
		method, path, ok := strings.Cut(p, " ")
		if !ok || method == "" || !strings.HasPrefix(path, "/") {
			t.Errorf("route %q: want \"METHOD /path\"", p)
			continue
		}
		if !slices.Contains(ops, p) {
			t.Errorf("%s is a route of core but not an operation of refhost/openapi/openapi.yaml", p)
		}
	}
}
