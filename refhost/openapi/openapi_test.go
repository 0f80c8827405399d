package openapi_test

import (
	"net/http"
	"slices"
	"strings"
	"testing"

	"github.com/getkin/kin-openapi/openapi3"

	"github.com/tradecoach/coach/refhost/openapi"
)

func mustLoad(t *testing.T) *openapi3.T {
	t.Helper()
	doc, err := openapi.Load()
	if err != nil {
		t.Fatal(err)
	}
	return doc
}

func TestDocumentIsValidOpenAPI31(t *testing.T) {
	doc := mustLoad(t)
	if !strings.HasPrefix(doc.OpenAPI, "3.1.") || !doc.IsOpenAPI31OrLater() {
		t.Fatalf("openapi: %q, want 3.1.x", doc.OpenAPI)
	}
	if !strings.HasPrefix(string(openapi.YAML()), "openapi: 3.1") {
		t.Fatalf("YAML does not start with the version: %.40q", openapi.YAML())
	}
	// YAML hands out a copy: changing it leaves the document as it was.
	b := openapi.YAML()
	b[0] = 'X'
	if openapi.YAML()[0] != 'o' {
		t.Fatal("YAML shares the embedded bytes")
	}
}

// TestSeedPathsAreInTheDocument finds each path the seed names for the public API (and those
// issues 16 and 17 add) with its method.
func TestSeedPathsAreInTheDocument(t *testing.T) {
	ops := openapi.Operations(mustLoad(t))
	for _, want := range []string{
		// The seed: /auth/*, /brokers/*, /trades/*, /simulations/simple, /digests/weekly/latest,
		// /rules/*, /events?since=…
		"POST /auth/signup", "POST /auth/login", "POST /auth/logout",
		"GET /brokers/connections", "POST /brokers/demo", "POST /brokers/csv",
		"GET /brokers/coinbase/authorize", "GET /brokers/coinbase/callback", "POST /brokers/binance",
		"POST /brokers/connections/{id}/sync", "POST /brokers/connections/{id}/pause",
		"POST /brokers/connections/{id}/resume", "DELETE /brokers/connections/{id}",
		"GET /trades", "GET /trades/{id}", "DELETE /trades/{id}", "POST /trades/{id}/notes",
		"PUT /trades/{id}/tags/{label}/dispute",
		"POST /simulations/simple", "GET /simulations/{id}",
		"GET /digests/weekly/latest",
		"GET /rules", "POST /rules", "GET /rules/{id}", "PUT /rules/{id}", "DELETE /rules/{id}", "GET /rules/evaluation",
		"GET /events",
		// Issue 16: settings, export and erase, the dashboard.
		"GET /me", "PATCH /me/settings", "POST /me/export", "GET /me/exports", "GET /me/exports/{id}", "GET /me/exports/{id}/download", "DELETE /me",
		"GET /account/metrics",
		"GET /dashboard", "GET /me/sessions", "DELETE /me/sessions/{id}",
	} {
		if !slices.Contains(ops, want) {
			t.Errorf("%s is not in the document", want)
		}
	}
	// Every family the seed names by prefix has operations under it.
	for _, prefix := range []string{"/auth/", "/brokers/", "/trades/", "/rules/"} {
		if !slices.ContainsFunc(ops, func(op string) bool { return strings.Contains(op, " "+prefix) }) {
			t.Errorf("nothing under %s", prefix)
		}
	}
	events := mustLoad(t).Paths.Value("/events").Get
	if events == nil || events.Parameters.GetByInAndName("query", "since") == nil {
		t.Error("GET /events has no since parameter")
	}
}

// TestEveryErrorIsTheOneShape checks that each operation lists the statuses every route can
// answer, that each error answer is the one error shape, and that every operation on a
// resource of the user's answers not_found (another user's resource included).
func TestEveryErrorIsTheOneShape(t *testing.T) {
	doc := mustLoad(t)
	errSchema := doc.Components.Schemas["Error"].Value
	for path, item := range doc.Paths.Map() {
		for method, op := range item.Operations() {
			name := method + " " + path
			for _, status := range []int{429, 500, 503} {
				if op.Responses.Status(status) == nil {
					t.Errorf("%s: no %d answer", name, status)
				}
			}
			public := op.Security != nil && len(*op.Security) == 0
			if !public && op.Responses.Status(http.StatusUnauthorized) == nil {
				t.Errorf("%s acts for a user but has no 401 answer", name)
			}
			if strings.Contains(path, "{id}") && op.Responses.Status(http.StatusNotFound) == nil {
				t.Errorf("%s names a resource but has no 404 answer", name)
			}
			if method != http.MethodGet && !public && op.Responses.Status(http.StatusForbidden) == nil {
				t.Errorf("%s is unsafe but has no 403 answer (CSRF)", name)
			}
			for code, ref := range op.Responses.Map() {
				if code[0] != '4' && code[0] != '5' || code == "422" {
					continue
				}
				mt := ref.Value.Content.Get("application/json")
				if mt == nil || mt.Schema == nil || mt.Schema.Value != errSchema {
					t.Errorf("%s → %s: the answer is not the Error schema", name, code)
				}
			}
		}
	}
}

// TestInternalLeavesOutTheEdge checks that core's view of the document has no session, CSRF
// token or idempotency key, and the same operations.
func TestInternalLeavesOutTheEdge(t *testing.T) {
	pub := mustLoad(t)
	in, err := openapi.Internal()
	if err != nil {
		t.Fatal(err)
	}
	// Internal has the public operations and core's /internal/ ones, which the public lacks.
	var public, internal []string
	for _, op := range openapi.Operations(in) {
		if _, p, _ := strings.Cut(op, " "); strings.HasPrefix(p, openapi.InternalPrefix) {
			internal = append(internal, op)
		} else {
			public = append(public, op)
		}
	}
	if !slices.Equal(public, openapi.Operations(pub)) {
		t.Fatalf("Internal's public operations differ:\n%q\n%q", public, openapi.Operations(pub))
	}
	if len(internal) < 6 || !slices.Contains(internal, "GET /internal/sessions/{tokenHash}") {
		t.Fatalf("internal operations: %q", internal)
	}
	for _, op := range openapi.Operations(pub) {
		if strings.Contains(op, openapi.InternalPrefix) {
			t.Errorf("the public document has %s", op)
		}
	}
	op := pub.Paths.Value("/brokers/demo").Post
	if op.Parameters.GetByInAndName("header", "Idempotency-Key") == nil || op.Parameters.GetByInAndName("header", "X-CSRF-Token") == nil {
		t.Fatal("the public POST /brokers/demo lacks the edge's headers")
	}
	if len(pub.Security) == 0 {
		t.Fatal("the public document has no session security")
	}
	if len(in.Security) != 0 {
		t.Errorf("internal security: %v", in.Security)
	}
	for path, item := range in.Paths.Map() {
		for method, op := range item.Operations() {
			if op.Security != nil && len(*op.Security) > 0 {
				t.Errorf("internal %s %s keeps security", method, path)
			}
			for _, p := range append(slices.Clone(op.Parameters), item.Parameters...) {
				if p.Value.Extensions[openapi.EdgeExtension] == true {
					t.Errorf("internal %s %s keeps the edge's parameter %s", method, path, p.Value.Name)
				}
			}
		}
	}
	// The public document keeps them: Internal works on a document of its own.
	if mustLoad(t).Paths.Value("/brokers/demo").Post.Parameters.GetByInAndName("header", "Idempotency-Key") == nil {
		t.Fatal("Internal changed the next Load")
	}
}

func TestOperationsSpellsPatterns(t *testing.T) {
	ops := openapi.Operations(mustLoad(t))
	if !slices.IsSorted(ops) || len(ops) < 30 {
		t.Fatalf("%d operations, sorted %v", len(ops), slices.IsSorted(ops))
	}
	for _, op := range ops {
		m, p, ok := strings.Cut(op, " ")
		if !ok || m != strings.ToUpper(m) || !strings.HasPrefix(p, "/") {
			t.Errorf("operation %q: want \"METHOD /path\"", op)
		}
	}
}
