package edge

import (
	"context"
	"crypto/rand"
	"crypto/subtle"
	"encoding/base64"
	"fmt"
	"strconv"
	"strings"

	"golang.org/x/crypto/argon2"

	"github.com/tradecoach/coach"
)

// PasswordParams is the cost of Argon2id: Memory in KiB, Time passes, Threads lanes.
type PasswordParams struct {
	Memory  uint32
	Time    uint32
	Threads uint8
}

// OWASPParams are OWASP's minimum for Argon2id: 19 MiB, 2 passes, 1 lane.
func OWASPParams() PasswordParams { return PasswordParams{Memory: 19 * 1024, Time: 2, Threads: 1} }

// Limits of the parameters a stored hash may carry, so a bad row cannot make the edge spend
// unbounded memory or time.
const (
	maxMemoryKiB = 256 * 1024
	maxTime      = 10
	saltBytes    = 16
	keyBytes     = 32
)

// Validate reports parameters out of range: Memory from 8×Threads KiB to 256 MiB, Time 1 to 10,
// Threads at least 1.
func (p PasswordParams) Validate() error {
	if p.Threads == 0 || p.Memory < 8*uint32(p.Threads) || p.Memory > maxMemoryKiB || p.Time == 0 || p.Time > maxTime {
		return coach.Errorf(coach.EINVALID, "edge: Config.Password: want 1-10 passes, at least one lane and 8 KiB per lane up to 256 MiB")
	}
	return nil
}

// hasher hashes and checks passwords with Argon2id, running at most a few at once: each takes
// Memory KiB, and a burst of logins must not exhaust the host.
type hasher struct {
	params PasswordParams
	slots  chan struct{}
}

func newHasher(p PasswordParams, concurrency int) *hasher {
	return &hasher{params: p, slots: make(chan struct{}, concurrency)}
}

// acquire waits for a slot, or gives ECANCELED when ctx ends first.
func (h *hasher) acquire(ctx context.Context) (func(), error) {
	select {
	case h.slots <- struct{}{}:
		return func() { <-h.slots }, nil
	case <-ctx.Done():
		cerr, _ := coach.ContextError(ctx.Err())
		return nil, cerr
	}
}

// hash returns the PHC string of password: $argon2id$v=19$m=…,t=…,p=…$salt$key (unpadded
// standard base64), with a fresh random salt.
func (h *hasher) hash(ctx context.Context, password string) (string, error) {
	release, err := h.acquire(ctx)
	if err != nil {
		return "", err
	}
	defer release()
	return HashPassword(password, h.params), nil
}

// HashPassword returns the Argon2id PHC string of password under p, with a fresh random salt:
// what the edge stores through core at sign-up, for a tool that creates users through core's
// internal API (refhost load against a host whose sign-up mail it cannot read).
func HashPassword(password string, p PasswordParams) string {
	salt := make([]byte, saltBytes)
	_, _ = rand.Read(salt) // crypto/rand.Read never fails
	key := argon2.IDKey([]byte(password), salt, p.Time, p.Memory, p.Threads, keyBytes)
	return fmt.Sprintf("$argon2id$v=%d$m=%d,t=%d,p=%d$%s$%s", argon2.Version, p.Memory, p.Time, p.Threads,
		base64.RawStdEncoding.EncodeToString(salt), base64.RawStdEncoding.EncodeToString(key))
}

// verify reports whether password matches the PHC string phc, in constant time over the key. A
// hash that does not parse never matches (and costs the work of the configured parameters, so
// the answer takes as long).
func (h *hasher) verify(ctx context.Context, phc, password string) (bool, error) {
	release, err := h.acquire(ctx)
	if err != nil {
		return false, err
	}
	defer release()
	p, salt, want, err := ParsePHC(phc)
	if err != nil {
		p, salt = h.params, make([]byte, saltBytes)
		_ = argon2.IDKey([]byte(password), salt, p.Time, p.Memory, p.Threads, keyBytes)
		return false, nil
	}
	got := argon2.IDKey([]byte(password), salt, p.Time, p.Memory, p.Threads, uint32(len(want)))
	return subtle.ConstantTimeCompare(got, want) == 1, nil
}

// ParsePHC reads an Argon2id PHC string ($argon2id$v=19$m=M,t=T,p=P$salt$key) with parameters
// within PasswordParams.Validate's bounds, a salt of 8 to 64 bytes and a key of 16 to 64 bytes.
// Anything else is EINVALID.
func ParsePHC(s string) (PasswordParams, []byte, []byte, error) {
	bad := coach.Errorf(coach.EINVALID, "not an Argon2id hash in PHC form")
	parts := strings.Split(s, "$")
	if len(s) > 256 || len(parts) != 6 || parts[0] != "" || parts[1] != "argon2id" || parts[2] != "v="+strconv.Itoa(argon2.Version) {
		return PasswordParams{}, nil, nil, bad
	}
	var p PasswordParams
	fields := strings.Split(parts[3], ",")
	if len(fields) != 3 {
		return PasswordParams{}, nil, nil, bad
	}
	for i, name := range []string{"m", "t", "p"} {
		v, ok := strings.CutPrefix(fields[i], name+"=")
		n, err := strconv.ParseUint(v, 10, 32)
		if !ok || err != nil || len(v) > 10 || (len(v) > 1 && v[0] == '0') {
			return PasswordParams{}, nil, nil, bad
		}
		switch name {
		case "m":
			p.Memory = uint32(n)
		case "t":
			p.Time = uint32(n)
		case "p":
			if n > 255 {
				return PasswordParams{}, nil, nil, bad
			}
			p.Threads = uint8(n)
		}
	}
	if p.Validate() != nil {
		return PasswordParams{}, nil, nil, bad
	}
	salt, err1 := base64.RawStdEncoding.Strict().DecodeString(parts[4])
	key, err2 := base64.RawStdEncoding.Strict().DecodeString(parts[5])
	if err1 != nil || err2 != nil || len(salt) < 8 || len(salt) > 64 || len(key) < 16 || len(key) > 64 {
		return PasswordParams{}, nil, nil, bad
	}
	return p, salt, key, nil
}
