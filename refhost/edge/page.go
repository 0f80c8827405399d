package edge

import (
	"net/http"
	"net/url"
	"strings"

	"github.com/tradecoach/coach"
	"github.com/tradecoach/coach/transport/hmac"
	"github.com/tradecoach/coach/transport/httpjson"
)

// placeholder is the page answered until a web stack is configured: no script, no style.
const placeholder = `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>tradecoach</title></head>
<body><h1>tradecoach</h1><p>%s</p></body></html>
`

// page answers a request outside the API: a GET or HEAD goes to the web stack with the user (if
// signed in) in the signed subject; anything else is not_found.
func (e *Edge) page(w http.ResponseWriter, r *http.Request) {
	if r.Method != http.MethodGet && r.Method != http.MethodHead {
		httpjson.WriteError(w, r, nil, coach.Errorf(coach.ENOTFOUND, "no such route"))
		return
	}
	if e.web != nil {
		e.web.ServeHTTP(w, r)
		return
	}
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.Header().Set("Cache-Control", "no-store")
	status, text := http.StatusNotFound, "This page does not exist."
	if r.URL.Path == "/" {
		status, text = http.StatusOK, "The web app is not served here yet; the API is at /openapi.yaml."
	}
	w.WriteHeader(status)
	_, _ = w.Write([]byte(strings.Replace(placeholder, "%s", text, 1)))
}

// webHandler returns what serves pages: the in-process handler (with the edge's internal headers
// set as a signed request would carry them), or a signed proxy to the web stack's URL, or nil.
func webHandler(cfg Config, signer *hmac.Signer) (http.Handler, error) {
	switch {
	case cfg.Web != nil:
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			r = r.Clone(r.Context())
			for name := range r.Header {
				if strings.HasPrefix(strings.ToLower(name), "x-coach-") {
					r.Header.Del(name)
				}
			}
			for _, name := range edgeHeaders {
				r.Header.Del(name)
			}
			if s, ok := sessionOf(r.Context()); ok {
				r.Header.Set(hmac.HeaderSubject, s.UserID)
			}
			cfg.Web.ServeHTTP(w, r)
		}), nil
	case cfg.WebURL != "":
		u, err := url.Parse(strings.TrimSuffix(cfg.WebURL, "/"))
		if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
			return nil, coach.Errorf(coach.EINVALID, "edge: Config.WebURL: want a base URL such as http://127.0.0.1:8081")
		}
		return forward(u, signer, cfg.Logger), nil
	}
	return nil, nil
}
