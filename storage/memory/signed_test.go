package memory_test

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/tradecoach/coach"
	"github.com/tradecoach/coach/storage"
	"github.com/tradecoach/coach/storage/memory"
	"github.com/tradecoach/coach/storage/storagetest"
)

var linkKey = []byte("0123456789abcdef0123456789abcdef")

func TestSignedBlobsConformance(t *testing.T) {
	storagetest.RunBlobs(t, func(t *testing.T) storage.Blobs {
		s, _, _ := signedServer(t)
		return s
	})
}

// signedServer serves SignedBlobs at /blobs/ on a test server and returns them with the clock.
func signedServer(t *testing.T) (*memory.SignedBlobs, *coach.ManualClock, *http.Client) {
	t.Helper()
	clock := coach.NewManualClock(time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC))
	mux := http.NewServeMux()
	srv := httptest.NewServer(mux)
	t.Cleanup(srv.Close)
	s, err := memory.NewSignedBlobs(memory.NewBlobs(), memory.SignedConfig{Key: linkKey, BaseURL: srv.URL + "/blobs/", Clock: clock})
	if err != nil {
		t.Fatal(err)
	}
	mux.Handle("/blobs/", s)
	return s, clock, srv.Client()
}

func get(t *testing.T, c *http.Client, method, link string) (int, string) {
	t.Helper()
	req, err := http.NewRequest(method, link, nil)
	if err != nil {
		t.Fatal(err)
	}
	resp, err := c.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	return resp.StatusCode, string(b)
}

func TestSignedBlobsLinks(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	s, clock, c := signedServer(t)
	const key = "users/u1/exports/e1.zip"
	if _, err := s.Put(ctx, key, strings.NewReader("PK archive"), "application/zip"); err != nil {
		t.Fatal(err)
	}
	if _, err := s.Put(ctx, "users/u2/exports/e2.zip", strings.NewReader("someone else's"), "application/zip"); err != nil {
		t.Fatal(err)
	}
	link, err := s.PresignGet(ctx, key, 5*time.Minute)
	if err != nil {
		t.Fatal(err)
	}
	if status, body := get(t, c, http.MethodGet, link); status != http.StatusOK || body != "PK archive" {
		t.Fatalf("GET a fresh link: %d %q, want 200 with the blob", status, body)
	}

	u, _ := url.Parse(link)
	tamper := func(f func(u *url.URL)) string {
		v := *u
		f(&v)
		return v.String()
	}
	for name, l := range map[string]string{
		"another key": tamper(func(v *url.URL) { v.Path = strings.Replace(v.Path, "u1/exports/e1", "u2/exports/e2", 1) }),
		"later expiry": tamper(func(v *url.URL) {
			q := v.Query()
			q.Set("expires", "9999999999")
			v.RawQuery = q.Encode()
		}),
		"other signature": tamper(func(v *url.URL) {
			q := v.Query()
			q.Set("sig", "AAAA"+q.Get("sig")[4:])
			v.RawQuery = q.Encode()
		}),
		"no signature":      tamper(func(v *url.URL) { v.RawQuery = "expires=" + v.Query().Get("expires") }),
		"outside the mount": tamper(func(v *url.URL) { v.Path = "/elsewhere/" + key }),
	} {
		status, body := get(t, c, http.MethodGet, l)
		if name == "outside the mount" {
			if status != http.StatusNotFound {
				t.Errorf("%s: %d, want 404 from the mux", name, status)
			}
			continue
		}
		var e coach.ErrorPayload
		if status != http.StatusForbidden || json.Unmarshal([]byte(body), &e) != nil || e.Code != string(coach.EFORBIDDEN) {
			t.Errorf("%s: %d %s, want 403 with a forbidden JSON error", name, status, body)
		}
		if strings.Contains(body, "someone else") {
			t.Errorf("%s: served another blob", name)
		}
	}
	if status, _ := get(t, c, http.MethodPost, link); status != http.StatusMethodNotAllowed {
		t.Errorf("POST: %d, want 405", status)
	}
	if status, body := get(t, c, http.MethodHead, link); status != http.StatusOK || body != "" {
		t.Errorf("HEAD: %d %q, want 200 without a body", status, body)
	}

	// Past its expiry the genuine link is gone; a ttl past MaxTTL is cut to it.
	clock.Advance(5 * time.Minute)
	status, body := get(t, c, http.MethodGet, link)
	var e coach.ErrorPayload
	if status != http.StatusGone || json.Unmarshal([]byte(body), &e) != nil || e.Code != string(coach.EGONE) {
		t.Errorf("GET an expired link: %d %s, want 410 with a gone JSON error", status, body)
	}
	long, err := s.PresignGet(ctx, key, 24*time.Hour)
	if err != nil {
		t.Fatal(err)
	}
	clock.Advance(15*time.Minute + time.Second)
	if status, _ := get(t, c, http.MethodGet, long); status != http.StatusGone {
		t.Errorf("a 24h link after 15 minutes: %d, want 410 (cut to MaxTTL)", status)
	}

	// A link to a deleted blob is 404.
	fresh, err := s.PresignGet(ctx, key, time.Minute)
	if err != nil {
		t.Fatal(err)
	}
	if err := s.Delete(ctx, key); err != nil {
		t.Fatal(err)
	}
	if status, _ := get(t, c, http.MethodGet, fresh); status != http.StatusNotFound {
		t.Errorf("GET a deleted blob: %d, want 404", status)
	}
	_, err = s.PresignGet(ctx, "../etc/passwd", time.Minute)
	if coach.ErrorCode(err) != coach.EINVALID {
		t.Errorf("PresignGet of a bad key: %v, want invalid", err)
	}
}

func TestNewSignedBlobsRefuses(t *testing.T) {
	t.Parallel()
	for name, cfg := range map[string]memory.SignedConfig{
		"short key":       {Key: []byte("short"), BaseURL: "https://x.example/blobs/"},
		"relative base":   {Key: linkKey, BaseURL: "/blobs/"},
		"base without /":  {Key: linkKey, BaseURL: "https://x.example/blobs"},
		"base with query": {Key: linkKey, BaseURL: "https://x.example/blobs/?a=1"},
		"negative ttl":    {Key: linkKey, BaseURL: "https://x.example/blobs/", MaxTTL: -time.Second},
	} {
		if _, err := memory.NewSignedBlobs(nil, cfg); coach.ErrorCode(err) != coach.EINVALID {
			t.Errorf("%s: %v, want invalid", name, err)
		}
	}
}
