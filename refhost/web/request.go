package web

import (
	"io"
	"net/http"
	"net/url"
	"sync"
)

// Request is what a page's handler gets: the HTTP request, who is asking, the form posted (or
// being rendered again), and a client of core acting as the user.
type Request struct {
	*http.Request
	// User is the signed-in user's id ("" for a visitor on a visitor's page).
	User string
	// CSRF is the token the edge gave, rendered into every form by {{template "hidden" .}}.
	CSRF string
	// Form holds the fields posted: on a POST, and on the GET handler's render after an invalid
	// POST (so fields keep what was typed). Empty otherwise.
	Form url.Values
	// Errors holds each invalid field's message in plain words on a render after an invalid POST;
	// the key "" holds a message about the form as a whole.
	Errors map[string]string

	web *Web
}

// Get calls core's GET path as the user and decodes the JSON answer into out.
func (rq *Request) Get(path string, out any) error {
	return rq.web.core.callJSON(rq.Context(), rq.User, http.MethodGet, path, nil, out)
}

// Send calls core's method path as the user with in as JSON (none when nil) and decodes the
// answer into out (when not nil).
func (rq *Request) Send(method, path string, in, out any) error {
	return rq.web.core.callJSON(rq.Context(), rq.User, method, path, in, out)
}

// Upload calls core's POST path as the user with body of contentType as is (a multipart CSV
// upload) and decodes the answer into out (when not nil).
func (rq *Request) Upload(path, contentType string, body io.Reader, out any) error {
	return rq.web.core.call(rq.Context(), rq.User, http.MethodPost, path, contentType, body, out)
}

// View is what a GET handler answers: which template to render with what.
type View struct {
	// Template is the page's template: templates/<Template>.html.
	Template string
	// Data is the page's data, {{.Data}} in the template.
	Data any
	// Status is the HTTP status (200 when zero; 422 after an invalid POST whatever it says).
	Status int
	// Redirect, when set, answers 303 to it (a path of this site, or an https URL such as a
	// broker's consent page) instead of rendering.
	Redirect string
}

// Parallel runs the calls at once (each typically a Get) and returns the first error, after all
// have returned: a page that needs several of core's answers waits for the slowest, not the sum.
func (rq *Request) Parallel(calls ...func() error) error {
	errs := make([]error, len(calls))
	var wg sync.WaitGroup
	for i, call := range calls {
		wg.Add(1)
		go func() {
			defer wg.Done()
			errs[i] = call()
		}()
	}
	wg.Wait()
	for _, err := range errs {
		if err != nil {
			return err
		}
	}
	return nil
}
