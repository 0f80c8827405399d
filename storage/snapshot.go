package storage

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"io"

	"github.com/pkg/errors"

	"github.com/tradecoach/coach"
)

// SnapshotContentType is the content type candle snapshots are stored with.
const SnapshotContentType = "application/vnd.tradecoach.candles"

// SnapshotKey returns the blob key of the candle snapshot whose SHA-256 is sha256:
// "snapshots/{sha256}.candles". A key names its content, so one set of candles is stored once.
func SnapshotKey(sha256 string) string { return "snapshots/" + sha256 + ".candles" }

// PutSnapshot stores s.Bytes in blobs under SnapshotKey(s.SHA256). Storing the same candles again
// writes the same bytes under the same key, so it is safe to repeat (and to leave behind when a
// transaction that recorded the hash rolls back). EINVALID when s.SHA256 is not the SHA-256 of
// s.Bytes (a snapshot not made by coach.NewCandleSnapshot or DecodeCandleSnapshot), EINTERNAL
// when the store reports another hash for what it kept; the store's errors otherwise.
func PutSnapshot(ctx context.Context, blobs Blobs, s coach.CandleSnapshot) error {
	sum := sha256.Sum256(s.Bytes)
	if hexsum := hex.EncodeToString(sum[:]); hexsum != s.SHA256 {
		return coach.Errorf(coach.EINVALID, "snapshot: SHA256 is not the hash of Bytes")
	}
	info, err := blobs.Put(ctx, SnapshotKey(s.SHA256), bytes.NewReader(s.Bytes), SnapshotContentType)
	if err != nil {
		return err
	}
	if info.SHA256 != "" && info.SHA256 != s.SHA256 {
		return errors.Errorf("snapshot: the blob store reports sha256 %s for %s", clip(info.SHA256), SnapshotKey(s.SHA256))
	}
	return nil
}

// LoadSnapshot reads the candle snapshot whose SHA-256 is sha256 from blobs, checks that its
// bytes hash to sha256 and decodes them (coach.DecodeCandleSnapshot). EINVALID for a sha256 that
// is not 64 lower-case hex digits, ENOTFOUND when no such snapshot is stored, EINTERNAL for a
// blob that does not hash to its name, does not decode or is larger than
// coach.MaxCandleSnapshotBytes (corruption); the store's errors otherwise.
func LoadSnapshot(ctx context.Context, blobs Blobs, sha256sum string) (coach.CandleSnapshot, error) {
	if !coach.ValidSHA256(sha256sum) {
		return coach.CandleSnapshot{}, coach.Errorf(coach.EINVALID, "snapshot: sha256: want 64 lower-case hex digits")
	}
	key := SnapshotKey(sha256sum)
	rc, _, err := blobs.Get(ctx, key)
	if err != nil {
		return coach.CandleSnapshot{}, err
	}
	defer rc.Close()
	b, err := io.ReadAll(io.LimitReader(rc, coach.MaxCandleSnapshotBytes+1))
	if err != nil {
		return coach.CandleSnapshot{}, errors.Wrapf(err, "snapshot: read %s", key)
	}
	if len(b) > coach.MaxCandleSnapshotBytes {
		return coach.CandleSnapshot{}, errors.Errorf("snapshot: %s is larger than %d bytes", key, coach.MaxCandleSnapshotBytes)
	}
	sum := sha256.Sum256(b)
	if got := hex.EncodeToString(sum[:]); got != sha256sum {
		return coach.CandleSnapshot{}, errors.Errorf("snapshot: %s hashes to %s", key, got)
	}
	s, err := coach.DecodeCandleSnapshot(b)
	if err != nil {
		// Not wrapped: the blob is corrupt (EINTERNAL), not the caller's input invalid.
		return coach.CandleSnapshot{}, errors.Errorf("snapshot: %s matches its hash but does not decode: %s", key, coach.ErrorMessage(err))
	}
	return s, nil
}

// clip shortens a value quoted in an error message.
func clip(s string) string {
	if len(s) > 64 {
		return s[:64] + "…"
	}
	return s
}
