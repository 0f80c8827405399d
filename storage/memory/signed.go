package memory

import (
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"io"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/tradecoach/coach"
	"github.com/tradecoach/coach/storage"
	"github.com/tradecoach/coach/transport/httpjson"
)

// MinLinkKeyBytes is the shortest HMAC key SignedBlobs accepts.
const MinLinkKeyBytes = 32

// SignedConfig is what SignedBlobs needs.
type SignedConfig struct {
	// Key signs the links: at least MinLinkKeyBytes random bytes, kept secret. Required.
	Key []byte
	// BaseURL is where the host serves the SignedBlobs handler, e.g.
	// "https://coach.example/blobs/": a link is BaseURL + the blob key + "?expires=…&sig=…", and
	// the handler takes the key from the request path after BaseURL's path. Required, absolute,
	// ending in "/".
	BaseURL string
	// MaxTTL bounds a link's life: a longer ttl is shortened to it (15 minutes when 0).
	MaxTTL time.Duration
	// Clock tells the handler whether a link has expired; coach.SystemClock when nil.
	Clock coach.Clock
}

// SignedBlobs is Blobs that also mints links to its blobs (a storage.BlobPresigner) and serves
// them (an http.Handler the host mounts at BaseURL): a link carries its expiry and an
// HMAC-SHA256 of the blob key and that expiry, so anyone holding it can GET the blob until it
// expires and no one can make or stretch one without the key. It is safe for concurrent use.
type SignedBlobs struct {
	blobs  *Blobs
	key    []byte
	base   string
	prefix string // BaseURL's path: the handler's mount point
	maxTTL time.Duration
	clock  coach.Clock
}

var (
	_ storage.Blobs         = (*SignedBlobs)(nil)
	_ storage.BlobPresigner = (*SignedBlobs)(nil)
	_ http.Handler          = (*SignedBlobs)(nil)
)

// NewSignedBlobs returns SignedBlobs over blobs (a fresh Blobs when nil), or an EINVALID error
// naming the first invalid field of cfg.
func NewSignedBlobs(blobs *Blobs, cfg SignedConfig) (*SignedBlobs, error) {
	u, err := url.Parse(cfg.BaseURL)
	switch {
	case len(cfg.Key) < MinLinkKeyBytes:
		return nil, coach.Errorf(coach.EINVALID, "memory: SignedConfig.Key: want at least %d bytes", MinLinkKeyBytes)
	case err != nil || !u.IsAbs() || u.Host == "" || !strings.HasSuffix(u.Path, "/") || u.RawQuery != "" || u.Fragment != "":
		return nil, coach.Errorf(coach.EINVALID, "memory: SignedConfig.BaseURL: want an absolute URL whose path ends in /, without query")
	case cfg.MaxTTL < 0:
		return nil, coach.Errorf(coach.EINVALID, "memory: SignedConfig.MaxTTL: negative")
	}
	if blobs == nil {
		blobs = NewBlobs()
	}
	if cfg.MaxTTL == 0 {
		cfg.MaxTTL = 15 * time.Minute
	}
	return &SignedBlobs{blobs: blobs, key: append([]byte(nil), cfg.Key...), base: cfg.BaseURL, prefix: u.Path,
		maxTTL: cfg.MaxTTL, clock: clockOrSystem(cfg.Clock)}, nil
}

// errSignedNotConstructed is what a SignedBlobs not built by NewSignedBlobs answers.
var errSignedNotConstructed = coach.Errorf(coach.EINVALID, "memory: SignedBlobs not constructed; use memory.NewSignedBlobs")

func (s *SignedBlobs) constructed() bool { return s != nil && s.blobs != nil }

// Put stores a blob as Blobs.Put does.
func (s *SignedBlobs) Put(ctx context.Context, key string, body io.Reader, contentType string) (storage.BlobInfo, error) {
	if !s.constructed() {
		return storage.BlobInfo{}, errSignedNotConstructed
	}
	return s.blobs.Put(ctx, key, body, contentType)
}

// Get returns a blob as Blobs.Get does.
func (s *SignedBlobs) Get(ctx context.Context, key string) (io.ReadCloser, storage.BlobInfo, error) {
	if !s.constructed() {
		return nil, storage.BlobInfo{}, errSignedNotConstructed
	}
	return s.blobs.Get(ctx, key)
}

// Delete removes a blob as Blobs.Delete does.
func (s *SignedBlobs) Delete(ctx context.Context, key string) error {
	if !s.constructed() {
		return errSignedNotConstructed
	}
	return s.blobs.Delete(ctx, key)
}

// List lists blobs as Blobs.List does.
func (s *SignedBlobs) List(ctx context.Context, prefix string) ([]storage.BlobInfo, error) {
	if !s.constructed() {
		return nil, errSignedNotConstructed
	}
	return s.blobs.List(ctx, prefix)
}

// sign returns the link signature of key expiring at the Unix second exp.
func (s *SignedBlobs) sign(key string, exp int64) []byte {
	m := hmac.New(sha256.New, s.key)
	_, _ = io.WriteString(m, "tradecoach-blob-link\n"+key+"\n"+strconv.FormatInt(exp, 10)) // a hash never fails
	return m.Sum(nil)
}

// PresignGet returns a link that GETs key through the handler until ttl passes (at most
// SignedConfig.MaxTTL; a ttl under a second is a second). Signing is local: an absent key gives
// a link that answers 404. EINVALID for an invalid key or a ttl that is not positive.
func (s *SignedBlobs) PresignGet(ctx context.Context, key string, ttl time.Duration) (string, error) {
	if !s.constructed() {
		return "", errSignedNotConstructed
	}
	if err := ctx.Err(); err != nil {
		return "", ctxError(err)
	}
	if err := checkBlobKey(key); err != nil {
		return "", err
	}
	if ttl <= 0 {
		return "", coach.Errorf(coach.EINVALID, "presign: ttl must be positive, got %s", ttl)
	}
	ttl = max(min(ttl, s.maxTTL), time.Second)
	exp := s.clock.Now().Add(ttl).Unix()
	q := url.Values{"expires": {strconv.FormatInt(exp, 10)}, "sig": {base64.RawURLEncoding.EncodeToString(s.sign(key, exp))}}
	return s.base + key + "?" + q.Encode(), nil
}

// ServeHTTP answers GET and HEAD of a link PresignGet minted with the blob: 200 with its bytes,
// content type and ETag (its SHA-256). A link without a valid signature — tampered key, expiry or
// signature — is 403; a genuine link past its expiry is 410; a blob since deleted is 404; any
// other method is 405. Refusals have the module's one JSON error shape (transport/httpjson).
func (s *SignedBlobs) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if !s.constructed() {
		httpjson.WriteError(w, r, nil, errSignedNotConstructed)
		return
	}
	if r.Method != http.MethodGet && r.Method != http.MethodHead {
		w.Header().Set("Allow", "GET, HEAD")
		httpjson.WriteJSON(w, http.StatusMethodNotAllowed, httpjson.Body{Code: coach.EINVALID, Message: "method not allowed"})
		return
	}
	key, ok := strings.CutPrefix(r.URL.Path, s.prefix)
	exp, err := strconv.ParseInt(r.URL.Query().Get("expires"), 10, 64)
	sig, serr := base64.RawURLEncoding.DecodeString(r.URL.Query().Get("sig"))
	if !ok || !storage.ValidBlobKey(key) || err != nil || serr != nil || !hmac.Equal(sig, s.sign(key, exp)) {
		httpjson.WriteError(w, r, nil, coach.Errorf(coach.EFORBIDDEN, "the link is not valid"))
		return
	}
	if s.clock.Now().Unix() >= exp {
		httpjson.WriteError(w, r, nil, coach.Errorf(coach.EGONE, "the link has expired; ask for a new one"))
		return
	}
	body, info, err := s.Get(r.Context(), key)
	if err != nil {
		if coach.ErrorCode(err) == coach.ENOTFOUND {
			err = coach.Errorf(coach.ENOTFOUND, "no such blob")
		}
		httpjson.WriteError(w, r, nil, err)
		return
	}
	defer body.Close()
	h := w.Header()
	h.Set("Content-Type", info.ContentType)
	h.Set("Content-Length", strconv.FormatInt(info.Size, 10))
	h.Set("ETag", `"`+info.SHA256+`"`)
	h.Set("Cache-Control", "private, no-store")
	h.Set("X-Content-Type-Options", "nosniff")
	w.WriteHeader(http.StatusOK)
	if r.Method == http.MethodGet {
		_, _ = io.Copy(w, body)
	}
}
