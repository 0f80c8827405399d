package coach_test

import (
	"bytes"
	"crypto/sha256"
	"encoding/binary"
	"encoding/hex"
	"math"
	"math/rand/v2"
	"reflect"
	"slices"
	"testing"
	"time"

	"github.com/tradecoach/coach"
)

// snapBars returns n contiguous hourly bars of sym from t0, with prices from a seeded walk.
func snapBars(sym coach.Symbol, t0 time.Time, n int, seed uint64) []coach.Candle {
	r := rand.New(rand.NewPCG(seed, 1))
	out := make([]coach.Candle, n)
	p := 100.0
	for i := range out {
		o := p
		p *= 1 + (r.Float64()-0.5)/50
		out[i] = coach.Candle{Symbol: sym, Interval: coach.Hour1, OpenTime: t0.Add(time.Duration(i) * time.Hour),
			Open: o, High: max(o, p) * 1.001, Low: min(o, p) * 0.999, Close: p, Volume: r.Float64() * 10}
	}
	return out
}

var snapT0 = time.Date(2026, 3, 2, 0, 0, 0, 0, time.UTC)

// TestCandleSnapshotEncoding pins the format with one hand-written document: a change of a byte
// of the encoding changes every hash ever recorded.
func TestCandleSnapshotEncoding(t *testing.T) {
	t.Parallel()
	c := coach.Candle{Symbol: "BTC-USDT", Interval: coach.Hour1, OpenTime: snapT0, Open: 1, High: 2.5, Low: 0.5, Close: 1.25, Volume: 1e-7}
	d := c
	d.OpenTime = snapT0.Add(2 * time.Hour) // after a gap: a second run
	var want []byte
	u64 := func(v uint64) { want = binary.BigEndian.AppendUint64(want, v) }
	bar := func(c coach.Candle) {
		for _, f := range []float64{c.Open, c.High, c.Low, c.Close, c.Volume} {
			u64(math.Float64bits(f))
		}
	}
	want = append(want, "tradecoach/sim candles v1\nBTC-USDT\n1h\n"...)
	u64(2)
	u64(uint64(snapT0.Unix()))
	u64(1)
	bar(c)
	u64(uint64(snapT0.Unix() + 7200))
	u64(1)
	bar(d)
	s := coach.NewCandleSnapshot([]coach.Candle{d, c})
	if !bytes.Equal(s.Bytes, want) {
		t.Fatalf("bytes:\n%x\nwant\n%x", s.Bytes, want)
	}
	sum := sha256.Sum256(want)
	if s.SHA256 != hex.EncodeToString(sum[:]) {
		t.Errorf("SHA256 %s is not the hash of the bytes", s.SHA256)
	}
	empty := coach.NewCandleSnapshot(nil)
	if string(empty.Bytes) != "tradecoach/sim candles v1\n" || len(empty.Candles) != 0 {
		t.Errorf("empty snapshot: %q, %d candles", empty.Bytes, len(empty.Candles))
	}
}

// TestCandleSnapshotIsCanonical: order, repeats and time zones of the input do not change the
// bytes; what is left out is counted.
func TestCandleSnapshotIsCanonical(t *testing.T) {
	t.Parallel()
	btc := snapBars("BTC-USDT", snapT0, 50, 1)
	eth := snapBars("ETH-USDT", snapT0, 30, 2)
	eth4h := []coach.Candle{{Symbol: "ETH-USDT", Interval: coach.Hour4, OpenTime: snapT0, Open: 10, High: 11, Low: 9, Close: 10.5, Volume: 3}}
	base := slices.Concat(btc[:20], btc[25:], eth, eth4h) // a gap in BTC
	want := coach.NewCandleSnapshot(base)
	if want.Invalid+want.Duplicates+want.Conflicting != 0 || len(want.Candles) != len(base) {
		t.Fatalf("clean input: %+v counts, %d candles", [3]int{want.Invalid, want.Duplicates, want.Conflicting}, len(want.Candles))
	}
	// Sorted by symbol, interval width, time; UTC.
	if want.Candles[0] != btc[0] || want.Candles[len(want.Candles)-1] != eth4h[0] || want.Candles[len(base)-2] != eth[29] {
		t.Errorf("candles not in (symbol, interval, time) order")
	}

	berlin, err := time.LoadLocation("Europe/Berlin")
	if err != nil {
		t.Fatal(err)
	}
	shuffled := slices.Clone(base)
	rand.New(rand.NewPCG(7, 7)).Shuffle(len(shuffled), func(i, j int) { shuffled[i], shuffled[j] = shuffled[j], shuffled[i] })
	for i := range shuffled {
		if i%3 == 0 {
			shuffled[i].OpenTime = shuffled[i].OpenTime.In(berlin)
		}
	}
	shuffled = append(shuffled, base[3], base[40]) // identical repeats
	got := coach.NewCandleSnapshot(shuffled)
	if !bytes.Equal(got.Bytes, want.Bytes) || got.SHA256 != want.SHA256 {
		t.Error("shuffled, repeated, zoned input gives other bytes")
	}
	if !reflect.DeepEqual(got.Candles, want.Candles) {
		t.Error("shuffled input gives other candles")
	}
	if got.Duplicates != 2 {
		t.Errorf("Duplicates = %d, want 2", got.Duplicates)
	}

	// A conflicting bar is dropped in every copy; an invalid one is counted; -0 volume is 0.
	conflict := btc[5]
	conflict.Close *= 1.0001
	conflict.High = max(conflict.High, conflict.Close)
	bad := btc[6]
	bad.Low = -1
	early := btc[7]
	early.OpenTime = time.Date(1969, 12, 31, 23, 0, 0, 0, time.UTC)
	negZero := btc[0]
	negZero.Volume = math.Copysign(0, -1)
	in := slices.Concat(base, []coach.Candle{conflict, bad, early})
	in[0] = negZero
	s := coach.NewCandleSnapshot(in)
	if s.Conflicting != 2 || s.Invalid != 2 || s.Duplicates != 0 || len(s.Candles) != len(base)-1 {
		t.Errorf("counts %d conflicting, %d invalid, %d duplicates, %d candles; want 2, 2, 0, %d",
			s.Conflicting, s.Invalid, s.Duplicates, len(s.Candles), len(base)-1)
	}
	if math.Signbit(s.Candles[0].Volume) {
		t.Error("-0 volume kept as -0")
	}
	for _, c := range s.Candles {
		if c.OpenTime.Equal(btc[5].OpenTime) && c.Symbol == "BTC-USDT" {
			t.Error("a conflicting bar was kept")
		}
	}
}

func TestCandleSnapshotDecodeRoundTrip(t *testing.T) {
	t.Parallel()
	in := slices.Concat(snapBars("SOL-EUR", snapT0, 40, 3), snapBars("BTC-USDT", snapT0.Add(-24*time.Hour), 10, 4))
	in = append(in[:15], in[17:]...) // a gap
	s := coach.NewCandleSnapshot(in)
	d, err := coach.DecodeCandleSnapshot(s.Bytes)
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(d, coach.CandleSnapshot{Candles: s.Candles, Bytes: s.Bytes, SHA256: s.SHA256}) {
		t.Errorf("decoded snapshot differs from the one encoded")
	}
	if &d.Bytes[0] == &s.Bytes[0] {
		t.Error("decoded Bytes alias the input")
	}
	runs := [][]coach.Candle{s.Candles[:10], s.Candles[10:]}
	sum, err := coach.HashCandleSnapshot([]coach.CandleRun{
		{Symbol: "BTC-USDT", Interval: coach.Hour1, Bars: runs[0]}, {Symbol: "SOL-EUR", Interval: coach.Hour1, Bars: runs[1]},
	})
	if err != nil || sum != s.SHA256 {
		t.Errorf("HashCandleSnapshot = %s, %v; want %s", sum, err, s.SHA256)
	}
}

func TestCandleSnapshotRejects(t *testing.T) {
	t.Parallel()
	bars := snapBars("BTC-USDT", snapT0, 4, 5)
	good := coach.NewCandleSnapshot(bars).Bytes
	// Two runs where the encoding has one: bars 0-1 and 2-3 written as separate runs.
	split := append([]byte(nil), good[:len("tradecoach/sim candles v1\nBTC-USDT\n1h\n")+8]...)
	split = binary.BigEndian.AppendUint64(split, uint64(snapT0.Unix()))
	split = binary.BigEndian.AppendUint64(split, 2)
	body := good[len(split):]
	split = append(split, body[:80]...)
	split = binary.BigEndian.AppendUint64(split, uint64(snapT0.Unix()+7200))
	split = binary.BigEndian.AppendUint64(split, 2)
	split = append(split, body[80:]...)
	// ETH before BTC: series out of order.
	eth := coach.NewCandleSnapshot(snapBars("ETH-USDT", snapT0, 2, 6)).Bytes
	magic := len("tradecoach/sim candles v1\n")
	swapped := slices.Concat(eth, good[magic:])
	negZero := slices.Clone(good)
	binary.BigEndian.PutUint64(negZero[len(negZero)-8:], math.Float64bits(math.Copysign(0, -1)))
	nan := slices.Clone(good)
	binary.BigEndian.PutUint64(nan[len(nan)-16:], math.Float64bits(math.NaN()))
	for name, b := range map[string][]byte{
		"empty":              nil,
		"json":               []byte(`{"version":1,"candles":[]}`),
		"truncated":          good[:len(good)-1],
		"padded":             append(slices.Clone(good), 0),
		"split run":          split,
		"series unsorted":    swapped,
		"volume -0":          negZero,
		"NaN close":          nan,
		"count beyond bytes": slices.Concat(good[:magic+len("BTC-USDT\n1h\n")], []byte{0x7f, 0, 0, 0, 0, 0, 0, 0}),
		"bad symbol":         slices.Concat([]byte("tradecoach/sim candles v1\nBTCUSDT\n1h\n"), good[magic+len("BTC-USDT\n1h\n"):]),
	} {
		if _, err := coach.DecodeCandleSnapshot(b); coach.ErrorCode(err) != coach.EINVALID {
			t.Errorf("%s: err = %v, want EINVALID", name, err)
		}
	}
	if _, err := coach.DecodeCandleSnapshot(split[:0]); err == nil {
		t.Error("nothing decoded")
	}
	// HashCandleSnapshot refuses what is not clean.
	for name, runs := range map[string][]coach.CandleRun{
		"empty series":   {{Symbol: "BTC-USDT", Interval: coach.Hour1}},
		"unsorted bars":  {{Symbol: "BTC-USDT", Interval: coach.Hour1, Bars: []coach.Candle{bars[1], bars[0]}}},
		"other interval": {{Symbol: "BTC-USDT", Interval: coach.Minute1, Bars: bars}},
		"series twice":   {{Symbol: "BTC-USDT", Interval: coach.Hour1, Bars: bars[:1]}, {Symbol: "BTC-USDT", Interval: coach.Hour1, Bars: bars[2:]}},
	} {
		if _, err := coach.HashCandleSnapshot(runs); coach.ErrorCode(err) != coach.EINVALID {
			t.Errorf("HashCandleSnapshot, %s: err = %v, want EINVALID", name, err)
		}
	}
}

func TestValidSHA256(t *testing.T) {
	t.Parallel()
	ok := hex.EncodeToString(make([]byte, 32))
	for s, want := range map[string]bool{ok: true, ok[:63]: false, ok + "0": false, "A" + ok[1:]: false, "g" + ok[1:]: false, "": false} {
		if coach.ValidSHA256(s) != want {
			t.Errorf("ValidSHA256(%q) = %v", s, !want)
		}
	}
}

// FuzzDecodeCandleSnapshot: whatever bytes a blob holds, decoding never panics, and what it
// accepts is canonical: encoding the candles again gives the same bytes and hash.
func FuzzDecodeCandleSnapshot(f *testing.F) {
	f.Add(coach.NewCandleSnapshot(snapBars("BTC-USDT", snapT0, 3, 8)).Bytes)
	f.Add(coach.NewCandleSnapshot(nil).Bytes)
	f.Add([]byte("tradecoach/sim candles v1\nETH-BTC\n1m\n\x00\x00\x00\x00\x00\x00\x00\x01"))
	f.Fuzz(func(t *testing.T, b []byte) {
		s, err := coach.DecodeCandleSnapshot(b)
		if err != nil {
			if coach.ErrorCode(err) != coach.EINVALID {
				t.Fatalf("err = %v, want EINVALID", err)
			}
			return
		}
		again := coach.NewCandleSnapshot(s.Candles)
		sum := sha256.Sum256(b)
		if !bytes.Equal(again.Bytes, b) || s.SHA256 != hex.EncodeToString(sum[:]) || again.SHA256 != s.SHA256 {
			t.Fatal("accepted bytes that are not the canonical encoding of their candles")
		}
	})
}

// BenchmarkCandleSnapshot measures a year of one-minute bars of one symbol (525,600 bars, 21 MB
// encoded): making the snapshot from shuffled-free input (clean, sort, encode, hash), hashing
// clean series without the bytes, and decoding (which re-encodes to check canonical form).
func BenchmarkCandleSnapshot(b *testing.B) {
	const n = 365 * 24 * 60
	bars := make([]coach.Candle, n)
	p := 100.0
	r := rand.New(rand.NewPCG(1, 2))
	for i := range bars {
		o := p
		p *= 1 + (r.Float64()-0.5)/500
		bars[i] = coach.Candle{Symbol: "BTC-USDT", Interval: coach.Minute1, OpenTime: snapT0.Add(time.Duration(i) * time.Minute),
			Open: o, High: max(o, p) * 1.0001, Low: min(o, p) * 0.9999, Close: p, Volume: r.Float64()}
	}
	s := coach.NewCandleSnapshot(bars)
	b.Run("New", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			coach.NewCandleSnapshot(bars)
		}
		b.ReportMetric(float64(n)*float64(b.N)/b.Elapsed().Seconds(), "bars/s")
	})
	b.Run("Hash", func(b *testing.B) {
		runs := []coach.CandleRun{{Symbol: "BTC-USDT", Interval: coach.Minute1, Bars: s.Candles}}
		b.ReportAllocs()
		for b.Loop() {
			if _, err := coach.HashCandleSnapshot(runs); err != nil {
				b.Fatal(err)
			}
		}
		b.ReportMetric(float64(n)*float64(b.N)/b.Elapsed().Seconds(), "bars/s")
	})
	b.Run("Decode", func(b *testing.B) {
		b.SetBytes(int64(len(s.Bytes)))
		b.ReportAllocs()
		for b.Loop() {
			if _, err := coach.DecodeCandleSnapshot(s.Bytes); err != nil {
				b.Fatal(err)
			}
		}
	})
}
