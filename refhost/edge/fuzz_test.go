package edge_test

import (
	"encoding/base64"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/tradecoach/coach"
	"github.com/tradecoach/coach/refhost/edge"
	"github.com/tradecoach/coach/storage/memory"
	"github.com/tradecoach/coach/transport/httpjson"
	transportmemory "github.com/tradecoach/coach/transport/memory"
)

// FuzzDecodeAuth decodes arbitrary bodies into every /auth/ DTO: never a panic, an error is
// always EINVALID, and a body accepted satisfies the DTO's rules.
func FuzzDecodeAuth(f *testing.F) {
	for _, s := range []string{`{"email":"a@example.com","password":"long enough password"}`, `{"email":"a@example.com"}`,
		`{"token":"x","password":"long enough password"}`, `{"currentPassword":"a","newPassword":"long enough password"}`,
		`{"email":"a@example.com","email":"b@example.com"}`, `[]`, `{"Email":1}`, `{"token":"` + strings.Repeat("A", 43) + `"}`} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, body []byte) {
		for _, v := range []interface{ Validate() error }{&edge.Credentials{}, &edge.PasswordChange{}, &edge.ResetRequest{},
			&edge.ResetConfirm{}, &edge.SignupConfirm{}} {
			err := httpjson.DecodeBytes(body, v)
			if err != nil {
				if coach.ErrorCode(err) != coach.EINVALID {
					t.Fatalf("%T: %v is not invalid", v, err)
				}
				continue
			}
			if err := v.Validate(); err != nil {
				t.Fatalf("%T accepted but invalid: %v", v, err)
			}
		}
	})
}

// FuzzParseToken: only 43 characters of base64url that decode to 32 bytes are tokens, and every
// token re-encodes to itself.
func FuzzParseToken(f *testing.F) {
	for _, s := range []string{strings.Repeat("A", 43), strings.Repeat("A", 42) + "B", strings.Repeat("_", 43), "", "x", strings.Repeat("A", 44)} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		if !edge.ParseToken(s) {
			return
		}
		b, err := base64.RawURLEncoding.DecodeString(s)
		if err != nil || len(b) != 32 || base64.RawURLEncoding.EncodeToString(b) != s {
			t.Fatalf("%q accepted: %v %d", s, err, len(b))
		}
	})
}

// FuzzParseResetToken: a token that parses names a valid id, and one that does not is EINVALID.
func FuzzParseResetToken(f *testing.F) {
	f.Add("cmxd1qqp91k5oao2frb56knuo.1796000000." + strings.Repeat("A", 43))
	f.Add("a.b.c")
	f.Add("..")
	f.Fuzz(func(t *testing.T, s string) {
		c, err := edge.ParseResetToken(s)
		if err != nil {
			if coach.ErrorCode(err) != coach.EINVALID {
				t.Fatalf("%q: %v", s, err)
			}
			return
		}
		if !coach.ValidID(c.UserID) || len(c.MAC) != 32 || c.Expires.IsZero() {
			t.Fatalf("%q parsed to %+v", s, c)
		}
	})
}

// FuzzParsePHC: a hash that parses has parameters within bounds.
func FuzzParsePHC(f *testing.F) {
	f.Add("$argon2id$v=19$m=19456,t=2,p=1$c2FsdHNhbHRzYWx0$aGFzaGhhc2hoYXNoaGFzaGhhc2hoYXNoaGFzaGhhc2g")
	f.Add("$argon2id$v=19$m=4294967295,t=2,p=1$c2FsdHNhbHQ$aGFzaGhhc2hoYXNoaGFzaA")
	f.Add("$argon2i$v=19$m=1,t=1,p=1$$")
	f.Fuzz(func(t *testing.T, s string) {
		p, salt, key, err := edge.ParsePHC(s)
		if err != nil {
			return
		}
		if p.Validate() != nil || len(salt) < 8 || len(key) < 16 {
			t.Fatalf("%q parsed to %+v", s, p)
		}
	})
}

// FuzzCSRF sends unsafe requests with arbitrary cookies, CSRF tokens and form bodies to an edge
// whose core is unreachable: never a panic, never an answer that let the request through (only
// 400, 403 or 503), and always the security headers.
func FuzzCSRF(f *testing.F) {
	clock := coach.SystemClock{}
	e, err := edge.New(edge.Config{CoreURL: "http://127.0.0.1:1", Key: internalKey, Secret: edgeSecret, PublicURL: "https://coach.example",
		Cache: memory.NewCache(clock), Idempotency: memory.NewIdempotency(clock), Limiter: memory.NewRateLimiter(clock),
		Bus: transportmemory.NewBus(0), Mailer: &transportmemory.Mailbox{}, Password: fastPassword, Limits: roomy})
	if err != nil {
		f.Fatal(err)
	}
	f.Add("__Host-session="+strings.Repeat("A", 43), strings.Repeat("A", 43), "csrf_token=x", "https://coach.example")
	f.Add("__Host-csrf="+strings.Repeat("B", 43), strings.Repeat("B", 43), "", "")
	f.Add("a=b; __Host-csrf=;;", "", "csrf_token="+strings.Repeat("C", 43)+"&idempotency_key=1", "null")
	f.Fuzz(func(t *testing.T, cookie, token, form, origin string) {
		r := httptest.NewRequest("POST", "/rules", strings.NewReader(form))
		r.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		r.Header.Set("Cookie", cookie)
		r.Header.Set("X-CSRF-Token", token)
		if origin != "" {
			r.Header.Set("Origin", origin)
		}
		w := httptest.NewRecorder()
		e.ServeHTTP(w, r)
		switch w.Code {
		case http.StatusBadRequest, http.StatusForbidden, http.StatusServiceUnavailable:
		default:
			t.Fatalf("cookie %q token %q form %q: %d %s", cookie, token, form, w.Code, w.Body)
		}
		if w.Header().Get("Content-Security-Policy") != edge.CSP {
			t.Fatal("no CSP")
		}
	})
}
