package s3_test

import (
	"context"
	"fmt"
	"io"
	"net/http/httptest"
	"strings"

	"github.com/johannesboyne/gofakes3"
	"github.com/johannesboyne/gofakes3/backend/s3mem"

	"github.com/tradecoach/coach/storage/s3"
)

// Blobs on any S3 endpoint; here an in-process S3-compatible server (what s3test gives tests).
func Example() {
	ctx := context.Background()
	srv := httptest.NewServer(gofakes3.New(s3mem.New(), gofakes3.WithLogger(gofakes3.DiscardLog())).Server())
	defer srv.Close()

	blobs, err := s3.Open(ctx, s3.Config{Endpoint: srv.URL, Bucket: "reports", PathStyle: true, CreateBucket: true,
		AccessKey: "access-key", SecretKey: "secret-key"}) // in production: the SDK's default credentials
	if err != nil {
		panic(err)
	}
	info, err := blobs.Put(ctx, "digests/trader-1/2024-W10.html", strings.NewReader("<h1>Your week</h1>"), "text/html")
	fmt.Println(info.Key, info.Size, info.SHA256[:12], err)

	body, _, err := blobs.Get(ctx, "digests/trader-1/2024-W10.html")
	if err != nil {
		panic(err)
	}
	defer body.Close()
	b, err := io.ReadAll(body) // verified against the SHA-256 as it is read
	fmt.Println(string(b), err)
	// Output:
	// digests/trader-1/2024-W10.html 18 395b7c6950b3 <nil>
	// <h1>Your week</h1> <nil>
}
