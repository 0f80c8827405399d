package jobs_test

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"sync"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/tradecoach/coach"
	"github.com/tradecoach/coach/jobs"
	"github.com/tradecoach/coach/storage"
	"github.com/tradecoach/coach/storage/memory"
	"github.com/tradecoach/coach/storage/postgres"
	"github.com/tradecoach/coach/storage/postgres/postgrestest"
	"github.com/tradecoach/coach/storage/s3/s3test"
)

// retentionNow is when the retention tests run: their jobs are of its day (or hour).
var retentionNow = time.Date(2026, 12, 7, 3, 30, 0, 0, time.UTC)

// countingBlobs is a storage.Blobs around another that counts the Puts of each key.
type countingBlobs struct {
	storage.Blobs
	mu   sync.Mutex
	puts map[string]int
}

func newCountingBlobs(b storage.Blobs) *countingBlobs {
	return &countingBlobs{Blobs: b, puts: map[string]int{}}
}

func (b *countingBlobs) Put(ctx context.Context, key string, body io.Reader, contentType string) (storage.BlobInfo, error) {
	b.mu.Lock()
	b.puts[key]++
	b.mu.Unlock()
	return b.Blobs.Put(ctx, key, body, contentType)
}

// putsOf returns how many times key was put.
func (b *countingBlobs) putsOf(key string) int {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.puts[key]
}

// retentionEnv is a store and a blob store for the retention jobs, at retentionNow.
type retentionEnv struct {
	t     *testing.T
	ctx   context.Context
	clock *coach.ManualClock
	store storage.Store
	blobs *countingBlobs
	pg    *postgres.DB // nil on memory
}

// retentionEnvs are the adapters every retention test runs on: memory (store and blobs), and
// Postgres with S3 (gofakes3 over real HTTP, through the AWS SDK).
var retentionEnvs = []struct {
	name string
	new  func(t *testing.T) *retentionEnv
}{
	{"Memory", func(t *testing.T) *retentionEnv {
		clock := coach.NewManualClock(retentionNow)
		s := memory.New(memory.WithClock(clock))
		t.Cleanup(func() { s.Close() })
		return &retentionEnv{t: t, ctx: context.Background(), clock: clock, store: s, blobs: newCountingBlobs(memory.NewBlobs())}
	}},
	{"PostgresS3", func(t *testing.T) *retentionEnv {
		clock := coach.NewManualClock(retentionNow)
		db := postgrestest.MustOpenTestDBWith(t, func(c *postgres.Config) { c.Clock = clock })
		return &retentionEnv{t: t, ctx: context.Background(), clock: clock, store: db, blobs: newCountingBlobs(s3test.MustOpen(t)), pg: db}
	}},
}

// user stores a new user.
func (e *retentionEnv) user() coach.User {
	e.t.Helper()
	u := coach.User{ID: coach.NewID(), CreatedAt: retentionNow.AddDate(-2, 0, 0), TimeZone: "UTC"}
	must(e.t, e.store.Users().Create(e.ctx, u), "create user")
	return u
}

// digest stores a digest of the user's week starting on start and returns it as stored.
func (e *retentionEnv) digest(userID string, start coach.Date) coach.Digest {
	e.t.Helper()
	d, err := e.store.Digests().Put(e.ctx, coach.Digest{ID: coach.NewID(), UserID: userID, PeriodStart: start, PeriodEnd: start.AddDays(6),
		Payload: json.RawMessage(`{"week":"` + start.String() + `","counts":{"FOMO":2}}`), CreatedAt: start.AddDays(7).In(time.UTC)})
	must(e.t, err, "put digest")
	return d
}

// digests returns the user's stored digests, latest first.
func (e *retentionEnv) digests(userID string) []coach.Digest {
	e.t.Helper()
	list, err := e.store.Digests().List(e.ctx, userID, 0)
	must(e.t, err, "list digests")
	return list
}

// archived returns the digest archived under DigestArchiveKey(d), or fails the test.
func (e *retentionEnv) archived(d coach.Digest) coach.Digest {
	e.t.Helper()
	rc, info, err := e.blobs.Get(e.ctx, jobs.DigestArchiveKey(d))
	must(e.t, err, "get archive of "+d.PeriodStart.String())
	defer rc.Close()
	b, err := io.ReadAll(rc)
	must(e.t, err, "read archive")
	if info.ContentType != "application/json" {
		e.t.Errorf("archive %s: content type %q", info.Key, info.ContentType)
	}
	return decode[coach.Digest](e.t, b)
}

// handlers returns Handlers with retention over the env's store (or store, when given) on a
// recording queue.
func (e *retentionEnv) handlers(store storage.Store, rc jobs.RetentionConfig) *jobs.Handlers {
	e.t.Helper()
	if store == nil {
		store = e.store
	}
	if rc.Blobs == nil {
		rc.Blobs = e.blobs
	}
	h, err := jobs.New(jobs.Config{Store: store, Queue: &recordingQueue{}, Retention: &rc})
	must(e.t, err, "jobs.New")
	return h
}

// failingDeletes is a storage.Store whose Digests().DeleteArchived fails: a crash between archive and
// delete.
type failingDeletes struct{ storage.Store }

func (s failingDeletes) Digests() storage.Digests { return failingDigests{s.Store.Digests()} }

type failingDigests struct{ storage.Digests }

func (failingDigests) DeleteArchived(context.Context, coach.Digest) error {
	return coach.Errorf(coach.EUNAVAILABLE, "connection lost")
}

// exportPurger is a jobs.ExportPurger that counts its calls.
type exportPurger struct {
	mu    sync.Mutex
	calls int
	err   error
}

func (p *exportPurger) PurgeExpired(context.Context) (int, error) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.calls++
	return 3, p.err
}

// equateJSON compares JSON payloads by their compact form: the archive holds the digest as
// json.Marshal writes it.
var equateJSON = cmp.Comparer(func(a, b json.RawMessage) bool {
	var ca, cb bytes.Buffer
	if json.Compact(&ca, a) != nil || json.Compact(&cb, b) != nil {
		return bytes.Equal(a, b)
	}
	return bytes.Equal(ca.Bytes(), cb.Bytes())
})

// deliveringDeletes is a storage.Store whose Digests().DeleteArchived first marks the digest
// delivered: a digest that changes between its archive and its delete.
type deliveringDeletes struct{ storage.Store }

func (s deliveringDeletes) Digests() storage.Digests { return deliveringDigests{s.Store.Digests()} }

type deliveringDigests struct{ storage.Digests }

func (r deliveringDigests) DeleteArchived(ctx context.Context, d coach.Digest) error {
	if err := r.MarkDelivered(ctx, d.UserID, d.ID, retentionNow); err != nil {
		return err
	}
	return r.Digests.DeleteArchived(ctx, d)
}
