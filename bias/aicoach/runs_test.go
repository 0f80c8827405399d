package aicoach_test

import (
	"bytes"
	"encoding/json"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/tradecoach/coach"
	"github.com/tradecoach/coach/bias/aicoach"
	"github.com/tradecoach/coach/transport/hmac"
)

// post signs body for path with the test key and sends it to srv, returning the status and the
// error body (zero on success).
func post(t *testing.T, srv interface{ Client() *http.Client }, url, path, body string) (int, aicoach.ErrorBody) {
	t.Helper()
	signer, err := hmac.NewSigner(hmac.SignerConfig{Key: key, Next: srv.Client().Transport})
	if err != nil {
		t.Fatal(err)
	}
	req, _ := http.NewRequest(http.MethodPost, url+path, strings.NewReader(body))
	req.Header.Set("Content-Type", "application/json")
	resp, err := signer.RoundTrip(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	raw, _ := io.ReadAll(resp.Body)
	var eb aicoach.ErrorBody
	if resp.StatusCode >= 300 {
		if err := json.NewDecoder(bytes.NewReader(raw)).Decode(&eb); err != nil {
			t.Fatalf("%d answer is not an error body: %q", resp.StatusCode, raw)
		}
	}
	return resp.StatusCode, eb
}

// TestRunsAreBounded: pages come in order or are refused, a run is one key's, runs are limited
// in number and bytes, and a run left waiting expires.
func TestRunsAreBounded(t *testing.T) {
	t.Parallel()
	page := func(run string, n int, last bool, extra string) string {
		cfg := ""
		if n == 0 {
			cfg = `"config":{},`
		}
		b, _ := json.Marshal(last)
		return `{"v":1,"run":"` + run + `","page":` + string(rune('0'+n)) + `,"last":` + string(b) + `,` + cfg + `"trades":[],"candles":[` + extra + `]}`
	}
	srv := server(t, aicoach.HandlerConfig{MaxRuns: 2, MaxRunBytes: 600, RunTTL: time.Minute}, nil)
	for _, tc := range []struct {
		name   string
		body   string
		status int
		code   coach.Code
	}{
		{"page 0 starts run a", page("aaaaaaaaaaaaaaaa", 0, false, ""), 202, ""},
		{"page 0 again", page("aaaaaaaaaaaaaaaa", 0, false, ""), 409, coach.ECONFLICT},
		{"page 2 before 1", page("aaaaaaaaaaaaaaaa", 2, false, ""), 409, coach.ECONFLICT},
		{"page 1 of an unknown run", page("bbbbbbbbbbbbbbbb", 1, false, ""), 404, coach.ENOTFOUND},
		{"run b", page("bbbbbbbbbbbbbbbb", 0, false, ""), 202, ""},
		{"a third run", page("cccccccccccccccc", 0, false, ""), 429, coach.ERATELIMITED},
		{"run b past its bytes", page("bbbbbbbbbbbbbbbb", 1, false, `{"symbol":"BTC-USD","bars":[]}`+strings.Repeat(`,{"symbol":"BTC-USD","bars":[]}`, 20)), 400, coach.EINVALID},
		{"run c now fits", page("cccccccccccccccc", 0, false, ""), 202, ""},
		{"a bad run id", page("short", 0, false, ""), 400, coach.EINVALID},
		{"config on page 1", strings.Replace(page("cccccccccccccccc", 1, false, ""), `"trades"`, `"config":{},"trades"`, 1), 400, coach.EINVALID},
		{"run c's last page: a config that fails Validate", page("cccccccccccccccc", 1, true, ""), 400, coach.EINVALID},
	} {
		status, eb := post(t, srv, srv.URL, aicoach.PathScore, tc.body)
		if status != tc.status || eb.Code != tc.code {
			t.Errorf("%s: got %d %+v, want %d %s", tc.name, status, eb, tc.status, tc.code)
		}
	}
}

// movingClock is a coach.Clock a test moves.
type movingClock struct{ at time.Time }

func (c *movingClock) Now() time.Time { return c.at }

// TestRunExpires: a run whose next page does not come within RunTTL is dropped.
func TestRunExpires(t *testing.T) {
	t.Parallel()
	clock := &movingClock{at: time.Now()}
	srv := server(t, aicoach.HandlerConfig{RunTTL: time.Minute, Clock: clock}, nil)
	first := `{"v":1,"run":"dddddddddddddddd","page":0,"last":false,"config":{},"trades":[],"candles":[]}`
	next := `{"v":1,"run":"dddddddddddddddd","page":1,"last":false,"trades":[],"candles":[]}`
	if status, eb := post(t, srv, srv.URL, aicoach.PathScore, first); status != http.StatusAccepted {
		t.Fatalf("page 0: %d %+v", status, eb)
	}
	clock.at = clock.at.Add(time.Minute + time.Second)
	if status, eb := post(t, srv, srv.URL, aicoach.PathScore, next); status != http.StatusNotFound || eb.Code != coach.ENOTFOUND {
		t.Errorf("page 1 after the TTL: got %d %+v, want 404 not_found", status, eb)
	}
}
