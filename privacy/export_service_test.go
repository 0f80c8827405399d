package privacy_test

import (
	"context"
	"io"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/tradecoach/coach"
	"github.com/tradecoach/coach/privacy"
	"github.com/tradecoach/coach/storage"
	"github.com/tradecoach/coach/storage/memory"
)

// flakyBlobs is a storage.Blobs whose Put fails with putErr (after reading part of the body)
// while putErr is set.
type flakyBlobs struct {
	storage.Blobs
	putErr error
}

func (f *flakyBlobs) Put(ctx context.Context, key string, body io.Reader, contentType string) (storage.BlobInfo, error) {
	if f.putErr != nil {
		_, _ = io.CopyN(io.Discard, body, 100)
		return storage.BlobInfo{}, f.putErr
	}
	return f.Blobs.Put(ctx, key, body, contentType)
}

func TestNewRefuses(t *testing.T) {
	t.Parallel()
	st, blobs := memory.New(), memory.NewBlobs()
	for name, cfg := range map[string]privacy.Config{
		"no store":           {Blobs: blobs},
		"no blobs":           {Store: st},
		"negative retention": {Store: st, Blobs: blobs, Retention: -time.Hour},
		"link over 15m":      {Store: st, Blobs: blobs, LinkTTL: 16 * time.Minute},
	} {
		if _, err := privacy.New(cfg); coach.ErrorCode(err) != coach.EINVALID {
			t.Errorf("%s: %v, want invalid", name, err)
		}
	}
	var zero privacy.Service
	if _, err := zero.Request(context.Background(), "u1"); coach.ErrorCode(err) != coach.EINVALID {
		t.Errorf("zero Service: %v, want invalid", err)
	}
}

func TestBuildFailures(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	clock := coach.NewManualClock(t0.Add(30 * 24 * time.Hour))
	st := memory.New(memory.WithClock(clock))
	blobs := &flakyBlobs{Blobs: memory.NewBlobs()}
	h := newHarness(t, st, blobs, clock)
	w := writeUser(t, ctx, st, blobs.Blobs, fixtureSizes{trades: 10})
	e, err := h.svc.Request(ctx, w.user.ID)
	if err != nil {
		t.Fatal(err)
	}

	// A blob store that is down: the export stays running, no event, and the next Build succeeds.
	blobs.putErr = coach.Errorf(coach.EUNAVAILABLE, "s3 down")
	if _, err := h.svc.Build(ctx, w.user.ID, e.ID); coach.ErrorCode(err) != coach.EUNAVAILABLE {
		t.Fatalf("Build with the blob store down: %v, want unavailable", err)
	}
	got, _ := h.svc.Get(ctx, w.user.ID, e.ID)
	if got.Status != coach.ExportRunning {
		t.Fatalf("after a transient failure: %s, want running", got.Status)
	}
	if evs := eventsOf(t, st, w.user.ID, coach.EventExportReady); len(evs) != 0 {
		t.Fatalf("export.ready after a transient failure: %v", evs)
	}
	blobs.putErr = nil
	done, err := h.svc.Build(ctx, w.user.ID, e.ID)
	if err != nil || done.Status != coach.ExportDone {
		t.Fatalf("retried Build: %+v, %v; want done", done, err)
	}

	// A blob store that refuses the archive for good: the export fails, with one event.
	e2, err := h.svc.Request(ctx, w.user.ID)
	if err != nil || e2.ID == e.ID {
		t.Fatalf("Request after a done export: %v, %v; want a new export", e2.ID, err)
	}
	blobs.putErr = coach.Errorf(coach.EINVALID, "blob larger than the bucket allows")
	failed, err := h.svc.Build(ctx, w.user.ID, e2.ID)
	if err != nil || failed.Status != coach.ExportFailed || failed.Error == nil || failed.Error.Code != string(coach.EINVALID) {
		t.Fatalf("Build refused for good: %+v, %v; want failed with the invalid code", failed, err)
	}
	if evs := eventsOf(t, st, w.user.ID, coach.EventExportReady); len(evs) != 2 {
		t.Fatalf("export.ready events: %d, want 2 (done, failed)", len(evs))
	}
	if _, err := h.svc.Build(ctx, coach.NewID(), e.ID); coach.ErrorCode(err) != coach.ENOTFOUND {
		t.Errorf("Build of another user's export: %v, want not found", err)
	}
	// The data_exported audit row is written with the done export, once.
	rows, err := st.Audit().List(ctx, w.user.ID, 1)
	if err != nil || len(rows) != 1 || rows[0].Action != coach.AuditDataExported || !strings.Contains(string(rows[0].Meta), e.ID) {
		t.Errorf("newest audit row: %+v, %v; want data_exported of %s", rows, err, e.ID)
	}
}

func eventsOf(t *testing.T, st storage.Store, userID, typ string) []coach.Event {
	t.Helper()
	evs, err := st.Events().Since(context.Background(), userID, "", 0)
	if err != nil {
		t.Fatal(err)
	}
	var out []coach.Event
	for _, e := range evs {
		if e.Type == typ {
			out = append(out, e)
		}
	}
	return out
}

func TestPurgeExpiredAndLinkExpiry(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	clock := coach.NewManualClock(t0.Add(30 * 24 * time.Hour))
	st := memory.New(memory.WithClock(clock))
	blobs, _ := signedBlobs(t, clock)
	h := newHarness(t, st, blobs, clock) // retention 48h
	w := writeUser(t, ctx, st, blobs, fixtureSizes{trades: 5})
	e, err := h.svc.Request(ctx, w.user.ID)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := h.svc.Build(ctx, w.user.ID, e.ID); err != nil {
		t.Fatal(err)
	}
	key := privacy.ExportKey(w.user.ID, e.ID)
	if !strings.HasPrefix(key, storage.UserBlobPrefix(w.user.ID)) {
		t.Fatalf("ExportKey %s is not under the user's prefix", key)
	}

	// Near the end of its life a link is cut to the time left.
	clock.Advance(48*time.Hour - 2*time.Minute)
	_, until, err := h.svc.DownloadURL(ctx, w.user.ID, e.ID)
	if err != nil || until.After(clock.Now().Add(2*time.Minute)) {
		t.Fatalf("DownloadURL two minutes before expiry: until %v, %v; want at most two minutes", until, err)
	}
	if n, err := h.svc.PurgeExpired(ctx); err != nil || n != 0 {
		t.Fatalf("PurgeExpired before expiry: %d, %v; want 0", n, err)
	}

	clock.Advance(2 * time.Minute)
	if _, _, err := h.svc.DownloadURL(ctx, w.user.ID, e.ID); coach.ErrorCode(err) != coach.EGONE {
		t.Fatalf("DownloadURL at expiry: %v, want gone", err)
	}
	failed, err := st.Exports().Create(ctx, coach.Export{ID: coach.NewID(), UserID: w.user.ID, Status: coach.ExportQueued})
	if err != nil {
		t.Fatal(err)
	}
	if _, _, err := h.svc.DownloadURL(ctx, w.user.ID, failed.ID); coach.ErrorCode(err) != coach.ECONFLICT {
		t.Errorf("DownloadURL of a queued export: %v, want conflict", err)
	}
	if n, err := h.svc.PurgeExpired(ctx); err != nil || n != 1 {
		t.Fatalf("PurgeExpired: %d, %v; want 1", n, err)
	}
	if _, _, err := blobs.Get(ctx, key); coach.ErrorCode(err) != coach.ENOTFOUND {
		t.Errorf("archive after the purge: %v, want not found", err)
	}
	if _, err := h.svc.Get(ctx, w.user.ID, e.ID); coach.ErrorCode(err) != coach.ENOTFOUND {
		t.Errorf("export after the purge: %v, want not found", err)
	}
	if n, err := h.svc.PurgeExpired(ctx); err != nil || n != 0 {
		t.Errorf("PurgeExpired again: %d, %v; want 0 (idempotent)", n, err)
	}
	// The user's other blobs stay.
	if _, _, err := blobs.Get(ctx, w.blobKeys[0]); err != nil {
		t.Errorf("the user's digest report after the purge: %v", err)
	}
}

func TestDownloadURLNeedsAPresigner(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	st := memory.New()
	h := newHarness(t, st, memory.NewBlobs(), coach.NewManualClock(t0.Add(30*24*time.Hour)))
	if _, _, err := h.svc.DownloadURL(ctx, "u1", "e1"); coach.ErrorCode(err) != coach.EINVALID {
		t.Errorf("DownloadURL over plain Blobs: %v, want invalid", err)
	}
}

// failingAudit is a store whose audit log cannot be read.
type failingAudit struct{ storage.Store }

func (s failingAudit) Audit() storage.AuditLog { return failingLog{s.Store.Audit()} }

type failingLog struct{ storage.AuditLog }

func (failingLog) Since(context.Context, string, *storage.AuditPos, int) ([]coach.Audit, error) {
	return nil, coach.Errorf(coach.EUNAVAILABLE, "postgres restarting")
}

func TestBuildReportsAFailedRead(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	clock := coach.NewManualClock(t0.Add(30 * 24 * time.Hour))
	st := memory.New(memory.WithClock(clock))
	blobs := memory.NewBlobs()
	w := writeUser(t, ctx, st, blobs, fixtureSizes{trades: 5})
	h := newHarness(t, failingAudit{st}, blobs, clock)
	e, err := h.svc.Request(ctx, w.user.ID)
	if err != nil {
		t.Fatal(err)
	}
	// The read's error, not the pipe's, is what Build returns; the export stays running and no
	// archive is left behind as if it were complete.
	if _, err := h.svc.Build(ctx, w.user.ID, e.ID); coach.ErrorCode(err) != coach.EUNAVAILABLE || !strings.Contains(err.Error(), "postgres restarting") {
		t.Fatalf("Build with the audit log unreadable: %v, want the read's unavailable", err)
	}
	got, err := h.svc.Get(ctx, w.user.ID, e.ID)
	if err != nil || got.Status != coach.ExportRunning {
		t.Fatalf("export after a failed read: %+v, %v; want running", got, err)
	}
	if _, _, err := blobs.Get(ctx, privacy.ExportKey(w.user.ID, e.ID)); coach.ErrorCode(err) != coach.ENOTFOUND {
		t.Errorf("archive after a failed read: %v, want none stored", err)
	}
	if left, err := os.ReadDir(h.temp); err != nil || len(left) != 0 {
		t.Errorf("spool files left after a failed read: %d (%v)", len(left), err)
	}
}
