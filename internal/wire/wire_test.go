package wire_test

import (
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/shopspring/decimal"

	"github.com/tradecoach/coach/internal/wire"
)

func TestSafeTextAndClip(t *testing.T) {
	t.Parallel()
	if got := wire.SafeText("bad key sekret1\x00\n", []string{"sekret1", "ab"}); got != "bad key [redacted]" {
		t.Errorf("SafeText = %q", got)
	}
	long := strings.Repeat("é", 150)
	if got := wire.SafeText(long, nil); !utf8.ValidString(got) || len(got) > 200+len("…") || !strings.HasSuffix(got, "…") {
		t.Errorf("SafeText(long) = %q", got)
	}
	if got := wire.Clip(strings.Repeat("x", 100)); got != strings.Repeat("x", 64)+"…" {
		t.Errorf("Clip(100 x) = %q", got)
	}
	if got := wire.Clip("ok"); got != "ok" {
		t.Errorf("Clip(ok) = %q", got)
	}
}

func TestAmount(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		in     string
		want   string
		wantOK bool
	}{
		{"1.5", "1.5", true}, {"-0.00000001", "-0.00000001", true}, {"", "", false}, {"abc", "", false},
		{"1e999999999", "", false}, {"1e-31", "", false}, {strings.Repeat("9", 39), "", false},
		{strings.Repeat("1", 65), "", false},
	} {
		got, ok := wire.Amount(tc.in)
		if ok != tc.wantOK || ok && !got.Equal(decimal.RequireFromString(tc.want)) {
			t.Errorf("Amount(%q) = %v, %v; want %s, %v", tc.in, got, ok, tc.want, tc.wantOK)
		}
	}
}

func FuzzAmount(f *testing.F) {
	for _, s := range []string{"1", "0.1", "1e30", "1e999999999", "-3.25", ""} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		d, ok := wire.Amount(s)
		if !ok {
			return
		}
		if len(s) > 64 || d.Exponent() < -30 || d.Exponent() > 30 || d.NumDigits() > 38 {
			t.Fatalf("Amount(%q) accepted %v", s, d)
		}
	})
}

func TestReadAnswer(t *testing.T) {
	t.Parallel()
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Retry-After", "2")
		w.WriteHeader(http.StatusTeapot)
		_, _ = w.Write([]byte(r.URL.Query().Get("body")))
	}))
	defer srv.Close()
	for _, tc := range []struct {
		body string
		want []byte
	}{{"0123456789", []byte("0123456789")}, {"0123456789a", nil}} {
		req, _ := http.NewRequest(http.MethodGet, srv.URL+"?body="+tc.body, nil)
		status, h, body, err := wire.ReadAnswer(srv.Client(), req, 10)
		if err != nil || status != http.StatusTeapot || h.Get("Retry-After") != "2" || string(body) != string(tc.want) || (body == nil) != (tc.want == nil) {
			t.Errorf("ReadAnswer(%q) = %d, %v, %q, %v", tc.body, status, h, body, err)
		}
	}
	req, _ := http.NewRequest(http.MethodGet, "http://127.0.0.1:1/", nil)
	if _, _, _, err := wire.ReadAnswer(srv.Client(), req, 10); err == nil {
		t.Error("ReadAnswer to a closed port: no error")
	}
}
