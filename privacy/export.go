package privacy

import (
	"context"
	"log/slog"
	"time"

	"github.com/pkg/errors"

	"github.com/tradecoach/coach"
	"github.com/tradecoach/coach/storage"
)

// Export bounds and defaults.
const (
	// DefaultRetention is how long a finished export (its archive and its record) is kept when
	// Config.Retention is 0.
	DefaultRetention = 7 * 24 * time.Hour
	// MaxLinkTTL bounds how long a download link lives: DownloadURL never mints a longer one.
	MaxLinkTTL = 15 * time.Minute
	// DefaultLinkTTL is the life of a download link when Config.LinkTTL is 0.
	DefaultLinkTTL = 10 * time.Minute
)

// ExportKey returns the blob key of the archive of the user's export id:
// storage.UserBlobKey(userID, "exports", id+".zip").
func ExportKey(userID, id string) string { return storage.UserBlobKey(userID, "exports", id+".zip") }

// Config is what a Service needs.
type Config struct {
	// Store holds the user's data and the export records. Required.
	Store storage.Store
	// Blobs receives the archives. Required. DownloadURL needs it to be a storage.BlobPresigner
	// too (storage/s3's Blobs, memory.SignedBlobs).
	Blobs storage.Blobs
	// Clock gives RequestedAt, FinishedAt, ExpiresAt and the archive's time; coach.SystemClock
	// when nil.
	Clock coach.Clock
	// Retention is how long a finished export is kept before PurgeExpired removes it
	// (DefaultRetention when 0; negative is refused).
	Retention time.Duration
	// LinkTTL is how long a download link lives (DefaultLinkTTL when 0; at most MaxLinkTTL).
	LinkTTL time.Duration
	// TempDir is where Build spools, compressed, the parts of an archive it writes while it
	// reads the trades (trades.csv and the tags); each file is removed when Build ends.
	// os.TempDir() when "".
	TempDir string
	// Logger receives a line per export that failed for good and per purge failure; nil
	// discards them. Lines carry the export's id, never a link or a user's data.
	Logger *slog.Logger
	// Metrics receives privacy_export_duration_seconds and privacy_exports_purged_total
	// (coach.MetricTable); nil means coach.NopMetrics.
	Metrics coach.Metrics
}

// Service exports everything a user has: Request records an export, Build writes its archive,
// Get and List read the records, DownloadURL mints a short-lived link, PurgeExpired removes what
// has expired. Build it with New; a Service not built by New returns EINVALID from every method.
// Safe for concurrent use.
type Service struct {
	store     storage.Store
	blobs     storage.Blobs
	clock     coach.Clock
	retention time.Duration
	linkTTL   time.Duration
	tempDir   string
	log       *slog.Logger
	metrics   coach.Metrics
}

// New returns a Service, or an EINVALID error naming the first missing or invalid field of cfg.
func New(cfg Config) (*Service, error) {
	switch {
	case cfg.Store == nil:
		return nil, coach.Errorf(coach.EINVALID, "privacy: Config.Store is required")
	case cfg.Blobs == nil:
		return nil, coach.Errorf(coach.EINVALID, "privacy: Config.Blobs is required")
	case cfg.Retention < 0:
		return nil, coach.Errorf(coach.EINVALID, "privacy: Config.Retention: negative (%s)", cfg.Retention)
	case cfg.LinkTTL < 0 || cfg.LinkTTL > MaxLinkTTL:
		return nil, coach.Errorf(coach.EINVALID, "privacy: Config.LinkTTL: want 0 to %s, got %s", MaxLinkTTL, cfg.LinkTTL)
	}
	if cfg.Clock == nil {
		cfg.Clock = coach.SystemClock{}
	}
	if cfg.Retention == 0 {
		cfg.Retention = DefaultRetention
	}
	if cfg.LinkTTL == 0 {
		cfg.LinkTTL = DefaultLinkTTL
	}
	if cfg.Logger == nil {
		cfg.Logger = slog.New(slog.DiscardHandler)
	}
	if cfg.Metrics == nil {
		cfg.Metrics = coach.NopMetrics{}
	}
	return &Service{store: cfg.Store, blobs: cfg.Blobs, clock: cfg.Clock, retention: cfg.Retention, linkTTL: cfg.LinkTTL,
		tempDir: cfg.TempDir, log: cfg.Logger, metrics: cfg.Metrics}, nil
}

// errNotConstructed is what a Service not built by New answers.
var errNotConstructed = coach.Errorf(coach.EINVALID, "privacy: Service not constructed; use privacy.New")

func (s *Service) constructed() bool { return s != nil && s.store != nil }

// Request records a queued export of the user and returns it; nothing is built yet: the caller
// enqueues the job that runs Build (package jobs: RequestExport does both). A user whose newest
// export is still queued or running gets that export back instead of a second one, so repeated
// clicks build one archive.
//
// Errors: EINVALID for a malformed user id; ENOTFOUND for an unknown user; the store's otherwise.
func (s *Service) Request(ctx context.Context, userID string) (coach.Export, error) {
	if !s.constructed() {
		return coach.Export{}, errNotConstructed
	}
	if !coach.ValidID(userID) {
		return coach.Export{}, coach.Errorf(coach.EINVALID, "userId: required")
	}
	var out coach.Export
	err := s.store.InTx(ctx, func(tx storage.Tx) error {
		if _, err := tx.Users().ByID(ctx, userID); err != nil {
			return err
		}
		newest, err := tx.Exports().List(ctx, userID, 1)
		if err != nil {
			return err
		}
		if len(newest) == 1 && !newest[0].Final() {
			out = newest[0]
			return nil
		}
		out, err = tx.Exports().Create(ctx, coach.Export{ID: coach.NewID(), UserID: userID, Status: coach.ExportQueued,
			RequestedAt: s.clock.Now().UTC()})
		return err
	})
	return out, err
}

// Get returns the user's export id, or ENOTFOUND (another user's included).
func (s *Service) Get(ctx context.Context, userID, id string) (coach.Export, error) {
	if !s.constructed() {
		return coach.Export{}, errNotConstructed
	}
	return s.store.Exports().Get(ctx, userID, id)
}

// List returns the user's exports, newest first, at most storage.Clamp(limit).
func (s *Service) List(ctx context.Context, userID string, limit int) ([]coach.Export, error) {
	if !s.constructed() {
		return nil, errNotConstructed
	}
	return s.store.Exports().List(ctx, userID, limit)
}

// DownloadURL mints a link to the archive of the user's export id, valid for Config.LinkTTL (at
// most MaxLinkTTL, and never past the export's ExpiresAt), and returns it with the time it stops
// working at the latest (a blob store that caps its links shorter, as storage/s3's
// Config.MaxPresignTTL may, ends it sooner). The caller must have authenticated the user: the link is handed to them and to no
// one else, and it is never stored — not in the export record, not in an event. Each call mints a
// fresh link.
//
// Errors: ENOTFOUND for an export the user does not have; ECONFLICT for one not done yet (or
// failed); EGONE for one past its ExpiresAt; EINVALID when Config.Blobs cannot mint links (it is
// not a storage.BlobPresigner).
func (s *Service) DownloadURL(ctx context.Context, userID, id string) (string, time.Time, error) {
	if !s.constructed() {
		return "", time.Time{}, errNotConstructed
	}
	p, ok := s.blobs.(storage.BlobPresigner)
	if !ok {
		return "", time.Time{}, coach.Errorf(coach.EINVALID, "privacy: Config.Blobs cannot mint download links (not a storage.BlobPresigner)")
	}
	e, err := s.store.Exports().Get(ctx, userID, id)
	if err != nil {
		return "", time.Time{}, err
	}
	if e.Status != coach.ExportDone {
		return "", time.Time{}, coach.Errorf(coach.ECONFLICT, "export %s is %s, not done", id, e.Status)
	}
	now := s.clock.Now()
	ttl := min(s.linkTTL, e.ExpiresAt.Sub(now))
	if ttl < time.Second {
		return "", time.Time{}, coach.Errorf(coach.EGONE, "export %s has expired; request a new one", id)
	}
	ttl = ttl.Truncate(time.Second)
	url, err := p.PresignGet(ctx, ExportKey(userID, id), ttl)
	if err != nil {
		return "", time.Time{}, err
	}
	return url, now.Add(ttl).UTC(), nil
}

// PurgeExpired removes every export, of every user, whose ExpiresAt has passed: its archive
// first, then its record. It returns how many it removed. It is idempotent and safe to run from
// several workers at once: an export another run removed meanwhile is skipped.
func (s *Service) PurgeExpired(ctx context.Context) (int, error) {
	if !s.constructed() {
		return 0, errNotConstructed
	}
	now := s.clock.Now()
	n := 0
	for {
		page, err := s.store.Exports().Expired(ctx, now, storage.MaxLimit)
		if err != nil {
			return n, err
		}
		removed := 0
		for _, e := range page {
			if err := s.blobs.Delete(ctx, ExportKey(e.UserID, e.ID)); err != nil {
				s.log.ErrorContext(ctx, "privacy: purge an export's archive", "exportId", e.ID, "code", coach.ErrorCode(err))
				return n, err
			}
			switch err := s.store.Exports().Delete(ctx, e.UserID, e.ID); coach.ErrorCode(err) {
			case "":
				n++
				removed++
				s.metrics.Count(coach.MetricExportsPurged, 1)
			case coach.ENOTFOUND:
				// Another run purged it first.
			default:
				return n, err
			}
		}
		if len(page) < storage.MaxLimit {
			return n, nil
		}
		if removed == 0 {
			return n, errors.New("privacy: purge: a full page of expired exports, none removed")
		}
	}
}
