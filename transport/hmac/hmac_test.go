package hmac_test

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/tradecoach/coach"
	"github.com/tradecoach/coach/transport/hmac"
)

// nonceSet is a storage.Nonces for these tests; the adapters' own suites cover TTL expiry.
type nonceSet struct {
	mu   sync.Mutex
	used map[string]bool
}

func (n *nonceSet) Use(_ context.Context, nonce string, _ time.Duration) error {
	n.mu.Lock()
	defer n.mu.Unlock()
	if n.used[nonce] {
		return coach.Errorf(coach.ECONFLICT, "nonce used")
	}
	n.used[nonce] = true
	return nil
}

var (
	keyA = hmac.Key{ID: "k1", Secret: bytes.Repeat([]byte("a"), 32)}
	keyB = hmac.Key{ID: "k2", Secret: bytes.Repeat([]byte("b"), 32)}
	t0   = time.Date(2026, 11, 25, 12, 0, 0, 0, time.UTC)
)

type fixture struct {
	srv     *httptest.Server
	clock   *coach.ManualClock
	logs    *bytes.Buffer
	bodies  chan string
	verifer *hmac.Verifier
}

func newFixture(t *testing.T, keys ...hmac.Key) *fixture {
	t.Helper()
	f := &fixture{clock: coach.NewManualClock(t0), logs: new(bytes.Buffer), bodies: make(chan string, 10)}
	v, err := hmac.NewVerifier(hmac.VerifierConfig{Keys: keys, Nonces: &nonceSet{used: map[string]bool{}},
		Clock: f.clock, MaxBodyBytes: 1024, Logger: slog.New(slog.NewJSONHandler(f.logs, nil))})
	if err != nil {
		t.Fatal(err)
	}
	f.verifer = v
	f.srv = httptest.NewServer(v.Middleware(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		b, _ := io.ReadAll(r.Body)
		f.bodies <- string(b)
		w.WriteHeader(http.StatusNoContent)
	})))
	t.Cleanup(f.srv.Close)
	return f
}

func (f *fixture) client(t *testing.T, key hmac.Key, clock coach.Clock) *http.Client {
	t.Helper()
	s, err := hmac.NewSigner(hmac.SignerConfig{Key: key, Clock: clock})
	if err != nil {
		t.Fatal(err)
	}
	return &http.Client{Transport: s}
}

// reason sends req and returns the status and the refusal reason ("" when accepted).
func reason(t *testing.T, c *http.Client, req *http.Request) (int, string) {
	t.Helper()
	resp, err := c.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var body struct{ Code, Reason string }
	json.NewDecoder(resp.Body).Decode(&body)
	return resp.StatusCode, body.Reason
}

func post(t *testing.T, url, body string) *http.Request {
	req, err := http.NewRequest(http.MethodPost, url, strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	return req
}

func TestSignedRequestIsAcceptedWithItsBody(t *testing.T) {
	f := newFixture(t, keyA)
	status, why := reason(t, f.client(t, keyA, f.clock), post(t, f.srv.URL+"/v1/bias/score?b=2&a=1", `{"x":1}`))
	if status != http.StatusNoContent || why != "" {
		t.Fatalf("status %d reason %q, want 204", status, why)
	}
	if got := <-f.bodies; got != `{"x":1}` {
		t.Fatalf("handler read body %q", got)
	}
}

func TestRotationAcceptsEveryActiveKey(t *testing.T) {
	f := newFixture(t, keyA, keyB)
	for _, k := range []hmac.Key{keyA, keyB} {
		if status, why := reason(t, f.client(t, k, f.clock), post(t, f.srv.URL+"/x", "")); status != http.StatusNoContent {
			t.Fatalf("key %s: status %d reason %q", k.ID, status, why)
		}
	}
}

func TestRefusals(t *testing.T) {
	stranger := hmac.Key{ID: "k9", Secret: bytes.Repeat([]byte("z"), 32)}
	forged := hmac.Key{ID: "k1", Secret: bytes.Repeat([]byte("z"), 32)}
	for _, tc := range []struct {
		name       string
		key        hmac.Key
		skew       time.Duration
		wantStatus int
		wantReason string
	}{
		{name: "unknown key", key: stranger, wantStatus: 401, wantReason: hmac.ReasonUnknownKey},
		{name: "wrong secret", key: forged, wantStatus: 401, wantReason: hmac.ReasonBadSignature},
		{name: "too old", key: keyA, skew: -6 * time.Minute, wantStatus: 401, wantReason: hmac.ReasonStaleTimestamp},
		{name: "too far ahead", key: keyA, skew: 6 * time.Minute, wantStatus: 401, wantReason: hmac.ReasonStaleTimestamp},
		{name: "within skew", key: keyA, skew: 4 * time.Minute, wantStatus: 204},
	} {
		t.Run(tc.name, func(t *testing.T) {
			f := newFixture(t, keyA)
			signerClock := coach.NewManualClock(t0.Add(tc.skew))
			status, why := reason(t, f.client(t, tc.key, signerClock), post(t, f.srv.URL+"/x", "{}"))
			if status != tc.wantStatus || why != tc.wantReason {
				t.Fatalf("got %d %q, want %d %q", status, why, tc.wantStatus, tc.wantReason)
			}
		})
	}
}

// tamperingTransport signs with the inner signer, then lets the test change the signed request.
type tamperingTransport struct {
	tamper func(*http.Request)
}

func (tt tamperingTransport) RoundTrip(r *http.Request) (*http.Response, error) {
	tt.tamper(r)
	return http.DefaultTransport.RoundTrip(r)
}

func TestTamperedRequestsAreRefused(t *testing.T) {
	for name, tamper := range map[string]func(*http.Request){
		"body": func(r *http.Request) {
			r.Body = io.NopCloser(strings.NewReader(`{"x":2}`))
		},
		"query":  func(r *http.Request) { r.URL.RawQuery = "a=2" },
		"path":   func(r *http.Request) { r.URL.Path = "/y" },
		"method": func(r *http.Request) { r.Method = http.MethodPut },
		"nonce":  func(r *http.Request) { r.Header.Set(hmac.HeaderNonce, "other") },
	} {
		t.Run(name, func(t *testing.T) {
			f := newFixture(t, keyA)
			s, _ := hmac.NewSigner(hmac.SignerConfig{Key: keyA, Next: tamperingTransport{tamper}, Clock: f.clock})
			status, why := reason(t, &http.Client{Transport: s}, post(t, f.srv.URL+"/x?a=1", `{"x":1}`))
			if status != 401 || why != hmac.ReasonBadSignature {
				t.Fatalf("got %d %q, want 401 bad_signature", status, why)
			}
		})
	}
}

func TestReorderedQueryStillVerifies(t *testing.T) {
	f := newFixture(t, keyA)
	s, _ := hmac.NewSigner(hmac.SignerConfig{Key: keyA, Next: tamperingTransport{func(r *http.Request) { r.URL.RawQuery = "a=1&b=2" }}, Clock: f.clock})
	if status, why := reason(t, &http.Client{Transport: s}, post(t, f.srv.URL+"/x?b=2&a=1", "")); status != 204 {
		t.Fatalf("got %d %q", status, why)
	}
}

func TestReplayedRequestIsRefused(t *testing.T) {
	f := newFixture(t, keyA)
	var captured *http.Request
	var capturedBody []byte
	s, _ := hmac.NewSigner(hmac.SignerConfig{Key: keyA, Next: tamperingTransport{func(r *http.Request) {
		captured = r.Clone(r.Context())
		capturedBody, _ = io.ReadAll(r.Body)
		r.Body = io.NopCloser(bytes.NewReader(capturedBody))
	}}, Clock: f.clock})
	if status, _ := reason(t, &http.Client{Transport: s}, post(t, f.srv.URL+"/x", "{}")); status != 204 {
		t.Fatalf("first send: %d", status)
	}
	captured.Body = io.NopCloser(bytes.NewReader(capturedBody))
	captured.RequestURI = ""
	if status, why := reason(t, http.DefaultClient, captured); status != 401 || why != hmac.ReasonReplayedNonce {
		t.Fatalf("replay: got %d %q, want 401 replayed_nonce", status, why)
	}
}

// expiringNonces is a storage.Nonces that forgets a nonce once its ttl has elapsed on clock
// (at the deadline itself: the strictest a store may be).
type expiringNonces struct {
	clock *coach.ManualClock
	until map[string]time.Time
}

func (n *expiringNonces) Use(_ context.Context, nonce string, ttl time.Duration) error {
	now := n.clock.Now()
	if until, ok := n.until[nonce]; ok && now.Before(until) {
		return coach.Errorf(coach.ECONFLICT, "nonce used")
	}
	n.until[nonce] = now.Add(ttl)
	return nil
}

// A replayed request is refused for as long as its timestamp is accepted, whether it was signed
// at the edge of the skew behind, on time or at the edge ahead; after that it is stale.
func TestReplayIsRefusedThroughoutTheWindow(t *testing.T) {
	for _, signedAt := range []time.Duration{-hmac.DefaultMaxSkew, 0, hmac.DefaultMaxSkew} {
		clock := coach.NewManualClock(t0)
		v, err := hmac.NewVerifier(hmac.VerifierConfig{Keys: []hmac.Key{keyA},
			Nonces: &expiringNonces{clock: clock, until: map[string]time.Time{}}, Clock: clock,
			Logger: slog.New(slog.NewTextHandler(io.Discard, nil))})
		if err != nil {
			t.Fatal(err)
		}
		at := t0.Add(signedAt)
		ts := strconv.FormatInt(at.Unix(), 10)
		send := func() string {
			r := httptest.NewRequest(http.MethodPost, "/v1/nlg/reflect?x=1", strings.NewReader(`{"a":1}`))
			r.Header.Set(hmac.HeaderKeyID, keyA.ID)
			r.Header.Set(hmac.HeaderTimestamp, ts)
			r.Header.Set(hmac.HeaderNonce, "n0nce")
			r.Header.Set(hmac.HeaderSignature, hmac.Sign(keyA.Secret, r.Method, r.URL, ts, "n0nce", []byte(`{"a":1}`)))
			var re *hmac.RequestError
			if _, err := v.Verify(context.Background(), r); errors.As(err, &re) {
				return re.Reason
			} else if err != nil {
				t.Fatal(err)
			}
			return ""
		}
		if why := send(); why != "" {
			t.Fatalf("signed %v from now: first send refused: %s", signedAt, why)
		}
		clock.Set(at.Add(hmac.DefaultMaxSkew)) // the last instant the timestamp is accepted
		if why := send(); why != hmac.ReasonReplayedNonce {
			t.Errorf("signed %v from now: replay at the end of the window gave %q, want %s", signedAt, why, hmac.ReasonReplayedNonce)
		}
		clock.Set(at.Add(hmac.DefaultMaxSkew + time.Second))
		if why := send(); why != hmac.ReasonStaleTimestamp {
			t.Errorf("signed %v from now: replay after the window gave %q, want %s", signedAt, why, hmac.ReasonStaleTimestamp)
		}
	}
}

func TestMissingHeadersAndOversizedBody(t *testing.T) {
	f := newFixture(t, keyA)
	if status, why := reason(t, http.DefaultClient, post(t, f.srv.URL+"/x", "")); status != 401 || why != hmac.ReasonMissingHeaders {
		t.Fatalf("unsigned: got %d %q", status, why)
	}
	status, _ := reason(t, f.client(t, keyA, f.clock), post(t, f.srv.URL+"/x", strings.Repeat("x", 2048)))
	if status != http.StatusRequestEntityTooLarge {
		t.Fatalf("oversized: got %d, want 413", status)
	}
}

func TestSecretsNeverReachLogsOrErrors(t *testing.T) {
	f := newFixture(t, keyA)
	forged := hmac.Key{ID: "k1", Secret: []byte("SUPERSECRET-SUPERSECRET-SUPERSEC")}
	reason(t, f.client(t, forged, f.clock), post(t, f.srv.URL+"/x", "{}"))
	for _, s := range []string{f.logs.String(), keyA.String(), forged.GoString()} {
		if strings.Contains(s, "SUPERSECRET") || strings.Contains(s, string(keyA.Secret)) {
			t.Fatalf("secret leaked: %s", s)
		}
	}
	if !strings.Contains(f.logs.String(), hmac.ReasonBadSignature) {
		t.Fatalf("refusal not logged: %s", f.logs.String())
	}
}

func TestConfigIsChecked(t *testing.T) {
	short := hmac.Key{ID: "k", Secret: []byte("short")}
	if _, err := hmac.NewSigner(hmac.SignerConfig{Key: short}); coach.ErrorCode(err) != coach.EINVALID {
		t.Fatalf("short key: %v", err)
	}
	if _, err := hmac.NewVerifier(hmac.VerifierConfig{Keys: []hmac.Key{keyA}}); coach.ErrorCode(err) != coach.EINVALID {
		t.Fatalf("no nonce store: %v", err)
	}
	if _, err := hmac.NewVerifier(hmac.VerifierConfig{Keys: []hmac.Key{keyA, keyA}, Nonces: &nonceSet{}}); coach.ErrorCode(err) != coach.EINVALID {
		t.Fatalf("duplicate key: %v", err)
	}
}

// FuzzVerifyHeaders feeds arbitrary header values and bodies to the verifier: it must never panic
// and never accept a request it did not see signed.
func FuzzVerifyHeaders(f *testing.F) {
	f.Add("k1", "1795608000", "bm9uY2U", "c2ln", []byte("{}"))
	f.Add("", "", "", "", []byte(nil))
	f.Add("k1", "-1", strings.Repeat("n", 100), "!!!", []byte("x"))
	f.Add("k1", "99999999999999999999", "n", "AAAA", []byte("x"))
	v, err := hmac.NewVerifier(hmac.VerifierConfig{Keys: []hmac.Key{keyA}, Nonces: &nonceSet{used: map[string]bool{}},
		Clock: coach.NewManualClock(t0), Logger: slog.New(slog.NewTextHandler(io.Discard, nil))})
	if err != nil {
		f.Fatal(err)
	}
	f.Fuzz(func(t *testing.T, keyID, ts, nonce, sig string, body []byte) {
		r := httptest.NewRequest(http.MethodPost, "/v1/indicators", bytes.NewReader(body))
		r.Header.Set(hmac.HeaderKeyID, keyID)
		r.Header.Set(hmac.HeaderTimestamp, ts)
		r.Header.Set(hmac.HeaderNonce, nonce)
		r.Header.Set(hmac.HeaderSignature, sig)
		if _, err := v.Verify(context.Background(), r); err == nil {
			want := hmac.Sign(keyA.Secret, r.Method, r.URL, ts, nonce, body)
			if keyID != keyA.ID || sig != want {
				t.Fatalf("accepted an unsigned request: key %q sig %q", keyID, sig)
			}
		}
	})
}
