package coach

import (
	"crypto/rand"
	mrand "math/rand/v2"
	"strconv"
	"sync"
	"time"

	"github.com/oklog/ulid/v2"
)

// IDRandomChars is how many characters of a NewID are random: 16 base-36 digits, about
// 82.7 bits.
const IDRandomChars = 16

// NewID returns a new entity identifier, cuid-shaped: 25 characters of [0-9a-z], starting with
// 'c', then the creation time in milliseconds (8 base-36 digits, so ids are roughly time-ordered),
// then IDRandomChars base-36 digits drawn uniformly from a cryptographic source (crypto/rand,
// expanded with ChaCha8). Knowing any number of ids tells nothing about the next one beyond its approximate time, and two ids collide with
// probability about 2^-82 even in the same millisecond. It panics only if crypto/rand fails,
// which the standard library treats as fatal too.
func NewID() string {
	var b [25]byte
	b[0] = 'c'
	var t [16]byte
	ms := strconv.AppendInt(t[:0], time.Now().UnixMilli(), 36)
	// 8 digits hold every millisecond from 1970 to 2059; after that the oldest digits are dropped
	// and the id keeps its length.
	if len(ms) > 8 {
		ms = ms[len(ms)-8:]
	}
	copy(b[1:9], "00000000")
	copy(b[9-len(ms):9], ms)
	idRandom.fill(b[9:])
	return string(b[:])
}

// ValidID reports whether id looks like an identifier this module issues or accepts from an
// adapter: 1 to 64 characters of [A-Za-z0-9_-].
func ValidID(id string) bool {
	if len(id) == 0 || len(id) > 64 {
		return false
	}
	for i := 0; i < len(id); i++ {
		c := id[i]
		if !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '_' || c == '-') {
			return false
		}
	}
	return true
}

// NextEventID returns the ULID for a user's next event: one whose time is now (millisecond
// precision) with random entropy, unless that would not sort after last, in which case it is
// last+1. Called while holding the user's stream lock, it makes event ids strictly increasing per
// user in commit order, so that "since <id>" never skips an event committed late. last may be ""
// for a user's first event.
func NextEventID(now time.Time, last string) (string, error) {
	id, err := ulid.New(ulid.Timestamp(now), rand.Reader)
	if err != nil {
		return "", err
	}
	if last == "" {
		return id.String(), nil
	}
	prev, err := ulid.ParseStrict(last)
	if err != nil {
		return "", Errorf(EINVALID, "event id %q is not a ULID", last)
	}
	if id.Compare(prev) > 0 {
		return id.String(), nil
	}
	next := prev
	for i := len(next) - 1; i >= 0; i-- {
		next[i]++
		if next[i] != 0 {
			break
		}
	}
	if next.Compare(prev) <= 0 {
		return "", Errorf(EINTERNAL, "event id space exhausted after %s", last)
	}
	return next.String(), nil
}

// EventIDTime returns the time encoded in an event id (millisecond precision, UTC).
func EventIDTime(id string) (time.Time, error) {
	u, err := ulid.ParseStrict(id)
	if err != nil {
		return time.Time{}, Errorf(EINVALID, "event id %q is not a ULID", id)
	}
	return ulid.Time(u.Time()).UTC(), nil
}

// EventIDAt returns the smallest event id whose time is t: every id issued at or after t sorts at
// or after it. Useful as a "since" bound for a time. A t before 1970 gives the smallest id, and a
// t past the last millisecond a ULID can hold (year 10889) the largest.
func EventIDAt(t time.Time) string {
	if t.Before(time.Unix(0, 0)) {
		return ulid.ULID{}.String()
	}
	var u ulid.ULID
	if err := u.SetTime(ulid.Timestamp(t)); err != nil {
		for i := range u {
			u[i] = 0xff
		}
	}
	return u.String()
}

// idAlphabet are the digits of an id.
const idAlphabet = "0123456789abcdefghijklmnopqrstuvwxyz"

// idRandom is a buffer of random bytes: each refill expands 32 fresh bytes of crypto/rand with
// ChaCha8 (a cryptographically strong generator, math/rand/v2) into 4 KiB, enough for about 240
// ids. Reading crypto/rand for every id costs more than storing a row; this costs a few
// nanoseconds an id and keeps every id as unpredictable as the 32-byte seed behind it.
var idRandom = &randomDigits{off: len(randomDigits{}.buf)}

type randomDigits struct {
	mu  sync.Mutex
	rng mrand.ChaCha8
	buf [4096]byte
	off int // bytes of buf used
}

// fill writes uniform base-36 digits into out, each from one random byte; bytes ≥ 252 (which
// would favour the first four digits) are skipped.
func (r *randomDigits) fill(out []byte) {
	r.mu.Lock()
	defer r.mu.Unlock()
	for i := 0; i < len(out); {
		if r.off == len(r.buf) {
			r.refill()
		}
		c := r.buf[r.off]
		r.off++
		if c < 252 {
			out[i] = idAlphabet[c%36]
			i++
		}
	}
}

func (r *randomDigits) refill() {
	var seed [32]byte
	if _, err := rand.Read(seed[:]); err != nil {
		panic("coach: crypto/rand: " + err.Error())
	}
	r.rng.Seed(seed)
	clear(seed[:])
	_, _ = r.rng.Read(r.buf[:])
	r.off = 0
}
