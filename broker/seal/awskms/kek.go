package awskms

import (
	"context"
	"encoding/base64"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/kms"

	"github.com/tradecoach/coach"
	"github.com/tradecoach/coach/broker/seal"
)

// API is the part of the KMS client a KEK calls; *kms.Client satisfies it.
type API interface {
	Encrypt(ctx context.Context, in *kms.EncryptInput, optFns ...func(*kms.Options)) (*kms.EncryptOutput, error)
	Decrypt(ctx context.Context, in *kms.DecryptInput, optFns ...func(*kms.Options)) (*kms.DecryptOutput, error)
}

// IDPrefix starts the ID of every KEK of this package.
const IDPrefix = "awskms:"

// Context keys of the encryption context every call carries.
const (
	// ContextPurpose names what the key wraps, so a grant or a key policy can be limited to it.
	ContextPurpose = "tradecoach:purpose"
	// ContextAAD carries the envelope's additional authenticated data (base64url, no padding).
	ContextAAD = "tradecoach:aad"
	// Purpose is the value of ContextPurpose.
	Purpose = "seal-data-key"
)

// Config is what a KEK needs.
type Config struct {
	// Client calls KMS (a *kms.Client, built by Open or by the host). Required.
	Client API
	// KeyID is the symmetric KMS key: a key id, a key ARN (best: it names the key for good), an
	// alias name or an alias ARN. Required; at most 200 bytes.
	KeyID string
}

// KEK is a seal.KEK whose key is a symmetric AWS KMS key. It is safe for concurrent use.
type KEK struct {
	client API
	keyID  string
}

var _ seal.KEK = (*KEK)(nil)

// maxKeyID keeps ID within the 255 bytes an envelope allows.
const maxKeyID = 200

// New returns a KEK, or an EINVALID error naming the missing or invalid field.
func New(cfg Config) (*KEK, error) {
	switch {
	case cfg.Client == nil:
		return nil, coach.Errorf(coach.EINVALID, "awskms: Config.Client is required")
	case cfg.KeyID == "" || len(cfg.KeyID) > maxKeyID || strings.ContainsAny(cfg.KeyID, " \t\r\n"):
		return nil, coach.Errorf(coach.EINVALID, "awskms: Config.KeyID: want a KMS key id, key ARN or alias of at most %d bytes", maxKeyID)
	}
	return &KEK{client: cfg.Client, keyID: cfg.KeyID}, nil
}

// ID is IDPrefix and the configured KeyID: envelopes name the KMS key that wrapped their data key.
func (k *KEK) ID() string {
	if k == nil {
		return ""
	}
	return IDPrefix + k.keyID
}

// Wrap encrypts dek with KMS Encrypt under the key, aad in the encryption context.
func (k *KEK) Wrap(ctx context.Context, dek, aad []byte) ([]byte, error) {
	if k == nil || k.client == nil {
		return nil, errNotConstructed
	}
	out, err := k.client.Encrypt(ctx, &kms.EncryptInput{KeyId: aws.String(k.keyID), Plaintext: dek, EncryptionContext: encryptionContext(aad)})
	if err != nil {
		return nil, formatError("encrypt", err)
	}
	if len(out.CiphertextBlob) == 0 {
		return nil, coach.Errorf(coach.EUNAVAILABLE, "awskms: encrypt: KMS answered no ciphertext")
	}
	return out.CiphertextBlob, nil
}

// Unwrap decrypts a data key Wrap wrapped with the same aad. KMS refuses a blob of another key
// or another context: that is EINVALID, never a wrong key.
func (k *KEK) Unwrap(ctx context.Context, wrapped, aad []byte) ([]byte, error) {
	if k == nil || k.client == nil {
		return nil, errNotConstructed
	}
	if len(wrapped) == 0 {
		return nil, errNoOpen
	}
	in := &kms.DecryptInput{CiphertextBlob: wrapped, EncryptionContext: encryptionContext(aad)}
	if !isAlias(k.keyID) {
		// Pinning the key makes KMS refuse a blob of any other key. An alias is not pinned: the
		// blob names the key it was encrypted under, which an alias moved since may not.
		in.KeyId = aws.String(k.keyID)
	}
	out, err := k.client.Decrypt(ctx, in)
	if err != nil {
		return nil, formatError("decrypt", err)
	}
	if len(out.Plaintext) != seal.KeySize {
		clear(out.Plaintext)
		return nil, errNoOpen
	}
	return out.Plaintext, nil
}

// String describes the KEK by its id only.
func (k *KEK) String() string { return "awskms.KEK(" + k.ID() + ")" }

// encryptionContext is the context of a wrap or unwrap of a data key for aad.
func encryptionContext(aad []byte) map[string]string {
	c := map[string]string{ContextPurpose: Purpose}
	if len(aad) > 0 {
		c[ContextAAD] = base64.RawURLEncoding.EncodeToString(aad)
	}
	return c
}

func isAlias(keyID string) bool {
	return strings.HasPrefix(keyID, "alias/") || strings.Contains(keyID, ":alias/")
}

var (
	errNotConstructed = coach.Errorf(coach.EINVALID, "awskms: KEK not constructed; use awskms.New")
	errNoOpen         = coach.Errorf(coach.EINVALID, "awskms: the wrapped data key does not open with this key and context")
)
