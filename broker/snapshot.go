package broker

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"io"
	"slices"
	"strings"

	"github.com/pkg/errors"

	"github.com/tradecoach/coach"
	"github.com/tradecoach/coach/storage"
)

// SnapshotVersion is the version of the snapshot document MarshalSnapshot writes.//
// Deprecated: bias tags and simulations share one snapshot: coach.NewCandleSnapshot, stored with
// storage.PutSnapshot and read with storage.LoadSnapshot (the encoding sim.HashCandles hashes).
// This JSON form names the same candles by another hash.
const SnapshotVersion = 1

// MaxSnapshotBytes bounds a snapshot read back by LoadSnapshot (about a million candles).
//
// Deprecated: see SnapshotVersion; coach.MaxCandleSnapshotBytes bounds the shared snapshot.
const MaxSnapshotBytes = 256 << 20

// SnapshotRef identifies a stored snapshot of candles: a score or a simulation records it, and
// LoadSnapshot gives back exactly the candles it used.//
// Deprecated: bias tags and simulations share one snapshot: coach.NewCandleSnapshot, stored with
// storage.PutSnapshot and read with storage.LoadSnapshot (the encoding sim.HashCandles hashes).
// This JSON form names the same candles by another hash.
type SnapshotRef struct {
	// Key is the blob key, "snapshots/{sha256}.json".
	Key string `json:"key"`
	// SHA256 is the hex SHA-256 of the snapshot's bytes.
	SHA256 string `json:"sha256"`
	// Count is the number of candles.
	Count int `json:"count"`
}

type snapshotDoc struct {
	Version int            `json:"version"`
	Candles []coach.Candle `json:"candles"`
}

// MarshalSnapshot returns the canonical bytes of a set of candles: a JSON document
// {"version":1,"candles":[…]} with the candles sorted by (symbol, interval, openTime), times in
// UTC, floats in Go's shortest round-trip form, one candle per line. The same set of candles gives
// the same bytes — and so the same SHA-256 — on every machine, whatever their order or time
// zones. Every candle must be valid; a candle repeated with the same values is kept once, and two
// different candles for the same (symbol, interval, openTime) are EINVALID.//
// Deprecated: bias tags and simulations share one snapshot: coach.NewCandleSnapshot, stored with
// storage.PutSnapshot and read with storage.LoadSnapshot (the encoding sim.HashCandles hashes).
// This JSON form names the same candles by another hash.
func MarshalSnapshot(candles []coach.Candle) ([]byte, error) {
	b, _, err := marshalSnapshot(candles)
	return b, err
}

func marshalSnapshot(candles []coach.Candle) ([]byte, int, error) {
	cs := make([]coach.Candle, len(candles))
	for i, c := range candles {
		if err := c.Validate(); err != nil {
			return nil, 0, err
		}
		c.OpenTime = c.OpenTime.UTC()
		cs[i] = c
	}
	slices.SortFunc(cs, compareCandles)
	cs = slices.CompactFunc(cs, func(a, b coach.Candle) bool {
		return compareCandles(a, b) == 0 && a.Open == b.Open && a.High == b.High && a.Low == b.Low && a.Close == b.Close && a.Volume == b.Volume
	})
	for i := 1; i < len(cs); i++ {
		if compareCandles(cs[i-1], cs[i]) == 0 {
			return nil, 0, coach.Errorf(coach.EINVALID, "snapshot: two different candles for %s %s at %s", cs[i].Symbol, cs[i].Interval, cs[i].OpenTime.Format("2006-01-02T15:04:05Z"))
		}
	}
	var b bytes.Buffer
	b.Grow(64 + 160*len(cs))
	b.WriteString(`{"version":1,"candles":[`)
	for i, c := range cs {
		if i > 0 {
			b.WriteByte(',')
		}
		b.WriteByte('\n')
		line, err := json.Marshal(c)
		if err != nil {
			return nil, 0, errors.Wrap(err, "snapshot: marshal candle")
		}
		b.Write(line)
	}
	b.WriteString("\n]}\n")
	return b.Bytes(), len(cs), nil
}

// UnmarshalSnapshot parses a snapshot document and validates its candles.//
// Deprecated: bias tags and simulations share one snapshot: coach.NewCandleSnapshot, stored with
// storage.PutSnapshot and read with storage.LoadSnapshot (the encoding sim.HashCandles hashes).
// This JSON form names the same candles by another hash.
func UnmarshalSnapshot(b []byte) ([]coach.Candle, error) {
	var doc snapshotDoc
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&doc); err != nil {
		return nil, coach.Errorf(coach.EINVALID, "snapshot: not a snapshot document")
	}
	if doc.Version != SnapshotVersion {
		return nil, coach.Errorf(coach.EINVALID, "snapshot: unknown version %d", doc.Version)
	}
	for _, c := range doc.Candles {
		if err := c.Validate(); err != nil {
			return nil, err
		}
	}
	return doc.Candles, nil
}

// Snapshot stores the canonical bytes of candles (see MarshalSnapshot) under
// "snapshots/{sha256}.json" and returns the reference to record with the result that used them.
// Storing the same candles again writes the same blob.//
// Deprecated: bias tags and simulations share one snapshot: coach.NewCandleSnapshot, stored with
// storage.PutSnapshot and read with storage.LoadSnapshot (the encoding sim.HashCandles hashes).
// This JSON form names the same candles by another hash.
func Snapshot(ctx context.Context, blobs storage.Blobs, candles []coach.Candle) (SnapshotRef, error) {
	b, n, err := marshalSnapshot(candles)
	if err != nil {
		return SnapshotRef{}, err
	}
	sum := sha256.Sum256(b)
	hexsum := hex.EncodeToString(sum[:])
	ref := SnapshotRef{Key: snapshotKey(hexsum), SHA256: hexsum, Count: n}
	info, err := blobs.Put(ctx, ref.Key, bytes.NewReader(b), "application/json")
	if err != nil {
		return SnapshotRef{}, err
	}
	if info.SHA256 != "" && !strings.EqualFold(info.SHA256, hexsum) {
		return SnapshotRef{}, errors.Errorf("snapshot: the store reports sha256 %s for %s", info.SHA256, ref.Key)
	}
	return ref, nil
}

// LoadSnapshot reads the snapshot ref names and returns its candles, after checking that the
// bytes hash to ref.SHA256 and that there are ref.Count candles. EINVALID for a malformed ref,
// ENOTFOUND for a missing blob, EINTERNAL for a blob that does not match its hash (corruption).//
// Deprecated: bias tags and simulations share one snapshot: coach.NewCandleSnapshot, stored with
// storage.PutSnapshot and read with storage.LoadSnapshot (the encoding sim.HashCandles hashes).
// This JSON form names the same candles by another hash.
func LoadSnapshot(ctx context.Context, blobs storage.Blobs, ref SnapshotRef) ([]coach.Candle, error) {
	if !validSHA256(ref.SHA256) {
		return nil, coach.Errorf(coach.EINVALID, "snapshot: sha256: want 64 lower-case hex digits")
	}
	if ref.Key == "" {
		ref.Key = snapshotKey(ref.SHA256)
	}
	if !storage.ValidBlobKey(ref.Key) {
		return nil, coach.Errorf(coach.EINVALID, "snapshot: key: malformed")
	}
	rc, _, err := blobs.Get(ctx, ref.Key)
	if err != nil {
		return nil, err
	}
	defer rc.Close()
	b, err := io.ReadAll(io.LimitReader(rc, MaxSnapshotBytes+1))
	if err != nil {
		return nil, errors.Wrapf(err, "snapshot: read %s", ref.Key)
	}
	if len(b) > MaxSnapshotBytes {
		return nil, errors.Errorf("snapshot: %s is larger than %d bytes", ref.Key, MaxSnapshotBytes)
	}
	sum := sha256.Sum256(b)
	if got := hex.EncodeToString(sum[:]); got != ref.SHA256 {
		return nil, errors.Errorf("snapshot: %s hashes to %s, want %s", ref.Key, got, ref.SHA256)
	}
	candles, err := UnmarshalSnapshot(b)
	if err != nil {
		return nil, errors.Wrapf(err, "snapshot: %s matches its hash but does not parse", ref.Key)
	}
	if len(candles) != ref.Count {
		return nil, coach.Errorf(coach.EINVALID, "snapshot: ref says %d candles, the snapshot has %d", ref.Count, len(candles))
	}
	return candles, nil
}

func snapshotKey(hexsum string) string { return "snapshots/" + hexsum + ".json" }

func validSHA256(s string) bool {
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

func compareCandles(a, b coach.Candle) int {
	if c := strings.Compare(string(a.Symbol), string(b.Symbol)); c != 0 {
		return c
	}
	if a.Interval != b.Interval {
		return intervalOrder(a.Interval) - intervalOrder(b.Interval)
	}
	return a.OpenTime.Compare(b.OpenTime)
}

// intervalOrder sorts intervals by width (all valid candles have a known one).
func intervalOrder(i coach.Interval) int { return int(i.Duration() / 1e9) }
