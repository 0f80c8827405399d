package seal

import (
	"context"
	"crypto/aes"
	"crypto/cipher"
	"crypto/rand"
	"fmt"
	"io"
	"log/slog"

	"github.com/pkg/errors"

	"github.com/tradecoach/coach"
)

// errOpen is the one answer to every envelope that does not open: wrong binding, wrong key,
// tampered bytes. It says nothing about which.
var errOpen = coach.Errorf(coach.EINVALID, "seal: the sealed value does not open for this binding")

// Config configures a Sealer.
type Config struct {
	// KEK wraps every new data key. Required.
	KEK KEK
	// Previous are retired KEKs whose envelopes still open (and can be moved to KEK by Rewrap).
	Previous []KEK
	// DataKeys, when set, keeps one data key per user, reused by every Seal for that user; a
	// stored key still wrapped by a Previous KEK is wrapped again with KEK (and stored) by the
	// next Seal, so every new envelope names the current KEK. Without it each envelope gets a
	// fresh data key.
	DataKeys DataKeys
}

// Sealer seals and opens secrets. It is safe for concurrent use if its KEKs and DataKeys are.
type Sealer struct {
	current KEK
	keks    map[string]KEK
	keys    DataKeys
}

// String describes the sealer by its current KEK's id.
func (s *Sealer) String() string {
	if s == nil || s.current == nil {
		return "seal.Sealer(not constructed)"
	}
	return "seal.Sealer{KEK:" + s.current.ID() + "}"
}

// Format writes String for every verb and flag: no key or wrapped key prints.
func (s *Sealer) Format(f fmt.State, _ rune) {
	if f != nil {
		_, _ = io.WriteString(f, s.String())
	}
}

// LogValue makes log/slog record the current KEK's id only.
func (s *Sealer) LogValue() slog.Value { return slog.StringValue(s.String()) }

// New returns a Sealer for cfg: EINVALID without a KEK, with a KEK id that is not 1-255 printable
// ASCII bytes, or with two KEKs of the same id.
func New(cfg Config) (*Sealer, error) {
	if cfg.KEK == nil {
		return nil, coach.Errorf(coach.EINVALID, "seal: Config.KEK is required")
	}
	s := &Sealer{current: cfg.KEK, keks: map[string]KEK{}, keys: cfg.DataKeys}
	for _, k := range append([]KEK{cfg.KEK}, cfg.Previous...) {
		if k == nil {
			return nil, coach.Errorf(coach.EINVALID, "seal: Config.Previous: nil KEK")
		}
		if !validKEKID(k.ID()) {
			return nil, coach.Errorf(coach.EINVALID, "seal: Config.KEK: id %q: want 1-255 printable ASCII bytes", k.ID())
		}
		if _, dup := s.keks[k.ID()]; dup {
			return nil, coach.Errorf(coach.EINVALID, "seal: Config.Previous: KEK id %q given twice", k.ID())
		}
		s.keks[k.ID()] = k
	}
	return s, nil
}

// errNotConstructed is what a Sealer not built by New answers.
var errNotConstructed = coach.Errorf(coach.EINVALID, "seal: Sealer not constructed; use seal.New")

// Seal encrypts secret for b and returns the envelope. EINVALID for an incomplete binding or an
// empty secret.
func (s *Sealer) Seal(ctx context.Context, b Binding, secret Token) (Sealed, error) {
	if s == nil || s.current == nil {
		return Sealed{}, errNotConstructed
	}
	if err := b.Validate(); err != nil {
		return Sealed{}, err
	}
	if secret.IsZero() {
		return Sealed{}, coach.Errorf(coach.EINVALID, "seal: empty secret")
	}
	dek, wk, err := s.dataKey(ctx, b.UserID)
	if err != nil {
		return Sealed{}, err
	}
	defer clear(dek)
	aead, err := newAEAD(dek)
	if err != nil {
		return Sealed{}, err
	}
	nonce := make([]byte, nonceSize)
	if _, err := rand.Read(nonce); err != nil {
		return Sealed{}, errors.Wrap(err, "seal: random nonce")
	}
	plain := []byte(secret.Reveal())
	defer clear(plain)
	env := Envelope{
		Version:    Version1,
		KEKID:      wk.KEKID,
		WrappedDEK: wk.Wrapped,
		Nonce:      nonce,
		Ciphertext: aead.Seal(nil, nonce, plain, b.aad(Version1)),
	}
	return env.Encode(), nil
}

// Open decrypts an envelope sealed for b. Every envelope that does not open under b — another
// binding, a tampered byte, a data key not wrapped for b's user — gives the same EINVALID, and
// the error never quotes the envelope. An envelope whose KEK is not configured is EINTERNAL (a
// deployment fault).
func (s *Sealer) Open(ctx context.Context, b Binding, sealed Sealed) (Token, error) {
	if s == nil || s.current == nil {
		return Token{}, errNotConstructed
	}
	if err := b.Validate(); err != nil {
		return Token{}, err
	}
	env, err := Decode(sealed)
	if err != nil {
		return Token{}, err
	}
	kek, err := s.kek(env.KEKID)
	if err != nil {
		return Token{}, err
	}
	dek, err := kek.Unwrap(ctx, env.WrappedDEK, dekAAD(b.UserID))
	if err != nil {
		return Token{}, errOpen
	}
	defer clear(dek)
	aead, err := newAEAD(dek)
	if err != nil {
		return Token{}, errOpen
	}
	plain, err := aead.Open(nil, env.Nonce, env.Ciphertext, b.aad(env.Version))
	if err != nil {
		return Token{}, errOpen
	}
	defer clear(plain)
	return NewToken(string(plain)), nil
}

// KEKID returns the id of the KEK that wrapped the envelope's data key.
func (s *Sealer) KEKID(sealed Sealed) (string, error) {
	if s == nil || s.current == nil {
		return "", errNotConstructed
	}
	env, err := Decode(sealed)
	if err != nil {
		return "", err
	}
	return env.KEKID, nil
}

// NeedsRewrap reports whether the envelope's data key is wrapped by a KEK other than the current
// one.
func (s *Sealer) NeedsRewrap(sealed Sealed) (bool, error) {
	if s == nil || s.current == nil {
		return false, errNotConstructed
	}
	id, err := s.KEKID(sealed)
	if err != nil {
		return false, err
	}
	return id != s.current.ID(), nil
}

// Rewrap moves an envelope of userID to the current KEK: it unwraps the data key with the KEK the
// envelope names and wraps it again with the current one. The nonce and the ciphertext are copied
// unchanged — the secret is never decrypted. An envelope already under the current KEK is
// returned as is.
func (s *Sealer) Rewrap(ctx context.Context, userID string, sealed Sealed) (Sealed, error) {
	if s == nil || s.current == nil {
		return Sealed{}, errNotConstructed
	}
	env, err := Decode(sealed)
	if err != nil {
		return Sealed{}, err
	}
	if env.KEKID == s.current.ID() {
		return sealed, nil
	}
	wk, err := s.rewrapKey(ctx, userID, WrappedKey{KEKID: env.KEKID, Wrapped: env.WrappedDEK})
	if err != nil {
		return Sealed{}, err
	}
	env.KEKID, env.WrappedDEK = wk.KEKID, wk.Wrapped
	return env.Encode(), nil
}

// RewrapDataKey moves the user's stored data key (see Config.DataKeys) to the current KEK. Without
// DataKeys, or for a user without a stored key, it does nothing.
func (s *Sealer) RewrapDataKey(ctx context.Context, userID string) error {
	if s == nil || s.current == nil {
		return errNotConstructed
	}
	if s.keys == nil {
		return nil
	}
	wk, err := s.keys.Get(ctx, userID)
	if coach.ErrorCode(err) == coach.ENOTFOUND {
		return nil
	}
	if err != nil {
		return err
	}
	if wk.KEKID == s.current.ID() {
		return nil
	}
	nk, err := s.rewrapKey(ctx, userID, wk)
	if err != nil {
		return err
	}
	return s.keys.Put(ctx, userID, nk)
}

func (s *Sealer) rewrapKey(ctx context.Context, userID string, wk WrappedKey) (WrappedKey, error) {
	old, err := s.kek(wk.KEKID)
	if err != nil {
		return WrappedKey{}, err
	}
	aad := dekAAD(userID)
	dek, err := old.Unwrap(ctx, wk.Wrapped, aad)
	if err != nil {
		return WrappedKey{}, errOpen
	}
	defer clear(dek)
	return s.wrapDataKey(ctx, dek, aad)
}

// dataKey returns a data key for userID and its wrapped form: the user's stored key when DataKeys
// is set (creating it on first use), a fresh key otherwise.
func (s *Sealer) dataKey(ctx context.Context, userID string) ([]byte, WrappedKey, error) {
	aad := dekAAD(userID)
	if s.keys != nil {
		wk, err := s.keys.Get(ctx, userID)
		switch coach.ErrorCode(err) {
		case "":
			kek, err := s.kek(wk.KEKID)
			if err != nil {
				return nil, WrappedKey{}, err
			}
			dek, err := kek.Unwrap(ctx, wk.Wrapped, aad)
			if err != nil {
				return nil, WrappedKey{}, errors.Errorf("seal: the stored data key of user %s does not unwrap", userID)
			}
			if wk.KEKID == s.current.ID() {
				return dek, wk, nil
			}
			// The stored key is wrapped by a retired KEK: a new envelope must not name it (it
			// would stop opening once that KEK is removed), so wrap the key again with the
			// current KEK and store that before sealing anything with it.
			nk, err := s.wrapDataKey(ctx, dek, aad)
			if err == nil {
				err = s.keys.Put(ctx, userID, nk)
			}
			if err != nil {
				clear(dek)
				return nil, WrappedKey{}, err
			}
			return dek, nk, nil
		case coach.ENOTFOUND:
		default:
			return nil, WrappedKey{}, err
		}
	}
	dek := make([]byte, KeySize)
	if _, err := rand.Read(dek); err != nil {
		return nil, WrappedKey{}, errors.Wrap(err, "seal: random data key")
	}
	wk, err := s.wrapDataKey(ctx, dek, aad)
	if err != nil {
		clear(dek)
		return nil, WrappedKey{}, err
	}
	if s.keys != nil {
		if err := s.keys.Put(ctx, userID, wk); err != nil {
			clear(dek)
			return nil, WrappedKey{}, err
		}
	}
	return dek, wk, nil
}

// wrapDataKey wraps dek with the current KEK and checks the result fits an envelope.
func (s *Sealer) wrapDataKey(ctx context.Context, dek, aad []byte) (WrappedKey, error) {
	wrapped, err := s.current.Wrap(ctx, dek, aad)
	if err != nil {
		return WrappedKey{}, errors.Wrap(err, "seal: wrap data key")
	}
	if len(wrapped) == 0 || len(wrapped) > maxWrappedSize {
		return WrappedKey{}, errors.Errorf("seal: KEK %s wrapped a data key into %d bytes (want 1-%d)", s.current.ID(), len(wrapped), maxWrappedSize)
	}
	return WrappedKey{KEKID: s.current.ID(), Wrapped: wrapped}, nil
}

func (s *Sealer) kek(id string) (KEK, error) {
	k, ok := s.keks[id]
	if !ok {
		return nil, errors.Errorf("seal: no key-encryption key %q is configured", id)
	}
	return k, nil
}

func newAEAD(key []byte) (cipher.AEAD, error) {
	block, err := aes.NewCipher(key)
	if err != nil {
		return nil, errors.Wrap(err, "seal: data key")
	}
	aead, err := cipher.NewGCM(block)
	if err != nil {
		return nil, errors.Wrap(err, "seal: data key")
	}
	return aead, nil
}
