package remote_test

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/tradecoach/coach/chat"
	"github.com/tradecoach/coach/chat/remote"
	"github.com/tradecoach/coach/storage/memory"
	"github.com/tradecoach/coach/transport/hmac"
)

// FuzzHandler: any signed body gets an answer of the one JSON shape — 200 with the model's text
// for a valid request, 400 otherwise — never a panic or a 500.
func FuzzHandler(f *testing.F) {
	for _, s := range []string{`{"v":1,"messages":[{"role":"user","content":"why?"}]}`, `{"v":2,"messages":[]}`, `{"v":1}`, `[]`, `{"v":1,"messages":[{"role":"user","content":"x"}],"x":1}`, "\xff", ``} {
		f.Add([]byte(s))
	}
	v, err := hmac.NewVerifier(hmac.VerifierConfig{Keys: []hmac.Key{key}, Nonces: memory.NewNonces(nil)})
	if err != nil {
		f.Fatal(err)
	}
	h, err := remote.NewHandler(remote.HandlerConfig{Verifier: v, Model: chat.ModelFunc(func(context.Context, chat.Prompt) (string, error) { return "ok", nil })})
	if err != nil {
		f.Fatal(err)
	}
	srv := httptest.NewServer(h)
	defer srv.Close()
	signer, err := hmac.NewSigner(hmac.SignerConfig{Key: key})
	if err != nil {
		f.Fatal(err)
	}
	client := &http.Client{Transport: signer}
	f.Fuzz(func(t *testing.T, body []byte) {
		req, err := http.NewRequest(http.MethodPost, srv.URL+remote.PathAnswer, bytes.NewReader(body))
		if err != nil {
			t.Fatal(err)
		}
		req.Header.Set("Content-Type", "application/json")
		resp, err := client.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		raw, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		var shape map[string]any
		if resp.StatusCode != http.StatusOK && resp.StatusCode != http.StatusBadRequest || json.Unmarshal(raw, &shape) != nil {
			t.Fatalf("body %q: %d %s", body, resp.StatusCode, raw)
		}
	})
}
