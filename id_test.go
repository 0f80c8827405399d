package coach_test

import (
	"math/rand"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/oklog/ulid/v2"

	"github.com/tradecoach/coach"
)

func TestNewID(t *testing.T) {
	t.Parallel()
	seen := map[string]bool{}
	for range 1000 {
		id := coach.NewID()
		if len(id) != 25 || id[0] != 'c' || !coach.ValidID(id) {
			t.Fatalf("NewID() = %q: want 25 characters starting with c", id)
		}
		if seen[id] {
			t.Fatalf("NewID() repeated %q", id)
		}
		seen[id] = true
	}
}

func TestValidID(t *testing.T) {
	t.Parallel()
	for id, want := range map[string]bool{
		"c1": true, "A_b-9": true, strings.Repeat("x", 64): true,
		"": false, strings.Repeat("x", 65): false, "a b": false, "a/b": false, "ä": false, "a.b": false, "a\x00": false,
	} {
		if got := coach.ValidID(id); got != want {
			t.Errorf("ValidID(%q) = %v, want %v", id, got, want)
		}
	}
}

// eventTime parses the time of an event id or fails the test.
func eventTime(t *testing.T, id string) time.Time {
	t.Helper()
	ts, err := coach.EventIDTime(id)
	if err != nil {
		t.Fatalf("EventIDTime(%q): %v", id, err)
	}
	return ts
}

func TestNextEventID(t *testing.T) {
	t.Parallel()
	now := time.Date(2026, 3, 2, 10, 0, 0, 123_456_789, time.UTC)
	ms := now.Truncate(time.Millisecond)

	t.Run("first id has now's millisecond", func(t *testing.T) {
		t.Parallel()
		id, err := coach.NextEventID(now, "")
		if err != nil {
			t.Fatal(err)
		}
		if got := eventTime(t, id); !got.Equal(ms) {
			t.Errorf("time = %v, want %v", got, ms)
		}
	})
	t.Run("strictly increasing within one millisecond", func(t *testing.T) {
		t.Parallel()
		last := ""
		for i := range 2000 {
			id, err := coach.NextEventID(now, last)
			if err != nil {
				t.Fatal(err)
			}
			if id <= last {
				t.Fatalf("id %d: %s does not sort after %s", i, id, last)
			}
			if got := eventTime(t, id); !got.Equal(ms) {
				t.Fatalf("id %d: time %v, want %v", i, got, ms)
			}
			last = id
		}
	})
	t.Run("clock going backwards", func(t *testing.T) {
		t.Parallel()
		last, err := coach.NextEventID(now, "")
		if err != nil {
			t.Fatal(err)
		}
		for i := range 100 {
			id, err := coach.NextEventID(now.Add(-time.Duration(i+1)*time.Second), last)
			if err != nil {
				t.Fatal(err)
			}
			if id <= last {
				t.Fatalf("step %d: %s does not sort after %s", i, id, last)
			}
			if got := eventTime(t, id); !got.Equal(ms) {
				t.Fatalf("step %d: time %v, want the last id's %v", i, got, ms)
			}
			last = id
		}
	})
	t.Run("clock moving on", func(t *testing.T) {
		t.Parallel()
		last, _ := coach.NextEventID(now, "")
		later := now.Add(1500 * time.Millisecond)
		id, err := coach.NextEventID(later, last)
		if err != nil {
			t.Fatal(err)
		}
		if id <= last || !eventTime(t, id).Equal(later.Truncate(time.Millisecond)) {
			t.Errorf("id %s (time %v) after %s: want the later time", id, eventTime(t, id), last)
		}
	})
	t.Run("last at max entropy carries into the next millisecond", func(t *testing.T) {
		t.Parallel()
		var u ulid.ULID
		if err := u.SetTime(ulid.Timestamp(now)); err != nil {
			t.Fatal(err)
		}
		for i := 6; i < 16; i++ {
			u[i] = 0xff
		}
		last := u.String()
		id, err := coach.NextEventID(now, last)
		if err != nil {
			t.Fatal(err)
		}
		if id <= last {
			t.Fatalf("%s does not sort after %s", id, last)
		}
		if got, want := eventTime(t, id), ms.Add(time.Millisecond); !got.Equal(want) {
			t.Errorf("time = %v, want %v", got, want)
		}
		if next := ulid.MustParse(id); next.Entropy()[0] != 0 || next.Entropy()[9] != 0 {
			t.Errorf("entropy of %s = %x, want zero", id, next.Entropy())
		}
	})
	t.Run("id space exhausted", func(t *testing.T) {
		t.Parallel()
		max := "7ZZZZZZZZZZZZZZZZZZZZZZZZZ"
		if _, err := coach.NextEventID(now, max); coach.ErrorCode(err) != coach.EINTERNAL {
			t.Errorf("after the largest ULID: error %v, want EINTERNAL", err)
		}
	})
	t.Run("malformed last", func(t *testing.T) {
		t.Parallel()
		for _, last := range []string{"x", "01ARZ3NDEKTSV4RRFFQ69G5FA", "01ARZ3NDEKTSV4RRFFQ69G5FAVV", "8ZZZZZZZZZZZZZZZZZZZZZZZZZ", "01ARZ3NDEKTSV4RRFFQ69G5FAU"} {
			if _, err := coach.NextEventID(now, last); coach.ErrorCode(err) != coach.EINVALID {
				t.Errorf("last %q: error %v, want EINVALID", last, err)
			}
		}
	})
}

func TestEventIDAt(t *testing.T) {
	t.Parallel()
	at := time.Date(2026, 3, 2, 10, 0, 0, 500_000_000, time.UTC)
	bound := coach.EventIDAt(at)
	if got := eventTime(t, bound); !got.Equal(at) {
		t.Errorf("EventIDAt time = %v, want %v", got, at)
	}
	for range 100 {
		id, _ := coach.NextEventID(at, "")
		if id < bound {
			t.Fatalf("id %s issued at t sorts before EventIDAt(t) %s", id, bound)
		}
		early, _ := coach.NextEventID(at.Add(-time.Millisecond), "")
		if early >= bound {
			t.Fatalf("id %s issued before t sorts at or after EventIDAt(t) %s", early, bound)
		}
	}
	if got := coach.EventIDAt(time.Date(1960, 1, 1, 0, 0, 0, 0, time.UTC)); got != "00000000000000000000000000" {
		t.Errorf("EventIDAt(before 1970) = %s, want the smallest id", got)
	}
	// Past the last time a ULID can hold, no id is issued at or after t: the bound is the
	// largest id, so that "since" it returns nothing rather than everything.
	if got := coach.EventIDAt(time.Date(12000, 1, 1, 0, 0, 0, 0, time.UTC)); got != "7ZZZZZZZZZZZZZZZZZZZZZZZZZ" {
		t.Errorf("EventIDAt(year 12000) = %s, want the largest id", got)
	}
	if _, err := coach.EventIDTime("nope"); coach.ErrorCode(err) != coach.EINVALID {
		t.Errorf("EventIDTime(nope): %v, want EINVALID", err)
	}
}

// TestNewIDCannotBePredicted replays the review's attack: cuid.New drew its random blocks from
// math/rand seeded with the process's start second, so an attacker who saw one id tried every
// start second of the last minutes, found the seed and the stream position that produce the id's
// two random blocks, and read the next ids' random blocks off the same stream. It must find
// nothing in ids drawn from a cryptographic source. (Not parallel: the attack assumes no other
// test draws ids between the observed one and the next five, which is how it succeeded against
// cuid: 5 of 5 predicted.)
func TestNewIDCannotBePredicted(t *testing.T) {
	const base = 36 * 36 * 36 * 36
	block := func(s string) int32 {
		n, err := strconv.ParseInt(s, 36, 32)
		if err != nil {
			t.Fatalf("block %q: %v", s, err)
		}
		return int32(n)
	}
	seen := coach.NewID()
	r1, r2 := block(seen[17:21]), block(seen[21:25])
	var next []string
	for range 5 {
		next = append(next, coach.NewID())
	}
	now := time.Now().Unix()
	for seed := now - 300; seed <= now; seed++ {
		rng := rand.New(rand.NewSource(seed))
		prev := rng.Int31n(base)
		for range 50_000 {
			cur := rng.Int31n(base)
			if prev == r1 && cur == r2 {
				hits := 0
				for _, id := range next {
					if block(id[17:21]) == rng.Int31n(base) && block(id[21:25]) == rng.Int31n(base) {
						hits++
					}
				}
				if hits > 0 {
					t.Fatalf("from %s and the start second %d, %d of the next 5 ids %v were predicted", seen, seed, hits, next)
				}
			}
			prev = cur
		}
	}
}

// TestNewIDRandomPart checks the shape and spread of the random digits: every one of the
// IDRandomChars positions takes every base-36 digit over 20,000 ids (a position fixed or biased by
// a seed would miss some: cuid's counter and fingerprint digits do), and no two ids share their
// random part.
func TestNewIDRandomPart(t *testing.T) {
	t.Parallel()
	const n = 20_000
	var seen [coach.IDRandomChars][36]bool
	parts := make(map[string]bool, n)
	for range n {
		id := coach.NewID()
		if len(id) != 25 || id[0] != 'c' || strings.Trim(id, "0123456789abcdefghijklmnopqrstuvwxyz") != "" {
			t.Fatalf("NewID() = %q, want c and 24 base-36 digits", id)
		}
		part := id[25-coach.IDRandomChars:]
		if parts[part] {
			t.Fatalf("random part %q repeated", part)
		}
		parts[part] = true
		for i := range coach.IDRandomChars {
			d, _ := strconv.ParseInt(part[i:i+1], 36, 8)
			seen[i][d] = true
		}
	}
	for i := range seen {
		for d, ok := range seen[i] {
			if !ok {
				t.Errorf("position %d never took digit %s", i, strconv.FormatInt(int64(d), 36))
			}
		}
	}
	// The time part orders ids of different milliseconds.
	a := coach.NewID()
	time.Sleep(2 * time.Millisecond)
	if b := coach.NewID(); b[:9] <= a[:9] {
		t.Errorf("time part of %s does not sort after %s", b, a)
	}
}

func BenchmarkNewID(b *testing.B) {
	b.ReportAllocs()
	for b.Loop() {
		_ = coach.NewID()
	}
}

func BenchmarkNewIDParallel(b *testing.B) {
	b.ReportAllocs()
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			_ = coach.NewID()
		}
	})
}
