package awskms

import (
	"context"
	"net/http"

	"github.com/aws/aws-sdk-go-v2/aws"
	awsconfig "github.com/aws/aws-sdk-go-v2/config"
	"github.com/aws/aws-sdk-go-v2/service/kms"

	"github.com/tradecoach/coach"
)

// ClientConfig tells Open how to reach KMS.
type ClientConfig struct {
	// KeyID is Config.KeyID. Required.
	KeyID string
	// Region of the key; the AWS configuration chain's (AWS_REGION, the shared config) when empty.
	Region string
	// Endpoint, when set, replaces KMS's endpoint (a VPC endpoint, LocalStack, a test's fake).
	Endpoint string
	// HTTPClient carries the calls; the SDK's default when nil.
	HTTPClient *http.Client
}

// Open builds a KMS client from the default AWS configuration chain (credentials from the
// environment, the shared files, or the instance or task role) and returns the KEK over it.
// EINVALID when the configuration cannot be loaded or KeyID is invalid. It makes no call to KMS:
// the first Wrap or Unwrap does.
func Open(ctx context.Context, cfg ClientConfig) (*KEK, error) {
	var opts []func(*awsconfig.LoadOptions) error
	if cfg.Region != "" {
		opts = append(opts, awsconfig.WithRegion(cfg.Region))
	}
	if cfg.HTTPClient != nil {
		opts = append(opts, awsconfig.WithHTTPClient(cfg.HTTPClient))
	}
	awsCfg, err := awsconfig.LoadDefaultConfig(ctx, opts...)
	if err != nil {
		return nil, coach.Errorf(coach.EINVALID, "awskms: loading AWS configuration: %v", err)
	}
	client := kms.NewFromConfig(awsCfg, func(o *kms.Options) {
		if cfg.Endpoint != "" {
			o.BaseEndpoint = aws.String(cfg.Endpoint)
		}
	})
	return New(Config{Client: client, KeyID: cfg.KeyID})
}
