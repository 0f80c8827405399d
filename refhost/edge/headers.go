package edge

import "net/http"

// CSP is the Content-Security-Policy of every answer: scripts, styles and everything else from
// the edge's own origin only (no inline script or style, no eval), no plugins, no <base>, no
// framing, forms posting only here, and DOM sinks accepting only Trusted Types made by the
// policy named "coach".
const CSP = "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; " +
	"object-src 'none'; base-uri 'none'; frame-ancestors 'none'; form-action 'self'; " +
	"require-trusted-types-for 'script'; trusted-types coach"

// securityHeaders are set on every answer, pages and errors included.
var securityHeaders = map[string]string{
	"Content-Security-Policy":      CSP,
	"Strict-Transport-Security":    "max-age=63072000; includeSubDomains",
	"X-Content-Type-Options":       "nosniff",
	"Referrer-Policy":              "strict-origin-when-cross-origin",
	"Cross-Origin-Opener-Policy":   "same-origin",
	"Cross-Origin-Resource-Policy": "same-origin",
	"X-Frame-Options":              "DENY",
	"Permissions-Policy":           "camera=(), microphone=(), geolocation=(), payment=()",
}

// SecurityHeaders returns next with the security headers set on every answer before next writes
// anything (a handler cannot forget them; one that sets its own value of one of them replaces
// the edge's, which only the edge's own code does).
func SecurityHeaders(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		h := w.Header()
		for k, v := range securityHeaders {
			h.Set(k, v)
		}
		next.ServeHTTP(w, r)
	})
}
