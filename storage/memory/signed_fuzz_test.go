package memory_test

import (
	"context"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/tradecoach/coach"
	"github.com/tradecoach/coach/storage/memory"
)

// FuzzSignedBlobsLink feeds the link handler any path and query: it never panics, and it serves
// the blob only for the genuine link.
func FuzzSignedBlobsLink(f *testing.F) {
	clock := coach.NewManualClock(time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC))
	s, err := memory.NewSignedBlobs(nil, memory.SignedConfig{Key: linkKey, BaseURL: "http://blobs.test/b/", Clock: clock})
	if err != nil {
		f.Fatal(err)
	}
	const key = "users/u1/exports/e1.zip"
	if _, err := s.Put(context.Background(), key, strings.NewReader("PK"), "application/zip"); err != nil {
		f.Fatal(err)
	}
	genuine, err := s.PresignGet(context.Background(), key, time.Minute)
	if err != nil {
		f.Fatal(err)
	}
	target := strings.TrimPrefix(genuine, "http://blobs.test")
	f.Add(target)
	f.Add("/b/" + key + "?expires=1&sig=")
	f.Add("/b/../../etc/passwd?expires=99999999999&sig=AAAA")
	f.Fuzz(func(t *testing.T, target string) {
		if !strings.HasPrefix(target, "/") || strings.ContainsAny(target, " \r\n\t#") {
			return
		}
		req, err := http.NewRequest(http.MethodGet, "http://blobs.test"+target, nil)
		if err != nil {
			return
		}
		rec := httptest.NewRecorder()
		s.ServeHTTP(rec, req)
		if rec.Code == http.StatusOK && req.URL.Path != "/b/"+key {
			t.Fatalf("%s served %d", target, rec.Code)
		}
		if rec.Code == http.StatusOK && req.URL.Query().Get("sig") == "" {
			t.Fatalf("%s served without a signature", target)
		}
	})
}
