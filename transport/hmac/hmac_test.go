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
	"github.com/tradecoach/coach/internal/secrettest"
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
	keyA = hmac.NewKey("k1", bytes.Repeat([]byte("a"), 32))
	keyB = hmac.NewKey("k2", bytes.Repeat([]byte("b"), 32))
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
	stranger := hmac.NewKey("k9", bytes.Repeat([]byte("z"), 32))
	forged := hmac.NewKey("k1", bytes.Repeat([]byte("z"), 32))
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
		"host":   func(r *http.Request) { r.Host = "other.internal" },
		"content type": func(r *http.Request) {
			r.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		},
		"content type removed": func(r *http.Request) { r.Header.Del("Content-Type") },
		"query value added":    func(r *http.Request) { r.URL.RawQuery = "a=1&a=2" },
		"subject changed":      func(r *http.Request) { r.Header.Set(hmac.HeaderSubject, "user-b") },
		"subject removed":      func(r *http.Request) { r.Header.Del(hmac.HeaderSubject) },
		"subject doubled":      func(r *http.Request) { r.Header.Add(hmac.HeaderSubject, "user-b") },
		"query re-encoded":     func(r *http.Request) { r.URL.RawQuery = "%61=1" },
	} {
		t.Run(name, func(t *testing.T) {
			f := newFixture(t, keyA)
			s, _ := hmac.NewSigner(hmac.SignerConfig{Key: keyA, Next: tamperingTransport{tamper}, Clock: f.clock})
			req := post(t, f.srv.URL+"/x?a=1", `{"x":1}`)
			req.Header.Set("Content-Type", "application/json")
			req.Header.Set(hmac.HeaderSubject, "user-a")
			status, why := reason(t, &http.Client{Transport: s}, req)
			if status != 401 || why != hmac.ReasonBadSignature {
				t.Fatalf("got %d %q, want 401 bad_signature", status, why)
			}
		})
	}
}

// The query is signed as sent: a proxy or attacker reordering it — above all repeated values,
// where "amount=1&amount=1000" re-sent as "amount=1000&amount=1" would make a handler that reads
// the last value act on 1000 — breaks the signature.
func TestReorderedQueryIsRefused(t *testing.T) {
	for _, tc := range []struct{ signed, sent string }{
		{"amount=1&amount=1000", "amount=1000&amount=1"},
		{"b=2&a=1", "a=1&b=2"},
		{"a=1&amount=1&amount=1000", "amount=1&a=1&amount=1000"},
	} {
		t.Run(tc.sent, func(t *testing.T) {
			f := newFixture(t, keyA)
			s, _ := hmac.NewSigner(hmac.SignerConfig{Key: keyA, Next: tamperingTransport{func(r *http.Request) { r.URL.RawQuery = tc.sent }}, Clock: f.clock})
			if status, why := reason(t, &http.Client{Transport: s}, post(t, f.srv.URL+"/x?"+tc.signed, "")); status != 401 || why != hmac.ReasonBadSignature {
				t.Fatalf("signed %q, sent %q: got %d %q, want 401 bad_signature", tc.signed, tc.sent, status, why)
			}
			// Sent as signed, the same query verifies.
			if status, why := reason(t, f.client(t, keyA, f.clock), post(t, f.srv.URL+"/x?"+tc.signed, "")); status != 204 {
				t.Fatalf("signed and sent %q: got %d %q", tc.signed, status, why)
			}
		})
	}
}

// The Host header is signed: a request signed for one service is refused by another that shares
// the key.
func TestRequestForAnotherHostIsRefused(t *testing.T) {
	f := newFixture(t, keyA)
	req := post(t, f.srv.URL+"/x", "{}")
	req.Host = "ai-coach.internal"
	if status, why := reason(t, f.client(t, keyA, f.clock), req); status != 204 {
		t.Fatalf("signed for the Host it is sent with: got %d %q", status, why)
	}
	// Signed for ai-coach.internal, delivered to the fixture under its own host name.
	s, _ := hmac.NewSigner(hmac.SignerConfig{Key: keyA, Next: tamperingTransport{func(r *http.Request) { r.Host = "" }}, Clock: f.clock})
	req = post(t, f.srv.URL+"/x", "{}")
	req.Host = "ai-coach.internal"
	if status, why := reason(t, &http.Client{Transport: s}, req); status != 401 || why != hmac.ReasonBadSignature {
		t.Fatalf("signed for another host: got %d %q, want 401 bad_signature", status, why)
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
			r.Header.Set(hmac.HeaderSignature, hmac.Sign(keyA.Secret(), r, ts, "n0nce", []byte(`{"a":1}`)))
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
	forged := hmac.NewKey("k1", []byte("SUPERSECRET-SUPERSECRET-SUPERSEC"))
	reason(t, f.client(t, forged, f.clock), post(t, f.srv.URL+"/x", "{}"))
	for _, s := range []string{f.logs.String(), keyA.String(), forged.GoString()} {
		if strings.Contains(s, "SUPERSECRET") || strings.Contains(s, string(keyA.Secret())) {
			t.Fatalf("secret leaked: %s", s)
		}
	}
	if !strings.Contains(f.logs.String(), hmac.ReasonBadSignature) {
		t.Fatalf("refusal not logged: %s", f.logs.String())
	}
}

func TestConfigIsChecked(t *testing.T) {
	short := hmac.NewKey("k", []byte("short"))
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
// FuzzVerifyHeaders sends requests with arbitrary signature headers, host, query and content
// type: Verify accepts one only when its signature is the one Sign gives for exactly that request.
func FuzzVerifyHeaders(f *testing.F) {
	f.Add("k1", "1795608000", "bm9uY2U", "c2ln", "example.com", "a=1&a=2", "application/json", []byte("{}"))
	f.Add("", "", "", "", "", "", "", []byte(nil))
	f.Add("k1", "-1", strings.Repeat("n", 100), "!!!", "EXAMPLE.com:80", "%zz", "text/plain\r\nx: y", []byte("x"))
	f.Add("k1", "99999999999999999999", "n", "AAAA", "[::1]:8080", "amount=1000&amount=1", "", []byte("x"))
	f.Add("k1", "1795608000", "n1", "!sign", "Coach.internal", "amount=1&amount=1000", "application/json", []byte("{}"))
	v, err := hmac.NewVerifier(hmac.VerifierConfig{Keys: []hmac.Key{keyA}, Nonces: &nonceSet{used: map[string]bool{}},
		Clock: coach.NewManualClock(t0), Logger: slog.New(slog.NewTextHandler(io.Discard, nil))})
	if err != nil {
		f.Fatal(err)
	}
	f.Fuzz(func(t *testing.T, keyID, ts, nonce, sig, host, query, contentType string, body []byte) {
		r := httptest.NewRequest(http.MethodPost, "/v1/indicators", bytes.NewReader(body))
		r.Host = host
		r.URL.RawQuery = query
		r.Header.Set(hmac.HeaderKeyID, keyID)
		r.Header.Set(hmac.HeaderTimestamp, ts)
		r.Header.Set(hmac.HeaderNonce, nonce)
		r.Header.Set(hmac.HeaderSignature, sig)
		r.Header.Set("Content-Type", contentType)
		if sig == "!sign" {
			// Signed correctly: Verify and Sign must agree on the canonical form of any request.
			r.Header.Set(hmac.HeaderSignature, hmac.Sign(keyA.Secret(), r, ts, nonce, body))
			_, err := v.Verify(context.Background(), r)
			var re *hmac.RequestError
			if errors.As(err, &re) && re.Reason == hmac.ReasonBadSignature && keyID == keyA.ID &&
				!strings.ContainsAny(strings.ToLower(host)+query+r.Header.Get("Content-Type"), "\r\n") {
				t.Fatalf("a correctly signed request was refused: host %q query %q content type %q", host, query, contentType)
			}
			return
		}
		if _, err := v.Verify(context.Background(), r); err == nil {
			want := hmac.Sign(keyA.Secret(), r, ts, nonce, body)
			if keyID != keyA.ID || sig != want {
				t.Fatalf("accepted an unsigned request: key %q sig %q", keyID, sig)
			}
			if strings.ContainsAny(host+query+contentType, "\r\n") {
				t.Fatalf("accepted a request whose host, query or content type holds a line break")
			}
		}
	})
}

// Keys, signers and verifiers never print a secret, under any verb, nested anywhere, or in logs.
func TestKeysNeverPrint(t *testing.T) {
	secret := []byte("SUPERSECRET-hmac-key-0123456789abcdef")
	k := hmac.NewKey("k1", secret)
	// A transport of its own: printing *s by value walks its fields, and http.DefaultTransport's
	// are being changed by the other tests' connections meanwhile.
	s, err := hmac.NewSigner(hmac.SignerConfig{Key: k, Next: &http.Transport{}})
	if err != nil {
		t.Fatal(err)
	}
	v, err := hmac.NewVerifier(hmac.VerifierConfig{Keys: []hmac.Key{k, keyB}, Nonces: &nonceSet{used: map[string]bool{}}})
	if err != nil {
		t.Fatal(err)
	}
	secrettest.AssertRedacted(t, [][]byte{secret, keyB.Secret()}, k, &k, []hmac.Key{k}, s, *s, v, *v,
		hmac.VerifierConfig{Keys: []hmac.Key{k}})
	if got := k.Secret(); !bytes.Equal(got, secret) {
		t.Errorf("Secret() = %q", got)
	}
}

// The subject — the user an internal request acts for — is covered by the signature: a handler
// behind the verifier reads it as the signer set it, and a request without one has none.
func TestSubjectReachesTheHandlerAsSigned(t *testing.T) {
	var seen []string
	v, err := hmac.NewVerifier(hmac.VerifierConfig{Keys: []hmac.Key{keyA}, Nonces: &nonceSet{used: map[string]bool{}}, Clock: coach.NewManualClock(t0)})
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(v.Middleware(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		seen = append(seen, hmac.Subject(r))
		w.WriteHeader(http.StatusNoContent)
	})))
	defer srv.Close()
	s, err := hmac.NewSigner(hmac.SignerConfig{Key: keyA, Clock: coach.NewManualClock(t0)})
	if err != nil {
		t.Fatal(err)
	}
	c := &http.Client{Transport: s}
	withSubject := post(t, srv.URL+"/trades", "")
	withSubject.Header.Set(hmac.HeaderSubject, "cmuser0000000000000000001")
	for _, req := range []*http.Request{withSubject, post(t, srv.URL+"/healthz", "")} {
		if status, why := reason(t, c, req); status != http.StatusNoContent {
			t.Fatalf("got %d %q", status, why)
		}
	}
	if len(seen) != 2 || seen[0] != "cmuser0000000000000000001" || seen[1] != "" {
		t.Fatalf("subjects seen = %q", seen)
	}
	for name, subject := range map[string]string{"too long": strings.Repeat("u", hmac.MaxSubjectBytes+1), "a space": "user a"} {
		req := post(t, srv.URL+"/trades", "")
		req.Header.Set(hmac.HeaderSubject, subject)
		if _, err := c.Do(req); err == nil {
			t.Errorf("the signer signed a subject with %s", name)
		}
	}
}
