package jobs

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"slices"

	"github.com/pkg/errors"

	"github.com/tradecoach/coach"
	"github.com/tradecoach/coach/storage"
	"github.com/tradecoach/coach/transport"
)

// archivePage is how many old digests retention.digests reads at a time.
const archivePage = 200

// DigestArchiveKey returns the blob key retention.digests archives digest d under:
// "users/{userId}/digests/archive/{periodStart}.json" (storage.UserBlobKey), one per user and
// week, as the store keeps one digest per user and PeriodStart.
func DigestArchiveKey(d coach.Digest) string {
	return storage.UserBlobKey(d.UserID, "digests", "archive", d.PeriodStart.String()+".json")
}

// RetentionDigests is the handler of retention.digests: it archives every user's digests whose
// week ended more than Retention.DigestMonths months before the payload's day to the blob store,
// one JSON object (the coach.Digest) under DigestArchiveKey each, and then removes each from the
// store, paging through them by id (storage.Digests.EndedBefore).
//
// Archive first, delete only what was archived: a digest is deleted only once its JSON is in the
// blob store, and only as archived (storage.Digests.DeleteArchived), so a failure (or a crash)
// in between leaves it in the store, and the next run archives the same bytes under the same
// key. Put is skipped when the key already holds those bytes (same SHA-256), so a digest is
// archived once however often the job runs; a digest changed between its archive and its delete
// (delivered, rebuilt) is not deleted, the job fails with ECONFLICT and its retry archives the
// new content, then deletes it. Digests younger than the cut-off and everything else of every
// user are left alone.
func (h *Handlers) RetentionDigests(ctx context.Context, j transport.Job) error {
	p, err := h.retentionPayload(j, JobRetentionDigests)
	if err != nil {
		return err
	}
	cutoff := coach.DateOf(p.Period.AddDate(0, -h.ret.cfg.DigestMonths, 0))
	archived := 0
	for after := ""; ; {
		page, err := h.store.Digests().EndedBefore(ctx, cutoff, after, archivePage)
		if err != nil {
			return h.settle(ctx, j, err)
		}
		for _, d := range page {
			if err := h.archiveDigest(ctx, d); err != nil {
				h.logRetention(ctx, j, "digests archived", archived)
				return h.settle(ctx, j, err)
			}
			archived++
		}
		if len(page) < archivePage {
			break
		}
		after = page[len(page)-1].ID
	}
	h.logRetention(ctx, j, "digests archived", archived)
	return nil
}

// archiveDigest puts d's JSON under DigestArchiveKey(d), unless that key holds it already, and
// then deletes d from the store (a digest deleted meanwhile is not an error).
func (h *Handlers) archiveDigest(ctx context.Context, d coach.Digest) error {
	body, err := json.Marshal(d)
	if err != nil {
		return errors.Wrap(err, "jobs: encode digest "+d.ID)
	}
	key := DigestArchiveKey(d)
	sum := sha256.Sum256(body)
	want := hex.EncodeToString(sum[:])
	have, err := h.ret.cfg.Blobs.List(ctx, key)
	if err != nil {
		return err
	}
	if !slices.ContainsFunc(have, func(b storage.BlobInfo) bool { return b.Key == key && b.SHA256 == want }) {
		if _, err := h.ret.cfg.Blobs.Put(ctx, key, bytes.NewReader(body), "application/json"); err != nil {
			return err
		}
	}
	// Only the version archived: a digest changed since it was read is ECONFLICT, and the retry
	// archives its new content before deleting it.
	if err := h.store.Digests().DeleteArchived(ctx, d); err != nil && coach.ErrorCode(err) != coach.ENOTFOUND {
		return err
	}
	return nil
}
