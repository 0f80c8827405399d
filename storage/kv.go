package storage

import (
	"context"
	"io"
	"strings"
	"time"

	"github.com/tradecoach/coach"
)

// Cache keeps short-lived values by key. Keys are namespaced by the caller; a key that holds or
// names a user's data is made by UserKey ("u:{userId}:sim:…"), so that erasing the user removes
// it (KeyEraser). Values are opaque bytes.
type Cache interface {
	// Get returns the value of key, or ENOTFOUND if it is absent or its TTL has passed.
	Get(ctx context.Context, key string) ([]byte, error)

	// Set stores value under key for ttl (ttl must be positive; EINVALID otherwise).
	Set(ctx context.Context, key string, value []byte, ttl time.Duration) error

	// Delete removes key; deleting an absent key is not an error.
	Delete(ctx context.Context, key string) error
}

// IdemState is the state of an idempotency record.
type IdemState int

// Idempotency record states.
const (
	// IdemClaimed: the caller now owns the key and must Complete or Release it.
	IdemClaimed IdemState = iota + 1
	// IdemDone: the request already completed; Response replays it.
	IdemDone
)

// IdemRecord is the outcome of Idempotency.Claim.
type IdemRecord struct {
	State IdemState
	// Response is the stored response of a completed request (State == IdemDone).
	Response []byte
}

// Idempotency records requests by an idempotency key so that a retried request is answered once.
// A key of a signed-in user's request is made by UserKey, so that erasing the user removes it.
type Idempotency interface {
	// Claim atomically claims key for a request whose canonical hash is requestHash, for ttl. A
	// free key is claimed (IdemClaimed). The same key still in flight is ECONFLICT; the same key
	// with a different requestHash is EINVALID; a completed key with the same hash returns IdemDone
	// and the stored response.
	Claim(ctx context.Context, key, requestHash string, ttl time.Duration) (IdemRecord, error)

	// Complete stores the response of a claimed key, keeping it for ttl. ENOTFOUND if the key is
	// not claimed (it expired or was released).
	Complete(ctx context.Context, key string, response []byte, ttl time.Duration) error

	// Release frees a claimed key whose request failed, so that a retry can claim it again.
	Release(ctx context.Context, key string) error
}

// Nonces remembers nonces of signed requests for a replay window.
type Nonces interface {
	// Use records nonce as used for ttl. A nonce already used within its ttl is ECONFLICT.
	Use(ctx context.Context, nonce string, ttl time.Duration) error
}

// Limit is a rate: Rate events per Period, with bursts up to Burst.
type Limit struct {
	Rate   int
	Burst  int
	Period time.Duration
}

// Validate reports a limit that cannot be applied: Rate, Burst and Period must all be positive.
func (l Limit) Validate() error {
	if l.Rate <= 0 || l.Burst <= 0 || l.Period <= 0 {
		return coach.Errorf(coach.EINVALID, "rate limit: rate, burst and period must be positive, got %d per %s burst %d", l.Rate, l.Period, l.Burst)
	}
	return nil
}

// Decision is the verdict of RateLimiter.Allow.
type Decision struct {
	Allowed bool
	// Remaining is how many more events fit now.
	Remaining int
	// RetryAfter is how long to wait before the next event would be allowed (0 when allowed).
	RetryAfter time.Duration
}

// RateLimiter applies the generic cell rate algorithm (GCRA) to keys. A per-user key is made by
// UserKey, so that erasing the user removes it.
type RateLimiter interface {
	// Allow counts one event for key under limit and says whether it is allowed. A limit that
	// does not pass Limit.Validate is EINVALID.
	Allow(ctx context.Context, key string, limit Limit) (Decision, error)
}

// BlobInfo describes a stored blob. SHA256 is the hex content hash.
type BlobInfo struct {
	Key         string    `json:"key"`
	Size        int64     `json:"size"`
	SHA256      string    `json:"sha256"`
	ContentType string    `json:"contentType"`
	Modified    time.Time `json:"modified"`
}

// Blobs stores immutable-ish objects: candle snapshots, digest reports, exports. Keys are paths
// such as "snapshots/{sha256}.candles" (market data, shared by every user) or
// UserBlobKey(userId, "exports", id+".zip"): every blob of a user's data lives under
// UserBlobPrefix(userId), which is what erasing the user deletes.
type Blobs interface {
	// Put stores body under key (replacing any blob there) and returns its info, with the SHA-256
	// of the content.
	Put(ctx context.Context, key string, body io.Reader, contentType string) (BlobInfo, error)

	// Get returns the blob's content and info, or ENOTFOUND. The caller closes the reader.
	Get(ctx context.Context, key string) (io.ReadCloser, BlobInfo, error)

	// Delete removes the blob; deleting an absent key is not an error.
	Delete(ctx context.Context, key string) error

	// List returns the blobs whose key starts with prefix, in key order.
	List(ctx context.Context, prefix string) ([]BlobInfo, error)
}

// BlobPresigner is an optional capability of a Blobs: a URL that lets anyone holding it GET the
// blob until ttl passes.
type BlobPresigner interface {
	PresignGet(ctx context.Context, key string, ttl time.Duration) (string, error)
}

// ValidBlobKey reports whether key is a safe blob key: 1 to 512 bytes of [A-Za-z0-9._/-], no
// leading or trailing "/", no empty, "." or ".." segment.
func ValidBlobKey(key string) bool {
	if len(key) == 0 || len(key) > 512 {
		return false
	}
	for _, seg := range strings.Split(key, "/") {
		if seg == "" || seg == "." || seg == ".." {
			return false
		}
	}
	for i := 0; i < len(key); i++ {
		c := key[i]
		if !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '.' || c == '_' || c == '-' || c == '/') {
			return false
		}
	}
	return true
}
