package privacy

import (
	"context"
	"encoding/json"
	"io"
	"strings"
	"time"

	"github.com/pkg/errors"

	"github.com/tradecoach/coach"
	"github.com/tradecoach/coach/storage"
)

// Build writes the archive of the user's export id and ends the export, and returns it as it
// ended. It is idempotent, so that the export.user job may run it more than once:
//
//   - An export that has ended is returned as it is; nothing is built again.
//   - A queued or running export is started, and its archive — a ZIP of JSON per section and a
//     CSV of the trades (see Sections) — is streamed into the blob store under ExportKey as it is
//     read, page by page: it is never whole in memory, however many rows the user has. Then the
//     export is marked done (with the archive's size and SHA-256), an export.ready event (v1,
//     coach.ExportReadyPayload: the id only) and a data_exported audit row are written, in one
//     transaction.
//   - An archive the blob store refuses for good (EINVALID: too large, say) ends the export
//     failed, with an export.ready event; that is the export's outcome, not an error of Build.
//   - Any other error is returned and the export stays running: the next Build writes the
//     archive again from the start.
//
// Errors: EINVALID for a malformed id; ENOTFOUND for an export the user does not have (a user
// erased meanwhile included); the transient errors above.
func (s *Service) Build(ctx context.Context, userID, id string) (exp coach.Export, err error) {
	if !s.constructed() {
		return coach.Export{}, errNotConstructed
	}
	if !coach.ValidID(userID) || !coach.ValidID(id) {
		return coach.Export{}, coach.Errorf(coach.EINVALID, "userId, exportId: required")
	}
	e, err := s.store.Exports().Get(ctx, userID, id)
	if err != nil || e.Final() {
		return e, err
	}
	start := time.Now()
	defer func() {
		s.metrics.Observe(coach.MetricExportDuration, time.Since(start), "outcome", coach.Outcome(err))
	}()
	if e, err = s.store.Exports().Start(ctx, userID, id, s.clock.Now()); err != nil {
		return s.ended(ctx, userID, id, err)
	}
	info, err := s.write(ctx, e)
	switch {
	case coach.ErrorCode(err) == coach.EINVALID:
		s.log.WarnContext(ctx, "privacy: export failed for good", "exportId", id, "code", coach.ErrorCode(err))
		return s.finish(ctx, e, storage.ExportOutcome{Status: coach.ExportFailed, Error: errorPayload(err)})
	case err != nil:
		return e, err
	}
	return s.finish(ctx, e, storage.ExportOutcome{Status: coach.ExportDone, Size: info.Size, SHA256: info.SHA256})
}

// write streams the archive of e into the blob store through a pipe: the archive is written on
// one goroutine while the store reads it on this one. The first failure is the one returned: the
// writer's (a read of the store, say), or the blob store's.
func (s *Service) write(ctx context.Context, e coach.Export) (storage.BlobInfo, error) {
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	pr, pw := io.Pipe()
	werr := make(chan error, 1)
	go func() {
		err := s.archive(ctx, pw, e)
		werr <- err                // before the close: a Put that fails because of it finds it sent
		_ = pw.CloseWithError(err) // always nil; a nil err closes with io.EOF
	}()
	info, perr := s.blobs.Put(ctx, ExportKey(e.UserID, e.ID), pr, "application/zip")
	select {
	case err := <-werr:
		if err != nil {
			return storage.BlobInfo{}, err
		}
		if perr != nil {
			return storage.BlobInfo{}, perr
		}
		return info, nil
	default:
	}
	// The writer is still at work: the store stopped reading. Unblock the writer and wait for it.
	_ = pr.CloseWithError(errStopped) // always nil
	cancel()
	<-werr
	if perr == nil {
		perr = errors.New("privacy: the blob store returned before reading the whole archive")
	}
	return storage.BlobInfo{}, perr
}

// errStopped is what the archive's writer gets when the blob store stopped reading it.
var errStopped = errors.New("privacy: the blob store stopped reading the archive")

// finish ends e with o and, when that changed it, appends its export.ready event and a
// data_exported audit row, in one transaction.
func (s *Service) finish(ctx context.Context, e coach.Export, o storage.ExportOutcome) (coach.Export, error) {
	now := s.clock.Now()
	o.At, o.ExpiresAt = now, now.Add(s.retention)
	var out coach.Export
	err := s.store.InTx(ctx, func(tx storage.Tx) error {
		got, changed, err := tx.Exports().Finish(ctx, e.UserID, e.ID, o)
		out = got
		if err != nil || !changed {
			return err
		}
		ev, err := coach.NewEvent(e.UserID, coach.EventExportReady, 1, coach.ExportReadyPayload{ExportID: e.ID})
		if err != nil {
			return err
		}
		if _, err := tx.Events().Append(ctx, ev); err != nil {
			return err
		}
		if o.Status != coach.ExportDone {
			return nil
		}
		meta, err := json.Marshal(map[string]any{"exportId": e.ID, "size": o.Size, "sha256": o.SHA256})
		if err != nil {
			return errors.Wrap(err, "privacy: encode the audit row")
		}
		return tx.Audit().Append(ctx, coach.Audit{ID: coach.NewID(), UserID: e.UserID, Action: coach.AuditDataExported,
			Meta: meta, CreatedAt: now.UTC()})
	})
	if err != nil {
		return s.ended(ctx, e.UserID, e.ID, err)
	}
	return out, nil
}

// ended turns the ECONFLICT of a Start or Finish that lost a race to another Build into that
// Build's outcome: the export as it ended.
func (s *Service) ended(ctx context.Context, userID, id string, err error) (coach.Export, error) {
	if coach.ErrorCode(err) != coach.ECONFLICT {
		return coach.Export{}, err
	}
	e, gerr := s.store.Exports().Get(ctx, userID, id)
	if gerr != nil || !e.Final() {
		return coach.Export{}, err
	}
	return e, nil
}

// errorPayload is err as a failed export keeps it: its code and the message safe to show.
func errorPayload(err error) *coach.ErrorPayload {
	msg := strings.ToValidUTF8(coach.ErrorMessage(err), "")
	if len(msg) > 512 {
		msg = msg[:512]
	}
	if msg == "" {
		msg = "the export failed"
	}
	return &coach.ErrorPayload{Code: string(coach.ErrorCode(err)), Message: strings.ToValidUTF8(msg, "")}
}
