package storagetest

import (
	"bytes"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"reflect"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"
	"github.com/tradecoach/coach"
)

// expiryDeadline bounds how long a suite waits for a TTL to pass. It is generous on purpose: a
// suite never asserts how fast something expires, only that it eventually does.
const expiryDeadline = 20 * time.Second

// shortTTL is the TTL the suites use when they wait for something to expire.
const shortTTL = 200 * time.Millisecond

// randomKey returns a fresh key prefix of [a-z0-9] so that subtests and adapters sharing one
// backend never collide.
func randomKey(t testing.TB) string {
	t.Helper()
	var b [8]byte
	if _, err := rand.Read(b[:]); err != nil {
		t.Fatal(err)
	}
	return "st" + hex.EncodeToString(b[:])
}

// eventually calls cond until it reports true, failing the test if that does not happen before
// expiryDeadline. It polls; it never asserts an upper bound on how long a real store takes.
func eventually(t testing.TB, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(expiryDeadline)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("%s: still not the case after %s", what, expiryDeadline)
		}
		time.Sleep(25 * time.Millisecond)
	}
}

// wantCode fails the test unless err has the coach error code want ("" for no error).
func wantCode(t testing.TB, err error, want coach.Code, what string) {
	t.Helper()
	if got := coach.ErrorCode(err); got != want {
		t.Fatalf("%s: error code %q (%v), want %q", what, got, err, want)
	}
}

// must fails the test on a non-nil error.
func must(t testing.TB, err error, what string) {
	t.Helper()
	if err != nil {
		t.Fatalf("%s: %v", what, err)
	}
}

// cmpOpts compares stored values the way every adapter can keep them: JSON by meaning (jsonb
// may reformat it), byte slices and maps with nil equal to empty, times with Equal (cmp uses
// the Equal method of time.Time on its own).
var cmpOpts = cmp.Options{
	cmp.FilterValues(func(a, b json.RawMessage) bool { return len(a)+len(b) > 0 }, cmp.Comparer(jsonEqual)),
	cmpopts.EquateEmpty(),
}

// jsonEqual reports whether two JSON documents mean the same; two empty ones are equal, and
// bytes that are not JSON compare as bytes.
func jsonEqual(a, b json.RawMessage) bool {
	if len(a) == 0 || len(b) == 0 {
		return len(a) == len(b)
	}
	var x, y any
	if json.Unmarshal(a, &x) != nil || json.Unmarshal(b, &y) != nil {
		return bytes.Equal(a, b)
	}
	return reflect.DeepEqual(x, y)
}

// diff fails the test with a diff if got differs from want.
func diff(t testing.TB, what string, want, got any) {
	t.Helper()
	if d := cmp.Diff(want, got, cmpOpts); d != "" {
		t.Errorf("%s (-want +got):\n%s", what, d)
	}
}

// microTime returns t truncated to the microsecond in UTC, the precision every adapter keeps.
func microTime(t time.Time) time.Time { return t.UTC().Truncate(time.Microsecond) }
