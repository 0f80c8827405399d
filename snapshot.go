package coach

import (
	"bytes"
	"cmp"
	"crypto/sha256"
	"encoding/binary"
	"encoding/hex"
	"io"
	"math"
	"slices"
	"strings"
	"time"
)

// CandleSnapshot is a set of candles in canonical form: the market data a result (a bias tag, a
// simulation) was computed from, kept as bytes whose SHA-256 names it. The same set of candles
// gives the same Bytes, and so the same SHA256, on every machine, whatever the order, repetition
// or time zones of the candles it was made from; DecodeCandleSnapshot(Bytes) gives back exactly
// Candles. The encoding is
//
//	"tradecoach/sim candles v1\n"
//	per series (one symbol and interval), by Symbol (byte order) then interval width:
//	    symbol "\n" interval "\n" count (uint64)
//	    per run of bars without a gap, by OpenTime: the first OpenTime in Unix seconds (int64)
//	    and the run's length (uint64), then per bar Open, High, Low, Close, Volume as IEEE-754
//	    binary64 bits (uint64)
//
// every integer big-endian: 40 bytes a bar. It is the encoding sim.HashCandles has hashed the
// candles of simulations with since v0.1 (hence the first line's wording): candles of one
// interval per symbol have the same SHA-256 as a snapshot and as a simulation's
// Data.CandlesSHA256.
type CandleSnapshot struct {
	// Candles are the candles of the set, sorted by Symbol (byte order), then interval width,
	// then OpenTime, each valid, with OpenTime in UTC.
	Candles []Candle
	// Bytes is the canonical encoding of Candles; SHA256 its hex SHA-256 in lower case.
	Bytes  []byte
	SHA256 string
	// Invalid, Duplicates and Conflicting count what NewCandleSnapshot left out of the candles it
	// was given: candles that Candle.Validate refuses or that open before 1970 or after 2261,
	// identical repeats of a candle (one copy is kept), and every copy of a candle given twice
	// with different values (that bar is a gap). A decoded snapshot has none.
	Invalid, Duplicates, Conflicting int
}

// CandleRun is one series of a snapshot: the bars of one symbol and interval, in strictly
// increasing OpenTime.
type CandleRun struct {
	Symbol   Symbol
	Interval Interval
	Bars     []Candle
}

// candleMagic starts the canonical encoding (see CandleSnapshot).
const candleMagic = "tradecoach/sim candles v1\n"

// MaxCandleSnapshotBytes bounds a snapshot DecodeCandleSnapshot accepts: 256 MiB, about 6.7
// million bars (twelve years of one-minute bars of one symbol).
const MaxCandleSnapshotBytes = 256 << 20

// barBytes is the size of one encoded bar: five float64s.
const barBytes = 40

// minOpen and maxOpen bound the OpenTime of a snapshot's bars: the range in which Unix
// nanoseconds (which scoring and simulation use) are defined.
var (
	minOpen = time.Unix(0, 0)
	maxOpen = time.Date(2262, 1, 1, 0, 0, 0, 0, time.UTC)
)

// NewCandleSnapshot returns the canonical snapshot of candles. It keeps the candles that
// Candle.Validate accepts and that open from 1970 to 2261, one copy of a candle repeated with
// the same values, and no copy of a candle given twice with different values (same Symbol,
// Interval and OpenTime); it counts what it left out. A volume of -0 is kept as 0. Candles of
// several intervals of one symbol make one series each. It never fails: a snapshot of nothing
// has no candles, and its bytes are the encoding's first line.
func NewCandleSnapshot(candles []Candle) CandleSnapshot {
	var s CandleSnapshot
	kept := make([]Candle, 0, len(candles))
	var lastSym Symbol
	lastOK := false
	for _, c := range candles {
		// What Candle.Validate checks, the symbol once per run of it (parsing it allocates).
		if c.Symbol != lastSym || lastSym == "" {
			lastSym, lastOK = c.Symbol, c.Symbol.Valid()
		}
		if !lastOK || !alignedOpen(&c) || !goodBar(&c) {
			s.Invalid++
			continue
		}
		c.OpenTime = time.Unix(c.OpenTime.Unix(), 0).UTC()
		if c.Volume == 0 {
			c.Volume = 0 // not -0: the bits are what is hashed
		}
		kept = append(kept, c)
	}
	slices.SortStableFunc(kept, compareCandleKeys)
	out := kept[:0]
	for i := 0; i < len(kept); {
		j := i + 1
		conflict := false
		for j < len(kept) && compareCandleKeys(kept[i], kept[j]) == 0 {
			conflict = conflict || kept[i] != kept[j]
			j++
		}
		if conflict {
			s.Conflicting += j - i
		} else {
			s.Duplicates += j - i - 1
			out = append(out, kept[i])
		}
		i = j
	}
	s.Candles = slices.Clip(out)
	runs := runsOf(s.Candles)
	var b bytes.Buffer
	b.Grow(len(candleMagic) + (2*maxSymbolLen+24)*len(runs) + barBytes*len(s.Candles))
	h := sha256.New()
	// Neither writer fails, and the runs are clean by construction.
	_ = writeSnapshot(io.MultiWriter(&b, h), runs)
	s.Bytes = b.Bytes()
	s.SHA256 = hex.EncodeToString(h.Sum(nil))
	return s
}

// compareCandleKeys orders candles by (Symbol, interval width, OpenTime).
func compareCandleKeys(a, b Candle) int {
	if c := strings.Compare(string(a.Symbol), string(b.Symbol)); c != 0 {
		return c
	}
	if c := cmp.Compare(a.Interval.Duration(), b.Interval.Duration()); c != 0 {
		return c
	}
	return a.OpenTime.Compare(b.OpenTime)
}

// runsOf splits sorted, clean candles into their series (the Bars alias cs).
func runsOf(cs []Candle) []CandleRun {
	var runs []CandleRun
	for i := 0; i < len(cs); {
		j := i + 1
		for j < len(cs) && cs[j].Symbol == cs[i].Symbol && cs[j].Interval == cs[i].Interval {
			j++
		}
		runs = append(runs, CandleRun{Symbol: cs[i].Symbol, Interval: cs[i].Interval, Bars: cs[i:j:j]})
		i = j
	}
	return runs
}

// checkRuns reports the first way series is not clean. It checks what Candle.Validate checks,
// the symbol and interval once per series and the rest per bar.
func checkRuns(series []CandleRun) error {
	for k, s := range series {
		sym, iv := clip(string(s.Symbol), 40), clip(string(s.Interval), 8)
		step := int64(s.Interval.Duration() / time.Second)
		switch {
		case !s.Symbol.Valid() || step == 0:
			return Errorf(EINVALID, "snapshot: series %q %q: want a BASE-QUOTE symbol and a known interval", sym, iv)
		case len(s.Bars) == 0:
			return Errorf(EINVALID, "snapshot: series %s %s has no bars", sym, iv)
		case k > 0 && !(series[k-1].Symbol < s.Symbol ||
			series[k-1].Symbol == s.Symbol && series[k-1].Interval.Duration() < s.Interval.Duration()):
			return Errorf(EINVALID, "snapshot: series %s %s out of order", sym, iv)
		}
		prev := int64(math.MinInt64)
		for i := range s.Bars {
			c := &s.Bars[i]
			o := c.OpenTime.Unix()
			switch {
			case c.Symbol != s.Symbol || c.Interval != s.Interval:
				return Errorf(EINVALID, "snapshot: a %q %q bar in series %s %s", clip(string(c.Symbol), 40), clip(string(c.Interval), 8), sym, iv)
			case !alignedOpen(c):
				return Errorf(EINVALID, "snapshot: %s %s: openTime: want aligned to %s, from 1970 to 2261", sym, iv, iv)
			case o <= prev:
				return Errorf(EINVALID, "snapshot: %s %s: bars not in strictly increasing openTime", sym, iv)
			case !goodBar(c) || math.Signbit(c.Volume):
				return Errorf(EINVALID, "snapshot: %s %s %s: want finite 0 < low ≤ open, close ≤ high and a volume ≥ 0 (not -0)",
					sym, iv, c.OpenTime.UTC().Format(time.RFC3339))
			}
			prev = o
		}
	}
	return nil
}

// goodBar reports whether c's prices and volume are as Candle.Validate wants them. Every
// comparison with a NaN is false, so no NaN or infinity passes.
func goodBar(c *Candle) bool {
	return c.Low > 0 && c.Low <= c.Open && c.Low <= c.Close && c.Open <= c.High && c.Close <= c.High &&
		c.High <= math.MaxFloat64 && c.Volume >= 0 && c.Volume <= math.MaxFloat64
}

// alignedOpen reports whether c has a known interval and opens from 1970 to 2261 on a multiple of
// it: in that range the same as Candle.Validate's Truncate check, since every interval divides a
// day and the Unix epoch is a whole number of days after year 1.
func alignedOpen(c *Candle) bool {
	step := int64(c.Interval.Duration() / time.Second)
	return step > 0 && !c.OpenTime.Before(minOpen) && c.OpenTime.Before(maxOpen) && c.OpenTime.Nanosecond() == 0 &&
		c.OpenTime.Unix()%step == 0
}

// writeSnapshot encodes clean series (see CandleSnapshot) to w through a buffer.
func writeSnapshot(w io.Writer, series []CandleRun) error {
	var buf [1024 * barBytes]byte
	n := copy(buf[:], candleMagic)
	be := binary.BigEndian
	flush := func() error {
		_, err := w.Write(buf[:n])
		n = 0
		return err
	}
	for _, s := range series {
		if n+2*maxSymbolLen+24 > len(buf) {
			if err := flush(); err != nil {
				return err
			}
		}
		n += copy(buf[n:], s.Symbol)
		buf[n] = '\n'
		n++
		n += copy(buf[n:], s.Interval)
		buf[n] = '\n'
		n++
		be.PutUint64(buf[n:], uint64(len(s.Bars)))
		n += 8
		step := int64(s.Interval.Duration() / time.Second)
		for i := 0; i < len(s.Bars); {
			// A run of bars without a gap.
			open := s.Bars[i].OpenTime.Unix()
			j := i + 1
			for j < len(s.Bars) && s.Bars[j].OpenTime.Unix() == open+int64(j-i)*step {
				j++
			}
			if n+16 > len(buf) {
				if err := flush(); err != nil {
					return err
				}
			}
			be.PutUint64(buf[n:], uint64(open))
			be.PutUint64(buf[n+8:], uint64(j-i))
			n += 16
			for k := i; k < j; k++ {
				if n+barBytes > len(buf) {
					if err := flush(); err != nil {
						return err
					}
				}
				c := &s.Bars[k]
				b := buf[n : n+barBytes]
				be.PutUint64(b[0:], math.Float64bits(c.Open))
				be.PutUint64(b[8:], math.Float64bits(c.High))
				be.PutUint64(b[16:], math.Float64bits(c.Low))
				be.PutUint64(b[24:], math.Float64bits(c.Close))
				be.PutUint64(b[32:], math.Float64bits(c.Volume))
				n += barBytes
			}
			i = j
		}
	}
	return flush()
}

// maxSymbolLen bounds a canonical symbol: two assets and the dash.
const maxSymbolLen = 2*maxAssetLen + 1

// HashCandleSnapshot returns the SHA256 of the snapshot of the candles in series, without
// copying or encoding them in memory: hashing a year of one-minute bars takes milliseconds. The
// series must be clean — sorted by Symbol then interval width, each (Symbol, Interval) once and
// not empty, bars of that symbol and interval, valid (Candle.Validate), opening from 1970 to
// 2261, in strictly increasing OpenTime, volume not -0 — as NewCandleSnapshot makes them (its
// Candles, split where the symbol or interval changes); any other input is EINVALID.
func HashCandleSnapshot(series []CandleRun) (string, error) {
	if err := checkRuns(series); err != nil {
		return "", err
	}
	return hashRuns(series), nil
}

// hashRuns hashes clean series.
func hashRuns(series []CandleRun) string {
	h := sha256.New()
	_ = writeSnapshot(h, series) // a hash never fails to write
	return hex.EncodeToString(h.Sum(nil))
}

// DecodeCandleSnapshot parses the canonical encoding of a snapshot and returns it with its
// candles and SHA-256. Only canonical bytes are accepted — those NewCandleSnapshot writes for
// some set of candles, so that one set of candles has one encoding and one hash; anything else
// (another format, a truncated or padded document, unsorted, repeated, invalid or gap-less
// separate runs of bars, more than MaxCandleSnapshotBytes) is EINVALID.
func DecodeCandleSnapshot(b []byte) (CandleSnapshot, error) {
	bad := func(why string) (CandleSnapshot, error) {
		return CandleSnapshot{}, Errorf(EINVALID, "snapshot: %s", why)
	}
	if len(b) > MaxCandleSnapshotBytes {
		return bad("larger than the limit")
	}
	if !bytes.HasPrefix(b, []byte(candleMagic)) {
		return bad("not a candle snapshot (v1)")
	}
	rest := b[len(candleMagic):]
	be := binary.BigEndian
	var candles []Candle
	line := func() (string, bool) {
		i := bytes.IndexByte(rest[:min(len(rest), maxSymbolLen+1)], '\n')
		if i < 0 {
			return "", false
		}
		s := string(rest[:i])
		rest = rest[i+1:]
		return s, true
	}
	for len(rest) > 0 {
		sym, ok := line()
		if !ok || !Symbol(sym).Valid() {
			return bad("malformed symbol")
		}
		ivs, ok := line()
		iv := Interval(ivs)
		if !ok || iv.Duration() == 0 {
			return bad("malformed interval")
		}
		if len(rest) < 8 {
			return bad("truncated")
		}
		count := be.Uint64(rest)
		rest = rest[8:]
		if count == 0 || count > uint64(len(rest)/barBytes) {
			return bad("bar count out of range")
		}
		candles = slices.Grow(candles, int(count))
		step := int64(iv.Duration() / time.Second)
		for left := count; left > 0; {
			if len(rest) < 16 {
				return bad("truncated")
			}
			open, n := int64(be.Uint64(rest)), be.Uint64(rest[8:])
			rest = rest[16:]
			if n == 0 || n > left || n > uint64(len(rest)/barBytes) {
				return bad("run length out of range")
			}
			if open < minOpen.Unix() || open >= maxOpen.Unix() || (maxOpen.Unix()-open)/step < int64(n) {
				return bad("openTime out of range")
			}
			for k := range int64(n) {
				r := rest[:barBytes]
				candles = append(candles, Candle{
					Symbol: Symbol(sym), Interval: iv, OpenTime: time.Unix(open+k*step, 0).UTC(),
					Open: math.Float64frombits(be.Uint64(r[0:])), High: math.Float64frombits(be.Uint64(r[8:])),
					Low: math.Float64frombits(be.Uint64(r[16:])), Close: math.Float64frombits(be.Uint64(r[24:])),
					Volume: math.Float64frombits(be.Uint64(r[32:])),
				})
				rest = rest[barBytes:]
			}
			left -= n
		}
	}
	// Canonical means: the encoding of what was decoded is the input itself.
	s := NewCandleSnapshot(candles)
	if s.Invalid+s.Duplicates+s.Conflicting > 0 || !bytes.Equal(s.Bytes, b) {
		return bad("not in canonical form")
	}
	return s, nil
}

// ValidSHA256 reports whether s is a hex SHA-256 as snapshots are named: 64 lower-case hex digits.
func ValidSHA256(s string) bool {
	if len(s) != 64 {
		return false
	}
	for i := 0; i < len(s); i++ {
		if c := s[i]; !(c >= '0' && c <= '9' || c >= 'a' && c <= 'f') {
			return false
		}
	}
	return true
}
