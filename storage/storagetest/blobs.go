package storagetest

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/tradecoach/coach"
	"github.com/tradecoach/coach/storage"
)

// RunBlobs checks the storage.Blobs contract against the adapter newBlobs makes, and the
// storage.BlobPresigner contract when the adapter implements it (the URL is fetched with
// net/http). Each subtest gets a fresh Blobs and keys under a random prefix, and runs in parallel.
func RunBlobs(t *testing.T, newBlobs func(t *testing.T) storage.Blobs) {
	ctx := context.Background()

	put := func(t *testing.T, b storage.Blobs, key, body, contentType string) storage.BlobInfo {
		t.Helper()
		info, err := b.Put(ctx, key, strings.NewReader(body), contentType)
		must(t, err, "Put "+key)
		return info
	}
	get := func(t *testing.T, b storage.Blobs, key string) (string, storage.BlobInfo) {
		t.Helper()
		rc, info, err := b.Get(ctx, key)
		must(t, err, "Get "+key)
		defer rc.Close()
		body, err := io.ReadAll(rc)
		must(t, err, "read "+key)
		return string(body), info
	}
	sum := func(s string) string { h := sha256.Sum256([]byte(s)); return hex.EncodeToString(h[:]) }
	// stable drops what a backend sets on its own (Modified), after checking it is set.
	stable := func(t *testing.T, info storage.BlobInfo) storage.BlobInfo {
		t.Helper()
		if info.Modified.IsZero() {
			t.Errorf("blob %s: Modified not set", info.Key)
		}
		info.Modified = time.Time{}
		return info
	}

	t.Run("PutThenGet", func(t *testing.T) {
		t.Parallel()
		b := newBlobs(t)
		key := randomKey(t) + "/snapshots/a.json"
		body := `{"candles":[1,2,3]}`
		want := storage.BlobInfo{Key: key, Size: int64(len(body)), SHA256: sum(body), ContentType: "application/json"}
		diff(t, "Put info", want, stable(t, put(t, b, key, body, "application/json")))
		got, info := get(t, b, key)
		if got != body {
			t.Errorf("Get body = %q, want %q", got, body)
		}
		diff(t, "Get info", want, stable(t, info))
	})

	t.Run("BinaryAndLargeBodies", func(t *testing.T) {
		t.Parallel()
		b := newBlobs(t)
		key := randomKey(t) + "/big.bin"
		pattern := make([]byte, 251) // a prime length, so the content does not repeat on 2ⁿ boundaries
		for i := range pattern {
			pattern[i] = byte(i * 7)
		}
		body := string(bytes.Repeat(pattern, 1<<20/len(pattern)+1))
		info := put(t, b, key, body, "application/octet-stream")
		if info.Size != int64(len(body)) || info.SHA256 != sum(body) {
			t.Errorf("Put info = size %d sha %s, want %d %s", info.Size, info.SHA256, len(body), sum(body))
		}
		if got, _ := get(t, b, key); got != body {
			t.Errorf("Get returned %d bytes differing from the %d put", len(got), len(body))
		}
	})

	t.Run("EmptyBody", func(t *testing.T) {
		t.Parallel()
		b := newBlobs(t)
		key := randomKey(t) + "/empty"
		info := put(t, b, key, "", "text/plain")
		if info.Size != 0 || info.SHA256 != sum("") {
			t.Errorf("Put info = %+v, want size 0 and the hash of nothing", info)
		}
		if got, _ := get(t, b, key); got != "" {
			t.Errorf("Get = %q, want empty", got)
		}
	})

	t.Run("PutReplaces", func(t *testing.T) {
		t.Parallel()
		b := newBlobs(t)
		key := randomKey(t) + "/r.txt"
		put(t, b, key, "first", "text/plain")
		put(t, b, key, "second version", "text/csv")
		got, info := get(t, b, key)
		if got != "second version" {
			t.Errorf("Get = %q, want the second version", got)
		}
		diff(t, "Get info", storage.BlobInfo{Key: key, Size: 14, SHA256: sum("second version"), ContentType: "text/csv"}, stable(t, info))
	})

	t.Run("GetAbsentIsNotFound", func(t *testing.T) {
		t.Parallel()
		b := newBlobs(t)
		_, _, err := b.Get(ctx, randomKey(t)+"/nothing")
		wantCode(t, err, coach.ENOTFOUND, "Get absent")
	})

	t.Run("Delete", func(t *testing.T) {
		t.Parallel()
		b := newBlobs(t)
		key := randomKey(t) + "/d.txt"
		put(t, b, key, "x", "text/plain")
		must(t, b.Delete(ctx, key), "Delete")
		_, _, err := b.Get(ctx, key)
		wantCode(t, err, coach.ENOTFOUND, "Get deleted")
		must(t, b.Delete(ctx, key), "Delete again")
	})

	t.Run("ListByPrefixInKeyOrder", func(t *testing.T) {
		t.Parallel()
		b := newBlobs(t)
		p := randomKey(t)
		for _, k := range []string{"exports/u2/b.zip", "exports/u1/z.zip", "exports/u1/a.zip", "exports/u10/c.zip", "snapshots/x.json"} {
			put(t, b, p+"/"+k, k, "application/octet-stream")
		}
		keys := func(prefix string) []string {
			infos, err := b.List(ctx, prefix)
			must(t, err, "List "+prefix)
			var ks []string
			for _, in := range infos {
				if in.Size != int64(len(strings.TrimPrefix(in.Key, p+"/"))) || in.SHA256 == "" {
					t.Errorf("List %s: info %+v: wrong size or no hash", prefix, in)
				}
				ks = append(ks, strings.TrimPrefix(in.Key, p+"/"))
			}
			return ks
		}
		diff(t, "List exports/u1", []string{"exports/u1/a.zip", "exports/u1/z.zip", "exports/u10/c.zip"}, keys(p+"/exports/u1"))
		diff(t, "List exports/u1/", []string{"exports/u1/a.zip", "exports/u1/z.zip"}, keys(p+"/exports/u1/"))
		diff(t, "List all", []string{"exports/u1/a.zip", "exports/u1/z.zip", "exports/u10/c.zip", "exports/u2/b.zip", "snapshots/x.json"}, keys(p+"/"))
		diff(t, "List nothing", []string(nil), keys(p+"/nope"))
	})

	t.Run("InvalidKeys", func(t *testing.T) {
		t.Parallel()
		b := newBlobs(t)
		p := randomKey(t)
		for _, key := range []string{"", "/abs", p + "/", p + "/../x", p + "//x", p + "/./x", p + "/a b", p + "/ü", strings.Repeat("a", 513)} {
			_, err := b.Put(ctx, key, strings.NewReader("x"), "text/plain")
			wantCode(t, err, coach.EINVALID, "Put "+key)
			_, _, err = b.Get(ctx, key)
			wantCode(t, err, coach.EINVALID, "Get "+key)
			wantCode(t, b.Delete(ctx, key), coach.EINVALID, "Delete "+key)
		}
	})

	t.Run("PresignGet", func(t *testing.T) {
		t.Parallel()
		b := newBlobs(t)
		ps, ok := b.(storage.BlobPresigner)
		if !ok {
			t.Skip("the adapter's Blobs is not a storage.BlobPresigner")
		}
		key := randomKey(t) + "/exports/e.csv"
		body := "ts,symbol\n2026-01-01,BTC-USDT\n"
		put(t, b, key, body, "text/csv")
		url, err := ps.PresignGet(ctx, key, time.Minute)
		must(t, err, "PresignGet")
		req, err := http.NewRequestWithContext(ctx, http.MethodGet, url, nil)
		must(t, err, "NewRequest")
		resp, err := http.DefaultClient.Do(req)
		must(t, err, "GET presigned URL")
		defer resp.Body.Close()
		got, err := io.ReadAll(resp.Body)
		must(t, err, "read presigned body")
		if resp.StatusCode != http.StatusOK || string(got) != body {
			t.Errorf("GET presigned URL: %d %q, want 200 %q", resp.StatusCode, got, body)
		}
	})
}
