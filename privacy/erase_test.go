package privacy_test

import (
	"encoding/json"
	"io"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/tradecoach/coach"
	"github.com/tradecoach/coach/privacy"
	"github.com/tradecoach/coach/storage"
	"github.com/tradecoach/coach/storage/memory"
)

func newMemoryRig(t testing.TB) *rig {
	t.Helper()
	store := memory.New()
	t.Cleanup(func() { store.Close() })
	c, i, r, l := memory.NewCache(nil), memory.NewIdempotency(nil), memory.NewRateLimiter(nil), memory.NewLeases(nil)
	return newRig(t, store, memory.NewBlobs(), kvStores{cache: c, idem: i, limiter: r, leases: l, erasers: []storage.KeyEraser{c, i, r, l}})
}

// wantCounts are the counts of erasing a user populate made with 3 trades.
var wantCounts = map[string]int{
	"revoked": 1, "notRevocable": 1, "jobs": 1, "blobs": 2, "keys": 4,
	"users": 1, "sessions": 1, "connections": 2, "checkpoints": 1, "trades": 2, "tombstones": 1, "tags": 1,
	"tagRevisions": 1, "tagDisputes": 1, "tradeNotes": 1, "questions": 1, "rules": 1, "simulationRuns": 1, "exports": 1, "digests": 1, "audit": 1,
	"events": 1, "eventStreams": 1, "dataKeys": 1, "deadLetters": 1,
}

// TestEraseOnMemory erases a user with everything on the memory adapters: every port answers
// that nothing of theirs is left, no blob holds anything of theirs, the other user keeps all of
// theirs, and the erasure record names no one.
func TestEraseOnMemory(t *testing.T) {
	t.Parallel()
	r := newMemoryRig(t)
	gone, kept := r.populate(t, 3), r.populate(t, 3)
	res, err := r.eraser.Erase(r.ctx, gone.user.ID)
	must(t, err, "Erase")
	if d := cmp.Diff(wantCounts, res.Counts); d != "" {
		t.Errorf("counts (-want +got):\n%s", d)
	}
	if d := cmp.Diff(res.Counts, res.Record.Counts); d != "" {
		t.Errorf("record's counts (-result +record):\n%s", d)
	}

	checkGoneByPorts(t, r, gone)
	checkKeptByPorts(t, r, kept)
	for name, found := range scanBlobs(t, r, gone.needles()) {
		t.Errorf("the erased user's %s is in blob %s", name, found)
	}
	if found := scanBlobs(t, r, kept.needles()); len(found) == 0 {
		t.Error("the other user's blobs are gone")
	}
	if _, err := storage.LoadSnapshot(r.ctx, r.blobs, coachSnapshotHash(t, r)); err != nil {
		t.Errorf("the shared candle snapshot: %v", err)
	}
	checkRecord(t, r, res.Record, gone)

	again, err := r.eraser.Erase(r.ctx, gone.user.ID)
	must(t, err, "Erase again")
	if len(again.Counts) != 0 {
		t.Errorf("second Erase removed %v", again.Counts)
	}
	if again.Record.ID != res.Record.ID {
		t.Errorf("second Erase wrote record %s, want the first one, %s", again.Record.ID, res.Record.ID)
	}
	recs, err := r.store.Erasures().BySubject(r.ctx, r.eraser.Subject(gone.user.ID))
	must(t, err, "BySubject")
	if len(recs) != 1 {
		t.Errorf("%d erasure records, want 1", len(recs))
	}
}

// checkGoneByPorts asks every port for p's data and wants none.
func checkGoneByPorts(t *testing.T, r *rig, p person) {
	t.Helper()
	ctx, st, u := r.ctx, r.store, p.user.ID
	if _, err := st.Users().ByID(ctx, u); coach.ErrorCode(err) != coach.ENOTFOUND {
		t.Errorf("user: %v, want not found", err)
	}
	if _, err := st.Users().ByEmail(ctx, p.user.Email); coach.ErrorCode(err) != coach.ENOTFOUND {
		t.Errorf("user by email: %v, want not found", err)
	}
	if cs, _ := st.Connections().List(ctx, u); len(cs) != 0 {
		t.Errorf("%d connections left", len(cs))
	}
	if n, _ := st.Trades().Count(ctx, u); n != 0 {
		t.Errorf("%d trades left", n)
	}
	if _, err := st.DataKeys().Get(ctx, u); coach.ErrorCode(err) != coach.ENOTFOUND {
		t.Errorf("data key: %v, want not found", err)
	}
	dls, err := st.DeadLetters().List(ctx, "", storage.MaxLimit)
	must(t, err, "dead letters")
	for _, d := range dls {
		if d.UserID == u || strings.Contains(string(d.Payload), u) {
			t.Errorf("dead letter %s of the erased user is left", d.ID)
		}
	}
	if _, err := r.kv.cache.Get(ctx, storage.UserKey(u, "sim")); err == nil {
		t.Error("a cache key of the erased user is left")
	}
	if n, _ := r.queue.ForgetUser(ctx, u); n != 0 {
		t.Errorf("%d jobs of the erased user were left in the queue", n)
	}
}

// checkKeptByPorts wants p's data all there.
func checkKeptByPorts(t *testing.T, r *rig, p person) {
	t.Helper()
	ctx, st, u := r.ctx, r.store, p.user.ID
	if _, err := st.Users().ByID(ctx, u); err != nil {
		t.Errorf("other user: %v", err)
	}
	if cs, _ := st.Connections().List(ctx, u); len(cs) != 2 {
		t.Errorf("other user: %d connections, want 2", len(cs))
	}
	if n, _ := st.Trades().Count(ctx, u); n != 2 {
		t.Errorf("other user: %d trades, want 2", n)
	}
	if k, err := st.DataKeys().Get(ctx, u); err != nil || k.ID != p.dataKey {
		t.Errorf("other user's data key: %+v, %v", k, err)
	}
	if evs, _ := st.Events().Since(ctx, u, "", 0); len(evs) != 1 {
		t.Errorf("other user: %d events, want 1", len(evs))
	}
	if ds, _ := st.Digests().List(ctx, u, 0); len(ds) != 1 {
		t.Errorf("other user: %d digests, want 1", len(ds))
	}
	if as, _ := st.Audit().List(ctx, u, 0); len(as) != 1 {
		t.Errorf("other user: %d audit rows, want 1", len(as))
	}
	if bs, _ := r.blobs.List(ctx, storage.UserBlobPrefix(u)); len(bs) != 2 {
		t.Errorf("other user: %d blobs, want 2", len(bs))
	}
}

// scanBlobs reads every blob (key and content) and returns, by needle name, a key of a blob
// holding that needle.
func scanBlobs(t *testing.T, r *rig, needles map[string]string) map[string]string {
	t.Helper()
	all, err := r.blobs.List(r.ctx, "")
	must(t, err, "list blobs")
	found := map[string]string{}
	for _, b := range all {
		rc, _, err := r.blobs.Get(r.ctx, b.Key)
		must(t, err, "get blob")
		body, err := io.ReadAll(rc)
		rc.Close()
		must(t, err, "read blob")
		for name, v := range needles {
			if strings.Contains(b.Key, v) || strings.Contains(string(body), v) {
				found[name] = b.Key
			}
		}
	}
	return found
}

// coachSnapshotHash returns the hash of the one candle snapshot in r's blobs.
func coachSnapshotHash(t *testing.T, r *rig) string {
	t.Helper()
	snaps, err := r.blobs.List(r.ctx, "snapshots/")
	must(t, err, "list snapshots")
	if len(snaps) != 1 {
		t.Fatalf("%d snapshots, want 1 (two users' equal candles are one blob)", len(snaps))
	}
	return strings.TrimSuffix(strings.TrimPrefix(snaps[0].Key, "snapshots/"), ".candles")
}

// checkRecord wants the erasure record stored, under the user's subject, naming none of p's
// identifiers.
func checkRecord(t *testing.T, r *rig, rec storage.Erasure, p person) {
	t.Helper()
	if rec.Subject != privacy.Subject([]byte("a subject key of the test, 32 b"), p.user.ID) {
		t.Errorf("record subject %q is not the user's", rec.Subject)
	}
	recs, err := r.store.Erasures().BySubject(r.ctx, rec.Subject)
	must(t, err, "BySubject")
	if len(recs) != 1 || recs[0].ID != rec.ID {
		t.Fatalf("records of the subject: %+v", recs)
	}
	b, _ := json.Marshal(recs[0])
	for name, v := range p.needles() {
		if strings.Contains(string(b), v) {
			t.Errorf("the erasure record holds the user's %s", name)
		}
	}
}

func TestNewEraserRefusesMissingFields(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		field string
		cfg   privacy.EraserConfig
	}{
		{"Store", privacy.EraserConfig{SubjectKey: make([]byte, 32)}},
		{"SubjectKey", privacy.EraserConfig{Store: memory.New(), SubjectKey: make([]byte, 8)}},
		{"Keys[0]", privacy.EraserConfig{Store: memory.New(), SubjectKey: make([]byte, 32), Keys: []storage.KeyEraser{nil}}},
	} {
		_, err := privacy.NewEraser(tc.cfg)
		if coach.ErrorCode(err) != coach.EINVALID || !strings.Contains(coach.ErrorMessage(err), tc.field) {
			t.Errorf("NewEraser without %s: %v, want invalid naming it", tc.field, err)
		}
	}
	var zero *privacy.Eraser
	if _, err := zero.Erase(t.Context(), coach.NewID()); coach.ErrorCode(err) != coach.EINVALID {
		t.Errorf("Erase on a nil Eraser: %v, want invalid", err)
	}
	e, err := privacy.NewEraser(privacy.EraserConfig{Store: memory.New(), SubjectKey: make([]byte, 32)})
	must(t, err, "NewEraser")
	if _, err := e.Erase(t.Context(), "not an id!"); coach.ErrorCode(err) != coach.EINVALID {
		t.Errorf("Erase of a malformed id: %v, want invalid", err)
	}
}
