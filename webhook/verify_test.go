package webhook_test

import (
	"net/http"
	"net/netip"
	"testing"
	"time"

	"github.com/tradecoach/coach"
	"github.com/tradecoach/coach/webhook"
)

// The specification's published test vector (standard-webhooks/standard-webhooks, libraries/go
// webhook_test.go TestWebhookSign; the same in every language's library).
const (
	vecSecret = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"
	vecID     = "msg_p5jXN8AQM9LWM0D4loKWxJek"
	vecTS     = 1614265330
	vecBody   = `{"test": 2432232314}`
	vecSig    = "v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE="
)

func vecHeaders() http.Header {
	h := http.Header{}
	h.Set(webhook.HeaderID, vecID)
	h.Set(webhook.HeaderTimestamp, "1614265330")
	h.Set(webhook.HeaderSignature, vecSig)
	return h
}

func vecVerifier(t *testing.T, at time.Time, secrets ...string) *webhook.Verifier {
	t.Helper()
	v, err := webhook.NewVerifier(webhook.VerifierConfig{Secrets: secrets, Clock: coach.NewManualClock(at)})
	if err != nil {
		t.Fatal(err)
	}
	return v
}

func TestSignMatchesThePublishedVector(t *testing.T) {
	t.Parallel()
	got, err := webhook.Sign([]string{vecSecret}, vecID, time.Unix(vecTS, 0), []byte(vecBody))
	if err != nil || got != vecSig {
		t.Errorf("Sign = %q, %v; want %q", got, err, vecSig)
	}
	other, _ := webhook.NewSecret()
	two, err := webhook.Sign([]string{other, vecSecret}, vecID, time.Unix(vecTS, 0), []byte(vecBody))
	if err != nil || len(two) <= len(vecSig) || two[len(two)-len(vecSig):] != vecSig || two[len(two)-len(vecSig)-1] != ' ' {
		t.Errorf("Sign with two secrets = %q, %v; want two space-separated signatures ending in the vector's", two, err)
	}
}

func TestVerifierAcceptsTheVectorAndRefusesTampering(t *testing.T) {
	t.Parallel()
	at := time.Unix(vecTS, 0)
	s, err := vecVerifier(t, at.Add(4*time.Minute), vecSecret).Verify(vecHeaders(), []byte(vecBody))
	if err != nil || s.ID != vecID || !s.Timestamp.Equal(at) {
		t.Fatalf("Verify(vector) = %+v, %v", s, err)
	}
	// During a rotation the receiver holds two secrets; a header with two signatures verifies.
	other, _ := webhook.NewSecret()
	if _, err := vecVerifier(t, at, other, vecSecret).Verify(vecHeaders(), []byte(vecBody)); err != nil {
		t.Errorf("Verify with the secret second: %v", err)
	}
	h := vecHeaders()
	h.Set(webhook.HeaderSignature, "v1,bm90IHRoaXMgb25l "+vecSig)
	if _, err := vecVerifier(t, at, vecSecret).Verify(h, []byte(vecBody)); err != nil {
		t.Errorf("Verify with the signature second of two: %v", err)
	}

	for _, tc := range []struct {
		name    string
		secret  string
		at      time.Time
		body    string
		headers func(http.Header)
	}{
		{"tampered body", vecSecret, at, `{"test": 2432232315}`, nil},
		{"wrong secret", "whsec_" + "MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSx", at, vecBody, nil},
		{"timestamp 6 minutes old", vecSecret, at.Add(6 * time.Minute), vecBody, nil},
		{"timestamp 6 minutes ahead", vecSecret, at.Add(-6 * time.Minute), vecBody, nil},
		{"missing id", vecSecret, at, vecBody, func(h http.Header) { h.Del(webhook.HeaderID) }},
		{"missing timestamp", vecSecret, at, vecBody, func(h http.Header) { h.Del(webhook.HeaderTimestamp) }},
		{"missing signature", vecSecret, at, vecBody, func(h http.Header) { h.Del(webhook.HeaderSignature) }},
		{"another id", vecSecret, at, vecBody, func(h http.Header) { h.Set(webhook.HeaderID, "msg_other") }},
		{"another timestamp", vecSecret, at, vecBody, func(h http.Header) { h.Set(webhook.HeaderTimestamp, "1614265331") }},
		{"timestamp not a number", vecSecret, at, vecBody, func(h http.Header) { h.Set(webhook.HeaderTimestamp, "1614265330.0") }},
		{"v2 signature only", vecSecret, at, vecBody, func(h http.Header) { h.Set(webhook.HeaderSignature, "v2"+vecSig[2:]) }},
		{"signature truncated", vecSecret, at, vecBody, func(h http.Header) { h.Set(webhook.HeaderSignature, vecSig[:len(vecSig)-2]) }},
	} {
		t.Run(tc.name, func(t *testing.T) {
			h := vecHeaders()
			if tc.headers != nil {
				tc.headers(h)
			}
			_, err := vecVerifier(t, tc.at, tc.secret).Verify(h, []byte(tc.body))
			if coach.ErrorCode(err) != coach.EUNAUTHORIZED {
				t.Errorf("Verify = %v, want unauthorized", err)
			}
		})
	}
}

func TestNewVerifierRefusesBadSecrets(t *testing.T) {
	t.Parallel()
	for _, s := range [][]string{nil, {""}, {"whsec_"}, {"MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"}, {"whsec_!!!"}} {
		if _, err := webhook.NewVerifier(webhook.VerifierConfig{Secrets: s}); coach.ErrorCode(err) != coach.EINVALID {
			t.Errorf("NewVerifier(%q) = %v, want invalid", s, err)
		}
	}
}

// FuzzParseHeaders: any header values parse without panicking, and whatever parses verifies only
// with a matching signature.
func FuzzParseHeaders(f *testing.F) {
	f.Add(vecID, "1614265330", vecSig, vecBody)
	f.Add("", "", "", "")
	f.Add("msg", "-1", "v1,", "{}")
	f.Add("msg", "99999999999999999999", "v1,a v1,b v2,c ,,, v1", "x")
	f.Add("m", "1614265330", "  v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=  ", vecBody)
	v, err := webhook.NewVerifier(webhook.VerifierConfig{Secrets: []string{vecSecret}, Clock: coach.NewManualClock(time.Unix(vecTS, 0))})
	if err != nil {
		f.Fatal(err)
	}
	f.Fuzz(func(t *testing.T, id, ts, sig, body string) {
		h := http.Header{}
		h.Set(webhook.HeaderID, id)
		h.Set(webhook.HeaderTimestamp, ts)
		h.Set(webhook.HeaderSignature, sig)
		s, err := webhook.ParseHeaders(h)
		if err != nil {
			if coach.ErrorCode(err) != coach.EUNAUTHORIZED {
				t.Fatalf("ParseHeaders: %v, want unauthorized", err)
			}
			return
		}
		if len(s.Signatures) == 0 || len(s.Signatures) > 8 || s.ID == "" {
			t.Fatalf("parsed %+v", s)
		}
		got, err := v.Verify(h, []byte(body))
		if err == nil {
			want, _ := webhook.Sign([]string{vecSecret}, got.ID, got.Timestamp, []byte(body))
			found := false
			for _, sg := range s.Signatures {
				found = found || "v1,"+sg == want
			}
			if !found {
				t.Fatalf("verified without the matching signature: %+v", s)
			}
		}
	})
}

// FuzzCheckURL: whatever URL is accepted outside the test mode is https, has a host, and a host
// written as an IP address is public.
func FuzzCheckURL(f *testing.F) {
	for _, s := range []string{"https://example.com/hook", "http://127.0.0.1:8080/", "https://[::1]/", "https://169.254.169.254/",
		"https://10.0.0.1:443/x?y#z", "https://user@example.com/", "https:///x", "HTTPS://EXAMPLE.COM", "https://[fe80::1%25eth0]/",
		"https://0x7f.0.0.1/", "https://localhost./", "//example.com"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, raw string) {
		u, err := webhook.CheckURL(raw, false)
		if err != nil {
			if c := coach.ErrorCode(err); c != coach.EINVALID && c != coach.EFORBIDDEN {
				t.Fatalf("CheckURL(%q): %v", raw, err)
			}
			return
		}
		if u.Scheme != "https" || u.Hostname() == "" || u.User != nil {
			t.Fatalf("CheckURL(%q) accepted %v", raw, u)
		}
		if ip, err := netip.ParseAddr(u.Hostname()); err == nil && webhook.Class(ip) != "" {
			t.Fatalf("CheckURL(%q) accepted a %s address", raw, webhook.Class(ip))
		}
	})
}
