package seal

import (
	"encoding/binary"

	"github.com/tradecoach/coach"
)

// Version1 is the envelope format this package writes:
//
//	offset  size  field
//	0       1     version (1)
//	1       1     n = length of the KEK id (1..255)
//	2       n     KEK id (ASCII)
//	2+n     2     m = length of the wrapped DEK, big-endian (1..4096)
//	4+n     m     wrapped DEK (opaque: the KEK's output)
//	4+n+m   12    AES-GCM nonce
//	16+n+m  rest  AES-256-GCM ciphertext and 16-byte tag
//
// The ciphertext's additional data is the Binding (see Binding) and the version; the KEK id and
// the wrapped DEK are not part of it, so that rotation can replace them without re-encrypting.
const Version1 byte = 1

const (
	nonceSize      = 12
	tagSize        = 16
	maxWrappedSize = 4096
)

// Envelope is a decoded sealed value.
type Envelope struct {
	Version    byte
	KEKID      string
	WrappedDEK []byte
	Nonce      []byte
	Ciphertext []byte
}

// Encode returns the envelope's bytes.
func (e Envelope) Encode() Sealed {
	out := make([]byte, 0, 4+len(e.KEKID)+len(e.WrappedDEK)+len(e.Nonce)+len(e.Ciphertext))
	out = append(out, e.Version, byte(len(e.KEKID)))
	out = append(out, e.KEKID...)
	out = binary.BigEndian.AppendUint16(out, uint16(len(e.WrappedDEK)))
	out = append(out, e.WrappedDEK...)
	out = append(out, e.Nonce...)
	out = append(out, e.Ciphertext...)
	return SealedOf(out)
}

// Decode parses a sealed value. It checks the structure only (EINVALID for anything malformed or
// of an unknown version); authenticity is checked by Open.
func Decode(sealed Sealed) (Envelope, error) {
	bad := coach.Errorf(coach.EINVALID, "seal: malformed envelope")
	s := sealed.Bytes()
	if len(s) < 2 {
		return Envelope{}, bad
	}
	if s[0] != Version1 {
		return Envelope{}, coach.Errorf(coach.EINVALID, "seal: unknown envelope version %d", s[0])
	}
	n := int(s[1])
	if n == 0 || len(s) < 2+n+2 {
		return Envelope{}, bad
	}
	id := string(s[2 : 2+n])
	if !validKEKID(id) {
		return Envelope{}, bad
	}
	m := int(binary.BigEndian.Uint16(s[2+n:]))
	rest := s[4+n:]
	if m == 0 || m > maxWrappedSize || len(rest) < m+nonceSize+tagSize {
		return Envelope{}, bad
	}
	return Envelope{
		Version:    s[0],
		KEKID:      id,
		WrappedDEK: rest[:m:m],
		Nonce:      rest[m : m+nonceSize : m+nonceSize],
		Ciphertext: rest[m+nonceSize:],
	}, nil
}

// validKEKID: 1 to 255 printable ASCII bytes.
func validKEKID(id string) bool {
	if len(id) == 0 || len(id) > 255 {
		return false
	}
	for i := 0; i < len(id); i++ {
		if id[i] < 0x21 || id[i] > 0x7e {
			return false
		}
	}
	return true
}
