package core_test

import (
	"bytes"
	"io"
	"net/http"
	"testing"
	"time"

	"github.com/tradecoach/coach"
	"github.com/tradecoach/coach/refhost/core"
	"github.com/tradecoach/coach/transport/hmac"
)

// capture keeps the last request a signer sent, headers and all, so a test can send it again.
type capture struct {
	next http.RoundTripper
	last *http.Request
	body []byte
}

func (c *capture) RoundTrip(r *http.Request) (*http.Response, error) {
	c.last = r.Clone(r.Context())
	if r.Body != nil {
		c.body, _ = io.ReadAll(r.Body)
		r.Body = io.NopCloser(bytes.NewReader(c.body))
	}
	return c.next.RoundTrip(r)
}

// Core answers 401 to a request whose signature is missing, expired, replayed, made with another
// key, or whose subject was changed after signing.
func TestInternalSignaturesAreChecked(t *testing.T) {
	h := newHost(t)
	alice, bob := h.user(), h.user()
	send := func(r *http.Request) int {
		t.Helper()
		res, err := http.DefaultTransport.RoundTrip(r)
		if err != nil {
			t.Fatal(err)
		}
		res.Body.Close()
		return res.StatusCode
	}
	signed := func(key []byte, clock coach.Clock) (*http.Client, *capture) {
		c := &capture{next: http.DefaultTransport}
		s, err := hmac.NewSigner(hmac.SignerConfig{Key: hmac.NewKey(core.KeyID, key), Next: c, Clock: clock})
		if err != nil {
			t.Fatal(err)
		}
		return &http.Client{Transport: s}, c
	}
	get := func(c *http.Client, subject string) int {
		t.Helper()
		req, _ := http.NewRequest(http.MethodGet, h.srv.URL+"/me", nil)
		req.Header.Set(hmac.HeaderSubject, subject)
		res, err := c.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		res.Body.Close()
		return res.StatusCode
	}

	// Signed now with the internal key: accepted, once.
	c, last := signed(internalKey, coach.SystemClock{})
	if code := get(c, alice); code != http.StatusOK {
		t.Fatalf("a signed request: %d", code)
	}
	replay := last.last.Clone(last.last.Context())
	if code := send(replay); code != http.StatusUnauthorized {
		t.Errorf("a replayed request: %d, want 401", code)
	}
	// The same signed request for another user.
	c2, last2 := signed(internalKey, coach.SystemClock{})
	get(c2, alice)
	forged := last2.last.Clone(last2.last.Context())
	forged.Header.Set(hmac.HeaderSubject, bob)
	if code := send(forged); code != http.StatusUnauthorized {
		t.Errorf("a request whose subject was changed: %d, want 401", code)
	}
	// Signed ten minutes ago (outside the five-minute window).
	old, _ := signed(internalKey, coach.NewManualClock(time.Now().Add(-10*time.Minute)))
	if code := get(old, alice); code != http.StatusUnauthorized {
		t.Errorf("an expired signature: %d, want 401", code)
	}
	// Signed with another key.
	other, _ := signed(bytes.Repeat([]byte("x"), 32), coach.SystemClock{})
	if code := get(other, alice); code != http.StatusUnauthorized {
		t.Errorf("another key: %d, want 401", code)
	}
	// Not signed at all, subject or not.
	req, _ := http.NewRequest(http.MethodGet, h.srv.URL+"/me", nil)
	req.Header.Set(hmac.HeaderSubject, alice)
	if code := send(req); code != http.StatusUnauthorized {
		t.Errorf("an unsigned request: %d, want 401", code)
	}
}
