// Package openapi holds the OpenAPI 3.1 document of the public API: the paths the edge (S2)
// serves to browsers and apps, which core's (S3) internal routes mirror one for one, the entities
// with the seed's field names as the Go JSON tags spell them, and the one JSON error shape
// (transport/httpjson.Body) with every status a route can answer.
//
// The document is embedded (openapi.yaml). YAML gives its bytes for the edge to serve; Load parses
// and validates it; Internal gives it as core answers it, without the edge's own parameters and
// security and with core's routes for the edge alone (internal.yaml, never public). Package
// contracttest checks HTTP traffic against it.
package openapi

import (
	"context"
	"embed"
	"net/url"
	"path"
	"slices"
	"strings"

	"github.com/getkin/kin-openapi/openapi3"
	"github.com/pkg/errors"

	"github.com/tradecoach/coach"
)

//go:embed openapi.yaml internal.yaml
var files embed.FS

// document is the public document's text.
var document = must(files.ReadFile("openapi.yaml"))

func must(b []byte, err error) []byte {
	if err != nil {
		panic(err) // the files are embedded: reading them cannot fail
	}
	return b
}

// EdgeExtension marks a parameter or a security scheme that only the edge takes (the session
// cookie, the CSRF token, the idempotency key): core's internal API does not.
const EdgeExtension = "x-coach-edge"

// YAML returns the document as written, in a fresh slice the caller may keep.
func YAML() []byte { return slices.Clone(document) }

// Load parses the document, resolves its references and validates it as OpenAPI 3.1. Each call
// returns a document of its own, which the caller may change. An error is EINTERNAL: the
// embedded document is broken.
func Load() (*openapi3.T, error) {
	loader := openapi3.NewLoader()
	doc, err := loader.LoadFromData(document)
	if err != nil {
		return nil, coach.WrapError(coach.EINTERNAL, errors.WithStack(err), "openapi: the document does not load")
	}
	if !doc.IsOpenAPI31OrLater() {
		return nil, coach.Errorf(coach.EINTERNAL, "openapi: the document is OpenAPI %s, want 3.1", doc.OpenAPI)
	}
	if err := doc.Validate(context.Background()); err != nil {
		return nil, coach.WrapError(coach.EINTERNAL, errors.WithStack(err), "openapi: the document is invalid")
	}
	return doc, nil
}

// Internal returns the document as core's internal API answers it: every parameter marked
// EdgeExtension (the CSRF token, the idempotency key) and every security requirement (the
// session cookie) removed, since core takes the user from the signed subject of an internal
// request instead, and core's routes under /internal/ (internal.yaml: the accounts and sessions
// only the edge calls) added. Paths, bodies and answers are otherwise the public document's.
func Internal() (*openapi3.T, error) {
	doc, err := Load()
	if err != nil {
		return nil, err
	}
	doc.Security = nil
	for _, item := range doc.Paths.Map() {
		item.Parameters = withoutEdge(item.Parameters)
		for _, op := range item.Operations() {
			op.Parameters = withoutEdge(op.Parameters)
			op.Security = nil
		}
	}
	in, err := loadInternal()
	if err != nil {
		return nil, err
	}
	for path, item := range in.Paths.Map() {
		if !strings.HasPrefix(path, InternalPrefix) || doc.Paths.Value(path) != nil {
			return nil, coach.Errorf(coach.EINTERNAL, "openapi: internal.yaml: %s is not under %s or is public too", path, InternalPrefix)
		}
		doc.Paths.Set(path, item)
	}
	return doc, nil
}

// InternalPrefix starts the path of every route of core that only the edge calls.
const InternalPrefix = "/internal/"

// loadInternal loads internal.yaml, whose references to openapi.yaml resolve to the embedded
// file (and to nothing else).
func loadInternal() (*openapi3.T, error) {
	loader := openapi3.NewLoader()
	loader.ReadFromURIFunc = func(_ *openapi3.Loader, u *url.URL) ([]byte, error) {
		if u.Scheme != "" || u.Host != "" || path.Clean(u.Path) != "openapi.yaml" {
			return nil, coach.Errorf(coach.EINVALID, "openapi: internal.yaml may refer to openapi.yaml only, not %s", u)
		}
		return document, nil
	}
	doc, err := loader.LoadFromDataWithPath(must(files.ReadFile("internal.yaml")), &url.URL{Path: "internal.yaml"})
	if err != nil {
		return nil, coach.WrapError(coach.EINTERNAL, errors.WithStack(err), "openapi: internal.yaml does not load")
	}
	if err := doc.Validate(context.Background()); err != nil {
		return nil, coach.WrapError(coach.EINTERNAL, errors.WithStack(err), "openapi: internal.yaml is invalid")
	}
	return doc, nil
}

// withoutEdge returns ps without the parameters marked EdgeExtension.
func withoutEdge(ps openapi3.Parameters) openapi3.Parameters {
	return slices.DeleteFunc(ps, func(p *openapi3.ParameterRef) bool {
		return p != nil && p.Value != nil && p.Value.Extensions[EdgeExtension] == true
	})
}

// Operations returns "METHOD /path" of every operation of doc ("GET /trades/{id}"), sorted: the
// same spelling as net/http's patterns.
func Operations(doc *openapi3.T) []string {
	var out []string
	for path, item := range doc.Paths.Map() {
		for method := range item.Operations() {
			out = append(out, strings.ToUpper(method)+" "+path)
		}
	}
	slices.Sort(out)
	return out
}
