package s3

import (
	"context"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	awss3 "github.com/aws/aws-sdk-go-v2/service/s3"

	"github.com/tradecoach/coach"
)

// PresignGet returns a URL that lets anyone holding it GET the blob until ttl passes. A ttl
// longer than Config.MaxPresignTTL is shortened to it, one under a second lengthened to a
// second; a ttl that is not positive, or an invalid
// key, is EINVALID. Presigning is local (no request is sent), so an absent key gives a URL that
// answers 404.
func (b *Blobs) PresignGet(ctx context.Context, key string, ttl time.Duration) (string, error) {
	if err := validKey(key); err != nil {
		return "", err
	}
	if ttl <= 0 {
		return "", coach.Errorf(coach.EINVALID, "presign: ttl must be positive, got %s", ttl)
	}
	ttl = max(min(ttl, b.cfg.MaxPresignTTL), time.Second) // SigV4 counts whole seconds
	req, err := b.presign.PresignGetObject(ctx, &awss3.GetObjectInput{Bucket: aws.String(b.bucket), Key: aws.String(key)},
		awss3.WithPresignExpires(ttl))
	if err != nil {
		return "", formatError("presign", err)
	}
	return req.URL, nil
}
