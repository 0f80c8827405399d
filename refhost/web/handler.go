package web

import (
	"errors"
	"mime"
	"net/http"
	"net/url"
	"strings"

	"github.com/tradecoach/coach"
	"github.com/tradecoach/coach/transport/httpjson"
)

// maxFormBytes bounds a posted form (a CSV upload is the largest), as the edge does.
const maxFormBytes = 8 << 20

// request builds the Request of r, or reports that a visitor asked for a user's page.
func (w *Web) request(r *http.Request, rt route) (*Request, bool) {
	id := w.identify(r)
	if id.user == "" && !rt.visitor {
		return nil, false
	}
	return &Request{Request: r, User: id.user, CSRF: id.csrf, Form: url.Values{}, web: w}, true
}

// toSignin sends a visitor to the sign-in page, which brings them back afterwards.
func toSignin(rw http.ResponseWriter, r *http.Request) {
	http.Redirect(rw, r, "/signin?next="+url.QueryEscape(r.URL.Path), http.StatusSeeOther)
}

// getHandler renders rt's page.
func (w *Web) getHandler(rt route) http.Handler {
	return http.HandlerFunc(func(rw http.ResponseWriter, r *http.Request) {
		rq, ok := w.request(r, rt)
		if !ok {
			toSignin(rw, r)
			return
		}
		v, err := rt.get(rq)
		if err != nil {
			w.renderError(rw, r, w.identify(r), err)
			return
		}
		if v.Redirect != "" {
			http.Redirect(rw, r, v.Redirect, http.StatusSeeOther)
			return
		}
		w.render(rw, rq, rt.section, v)
	})
}

// postHandler reads the form, runs rt's action and answers 303 to where it says (PRG); an invalid
// form renders the page again with 422 and the fields' messages.
func (w *Web) postHandler(rt route) http.Handler {
	return http.HandlerFunc(func(rw http.ResponseWriter, r *http.Request) {
		rq, ok := w.request(r, rt)
		if !ok {
			toSignin(rw, r)
			return
		}
		form, err := readForm(rw, r)
		if err != nil {
			w.renderError(rw, r, w.identify(r), err)
			return
		}
		rq.Form = form
		next, err := rt.post(rq)
		if err == nil {
			if !localPath(next) {
				next = r.URL.Path // only ever a path of this site
			}
			http.Redirect(rw, r, next, http.StatusSeeOther)
			return
		}
		if coach.ErrorCode(err) != coach.EINVALID {
			w.renderError(rw, r, w.identify(r), err)
			return
		}
		rq.Errors = fieldMessages(err)
		v, gerr := rt.get(rq)
		if gerr != nil {
			w.renderError(rw, r, w.identify(r), gerr)
			return
		}
		v.Status = http.StatusUnprocessableEntity
		w.render(rw, rq, rt.section, v)
	})
}

// readForm parses a urlencoded or multipart body (at most maxFormBytes); anything else is
// invalid.
func readForm(rw http.ResponseWriter, r *http.Request) (url.Values, error) {
	mt, _, err := mime.ParseMediaType(r.Header.Get("Content-Type"))
	if err != nil {
		return nil, coach.Errorf(coach.EINVALID, "the form could not be read")
	}
	r.Body = http.MaxBytesReader(rw, r.Body, maxFormBytes)
	switch mt {
	case "application/x-www-form-urlencoded":
		if err := r.ParseForm(); err != nil {
			return nil, formError(err)
		}
	case "multipart/form-data":
		if err := r.ParseMultipartForm(maxFormBytes); err != nil {
			return nil, formError(err)
		}
	default:
		return nil, coach.Errorf(coach.EINVALID, "the form could not be read")
	}
	return r.PostForm, nil
}

func formError(err error) error {
	var tooLarge *http.MaxBytesError
	if errors.As(err, &tooLarge) {
		return httpjson.ErrTooLarge{Limit: maxFormBytes}
	}
	return coach.Errorf(coach.EINVALID, "the form could not be read")
}

// fieldMessages maps an invalid error to each field's message ("" for the form as a whole).
func fieldMessages(err error) map[string]string {
	out := map[string]string{}
	var fe httpjson.FieldErrors
	if errors.As(err, &fe) {
		for _, f := range fe {
			out[formField(f.Field)] = f.Message
		}
		return out
	}
	out[""] = coach.ErrorMessage(err)
	return out
}

// formField is the form field a JSON field path names: its last element ("rules[0].pct" is
// "pct").
func formField(path string) string {
	if i := strings.LastIndexByte(path, '.'); i >= 0 {
		path = path[i+1:]
	}
	if i := strings.IndexByte(path, '['); i >= 0 {
		path = path[:i]
	}
	return path
}

// fieldErr is one invalid field of a page's own form, said in plain words.
type fieldErr struct{ field, message string }

// fieldErrs is a form's invalid fields.
type fieldErrs []fieldErr

// err is the fields as an invalid error (nil when none): the page renders again with each
// message under its field.
func (fe fieldErrs) err() error {
	if len(fe) == 0 {
		return nil
	}
	out := make(httpjson.FieldErrors, len(fe))
	for i, f := range fe {
		out[i] = httpjson.FieldError{Field: f.field, Message: f.message}
	}
	return out
}

// localPath accepts a path of this site only: "/…", never "//host" or "/\host" (which browsers
// read as another host), nor control characters.
func localPath(p string) bool {
	return strings.HasPrefix(p, "/") && !strings.HasPrefix(p, "//") && !strings.ContainsAny(p, "\\\r\n\t")
}
