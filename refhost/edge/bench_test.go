package edge_test

import (
	"io"
	"net/http"
	"testing"

	"github.com/tradecoach/coach/refhost/core"
	"github.com/tradecoach/coach/refhost/edge"
	"github.com/tradecoach/coach/transport/hmac"
)

// BenchmarkLogin compares failed logins for a known email (wrong password) and an unknown one,
// and a successful login, with OWASP's Argon2id parameters, through the edge and core over
// loopback. The known and unknown figures should be alike (no enumeration by timing); this
// reports them and asserts nothing.
func BenchmarkLogin(b *testing.B) {
	back := newBackend(b)
	f := newFront(b, back, func(c *edge.Config) { c.Password = edge.OWASPParams() })
	f.browser().signUp("known@example.com")
	for _, bc := range []struct {
		name, email, password string
		want                  int
	}{
		{"known-wrong-password", "known@example.com", "not the password at all", http.StatusUnauthorized},
		{"unknown-email", "unknown@example.com", "not the password at all", http.StatusUnauthorized},
		{"known-right-password", "known@example.com", password, http.StatusOK},
	} {
		b.Run(bc.name, func(b *testing.B) {
			br := f.browser()
			br.t = b
			br.visit()
			visitor := br.csrf
			body := map[string]string{"email": bc.email, "password": bc.password}
			b.ReportAllocs()
			for b.Loop() {
				delete(br.cookies, edge.SessionCookie) // each login starts signed out
				br.csrf = visitor
				if a := br.do(req{method: "POST", path: "/auth/login", body: body}); a.status != bc.want {
					b.Fatalf("%d %s", a.status, a.body)
				}
			}
		})
	}
}

// BenchmarkRead compares one signed-in read (GET /rules) through the edge (session from its
// cache, limits, headers, a signed call to core) with the same read signed straight to core: the
// difference is what the edge adds per request.
func BenchmarkRead(b *testing.B) {
	back := newBackend(b)
	f := newFront(b, back, nil)
	br := f.browser()
	br.t = b
	u := br.signUp("reader@example.com")
	b.Run("edge", func(b *testing.B) {
		for b.Loop() {
			if a := br.do(req{method: "GET", path: "/rules"}); a.status != http.StatusOK {
				b.Fatalf("%d %s", a.status, a.body)
			}
		}
	})
	b.Run("core", func(b *testing.B) {
		signer, err := hmac.NewSigner(hmac.SignerConfig{Key: hmac.NewKey(core.KeyID, internalKey)})
		if err != nil {
			b.Fatal(err)
		}
		c := &http.Client{Transport: signer}
		for b.Loop() {
			r, _ := http.NewRequest("GET", back.core.URL+"/rules", nil)
			r.Header.Set(hmac.HeaderSubject, u.ID)
			res, err := c.Do(r)
			if err != nil {
				b.Fatal(err)
			}
			_, _ = io.Copy(io.Discard, res.Body)
			res.Body.Close()
			if res.StatusCode != http.StatusOK {
				b.Fatalf("%d", res.StatusCode)
			}
		}
	})
}
