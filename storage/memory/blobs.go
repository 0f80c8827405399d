package memory

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"io"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/pkg/errors"
	"github.com/tradecoach/coach"
	"github.com/tradecoach/coach/storage"
)

// Blobs is a storage.Blobs in process memory. It is safe for concurrent use. It is not a
// storage.BlobPresigner itself: SignedBlobs wraps it with HMAC-signed links and the handler that
// serves them.
type Blobs struct {
	mu sync.RWMutex
	m  map[string]blob
}

type blob struct {
	data []byte
	info storage.BlobInfo
}

var _ storage.Blobs = (*Blobs)(nil)

// NewBlobs returns an empty Blobs.
func NewBlobs() *Blobs { return &Blobs{m: make(map[string]blob)} }

func checkBlobKey(key string) error {
	if !storage.ValidBlobKey(key) {
		return coach.Errorf(coach.EINVALID, "blob key %q: want 1-512 bytes of [A-Za-z0-9._/-] without empty, '.' or '..' segments", clipKey(key))
	}
	return nil
}

func clipKey(k string) string {
	if len(k) > 64 {
		return k[:64] + "…"
	}
	return k
}

// Put reads body to its end and stores it under key, replacing any blob there. EINVALID for a
// key storage.ValidBlobKey rejects; a failing body is EINTERNAL and stores nothing.
func (b *Blobs) Put(ctx context.Context, key string, body io.Reader, contentType string) (storage.BlobInfo, error) {
	if err := ctx.Err(); err != nil {
		return storage.BlobInfo{}, ctxError(err)
	}
	if err := checkBlobKey(key); err != nil {
		return storage.BlobInfo{}, err
	}
	data, err := io.ReadAll(body)
	if err != nil {
		return storage.BlobInfo{}, errors.Wrap(err, "memory: read blob body")
	}
	sum := sha256.Sum256(data)
	info := storage.BlobInfo{
		Key:         key,
		Size:        int64(len(data)),
		SHA256:      hex.EncodeToString(sum[:]),
		ContentType: contentType,
		Modified:    time.Now().UTC(),
	}
	b.mu.Lock()
	defer b.mu.Unlock()
	b.m[key] = blob{data: data, info: info}
	return info, nil
}

// Get returns a reader over the blob's content and its info, or ENOTFOUND.
func (b *Blobs) Get(ctx context.Context, key string) (io.ReadCloser, storage.BlobInfo, error) {
	if err := ctx.Err(); err != nil {
		return nil, storage.BlobInfo{}, ctxError(err)
	}
	if err := checkBlobKey(key); err != nil {
		return nil, storage.BlobInfo{}, err
	}
	b.mu.RLock()
	defer b.mu.RUnlock()
	bl, ok := b.m[key]
	if !ok {
		return nil, storage.BlobInfo{}, coach.Errorf(coach.ENOTFOUND, "blob %s: not found", key)
	}
	// The stored bytes are never modified (Put replaces the slice), so a reader can share them.
	return io.NopCloser(bytes.NewReader(bl.data)), bl.info, nil
}

// Delete removes the blob; an absent key is not an error.
func (b *Blobs) Delete(ctx context.Context, key string) error {
	if err := ctx.Err(); err != nil {
		return ctxError(err)
	}
	if err := checkBlobKey(key); err != nil {
		return err
	}
	b.mu.Lock()
	defer b.mu.Unlock()
	delete(b.m, key)
	return nil
}

// List returns the infos of the blobs whose key starts with prefix, in key order.
func (b *Blobs) List(ctx context.Context, prefix string) ([]storage.BlobInfo, error) {
	if err := ctx.Err(); err != nil {
		return nil, ctxError(err)
	}
	b.mu.RLock()
	var out []storage.BlobInfo
	for k, bl := range b.m {
		if strings.HasPrefix(k, prefix) {
			out = append(out, bl.info)
		}
	}
	b.mu.RUnlock()
	slices.SortFunc(out, func(x, y storage.BlobInfo) int { return strings.Compare(x.Key, y.Key) })
	return out, nil
}
