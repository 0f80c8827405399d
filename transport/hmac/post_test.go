package hmac_test

import (
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/tradecoach/coach/transport/hmac"
)

// postServer answers every request through ReadJSONPost: 200 with the body it returned, or the
// refusal's status and reason.
func postServer(t *testing.T, f *fixture, maxBody int64) *httptest.Server {
	t.Helper()
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		keyID, body, err := f.verifer.ReadJSONPost(w, r, maxBody)
		var re *hmac.RequestError
		if errors.As(err, &re) {
			w.WriteHeader(re.Status)
			_, _ = io.WriteString(w, `{"reason":"`+re.Reason+`"}`)
			return
		} else if err != nil {
			t.Errorf("ReadJSONPost: %v is not a RequestError", err)
		}
		_, _ = io.WriteString(w, keyID+" "+string(body))
	}))
	t.Cleanup(srv.Close)
	return srv
}

func TestReadJSONPostAdmitsOnlySignedJSONPostsWithinTheBound(t *testing.T) {
	f := newFixture(t, keyA)
	srv := postServer(t, f, 64)
	signed := f.client(t, keyA, f.clock)
	call := func(c *http.Client, method, contentType, body string) (int, string, string) {
		t.Helper()
		req, err := http.NewRequest(method, srv.URL+"/v1/x", strings.NewReader(body))
		if err != nil {
			t.Fatal(err)
		}
		if contentType != "" {
			req.Header.Set("Content-Type", contentType)
		}
		resp, err := c.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		return resp.StatusCode, resp.Header.Get("Allow"), string(b)
	}
	if status, _, body := call(signed, http.MethodPost, "application/json; charset=utf-8", `{"x":1}`); status != 200 || body != `k1 {"x":1}` {
		t.Fatalf("a signed JSON POST: %d %q, want 200 with the key id and the body", status, body)
	}
	if status, allow, _ := call(signed, http.MethodPut, "application/json", `{}`); status != http.StatusMethodNotAllowed || allow != http.MethodPost {
		t.Fatalf("PUT: %d Allow %q, want 405 Allow POST", status, allow)
	}
	if status, _, _ := call(signed, http.MethodPost, "text/plain", `{}`); status != http.StatusUnsupportedMediaType {
		t.Fatalf("text/plain: %d, want 415", status)
	}
	if status, _, _ := call(signed, http.MethodPost, "application/json", strings.Repeat(" ", 65)+"{}"); status != http.StatusRequestEntityTooLarge {
		t.Fatalf("67 bytes against a bound of 64: %d, want 413", status)
	}
	if status, _, body := call(http.DefaultClient, http.MethodPost, "application/json", `{}`); status != http.StatusUnauthorized || !strings.Contains(body, hmac.ReasonMissingHeaders) {
		t.Fatalf("unsigned: %d %q, want 401 %s", status, body, hmac.ReasonMissingHeaders)
	}
}
