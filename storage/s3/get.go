package s3

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"hash"
	"io"

	"github.com/aws/aws-sdk-go-v2/aws"
	awss3 "github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/pkg/errors"

	"github.com/tradecoach/coach/storage"
)

// Get returns the blob's content and info, or ENOTFOUND. SHA256 is the stored "sha256"
// metadata ("" for an object written by another tool without it). When it is known, reading the
// content to its end checks it: a mismatch makes the final Read fail (EINTERNAL).
func (b *Blobs) Get(ctx context.Context, key string) (io.ReadCloser, storage.BlobInfo, error) {
	if err := validKey(key); err != nil {
		return nil, storage.BlobInfo{}, err
	}
	out, err := b.client.GetObject(ctx, &awss3.GetObjectInput{Bucket: aws.String(b.bucket), Key: aws.String(key)})
	if err != nil {
		return nil, storage.BlobInfo{}, formatError("get", err)
	}
	info := storage.BlobInfo{
		Key:         key,
		Size:        aws.ToInt64(out.ContentLength),
		SHA256:      out.Metadata[metaSHA256],
		ContentType: aws.ToString(out.ContentType),
		Modified:    aws.ToTime(out.LastModified).UTC(),
	}
	body := out.Body
	if info.SHA256 != "" {
		body = &verifyingReader{ReadCloser: out.Body, key: key, want: info.SHA256, hash: sha256.New()}
	}
	return body, info, nil
}

// verifyingReader hashes what is read through it and, at EOF, fails unless the hash is want.
type verifyingReader struct {
	io.ReadCloser
	key  string
	want string
	hash hash.Hash
}

// Read reads from the object body; at EOF it compares the content hash with the stored one.
func (r *verifyingReader) Read(p []byte) (int, error) {
	n, err := r.ReadCloser.Read(p)
	r.hash.Write(p[:n])
	if err == io.EOF {
		if got := hex.EncodeToString(r.hash.Sum(nil)); got != r.want {
			return n, errors.Errorf("s3: blob %s: content sha256 %s differs from the stored %s", r.key, got, r.want)
		}
	}
	return n, err
}
