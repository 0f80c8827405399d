package seal

import (
	"context"
	"crypto/aes"
	"crypto/cipher"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"os"
	"strings"

	"github.com/pkg/errors"

	"github.com/tradecoach/coach"
)

// KEK is a key-encryption key: it wraps and unwraps data keys and never hands out its own key
// material, so it may be a KMS (AWS KMS, GCP KMS, Vault transit) as well as a local key.
type KEK interface {
	// ID names the key (and its version): it is stored in every envelope, so that Open finds the
	// KEK that wrapped the envelope's data key. 1 to 255 bytes; never secret.
	ID() string

	// Wrap encrypts dek, authenticating aad with it.
	Wrap(ctx context.Context, dek, aad []byte) ([]byte, error)

	// Unwrap decrypts a wrapped data key. It fails — never returns a wrong key — when wrapped was
	// not produced by Wrap of this KEK with the same aad.
	Unwrap(ctx context.Context, wrapped, aad []byte) ([]byte, error)
}

// KeySize is the size of a KEK's or a DEK's key: AES-256.
const KeySize = 32

// LocalKEK is a KEK held in memory: AES-256-GCM with a random 96-bit nonce per wrap. Use it in
// development and in hosts without a KMS; keep its key out of the database that holds the
// envelopes.
type LocalKEK struct {
	id   string
	aead cipher.AEAD
}

// NewLocalKEK returns a LocalKEK for a 32-byte key. Its ID is "local-" and the first 16 hex digits
// of a SHA-256 of the key under a fixed label: stable for a key, different for another key, and
// useless for recovering it.
func NewLocalKEK(key []byte) (*LocalKEK, error) {
	if len(key) != KeySize {
		return nil, coach.Errorf(coach.EINVALID, "seal: a local key-encryption key must be %d bytes, got %d", KeySize, len(key))
	}
	block, err := aes.NewCipher(key)
	if err != nil {
		return nil, errors.Wrap(err, "seal: local kek")
	}
	aead, err := cipher.NewGCM(block)
	if err != nil {
		return nil, errors.Wrap(err, "seal: local kek")
	}
	sum := sha256.Sum256(append([]byte("tradecoach/seal kek-id\x00"), key...))
	return &LocalKEK{id: "local-" + hex.EncodeToString(sum[:8]), aead: aead}, nil
}

// LocalKEKFromEnv returns the LocalKEK whose key is the base64 (standard or URL alphabet, padded
// or not) of 32 bytes in the environment variable name. It is a helper for the host's main, the
// one place that reads configuration; nothing else in this module reads the environment. Errors
// name the variable, never its value.
func LocalKEKFromEnv(name string) (*LocalKEK, error) {
	v := strings.TrimSpace(os.Getenv(name))
	if v == "" {
		return nil, coach.Errorf(coach.EINVALID, "seal: environment variable %s is not set", name)
	}
	key, err := decodeKey(v)
	if err != nil || len(key) != KeySize {
		return nil, coach.Errorf(coach.EINVALID, "seal: environment variable %s: want the base64 of %d bytes", name, KeySize)
	}
	defer clear(key)
	return NewLocalKEK(key)
}

// NewKeyBase64 returns a fresh random 32-byte key in standard base64: a value for the variable
// that LocalKEKFromEnv reads.
func NewKeyBase64() (string, error) {
	key := make([]byte, KeySize)
	if _, err := rand.Read(key); err != nil {
		return "", errors.Wrap(err, "seal: random key")
	}
	defer clear(key)
	return base64.StdEncoding.EncodeToString(key), nil
}

func decodeKey(s string) ([]byte, error) {
	for _, enc := range []*base64.Encoding{base64.StdEncoding, base64.RawStdEncoding, base64.URLEncoding, base64.RawURLEncoding} {
		if b, err := enc.DecodeString(s); err == nil {
			return b, nil
		}
	}
	return nil, errors.New("not base64")
}

// ID returns the key's id.
func (k *LocalKEK) ID() string { return k.id }

// Wrap encrypts dek under the KEK: nonce ‖ ciphertext ‖ tag.
func (k *LocalKEK) Wrap(_ context.Context, dek, aad []byte) ([]byte, error) {
	nonce := make([]byte, k.aead.NonceSize(), k.aead.NonceSize()+len(dek)+k.aead.Overhead())
	if _, err := rand.Read(nonce); err != nil {
		return nil, errors.Wrap(err, "seal: random nonce")
	}
	return k.aead.Seal(nonce, nonce, dek, aad), nil
}

// Unwrap decrypts a data key wrapped by Wrap with the same aad.
func (k *LocalKEK) Unwrap(_ context.Context, wrapped, aad []byte) ([]byte, error) {
	n := k.aead.NonceSize()
	if len(wrapped) < n+k.aead.Overhead() {
		return nil, errOpen
	}
	dek, err := k.aead.Open(nil, wrapped[:n], wrapped[n:], aad)
	if err != nil {
		return nil, errOpen
	}
	return dek, nil
}

// String describes the key by its id only.
func (k *LocalKEK) String() string { return "seal.LocalKEK(" + k.id + ")" }

// GoString describes the key by its id only.
func (k *LocalKEK) GoString() string { return k.String() }
