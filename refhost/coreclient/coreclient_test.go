package coreclient_test

import (
	"bytes"
	"context"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/tradecoach/coach"
	"github.com/tradecoach/coach/internal/secrettest"
	"github.com/tradecoach/coach/internal/servicetest"
	"github.com/tradecoach/coach/refhost/coreclient"
	"github.com/tradecoach/coach/transport/hmac"
	"github.com/tradecoach/coach/transport/httpjson"
)

func TestZeroValues(t *testing.T) {
	servicetest.ZeroValues(t, []any{(*coreclient.Client)(nil)})
}

var key = hmac.NewKey("internal-1", bytes.Repeat([]byte("k"), 32))

// nonces is a storage.Nonces that remembers every nonce.
type nonces struct{ used map[string]bool }

func (n *nonces) Use(_ context.Context, nonce string, _ time.Duration) error {
	if n.used[nonce] {
		return coach.Errorf(coach.ECONFLICT, "used")
	}
	n.used[nonce] = true
	return nil
}

// fakeCore verifies each request's signature (with verifyKey) and answers by path.
func fakeCore(t *testing.T, verifyKey hmac.Key) string {
	t.Helper()
	v, err := hmac.NewVerifier(hmac.VerifierConfig{Keys: []hmac.Key{verifyKey}, Nonces: &nonces{used: map[string]bool{}}})
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(v.Middleware(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch r.URL.Path {
		case "/echo":
			body, _ := io.ReadAll(r.Body)
			httpjson.WriteJSON(w, http.StatusOK, map[string]string{"subject": r.Header.Get(hmac.HeaderSubject),
				"contentType": r.Header.Get("Content-Type"), "body": string(body)})
		case "/fields":
			httpjson.WriteError(w, r, nil, httpjson.Field("maxPct", "must be more than 0"))
		case "/missing":
			httpjson.WriteError(w, r, nil, coach.Errorf(coach.ENOTFOUND, "no such rule"))
		case "/big":
			_, _ = w.Write([]byte(`{"x":"` + strings.Repeat("x", 2048) + `"}`))
		case "/html":
			w.WriteHeader(http.StatusBadGateway)
			_, _ = io.WriteString(w, "<html>bad gateway</html>")
		}
	})))
	t.Cleanup(srv.Close)
	return srv.URL
}

func newClient(t *testing.T, base string) *coreclient.Client {
	t.Helper()
	c, err := coreclient.New(coreclient.Config{BaseURL: base, Key: key, Caller: "web", MaxAnswerBytes: 1024})
	if err != nil {
		t.Fatal(err)
	}
	return c
}

func TestCallSignsForTheSubjectAndDecodes(t *testing.T) {
	c := newClient(t, fakeCore(t, key))
	var got map[string]string
	if err := c.Call(context.Background(), "user-1", http.MethodPost, "/echo", map[string]int{"n": 1}, &got); err != nil {
		t.Fatal(err)
	}
	if got["subject"] != "user-1" || got["contentType"] != "application/json" || got["body"] != `{"n":1}` {
		t.Fatalf("core saw %v", got)
	}
}

func TestCoreErrorsComeBackAsTheirCodes(t *testing.T) {
	c := newClient(t, fakeCore(t, key))
	ctx := context.Background()
	var fe httpjson.FieldErrors
	if err := c.Call(ctx, "u", http.MethodGet, "/fields", nil, nil); !errors.As(err, &fe) || len(fe) != 1 || fe[0].Field != "maxPct" {
		t.Errorf("a field error: %v, want httpjson.FieldErrors naming maxPct", err)
	}
	if err := c.Call(ctx, "u", http.MethodGet, "/missing", nil, nil); coach.ErrorCode(err) != coach.ENOTFOUND || coach.ErrorMessage(err) != "no such rule" {
		t.Errorf("not found: %v", err)
	}
	if err := c.Call(ctx, "u", http.MethodGet, "/big", nil, nil); coach.ErrorCode(err) != coach.EUNAVAILABLE {
		t.Errorf("an answer over MaxAnswerBytes: %v, want unavailable", err)
	}
	if err := c.Call(ctx, "u", http.MethodGet, "/html", nil, nil); coach.ErrorCode(err) != coach.EINTERNAL || strings.Contains(err.Error(), "bad gateway") {
		t.Errorf("a non-JSON error answer: %v, want internal without its text", err)
	}
}

func TestCoreRefusingTheSignatureIsInternal(t *testing.T) {
	other := hmac.NewKey("internal-1", bytes.Repeat([]byte("o"), 32))
	c := newClient(t, fakeCore(t, other))
	err := c.Call(context.Background(), "u", http.MethodGet, "/echo?email=a@b.example", nil, nil)
	if coach.ErrorCode(err) != coach.EINTERNAL || !strings.Contains(err.Error(), "refused the web's signature") || strings.Contains(err.Error(), "a@b.example") {
		t.Fatalf("a refused signature: %v, want internal naming the caller and not the query", err)
	}
}

func TestUnreachableCoreIsUnavailable(t *testing.T) {
	c := newClient(t, secrettest.HangUpURL(t))
	if err := c.Call(context.Background(), "u", http.MethodGet, "/echo", nil, nil); coach.ErrorCode(err) != coach.EUNAVAILABLE {
		t.Fatalf("a core that hangs up: %v, want unavailable", err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if err := c.Call(ctx, "u", http.MethodGet, "/echo", nil, nil); coach.ErrorCode(err) != coach.ECANCELED {
		t.Fatalf("a cancelled call: %v, want canceled", err)
	}
}

func TestConfigIsChecked(t *testing.T) {
	for _, cfg := range []coreclient.Config{
		{Key: key},
		{BaseURL: "ftp://core", Key: key},
		{BaseURL: "http://core?x=1", Key: key},
		{BaseURL: "http://core"},
		{BaseURL: "http://core", Key: key, MaxAnswerBytes: -1},
	} {
		if _, err := coreclient.New(cfg); coach.ErrorCode(err) != coach.EINVALID {
			t.Errorf("New(%+v) = %v, want invalid", cfg, err)
		}
	}
}
