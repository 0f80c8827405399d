// Package contracttest checks HTTP traffic against the public API's OpenAPI document (package
// refhost/openapi) with getkin/kin-openapi, which validates OpenAPI 3.1 documents with a JSON
// Schema 2020-12 validator.
//
// Transport is an http.RoundTripper that validates every request it sends and every answer it
// gets: a route the document does not have, an answer with a status the operation does not
// list, or a body or parameter that does not match fails the round trip. A request the document
// refuses is still sent (tests send bad input on purpose), and the server must refuse it too,
// with one of the operation's error answers; accepting it fails the round trip.
package contracttest

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"slices"
	"sync"
	"testing"

	"github.com/getkin/kin-openapi/openapi3"
	"github.com/getkin/kin-openapi/openapi3filter"
	"github.com/getkin/kin-openapi/routers"
	"github.com/getkin/kin-openapi/routers/gorillamux"

	"github.com/tradecoach/coach"
	"github.com/tradecoach/coach/refhost/openapi"
)

// maxBody bounds the bodies a Transport reads to validate (a CSV upload is the largest).
const maxBody = 16 << 20

// Transport validates each round trip against a document and sends it through Next.
type Transport struct {
	doc    *openapi3.T
	router routers.Router
	next   http.RoundTripper

	mu   sync.Mutex
	seen map[string]bool
}

// New returns a Transport checking traffic against doc and sending it through next
// (http.DefaultTransport when nil). doc must not change afterwards.
func New(doc *openapi3.T, next http.RoundTripper) (*Transport, error) {
	if next == nil {
		next = http.DefaultTransport
	}
	r, err := gorillamux.NewRouter(doc)
	if err != nil {
		return nil, fmt.Errorf("contracttest: routing the document: %w", err)
	}
	return &Transport{doc: doc, router: r, next: next, seen: map[string]bool{}}, nil
}

// internal is the Transport of the internal document, routed once per test binary.
var internal = sync.OnceValues(func() (*Transport, error) {
	doc, err := openapi.Internal()
	if err != nil {
		return nil, err
	}
	return New(doc, nil)
})

// Internal returns a Transport checking traffic against the document as core's internal API
// answers it (openapi.Internal), sending it through next; every violation also fails tb. The
// document is loaded and routed once per test binary.
func Internal(tb testing.TB, next http.RoundTripper) http.RoundTripper {
	tb.Helper()
	base, err := internal()
	if err != nil {
		tb.Fatal(err)
	}
	if next == nil {
		next = http.DefaultTransport
	}
	return failing{tb: tb, t: &Transport{doc: base.doc, router: base.router, next: next, seen: map[string]bool{}}}
}

// failing reports a Transport's violations on a test as well as to the caller.
type failing struct {
	tb testing.TB
	t  *Transport
}

func (f failing) RoundTrip(req *http.Request) (*http.Response, error) {
	res, err := f.t.RoundTrip(req)
	var v *Violation
	if errors.As(err, &v) {
		f.tb.Errorf("%v", v)
	}
	return res, err
}

// Violation is a round trip that breaks the document.
type Violation struct {
	Method, Path string
	// Status is the answer's status (0 when the route is not in the document).
	Status int
	// Reason says what broke; Err is the validator's error, when there is one.
	Reason string
	Err    error
	// Body is the start of the answer's body.
	Body string
}

func (v *Violation) Error() string {
	s := fmt.Sprintf("contract: %s %s", v.Method, v.Path)
	if v.Status != 0 {
		s += fmt.Sprintf(" → %d", v.Status)
	}
	s += ": " + v.Reason
	if v.Err != nil {
		s += ": " + v.Err.Error()
	}
	if v.Body != "" {
		s += "\nbody: " + v.Body
	}
	return s
}

func (v *Violation) Unwrap() error { return v.Err }

// RoundTrip validates req, sends it, and validates the answer. It returns a *Violation (and no
// response) when the round trip breaks the document.
func (t *Transport) RoundTrip(req *http.Request) (*http.Response, error) {
	if t == nil || t.router == nil {
		if req != nil && req.Body != nil {
			_ = req.Body.Close()
		}
		return nil, coach.Errorf(coach.EINVALID, "contracttest: Transport not constructed; use contracttest.New")
	}
	ctx := req.Context()
	v := &Violation{Method: req.Method, Path: req.URL.Path}
	route, params, err := t.router.FindRoute(req)
	if err != nil {
		if req.Body != nil {
			_ = req.Body.Close() // a RoundTripper closes the body, even on error
		}
		v.Reason, v.Err = "the route is not in the document", err
		return nil, v
	}
	body, err := readAll(req.Body)
	if err != nil {
		return nil, err
	}
	in := &openapi3filter.RequestValidationInput{Request: withBody(req, body), PathParams: params, Route: route,
		Options: &openapi3filter.Options{MultiError: true, IncludeResponseStatus: true, AuthenticationFunc: presentCredential}}
	reqErr := openapi3filter.ValidateRequest(ctx, in)

	res, err := t.next.RoundTrip(withBody(req, body))
	if err != nil {
		return nil, err
	}
	resBody, err := readAll(res.Body)
	if err != nil {
		return nil, err
	}
	res.Body = io.NopCloser(bytes.NewReader(resBody))
	v.Status, v.Body = res.StatusCode, clip(resBody)
	if reqErr != nil && res.StatusCode < 400 {
		v.Reason, v.Err = "the document refuses this request, but the server accepted it", reqErr
		return nil, v
	}
	in.Request = withBody(req, body)
	out := &openapi3filter.ResponseValidationInput{RequestValidationInput: in, Status: res.StatusCode, Header: res.Header,
		Options: in.Options}
	out.SetBodyBytes(resBody)
	if err := openapi3filter.ValidateResponse(ctx, out); err != nil {
		v.Reason, v.Err = "the answer does not match the document", err
		return nil, v
	}
	if res.StatusCode < 300 {
		t.mu.Lock()
		t.seen[route.Method+" "+route.Path] = true
		t.mu.Unlock()
	}
	return res, nil
}

// Exercised returns "METHOD /path" of each operation that gave a success (2xx) answer, and
// passed, through t, sorted: the operations whose success answers have been checked.
func (t *Transport) Exercised() []string {
	if t == nil {
		return nil
	}
	t.mu.Lock()
	defer t.mu.Unlock()
	var out []string
	for k := range t.seen {
		out = append(out, k)
	}
	slices.Sort(out)
	return out
}

// presentCredential accepts a request that carries the credential its operation's security
// scheme names (an API key in a cookie, a header or the query: the edge's session cookie); whether
// the credential is valid is the server's to say.
func presentCredential(_ context.Context, in *openapi3filter.AuthenticationInput) error {
	s, r := in.SecurityScheme, in.RequestValidationInput.Request
	if s == nil || s.Type != "apiKey" {
		return fmt.Errorf("contracttest: security scheme %s is not an API key", in.SecuritySchemeName)
	}
	present := false
	switch s.In {
	case "cookie":
		_, err := r.Cookie(s.Name)
		present = err == nil
	case "header":
		present = r.Header.Get(s.Name) != ""
	case "query":
		present = r.URL.Query().Has(s.Name)
	}
	if !present {
		return fmt.Errorf("contracttest: no %s %s", s.In, s.Name)
	}
	return nil
}

// withBody returns a shallow copy of req that reads body.
func withBody(req *http.Request, body []byte) *http.Request {
	r := req.Clone(req.Context())
	r.Body, r.GetBody = http.NoBody, nil
	if body != nil {
		r.Body = io.NopCloser(bytes.NewReader(body))
		r.GetBody = func() (io.ReadCloser, error) { return io.NopCloser(bytes.NewReader(body)), nil }
	}
	return r
}

// readAll reads and closes a body of at most maxBody bytes; nil for none.
func readAll(rc io.ReadCloser) ([]byte, error) {
	if rc == nil || rc == http.NoBody {
		return nil, nil
	}
	defer rc.Close()
	b, err := io.ReadAll(io.LimitReader(rc, maxBody+1))
	if err != nil {
		return nil, err
	}
	if len(b) > maxBody {
		return nil, fmt.Errorf("contracttest: a body longer than %d bytes", maxBody)
	}
	return b, nil
}

// clip keeps the start of a body for a message.
func clip(b []byte) string {
	const n = 512
	if len(b) > n {
		return string(b[:n]) + "…"
	}
	return string(b)
}
