package web

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"net/http"
	"strconv"

	coachhmac "github.com/tradecoach/coach/transport/hmac"
)

// Internal headers the edge sets on a page request: the CSRF token to render into forms, and (for
// a separate web process) its MAC under the internal key, bound to the signed subject.
const (
	HeaderCSRF    = "X-Coach-Csrf"
	HeaderCSRFMAC = "X-Coach-Csrf-Mac"
)

// CSRFMAC is the MAC the edge sends beside the CSRF token to a separate web process: an
// HMAC-SHA256 under the internal key of "web-csrf", the signed subject and the token (each
// written as its length, a colon and itself), so a token can only
// travel with a request the edge signed for the same user.
func CSRFMAC(key []byte, subject, token string) string {
	m := hmac.New(sha256.New, key)
	for _, part := range []string{"web-csrf", subject, token} {
		_, _ = m.Write([]byte(strconv.Itoa(len(part)) + ":" + part)) // a hash.Hash's Write never fails
	}
	return base64.RawURLEncoding.EncodeToString(m.Sum(nil))
}

// identity is who a page request is from, as the edge said.
type identity struct {
	user string // "" for a visitor
	csrf string // "" when the edge gave none
}

// identify reads the edge's internal headers (trusted: in the process the edge has set them
// itself; otherwise verified already refused any request the edge did not sign).
func (w *Web) identify(r *http.Request) identity {
	id := identity{user: coachhmac.Subject(r), csrf: r.Header.Get(HeaderCSRF)}
	if !w.cfg.InProcess && id.csrf != "" {
		want := CSRFMAC(w.key, id.user, id.csrf)
		if !hmac.Equal([]byte(want), []byte(r.Header.Get(HeaderCSRFMAC))) {
			id.csrf = ""
		}
	}
	return id
}

// verified refuses (401) a request without the edge's valid signature.
func (w *Web) verified(next http.Handler) (http.Handler, error) {
	v, err := coachhmac.NewVerifier(coachhmac.VerifierConfig{Keys: []coachhmac.Key{coachhmac.NewKey(KeyID, w.cfg.Key)},
		Nonces: w.cfg.Nonces, Clock: w.cfg.Clock, Logger: w.cfg.Logger, MaxBodyBytes: maxFormBytes})
	if err != nil {
		return nil, err
	}
	return v.Middleware(next), nil
}
