package s3

import (
	"context"
	"encoding/base64"
	"encoding/hex"
	"io"
	"mime"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	awss3 "github.com/aws/aws-sdk-go-v2/service/s3"

	"github.com/tradecoach/coach"
	"github.com/tradecoach/coach/storage"
)

// metaSHA256 is the object metadata key (x-amz-meta-sha256) holding the hex content hash.
const metaSHA256 = "sha256"

// defaultContentType is stored when Put is given none.
const defaultContentType = "application/octet-stream"

// Put stores body under key, replacing any blob there, and returns its info. The body is read
// to its end first (in memory up to 8 MiB, beyond that in a temporary file) to learn its size
// and SHA-256, which is stored as the metadata "sha256" and sent as x-amz-checksum-sha256.
// An invalid key or content type, or a body over Config.MaxBlobSize, is EINVALID. Modified is
// the local time of the upload; Get and List report the server's Last-Modified.
func (b *Blobs) Put(ctx context.Context, key string, body io.Reader, contentType string) (storage.BlobInfo, error) {
	if err := validKey(key); err != nil {
		return storage.BlobInfo{}, err
	}
	if contentType == "" {
		contentType = defaultContentType
	}
	if _, _, err := mime.ParseMediaType(contentType); err != nil {
		return storage.BlobInfo{}, coach.Errorf(coach.EINVALID, "blob %s: content type %q is invalid", key, truncate(contentType, 64))
	}
	sp, err := spool(body, spoolMemory, b.cfg.MaxBlobSize)
	if err != nil {
		return storage.BlobInfo{}, err
	}
	defer sp.Close()
	sum := hex.EncodeToString(sp.sha256[:])
	_, err = b.client.PutObject(ctx, &awss3.PutObjectInput{
		Bucket:         aws.String(b.bucket),
		Key:            aws.String(key),
		Body:           sp.body,
		ContentLength:  aws.Int64(sp.size),
		ContentType:    aws.String(contentType),
		Metadata:       map[string]string{metaSHA256: sum},
		ChecksumSHA256: aws.String(base64.StdEncoding.EncodeToString(sp.sha256[:])),
	})
	if err != nil {
		return storage.BlobInfo{}, formatError("put", err)
	}
	return storage.BlobInfo{
		Key:         key,
		Size:        sp.size,
		SHA256:      sum,
		ContentType: contentType,
		Modified:    time.Now().UTC(),
	}, nil
}
