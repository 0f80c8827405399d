package sim

import (
	"crypto/sha256"
	"encoding/binary"
	"encoding/hex"
	"hash"
	"math"
	"time"

	"github.com/tradecoach/coach"
)

// candlesMagic starts the canonical encoding of candles.
const candlesMagic = "tradecoach/sim candles v1\n"

// HashCandles returns the hex SHA-256 of the canonical encoding of candles, as a simulation given
// them reports it in Data.CandlesSHA256 when it uses them all. Of each symbol the valid bars of
// its shortest interval are encoded, one copy of a repeated bar and none of a bar given twice with
// different values (the cleaning Run does), symbols in byte order:
//
//	"tradecoach/sim candles v1\n"
//	per symbol: symbol "\n" interval "\n" count (uint64)
//	    per run of bars without a gap, by OpenTime: the first OpenTime in Unix seconds (int64)
//	    and the run's length (uint64), then per bar Open, High, Low, Close, Volume as IEEE-754
//	    binary64 bits (uint64)
//
// every integer big-endian: 40 bytes a bar, so that hashing a year of minute bars takes
// milliseconds. The same candles give the same hash whatever their order, repetition or time
// zones.
func HashCandles(candles []coach.Candle) string {
	want := make(map[coach.Symbol]bool)
	for i := range candles {
		want[candles[i].Symbol] = true
	}
	return hashSet(cleanCandles(candles, want, "", time.Unix(math.MaxInt64/1_000_000_000-1, 0)))
}

// hashSet hashes a clean candle set in the canonical encoding of HashCandles.
func hashSet(cs *candleSet) string {
	h := sha256.New()
	var buf [1024 * 40]byte
	n := copy(buf[:], candlesMagic)
	be := binary.BigEndian
	for _, s := range cs.ordered {
		if n+128 > len(buf) {
			h.Write(buf[:n])
			n = 0
		}
		n += copy(buf[n:], s.sym)
		buf[n] = '\n'
		n++
		n += copy(buf[n:], s.iv)
		buf[n] = '\n'
		n++
		be.PutUint64(buf[n:], uint64(len(s.bars)))
		n += 8
		for i := 0; i < len(s.bars); {
			// A run of bars without a gap.
			j := i + 1
			open := s.bars[i].OpenTime.UnixNano()
			for j < len(s.bars) && s.bars[j].OpenTime.UnixNano() == open+int64(j-i)*s.step {
				j++
			}
			if n+16 > len(buf) {
				h.Write(buf[:n])
				n = 0
			}
			be.PutUint64(buf[n:], uint64(s.bars[i].OpenTime.Unix()))
			be.PutUint64(buf[n+8:], uint64(j-i))
			n += 16
			for k := i; k < j; k++ {
				if n+40 > len(buf) {
					h.Write(buf[:n])
					n = 0
				}
				c := &s.bars[k]
				b := buf[n : n+40]
				be.PutUint64(b[0:], math.Float64bits(c.Open))
				be.PutUint64(b[8:], math.Float64bits(c.High))
				be.PutUint64(b[16:], math.Float64bits(c.Low))
				be.PutUint64(b[24:], math.Float64bits(c.Close))
				be.PutUint64(b[32:], math.Float64bits(c.Volume))
				n += 40
			}
			i = j
		}
	}
	h.Write(buf[:n])
	return hex.EncodeToString(h.Sum(nil))
}

// flush writes buf to h and returns it emptied.
func flush(h hash.Hash, buf []byte) []byte {
	h.Write(buf)
	return buf[:0]
}
