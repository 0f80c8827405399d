package web

import (
	"crypto/sha256"
	"embed"
	"encoding/hex"
	"io/fs"
	"net/http"
	"path"
	"strings"

	"github.com/tradecoach/coach"
)

//go:embed static
var staticFS embed.FS

// assets are the embedded static files, each with its content hash.
type assets struct {
	files map[string]asset // by name under static/
}

type asset struct {
	body        []byte
	hash        string
	contentType string
}

// loadAssets reads and hashes every embedded static file.
func loadAssets() (*assets, error) {
	a := &assets{files: map[string]asset{}}
	err := fs.WalkDir(staticFS, "static", func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		body, err := staticFS.ReadFile(p)
		if err != nil {
			return err
		}
		sum := sha256.Sum256(body)
		a.files[strings.TrimPrefix(p, "static/")] = asset{body: body, hash: hex.EncodeToString(sum[:6]), contentType: contentType(p)}
		return nil
	})
	if err != nil {
		return nil, coach.WrapError(coach.EINTERNAL, err, "web: read the static files")
	}
	return a, nil
}

func contentType(p string) string {
	switch path.Ext(p) {
	case ".css":
		return "text/css; charset=utf-8"
	case ".js":
		return "text/javascript; charset=utf-8"
	case ".svg":
		return "image/svg+xml"
	case ".ico":
		return "image/x-icon"
	}
	return "application/octet-stream"
}

// url is the cache-busting address of a static file: /static/<name>?v=<hash>. An unknown name
// is a fault of a template, found by the tests that render every page.
func (a *assets) url(name string) string {
	f, ok := a.files[name]
	if !ok {
		return "/static/missing/" + name
	}
	return "/static/" + name + "?v=" + f.hash
}

// ServeHTTP answers a static file: cached for a year when asked for by its current hash, briefly
// otherwise.
func (a *assets) ServeHTTP(rw http.ResponseWriter, r *http.Request) {
	f, ok := a.files[strings.TrimPrefix(r.URL.Path, "/static/")]
	if !ok {
		http.NotFound(rw, r)
		return
	}
	rw.Header().Set("Content-Type", f.contentType)
	rw.Header().Set("X-Content-Type-Options", "nosniff")
	if r.URL.Query().Get("v") == f.hash {
		rw.Header().Set("Cache-Control", "public, max-age=31536000, immutable")
	} else {
		rw.Header().Set("Cache-Control", "public, max-age=300")
	}
	rw.Header().Set("ETag", `"`+f.hash+`"`)
	if r.Header.Get("If-None-Match") == `"`+f.hash+`"` {
		rw.WriteHeader(http.StatusNotModified)
		return
	}
	_, _ = rw.Write(f.body)
}
