package hmac_test

import (
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"

	"github.com/tradecoach/coach/storage/memory"
	"github.com/tradecoach/coach/transport/hmac"
)

// A service verifies signed requests (timestamp, nonce, body hash, key id); its callers sign
// them with a Signer as their transport. An unsigned or replayed request is refused with 401.
func Example() {
	key := hmac.NewKey("k1", []byte("a shared secret of at least 32 bytes!"))
	verifier, err := hmac.NewVerifier(hmac.VerifierConfig{Keys: []hmac.Key{key}, Nonces: memory.NewNonces(nil)})
	if err != nil {
		panic(err)
	}
	srv := httptest.NewServer(verifier.Middleware(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		fmt.Fprintf(w, "scored %s", body)
	})))
	defer srv.Close()

	signer, err := hmac.NewSigner(hmac.SignerConfig{Key: key})
	if err != nil {
		panic(err)
	}
	signed := &http.Client{Transport: signer}
	for _, c := range []*http.Client{signed, http.DefaultClient} {
		resp, err := c.Post(srv.URL+"/v1/bias/score", "application/json", strings.NewReader(`{"trades":[]}`))
		if err != nil {
			panic(err)
		}
		body, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		fmt.Println(resp.StatusCode, strings.TrimSpace(string(body)))
	}
	// Output:
	// 200 scored {"trades":[]}
	// 401 {"code":"unauthorized","message":"request signature refused: missing_headers","reason":"missing_headers"}
}
