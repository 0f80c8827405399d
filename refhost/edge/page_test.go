package edge_test

import (
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/tradecoach/coach"
	"github.com/tradecoach/coach/refhost/edge"
	"github.com/tradecoach/coach/storage/memory"
	"github.com/tradecoach/coach/transport/hmac"
)

// whoami is a web stack that answers the subject it was given (and whether the client's own
// internal headers reached it).
var whoami = http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("Content-Type", "text/plain")
	_, _ = w.Write([]byte("subject=" + hmac.Subject(r) + " key=" + r.Header.Get("X-Coach-Forged") + " cookie=" + r.Header.Get("Cookie")))
})

// TestPagesGoToTheWebStack: a GET outside the API reaches the web stack with the signed-in user as
// the subject (never one the client names, never the cookies), in the process or over a signed
// request that the web stack verifies; its answer leaves with the edge's headers.
func TestPagesGoToTheWebStack(t *testing.T) {
	back := newBackend(t)
	verifier, err := hmac.NewVerifier(hmac.VerifierConfig{Keys: []hmac.Key{hmac.NewKey(edge.KeyID, internalKey)},
		Nonces: memory.NewNonces(coach.SystemClock{})})
	if err != nil {
		t.Fatal(err)
	}
	web := httptest.NewServer(verifier.Middleware(whoami))
	t.Cleanup(web.Close)
	for name, change := range map[string]func(*edge.Config){
		"in the process": func(c *edge.Config) { c.Web = whoami },
		"signed request": func(c *edge.Config) { c.WebURL = web.URL },
	} {
		t.Run(name, func(t *testing.T) {
			f := newFront(t, back, change)
			anon := f.browser()
			anon.t = t
			forged := map[string]string{"X-Coach-Subject": "someone-else", "X-Coach-Forged": "yes"}
			a := anon.must(req{method: "GET", path: "/dashboard/page", header: forged}, http.StatusOK)
			if got := string(a.body); !strings.HasPrefix(got, "subject= key= cookie=") {
				t.Fatalf("signed out: %q", got)
			}
			checkHeaders(t, "page", a.header)
			ana := f.browser()
			ana.t = t
			u := ana.signUp(coach.NewID() + "@example.com")
			a = ana.must(req{method: "GET", path: "/dashboard/page", header: forged}, http.StatusOK)
			if got := string(a.body); got != "subject="+u.ID+" key= cookie=" {
				t.Fatalf("signed in: %q", got)
			}
			checkHeaders(t, "page", a.header)
		})
	}
	// Without a web stack: a placeholder page, through the same headers.
	f := newFront(t, back, nil)
	a := f.browser().must(req{method: "GET", path: "/"}, http.StatusOK)
	if !strings.Contains(string(a.body), "<h1>tradecoach</h1>") || strings.Contains(string(a.body), "<script") {
		t.Fatalf("placeholder: %s", a.body)
	}
	checkHeaders(t, "placeholder", a.header)
}
