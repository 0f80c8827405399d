package redis_test

import (
	"bytes"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/tradecoach/coach"
	"github.com/tradecoach/coach/storage"
	"github.com/tradecoach/coach/storage/redis/redistest"
)

func TestIdempotencyOtherHashWhileInFlightIsInvalid(t *testing.T) {
	t.Parallel()
	idem := redistest.MustOpen(t).Idempotency()
	ctx := t.Context()
	if _, err := idem.Claim(ctx, "k", "h1", time.Minute); err != nil {
		t.Fatal(err)
	}
	if _, err := idem.Claim(ctx, "k", "h2", time.Minute); coach.ErrorCode(err) != coach.EINVALID {
		t.Errorf("Claim with another hash while in flight: %v, want EINVALID", err)
	}
}

func TestIdempotencyReleaseKeepsCompletedRecord(t *testing.T) {
	t.Parallel()
	idem := redistest.MustOpen(t).Idempotency()
	ctx := t.Context()
	if _, err := idem.Claim(ctx, "k", "h", time.Minute); err != nil {
		t.Fatal(err)
	}
	if err := idem.Complete(ctx, "k", []byte("resp"), time.Hour); err != nil {
		t.Fatal(err)
	}
	if err := idem.Release(ctx, "k"); err != nil {
		t.Fatal(err)
	}
	if err := idem.Release(ctx, "absent"); err != nil {
		t.Errorf("Release of a free key: %v", err)
	}
	rec, err := idem.Claim(ctx, "k", "h", time.Minute)
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(storage.IdemRecord{State: storage.IdemDone, Response: []byte("resp")}, rec); diff != "" {
		t.Errorf("Claim after Release of a completed key (-want +got):\n%s", diff)
	}
}

func TestIdempotencyCompleteTwiceIsNotFound(t *testing.T) {
	t.Parallel()
	idem := redistest.MustOpen(t).Idempotency()
	ctx := t.Context()
	if _, err := idem.Claim(ctx, "k", "h", time.Minute); err != nil {
		t.Fatal(err)
	}
	if err := idem.Complete(ctx, "k", []byte("one"), time.Hour); err != nil {
		t.Fatal(err)
	}
	if err := idem.Complete(ctx, "k", []byte("two"), time.Hour); coach.ErrorCode(err) != coach.ENOTFOUND {
		t.Errorf("second Complete: %v, want ENOTFOUND", err)
	}
	rec, _ := idem.Claim(ctx, "k", "h", time.Minute)
	if string(rec.Response) != "one" {
		t.Errorf("stored response %q, want the first one", rec.Response)
	}
}

func TestIdempotencyConcurrentClaimsOneWins(t *testing.T) {
	t.Parallel()
	idem := redistest.MustOpen(t).Idempotency()
	const workers = 16
	codes := make(chan coach.Code, workers)
	for range workers {
		go func() {
			_, err := idem.Claim(t.Context(), "k", "h", time.Minute)
			codes <- coach.ErrorCode(err)
		}()
	}
	won := 0
	for range workers {
		switch c := <-codes; c {
		case "":
			won++
		case coach.ECONFLICT:
		default:
			t.Errorf("Claim: code %q", c)
		}
	}
	if won != 1 {
		t.Errorf("%d concurrent Claims won, want exactly 1", won)
	}
}

func TestIdempotencyInvalidInput(t *testing.T) {
	t.Parallel()
	idem := redistest.MustOpen(t).Idempotency()
	ctx := t.Context()
	_, err1 := idem.Claim(ctx, "", "h", time.Minute)
	_, err2 := idem.Claim(ctx, "k", "", time.Minute)
	for name, err := range map[string]error{
		"Claim empty key":    err1,
		"Claim empty hash":   err2,
		"Complete empty key": idem.Complete(ctx, "", nil, time.Minute),
		"Release empty key":  idem.Release(ctx, ""),
	} {
		if coach.ErrorCode(err) != coach.EINVALID {
			t.Errorf("%s: %v, want EINVALID", name, err)
		}
	}
}

// FuzzIdempotencyRoundTrip checks that any key, hash and response — binary, empty, or looking
// like the script's own state words — survive the Lua scripts unchanged.
func FuzzIdempotencyRoundTrip(f *testing.F) {
	f.Add("k", "h", []byte(`{"status":201}`))
	f.Add("claimed", "done", []byte("claimed"))
	f.Add("a:b:*", "\x00", []byte{})
	f.Add("ключ", "sha256:ab", []byte{0, 0xff, '\n', 0})
	idem := redistest.MustOpen(f).Idempotency()
	f.Fuzz(func(t *testing.T, key, hash string, resp []byte) {
		if key == "" || hash == "" {
			t.Skip()
		}
		ctx := t.Context()
		key = redistest.RandomPrefix() + key // each input its own record
		rec, err := idem.Claim(ctx, key, hash, time.Minute)
		if err != nil || rec.State != storage.IdemClaimed {
			t.Fatalf("Claim: %+v %v", rec, err)
		}
		if err := idem.Complete(ctx, key, resp, time.Minute); err != nil {
			t.Fatalf("Complete: %v", err)
		}
		rec, err = idem.Claim(ctx, key, hash, time.Minute)
		if err != nil || rec.State != storage.IdemDone || !bytes.Equal(rec.Response, resp) {
			t.Fatalf("replay: %+v %v, want done with %q", rec, err, resp)
		}
		if _, err := idem.Claim(ctx, key, hash+"x", time.Minute); coach.ErrorCode(err) != coach.EINVALID {
			t.Fatalf("Claim with another hash: %v, want EINVALID", err)
		}
	})
}
