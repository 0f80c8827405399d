package s3

import (
	"net/http"
	"net/url"
	"time"

	"github.com/tradecoach/coach"
)

// Limits and defaults of Config.
const (
	// DefaultRegion is the region used when Config.Region is empty.
	DefaultRegion = "us-east-1"
	// DefaultMaxPresignTTL caps presigned URLs when Config.MaxPresignTTL is zero.
	DefaultMaxPresignTTL = 15 * time.Minute
	// MaxPresignTTLLimit is the longest validity SigV4 allows for a presigned URL.
	MaxPresignTTLLimit = 7 * 24 * time.Hour
	// DefaultMaxBlobSize bounds a blob when Config.MaxBlobSize is zero.
	DefaultMaxBlobSize = 1 << 30
	// MaxBlobSizeLimit is the largest object a single PutObject may upload (5 GiB).
	MaxBlobSizeLimit = 5 << 30
)

// Config configures Open.
type Config struct {
	// Endpoint is the base URL of an S3-compatible server, e.g. "http://127.0.0.1:9000" for
	// MinIO. Empty means AWS S3 in Region.
	Endpoint string
	// PresignEndpoint, when set, replaces Endpoint in presigned URLs: the address clients use
	// when the server is reached through another name inside the deployment.
	PresignEndpoint string
	// Region signs requests (default DefaultRegion).
	Region string
	// Bucket holds the blobs (required; 3–63 of [a-z0-9.-], starting and ending alphanumeric).
	Bucket string
	// AccessKey and SecretKey are static credentials. Both empty means the default AWS
	// credential chain (environment, shared files, instance role).
	AccessKey string
	SecretKey string
	// PathStyle addresses the bucket in the path ("host/bucket/key") instead of the host name,
	// as MinIO and most S3-compatible servers need.
	PathStyle bool
	// CreateBucket makes Open create Bucket when it does not exist; otherwise a missing bucket
	// makes Open fail with ENOTFOUND.
	CreateBucket bool
	// MaxPresignTTL caps the validity of presigned URLs (default DefaultMaxPresignTTL, at most
	// MaxPresignTTLLimit). PresignGet shortens longer requests to it.
	MaxPresignTTL time.Duration
	// MaxBlobSize bounds the size of one blob (default DefaultMaxBlobSize, at most
	// MaxBlobSizeLimit); Put of a larger body is EINVALID.
	MaxBlobSize int64
	// ListPageSize is how many keys List asks for per ListObjectsV2 request (default and most
	// 1000, the server's own limit).
	ListPageSize int32
	// HTTPClient sends the requests (default: the SDK's client).
	HTTPClient *http.Client
}

// withDefaults returns c with zero fields set to their defaults.
func (c Config) withDefaults() Config {
	if c.Region == "" {
		c.Region = DefaultRegion
	}
	if c.MaxPresignTTL == 0 {
		c.MaxPresignTTL = DefaultMaxPresignTTL
	}
	if c.MaxBlobSize == 0 {
		c.MaxBlobSize = DefaultMaxBlobSize
	}
	if c.ListPageSize == 0 {
		c.ListPageSize = 1000
	}
	return c
}

// Validate reports the first field out of range, by its name (EINVALID). It checks the
// configuration as given: zero values that Open would default are accepted.
func (c Config) Validate() error {
	if !validBucket(c.Bucket) {
		return coach.Errorf(coach.EINVALID, "s3: Bucket %q is not a valid bucket name", c.Bucket)
	}
	for name, ep := range map[string]string{"Endpoint": c.Endpoint, "PresignEndpoint": c.PresignEndpoint} {
		if ep == "" {
			continue
		}
		u, err := url.Parse(ep)
		if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" || u.RawQuery != "" || u.Fragment != "" {
			return coach.Errorf(coach.EINVALID, "s3: %s %q must be an http(s) URL", name, ep)
		}
	}
	if (c.AccessKey == "") != (c.SecretKey == "") {
		return coach.Errorf(coach.EINVALID, "s3: AccessKey and SecretKey must be set together")
	}
	if c.MaxPresignTTL < 0 || c.MaxPresignTTL > MaxPresignTTLLimit {
		return coach.Errorf(coach.EINVALID, "s3: MaxPresignTTL must be in (0, %s], got %s", MaxPresignTTLLimit, c.MaxPresignTTL)
	}
	if c.MaxBlobSize < 0 || c.MaxBlobSize > MaxBlobSizeLimit {
		return coach.Errorf(coach.EINVALID, "s3: MaxBlobSize must be in (0, %d], got %d", int64(MaxBlobSizeLimit), c.MaxBlobSize)
	}
	if c.ListPageSize < 0 || c.ListPageSize > 1000 {
		return coach.Errorf(coach.EINVALID, "s3: ListPageSize must be in (0, 1000], got %d", c.ListPageSize)
	}
	return nil
}

// validBucket reports whether name follows S3's bucket naming rules (without the rules about
// IP-address-like names and reserved prefixes, which the server enforces).
func validBucket(name string) bool {
	if len(name) < 3 || len(name) > 63 {
		return false
	}
	alnum := func(c byte) bool { return c >= 'a' && c <= 'z' || c >= '0' && c <= '9' }
	if !alnum(name[0]) || !alnum(name[len(name)-1]) {
		return false
	}
	for i := 0; i < len(name); i++ {
		c := name[i]
		if !alnum(c) && c != '-' && c != '.' {
			return false
		}
		if c == '.' && (name[i-1] == '.' || name[i-1] == '-' || name[i+1] == '-') {
			return false
		}
	}
	return true
}
