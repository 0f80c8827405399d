package s3

import (
	"context"
	"errors"

	"github.com/aws/aws-sdk-go-v2/aws"
	awsconfig "github.com/aws/aws-sdk-go-v2/config"
	"github.com/aws/aws-sdk-go-v2/credentials"
	awss3 "github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/s3/types"

	"github.com/tradecoach/coach"
	"github.com/tradecoach/coach/storage"
)

var (
	_ storage.Blobs         = (*Blobs)(nil)
	_ storage.BlobPresigner = (*Blobs)(nil)
)

// Blobs is a storage.Blobs and storage.BlobPresigner on one bucket. It is safe for concurrent
// use.
type Blobs struct {
	client  *awss3.Client
	presign *awss3.PresignClient
	bucket  string
	cfg     Config
}

// Open validates cfg, connects to the bucket and checks that it exists (creating it when
// cfg.CreateBucket is set). A missing bucket is ENOTFOUND, an unreachable server EUNAVAILABLE.
func Open(ctx context.Context, cfg Config) (*Blobs, error) {
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	cfg = cfg.withDefaults()
	awsCfg, err := awsConfig(ctx, cfg)
	if err != nil {
		return nil, err
	}
	newClient := func(endpoint string) *awss3.Client {
		return awss3.NewFromConfig(awsCfg, func(o *awss3.Options) {
			o.UsePathStyle = cfg.PathStyle
			if endpoint != "" {
				o.BaseEndpoint = aws.String(endpoint)
			}
			// We send our own SHA-256 checksum; the SDK's default CRC checksums (and their
			// aws-chunked trailers) are not understood by every S3-compatible server.
			o.RequestChecksumCalculation = aws.RequestChecksumCalculationWhenRequired
			o.ResponseChecksumValidation = aws.ResponseChecksumValidationWhenRequired
		})
	}
	b := &Blobs{client: newClient(cfg.Endpoint), bucket: cfg.Bucket, cfg: cfg}
	presignEndpoint := cfg.Endpoint
	if cfg.PresignEndpoint != "" {
		presignEndpoint = cfg.PresignEndpoint
	}
	b.presign = awss3.NewPresignClient(newClient(presignEndpoint))
	if err := b.ensureBucket(ctx); err != nil {
		return nil, err
	}
	return b, nil
}

// awsConfig builds the SDK configuration: static credentials when given, else the default
// credential chain.
func awsConfig(ctx context.Context, cfg Config) (aws.Config, error) {
	if cfg.AccessKey != "" {
		c := aws.Config{
			Region:      cfg.Region,
			Credentials: credentials.NewStaticCredentialsProvider(cfg.AccessKey, cfg.SecretKey, ""),
		}
		if cfg.HTTPClient != nil {
			c.HTTPClient = cfg.HTTPClient
		}
		return c, nil
	}
	opts := []func(*awsconfig.LoadOptions) error{awsconfig.WithRegion(cfg.Region)}
	if cfg.HTTPClient != nil {
		opts = append(opts, awsconfig.WithHTTPClient(cfg.HTTPClient))
	}
	c, err := awsconfig.LoadDefaultConfig(ctx, opts...)
	if err != nil {
		return aws.Config{}, coach.Errorf(coach.EINVALID, "s3: loading AWS configuration: %v", err)
	}
	return c, nil
}

// ensureBucket checks that the bucket exists, creating it when configured to.
func (b *Blobs) ensureBucket(ctx context.Context) error {
	_, err := b.client.HeadBucket(ctx, &awss3.HeadBucketInput{Bucket: aws.String(b.bucket)})
	if err == nil {
		return nil
	}
	err = formatError("head bucket", err)
	if coach.ErrorCode(err) != coach.ENOTFOUND {
		return err
	}
	if !b.cfg.CreateBucket {
		return coach.Errorf(coach.ENOTFOUND, "s3: bucket %q does not exist", b.bucket)
	}
	in := &awss3.CreateBucketInput{Bucket: aws.String(b.bucket)}
	if b.cfg.Region != "us-east-1" {
		in.CreateBucketConfiguration = &types.CreateBucketConfiguration{
			LocationConstraint: types.BucketLocationConstraint(b.cfg.Region),
		}
	}
	_, err = b.client.CreateBucket(ctx, in)
	var owned *types.BucketAlreadyOwnedByYou
	if err != nil && !errors.As(err, &owned) {
		return formatError("create bucket", err)
	}
	return nil
}

// Bucket returns the name of the bucket.
func (b *Blobs) Bucket() string { return b.bucket }

// Delete removes the blob; deleting an absent key is not an error.
func (b *Blobs) Delete(ctx context.Context, key string) error {
	if err := validKey(key); err != nil {
		return err
	}
	_, err := b.client.DeleteObject(ctx, &awss3.DeleteObjectInput{Bucket: aws.String(b.bucket), Key: aws.String(key)})
	return formatError("delete", err)
}

// validKey is EINVALID unless key is a storage.ValidBlobKey.
func validKey(key string) error {
	if !storage.ValidBlobKey(key) {
		return coach.Errorf(coach.EINVALID, "blob key %q is invalid: 1 to 512 bytes of [A-Za-z0-9._/-] without empty, . or .. segments", truncate(key, 64))
	}
	return nil
}

// truncate shortens s to at most n bytes for messages.
func truncate(s string, n int) string {
	if len(s) <= n {
		return s
	}
	return s[:n] + "…"
}
