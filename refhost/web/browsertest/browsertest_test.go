package browsertest_test

import (
	"bytes"
	"compress/gzip"
	"fmt"
	"image/png"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/tradecoach/coach/refhost/edge"
	"github.com/tradecoach/coach/refhost/web/browsertest"
)

// page is an HTML document that passes axe: a language, a title, a landmark, a heading.
func page(title, body string) string {
	return `<!doctype html><html lang="en"><head><meta charset="utf-8">` +
		`<meta name="viewport" content="width=device-width, initial-scale=1">` +
		`<title>` + title + `</title><link rel="icon" href="data:,"><link rel="stylesheet" href="/app.css"></head>` +
		`<body><main><h1>` + title + `</h1>` + body + `</main></body></html>`
}

// bigScript is a script of 60 KB that gzip shrinks to a few hundred bytes.
var bigScript = "export const filler = [\n" + strings.Repeat(`  "the same line of filler, again and again",`+"\n", 1400) + "];\n"

// gzipped is bigScript compressed.
var gzipped = func() []byte {
	var b bytes.Buffer
	w := gzip.NewWriter(&b)
	_, _ = w.Write([]byte(bigScript))
	_ = w.Close()
	return b.Bytes()
}()

// site serves the harness's test pages under the edge's real security headers (its CSP).
func site(t *testing.T) *httptest.Server {
	mux := http.NewServeMux()
	html := func(path, body string) {
		mux.HandleFunc("GET "+path, func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set("Content-Type", "text/html; charset=utf-8")
			_, _ = fmt.Fprint(w, body)
		})
	}
	asset := func(path, typ, body string) {
		mux.HandleFunc("GET "+path, func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set("Content-Type", typ)
			_, _ = fmt.Fprint(w, body)
		})
	}
	asset("/app.css", "text/css", "body { font: 16px/1.5 sans-serif; color: #1a1a1a; background: #fff; } .faint { color: #c8c8c8; }")
	asset("/app.js", "text/javascript", `document.querySelector("#status").textContent = "ready";`)
	asset("/error.js", "text/javascript", `console.error("the chart failed to draw");`)
	asset("/throw.js", "text/javascript", `throw new Error("no such element");`)
	asset("/sink.js", "text/javascript", `document.querySelector("#out").innerHTML = "<b>raw</b>";`)
	asset("/uses-big.js", "text/javascript", `import { filler } from "/big.js"; document.querySelector("#status").textContent = filler.length;`)
	mux.HandleFunc("GET /big.js", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/javascript")
		w.Header().Set("Content-Encoding", "gzip")
		_, _ = w.Write(gzipped)
	})

	html("/clean", page("Clean", `<p id="status">loading</p><script type="module" src="/app.js"></script>`))
	html("/inline", page("Inline", `<p>An inline script the CSP must refuse.</p><script>document.title = "ran";</script>`))
	html("/inline-style", page("Inline style", `<p style="color: red">A style attribute the CSP must refuse.</p>`))
	html("/sink", page("Sink", `<p id="out">x</p><script type="module" src="/sink.js"></script>`))
	html("/console", page("Console", `<p>x</p><script type="module" src="/error.js"></script>`))
	html("/throw", page("Throw", `<p>x</p><script type="module" src="/throw.js"></script>`))
	html("/inaccessible", page("Inaccessible",
		`<form action="/clean"><input name="q" type="text"><p class="faint">Faint grey text nobody can read.</p></form>`))
	html("/gzip", page("Gzip", `<p id="status">loading</p><script type="module" src="/uses-big.js"></script>`))
	html("/sign-in", page("Sign in", `<form method="post" action="/sign-in"><label for="name">Name</label>`+
		`<input id="name" name="name"><button type="submit">Sign in</button></form>`))
	mux.HandleFunc("POST /sign-in", func(w http.ResponseWriter, r *http.Request) {
		http.SetCookie(w, &http.Cookie{Name: "who", Value: r.FormValue("name"), Path: "/", HttpOnly: true, SameSite: http.SameSiteLaxMode})
		http.Redirect(w, r, "/me", http.StatusSeeOther)
	})
	mux.HandleFunc("GET /me", func(w http.ResponseWriter, r *http.Request) {
		who := "nobody"
		if c, err := r.Cookie("who"); err == nil {
			who = c.Value
		}
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		_, _ = fmt.Fprint(w, page("Me", `<p id="who">signed in as `+who+`</p>`))
	})
	srv := httptest.NewServer(edge.SecurityHeaders(mux))
	t.Cleanup(srv.Close)
	return srv
}

// TestHarness drives the harness against pages that break the rules on purpose: each kind of
// problem must be reported, and a clean page must report none.
func TestHarness(t *testing.T) {
	srv := site(t)
	b := browsertest.Start(t)

	t.Run("clean page with a module", func(t *testing.T) {
		p := b.NewPage(t, browsertest.Desktop)
		p.Navigate(srv.URL + "/clean")
		p.WaitText("#status", "ready")
		p.RequireNoProblems(t)
	})

	for _, c := range []struct{ path, kind, want string }{
		{"/inline", "csp", "script-src-elem"},
		{"/inline-style", "csp", "style-src-attr"},
		{"/sink", "csp", "require-trusted-types-for"},
		{"/console", "console.error", "the chart failed to draw"},
		{"/throw", "exception", "no such element"},
	} {
		t.Run(c.path, func(t *testing.T) {
			p := b.NewPage(t, browsertest.Desktop)
			p.Navigate(srv.URL + c.path)
			probs := p.Problems()
			found := false
			for _, pr := range probs {
				t.Logf("reported: %s", pr)
				if string(pr.Kind) == c.kind && strings.Contains(pr.Text, c.want) && strings.HasSuffix(pr.Page, c.path) {
					found = true
				}
			}
			if !found {
				t.Errorf("%s: no %s problem mentioning %q among %d: %v", c.path, c.kind, c.want, len(probs), probs)
			}
			rec := &recorder{TB: t}
			p.RequireNoProblems(rec)
			if !rec.failed {
				t.Errorf("%s: RequireNoProblems passes with %d problems", c.path, len(probs))
			}
		})
	}

	t.Run("axe", func(t *testing.T) {
		p := b.NewPage(t, browsertest.Desktop)
		p.Navigate(srv.URL + "/clean")
		for _, v := range p.Axe(t) {
			if v.Serious() {
				t.Errorf("clean page: %s", v)
			}
		}
		p.Navigate(srv.URL + "/inaccessible")
		got := map[string]bool{}
		for _, v := range p.Axe(t) {
			t.Logf("axe: %s", v)
			if v.Serious() {
				got[v.ID] = true
			}
		}
		for _, id := range []string{"label", "color-contrast"} {
			if !got[id] {
				t.Errorf("/inaccessible: axe reports no serious %q violation (it reports %v)", id, got)
			}
		}
		p.RequireNoProblems(t) // axe itself, run through DevTools, breaks no policy
	})

	t.Run("screenshots", func(t *testing.T) {
		dir := t.TempDir()
		t.Setenv("COACH_SCREENSHOTS", dir)
		p := b.NewPage(t, browsertest.Phone)
		p.Navigate(srv.URL + "/clean")
		paths := p.Screenshots(t, "clean page")
		want := map[string]int{"clean_page-desktop.png": 1280, "clean_page-phone.png": 390 * 2}
		if len(paths) != 2 {
			t.Fatalf("Screenshots saved %v, want 2 files", paths)
		}
		for _, path := range paths {
			width, ok := want[filepath.Base(path)]
			if !ok || filepath.Dir(path) != dir {
				t.Errorf("screenshot at %s, want one of %v in %s", path, want, dir)
				continue
			}
			f, err := os.Open(path)
			if err != nil {
				t.Fatal(err)
			}
			img, err := png.Decode(f)
			_ = f.Close()
			if err != nil {
				t.Fatalf("%s: not a PNG: %v", path, err)
			}
			if got := img.Bounds().Dx(); got != width {
				t.Errorf("%s: %d pixels wide, want %d", path, got, width)
			}
		}
		if p.Viewport() != browsertest.Phone {
			t.Errorf("after Screenshots the page is at %v, want its own viewport back", p.Viewport())
		}
	})

	t.Run("transfer counts compressed bytes", func(t *testing.T) {
		p := b.NewPage(t, browsertest.Desktop)
		p.Navigate(srv.URL + "/gzip")
		p.WaitText("#status", "1400")
		tr := p.Transfer()
		t.Logf("%s", tr)
		var big browsertest.Resource
		for _, r := range tr.Resources {
			if strings.HasSuffix(r.URL, "/big.js") {
				big = r
			}
		}
		// The received bytes are the gzipped body plus the response headers.
		if big.Bytes < int64(len(gzipped)) || big.Bytes > int64(len(gzipped))+1024 {
			t.Errorf("big.js counted %d bytes, want its gzipped size %d (+ headers), not its %d bytes unpacked",
				big.Bytes, len(gzipped), len(bigScript))
		}
		if tr.Script < big.Bytes || tr.Script > 4096 {
			t.Errorf("script bytes %d, want the two small modules (big.js %d)", tr.Script, big.Bytes)
		}
		if len(tr.Resources) != 4 || !strings.HasSuffix(tr.Document, "/gzip") {
			t.Errorf("resources of /gzip: %v, want the document, app.css, uses-big.js and big.js", tr)
		}
		tr.RequireWithin(t, browsertest.PageBudget, browsertest.ScriptBudget)
		over := &recorder{TB: t}
		tr.RequireWithin(over, tr.Total-1, browsertest.ScriptBudget)
		if !over.failed {
			t.Errorf("RequireWithin passes a load of %d bytes against a budget of %d", tr.Total, tr.Total-1)
		}
		p.RequireNoProblems(t)
	})

	t.Run("forms and cookies", func(t *testing.T) {
		p := b.NewPage(t, browsertest.Phone)
		p.Navigate(srv.URL + "/sign-in")
		p.Fill("#name", "ada")
		p.Submit("form")
		if got := p.Text("#who"); got != "signed in as ada" {
			t.Errorf("after signing in /me reads %q", got)
		}
		p.Navigate(srv.URL + "/me")
		p.WaitText("#who", "signed in as ada")
		other := b.NewPage(t, browsertest.Desktop)
		other.Navigate(srv.URL + "/me")
		if got := other.Text("#who"); got != "signed in as nobody" {
			t.Errorf("another page shares the first one's cookies: /me reads %q", got)
		}
		p.RequireNoProblems(t)
		other.RequireNoProblems(t)
	})
}

// recorder is a testing.TB that notes a failure instead of failing the test.
type recorder struct {
	testing.TB
	failed bool
}

func (r *recorder) Helper()               {}
func (r *recorder) Errorf(string, ...any) { r.failed = true }
