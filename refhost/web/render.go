package web

import (
	"bytes"
	"embed"
	"html/template"
	"io/fs"
	"net/http"
	"net/url"
	"path"
	"strings"

	"github.com/tradecoach/coach"
)

//go:embed templates
var templateFS embed.FS

// shared are the templates every page is parsed with: the layout and the shared pieces.
var shared = []string{"templates/layout.html", "templates/parts.html"}

// page is what every template gets as its dot.
type page struct {
	Section string // the nav section lit ("" outside the app)
	User    bool   // someone is signed in
	CSRF    string
	Path    string
	Query   url.Values
	Form    url.Values
	Errors  map[string]string
	Data    any
}

// parseTemplates parses each page's template with the shared ones, once.
func (w *Web) parseTemplates() (map[string]*template.Template, error) {
	base, err := template.New("layout.html").Funcs(w.funcs()).ParseFS(templateFS, shared...)
	if err != nil {
		return nil, coach.WrapError(coach.EINTERNAL, err, "web: parse the layout")
	}
	files, err := fs.Glob(templateFS, "templates/*.html")
	if err != nil {
		return nil, coach.WrapError(coach.EINTERNAL, err, "web: list the templates")
	}
	out := map[string]*template.Template{}
	for _, f := range files {
		name := strings.TrimSuffix(path.Base(f), ".html")
		if name == "layout" || name == "parts" {
			continue
		}
		t, err := template.Must(base.Clone()).ParseFS(templateFS, f)
		if err != nil {
			return nil, coach.WrapError(coach.EINTERNAL, err, "web: parse %s", f)
		}
		out[name] = t
	}
	if _, ok := out["error"]; !ok {
		return nil, coach.Errorf(coach.EINTERNAL, "web: templates/error.html is missing")
	}
	return out, nil
}

// render writes v's page with the layout; a template that fails renders the error page.
func (w *Web) render(rw http.ResponseWriter, rq *Request, section string, v View) {
	t, ok := w.pages[v.Template]
	if !ok {
		w.renderError(rw, rq.Request, identity{user: rq.User, csrf: rq.CSRF}, coach.Errorf(coach.EINTERNAL, "web: no template %q", v.Template))
		return
	}
	p := page{Section: section, User: rq.User != "", CSRF: rq.CSRF, Path: rq.URL.Path, Query: rq.URL.Query(), Form: rq.Form,
		Errors: rq.Errors, Data: v.Data}
	var buf bytes.Buffer
	if err := t.ExecuteTemplate(&buf, "layout.html", p); err != nil {
		w.renderError(rw, rq.Request, identity{user: rq.User, csrf: rq.CSRF}, coach.WrapError(coach.EINTERNAL, err, "web: render %s", v.Template))
		return
	}
	status := v.Status
	if status == 0 {
		status = http.StatusOK
	}
	writePage(rw, status, buf.Bytes())
}

// writePage answers an HTML page, never cached (it is the user's own).
func writePage(rw http.ResponseWriter, status int, body []byte) {
	rw.Header().Set("Content-Type", "text/html; charset=utf-8")
	rw.Header().Set("Cache-Control", "no-store")
	rw.WriteHeader(status)
	_, _ = rw.Write(body)
}
