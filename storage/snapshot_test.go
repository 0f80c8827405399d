package storage_test

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"io"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/tradecoach/coach"
	"github.com/tradecoach/coach/storage"
	"github.com/tradecoach/coach/storage/memory"
)

func TestSnapshotPutAndLoad(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	blobs := memory.NewBlobs()
	t0 := time.Date(2026, 1, 5, 0, 0, 0, 0, time.UTC)
	var cs []coach.Candle
	for i := range 30 {
		p := 100 + float64(i)
		cs = append(cs, coach.Candle{Symbol: "BTC-USD", Interval: coach.Minute15, OpenTime: t0.Add(time.Duration(i) * 15 * time.Minute),
			Open: p, High: p + 1, Low: p - 1, Close: p + 0.5, Volume: 2})
	}
	s := coach.NewCandleSnapshot(cs)
	if err := storage.PutSnapshot(ctx, blobs, s); err != nil {
		t.Fatal(err)
	}
	if err := storage.PutSnapshot(ctx, blobs, s); err != nil {
		t.Fatalf("storing the same snapshot again: %v", err)
	}
	// The blob under the key is the snapshot's bytes, and hashes to its name.
	rc, info, err := blobs.Get(ctx, "snapshots/"+s.SHA256+".candles")
	if err != nil {
		t.Fatal(err)
	}
	b, _ := io.ReadAll(rc)
	rc.Close()
	sum := sha256.Sum256(b)
	if !bytes.Equal(b, s.Bytes) || hex.EncodeToString(sum[:]) != s.SHA256 || info.ContentType != storage.SnapshotContentType {
		t.Errorf("blob %s holds %d bytes hashing to %x (%s), want the snapshot's", info.Key, len(b), sum, info.ContentType)
	}
	got, err := storage.LoadSnapshot(ctx, blobs, s.SHA256)
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(got.Candles, s.Candles) || got.SHA256 != s.SHA256 {
		t.Error("loaded snapshot differs from the stored one")
	}

	// Errors: malformed name, absent, corrupt, and a snapshot whose hash is not its bytes'.
	if _, err := storage.LoadSnapshot(ctx, blobs, strings.ToUpper(s.SHA256)); coach.ErrorCode(err) != coach.EINVALID {
		t.Errorf("upper-case sha: %v, want EINVALID", err)
	}
	if _, err := storage.LoadSnapshot(ctx, blobs, strings.Repeat("0", 64)); coach.ErrorCode(err) != coach.ENOTFOUND {
		t.Errorf("absent: %v, want ENOTFOUND", err)
	}
	tampered := bytes.Clone(s.Bytes)
	tampered[len(tampered)-1] ^= 1
	if _, err := blobs.Put(ctx, storage.SnapshotKey(s.SHA256), bytes.NewReader(tampered), ""); err != nil {
		t.Fatal(err)
	}
	if _, err := storage.LoadSnapshot(ctx, blobs, s.SHA256); coach.ErrorCode(err) != coach.EINTERNAL {
		t.Errorf("tampered blob: %v, want EINTERNAL", err)
	}
	// Bytes that hash to their name but are not a snapshot are corrupt too.
	junk := []byte("not a snapshot")
	js := sha256.Sum256(junk)
	if _, err := blobs.Put(ctx, storage.SnapshotKey(hex.EncodeToString(js[:])), bytes.NewReader(junk), ""); err != nil {
		t.Fatal(err)
	}
	if _, err := storage.LoadSnapshot(ctx, blobs, hex.EncodeToString(js[:])); coach.ErrorCode(err) != coach.EINTERNAL {
		t.Errorf("junk under its own hash: %v, want EINTERNAL", err)
	}
	forged := s
	forged.SHA256 = strings.Repeat("a", 64)
	if err := storage.PutSnapshot(ctx, blobs, forged); coach.ErrorCode(err) != coach.EINVALID {
		t.Errorf("forged hash: %v, want EINVALID", err)
	}
}
