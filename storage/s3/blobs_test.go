package s3_test

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	awss3 "github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/google/go-cmp/cmp"

	"github.com/tradecoach/coach"
	"github.com/tradecoach/coach/storage"
	"github.com/tradecoach/coach/storage/s3"
	"github.com/tradecoach/coach/storage/s3/s3test"
)

// open returns Blobs on a fresh fake server with cfg's changes, and the server's endpoint.
func open(t *testing.T, change func(*s3.Config)) (*s3.Blobs, string) {
	t.Helper()
	endpoint := s3test.Server(t)
	cfg := s3test.Config(endpoint)
	if change != nil {
		change(&cfg)
	}
	b, err := s3.Open(t.Context(), cfg)
	if err != nil {
		t.Fatal(err)
	}
	return b, endpoint
}

// rawClient returns an SDK client of the fake server, to look behind the adapter's back.
func rawClient(endpoint string) *awss3.Client {
	return awss3.New(awss3.Options{
		Region:       s3.DefaultRegion,
		BaseEndpoint: aws.String(endpoint),
		UsePathStyle: true,
		Credentials:  credentials.NewStaticCredentialsProvider("k", "s", ""),
	})
}

func sum(b []byte) string { h := sha256.Sum256(b); return hex.EncodeToString(h[:]) }

func TestPutStoresHashAsMetadata(t *testing.T) {
	t.Parallel()
	b, endpoint := open(t, nil)
	body := []byte(`{"candles":[]}`)
	if _, err := b.Put(t.Context(), "snapshots/a.json", bytes.NewReader(body), "application/json"); err != nil {
		t.Fatal(err)
	}
	out, err := rawClient(endpoint).HeadObject(t.Context(), &awss3.HeadObjectInput{Bucket: aws.String(s3test.Bucket), Key: aws.String("snapshots/a.json")})
	if err != nil {
		t.Fatal(err)
	}
	if got := out.Metadata["sha256"]; got != sum(body) {
		t.Errorf("x-amz-meta-sha256 = %q, want %q", got, sum(body))
	}
	// gofakes3 keeps the request's x-amz-* headers: the upload carried its checksum for the
	// server to verify.
	h := sha256.Sum256(body)
	if got, want := aws.ToString(out.ChecksumSHA256), base64.StdEncoding.EncodeToString(h[:]); got != want {
		t.Errorf("x-amz-checksum-sha256 = %q, want %q", got, want)
	}
}

func TestGetChecksContentAgainstStoredHash(t *testing.T) {
	t.Parallel()
	b, endpoint := open(t, nil)
	raw := rawClient(endpoint)
	put := func(key string, meta map[string]string) {
		t.Helper()
		_, err := raw.PutObject(t.Context(), &awss3.PutObjectInput{
			Bucket: aws.String(s3test.Bucket), Key: aws.String(key), Body: strings.NewReader("payload"), Metadata: meta,
		})
		if err != nil {
			t.Fatal(err)
		}
	}
	put("corrupt", map[string]string{"sha256": sum([]byte("something else"))})
	put("foreign", nil) // written by another tool: no hash to check

	rc, _, err := b.Get(t.Context(), "corrupt")
	if err != nil {
		t.Fatal(err)
	}
	_, err = io.ReadAll(rc)
	rc.Close()
	if coach.ErrorCode(err) != coach.EINTERNAL || !strings.Contains(fmt.Sprint(err), "differs") {
		t.Errorf("reading a blob whose content does not match its hash: %v, want an internal error", err)
	}

	rc, info, err := b.Get(t.Context(), "foreign")
	if err != nil {
		t.Fatal(err)
	}
	got, err := io.ReadAll(rc)
	rc.Close()
	if err != nil || string(got) != "payload" || info.SHA256 != "" {
		t.Errorf("foreign blob: %q %v sha %q, want the payload and no hash", got, err, info.SHA256)
	}
}

func TestListPaginates(t *testing.T) {
	t.Parallel()
	b, _ := open(t, func(c *s3.Config) { c.ListPageSize = 3 })
	var want []string
	for i := range 10 {
		key := fmt.Sprintf("exports/u1/%02d.csv", i)
		want = append(want, key)
		if _, err := b.Put(t.Context(), key, strings.NewReader(key), "text/csv"); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := b.Put(t.Context(), "exports/u2/x.csv", strings.NewReader("x"), "text/csv"); err != nil {
		t.Fatal(err)
	}
	infos, err := b.List(t.Context(), "exports/u1/")
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, in := range infos {
		got = append(got, in.Key)
		if in.SHA256 != sum([]byte(in.Key)) || in.ContentType != "text/csv" || in.Size != int64(len(in.Key)) {
			t.Errorf("List info %+v: wrong hash, type or size", in)
		}
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("List over 4 pages (-want +got):\n%s", diff)
	}
}

func TestInvalidInput(t *testing.T) {
	t.Parallel()
	b, _ := open(t, nil)
	ctx := t.Context()
	_, errType := b.Put(ctx, "a.txt", strings.NewReader("x"), "text/plain\r\nX-Evil: 1")
	_, errList := b.List(ctx, "a//")
	_, errListDot := b.List(ctx, "../")
	_, errTTL := b.PresignGet(ctx, "a.txt", 0)
	_, errKey := b.PresignGet(ctx, "../a.txt", time.Minute)
	for name, err := range map[string]error{
		"Put content type":   errType,
		"List a//":           errList,
		"List ../":           errListDot,
		"PresignGet ttl 0":   errTTL,
		"PresignGet bad key": errKey,
	} {
		if coach.ErrorCode(err) != coach.EINVALID {
			t.Errorf("%s: %v, want EINVALID", name, err)
		}
	}
}

func TestDefaultContentType(t *testing.T) {
	t.Parallel()
	b, _ := open(t, nil)
	if _, err := b.Put(t.Context(), "a.bin", strings.NewReader("x"), ""); err != nil {
		t.Fatal(err)
	}
	rc, info, err := b.Get(t.Context(), "a.bin")
	if err != nil {
		t.Fatal(err)
	}
	rc.Close()
	if info.ContentType != "application/octet-stream" {
		t.Errorf("ContentType = %q, want application/octet-stream", info.ContentType)
	}
}

func TestMaxBlobSize(t *testing.T) {
	t.Parallel()
	b, _ := open(t, func(c *s3.Config) { c.MaxBlobSize = 10 })
	if _, err := b.Put(t.Context(), "ok", strings.NewReader("0123456789"), "text/plain"); err != nil {
		t.Errorf("Put of exactly MaxBlobSize: %v", err)
	}
	_, err := b.Put(t.Context(), "big", strings.NewReader("0123456789A"), "text/plain")
	if coach.ErrorCode(err) != coach.EINVALID {
		t.Errorf("Put over MaxBlobSize: %v, want EINVALID", err)
	}
	if _, _, err := b.Get(t.Context(), "big"); coach.ErrorCode(err) != coach.ENOTFOUND {
		t.Errorf("Get of the rejected blob: %v, want ENOTFOUND", err)
	}
}

func TestPresignGet(t *testing.T) {
	t.Parallel()
	b, endpoint := open(t, func(c *s3.Config) { c.MaxPresignTTL = 5 * time.Minute })
	ctx := t.Context()
	if _, err := b.Put(ctx, "exports/u1/e.csv", strings.NewReader("a,b\n"), "text/csv"); err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		ttl  time.Duration
		want string
	}{
		{time.Minute, "60"},
		{time.Hour, "300"}, // capped at MaxPresignTTL
		{time.Millisecond, "1"},
	} {
		raw, err := b.PresignGet(ctx, "exports/u1/e.csv", tc.ttl)
		if err != nil {
			t.Fatal(err)
		}
		u, err := url.Parse(raw)
		if err != nil {
			t.Fatal(err)
		}
		if got := u.Query().Get("X-Amz-Expires"); got != tc.want {
			t.Errorf("ttl %s: X-Amz-Expires = %s, want %s", tc.ttl, got, tc.want)
		}
		if !strings.HasPrefix(raw, endpoint+"/"+s3test.Bucket+"/exports/u1/e.csv?") || u.Query().Get("X-Amz-Signature") == "" {
			t.Errorf("presigned URL %s: want a signed path-style URL on %s", raw, endpoint)
		}
	}

	// An absent key presigns fine and answers 404.
	raw, err := b.PresignGet(ctx, "exports/u1/absent.csv", time.Minute)
	if err != nil {
		t.Fatal(err)
	}
	resp, err := http.Get(raw)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusNotFound {
		t.Errorf("GET presigned URL of an absent blob: %d, want 404", resp.StatusCode)
	}
}

func TestPresignEndpoint(t *testing.T) {
	t.Parallel()
	b, _ := open(t, func(c *s3.Config) { c.PresignEndpoint = "https://files.example.com" })
	raw, err := b.PresignGet(t.Context(), "a.txt", time.Minute)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(raw, "https://files.example.com/"+s3test.Bucket+"/a.txt?") {
		t.Errorf("presigned URL %s does not use PresignEndpoint", raw)
	}
}

func TestOpenMissingBucketIsNotFound(t *testing.T) {
	t.Parallel()
	cfg := s3test.Config(s3test.Server(t))
	cfg.CreateBucket = false
	if _, err := s3.Open(t.Context(), cfg); coach.ErrorCode(err) != coach.ENOTFOUND {
		t.Errorf("Open without the bucket: %v, want ENOTFOUND", err)
	}
	cfg.CreateBucket = true
	if _, err := s3.Open(t.Context(), cfg); err != nil {
		t.Fatalf("Open creating the bucket: %v", err)
	}
	if _, err := s3.Open(t.Context(), cfg); err != nil {
		t.Errorf("Open of an existing bucket with CreateBucket: %v", err)
	}
	cfg.CreateBucket = false
	if _, err := s3.Open(t.Context(), cfg); err != nil {
		t.Errorf("Open of an existing bucket: %v", err)
	}
}

func TestUnreachableServerIsUnavailable(t *testing.T) {
	t.Parallel()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	endpoint := "http://" + l.Addr().String()
	l.Close()
	ctx, cancel := context.WithTimeout(t.Context(), 30*time.Second)
	defer cancel()
	_, err = s3.Open(ctx, s3test.Config(endpoint))
	if coach.ErrorCode(err) != coach.EUNAVAILABLE {
		t.Errorf("Open of a dead endpoint: %v, want EUNAVAILABLE", err)
	}
	if strings.Contains(coach.ErrorMessage(err), l.Addr().String()) {
		t.Errorf("message %q leaks the endpoint", coach.ErrorMessage(err))
	}
}

func TestConfigValidate(t *testing.T) {
	t.Parallel()
	ok := s3.Config{Bucket: "coach-blobs"}
	for _, tc := range []struct {
		name   string
		change func(*s3.Config)
		want   coach.Code
	}{
		{"minimal", func(*s3.Config) {}, ""},
		{"minio", func(c *s3.Config) {
			c.Endpoint, c.AccessKey, c.SecretKey, c.PathStyle = "http://127.0.0.1:9000", "a", "s", true
		}, ""},
		{"no bucket", func(c *s3.Config) { c.Bucket = "" }, coach.EINVALID},
		{"upper-case bucket", func(c *s3.Config) { c.Bucket = "Coach" }, coach.EINVALID},
		{"bucket with ..", func(c *s3.Config) { c.Bucket = "a..b" }, coach.EINVALID},
		{"short bucket", func(c *s3.Config) { c.Bucket = "ab" }, coach.EINVALID},
		{"endpoint without scheme", func(c *s3.Config) { c.Endpoint = "127.0.0.1:9000" }, coach.EINVALID},
		{"presign endpoint ftp", func(c *s3.Config) { c.PresignEndpoint = "ftp://x" }, coach.EINVALID},
		{"access key alone", func(c *s3.Config) { c.AccessKey = "a" }, coach.EINVALID},
		{"negative presign ttl", func(c *s3.Config) { c.MaxPresignTTL = -time.Second }, coach.EINVALID},
		{"presign ttl over 7 days", func(c *s3.Config) { c.MaxPresignTTL = 8 * 24 * time.Hour }, coach.EINVALID},
		{"blob size over 5 GiB", func(c *s3.Config) { c.MaxBlobSize = 6 << 30 }, coach.EINVALID},
		{"page size over 1000", func(c *s3.Config) { c.ListPageSize = 1001 }, coach.EINVALID},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			cfg := ok
			tc.change(&cfg)
			if got := coach.ErrorCode(cfg.Validate()); got != tc.want {
				t.Errorf("Validate() code %q (%v), want %q", got, cfg.Validate(), tc.want)
			}
		})
	}
}

// FuzzPutGetRoundTrip puts arbitrary keys and bodies through the adapter and the fake server:
// an invalid key is EINVALID and stores nothing; a valid one reads back byte for byte, with its
// hash, and is listed.
func FuzzPutGetRoundTrip(f *testing.F) {
	f.Add("snapshots/a.json", []byte(`{"x":1}`))
	f.Add("exports/u1/e.zip", []byte{0, 1, 2, 0xff})
	f.Add("a", []byte{})
	f.Add("a/../b", []byte("x"))
	f.Add("-._/x", []byte("x"))
	f.Add("a b", []byte("x"))
	b := s3test.MustOpen(f)
	f.Fuzz(func(t *testing.T, key string, body []byte) {
		ctx := t.Context()
		info, err := b.Put(ctx, key, bytes.NewReader(body), "application/octet-stream")
		if !storage.ValidBlobKey(key) {
			if coach.ErrorCode(err) != coach.EINVALID {
				t.Fatalf("Put %q: %v, want EINVALID", key, err)
			}
			return
		}
		if err != nil {
			t.Fatalf("Put %q: %v", key, err)
		}
		if info.SHA256 != sum(body) || info.Size != int64(len(body)) {
			t.Fatalf("Put info %+v", info)
		}
		rc, got, err := b.Get(ctx, key)
		if err != nil {
			t.Fatalf("Get %q: %v", key, err)
		}
		data, err := io.ReadAll(rc)
		rc.Close()
		if err != nil || !bytes.Equal(data, body) || got.SHA256 != info.SHA256 {
			t.Fatalf("Get %q: %d bytes, %v, sha %s; want the %d bytes put", key, len(data), err, got.SHA256, len(body))
		}
		infos, err := b.List(ctx, key)
		if err != nil || len(infos) == 0 || infos[0].Key != key {
			t.Fatalf("List %q: %+v %v", key, infos, err)
		}
	})
}

func TestPutBodyLargerThanMemorySpool(t *testing.T) {
	t.Parallel()
	if testing.Short() {
		t.Skip("uploads 9.6 MB")
	}
	b, _ := open(t, nil)
	body := bytes.Repeat([]byte("0123456789abcdef"), 600_000) // 9.6 MB: spooled through a file
	info, err := b.Put(t.Context(), "exports/u1/big.bin", io.MultiReader(bytes.NewReader(body)), "application/octet-stream")
	if err != nil {
		t.Fatal(err)
	}
	if info.Size != int64(len(body)) || info.SHA256 != sum(body) {
		t.Errorf("Put info %+v, want %d bytes with hash %s", info, len(body), sum(body))
	}
	rc, _, err := b.Get(t.Context(), "exports/u1/big.bin")
	if err != nil {
		t.Fatal(err)
	}
	defer rc.Close()
	got, err := io.ReadAll(rc)
	if err != nil || !bytes.Equal(got, body) {
		t.Errorf("Get: %d bytes, %v; want the %d put", len(got), err, len(body))
	}
}
