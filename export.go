package coach

import (
	"regexp"
	"time"
)

// Export statuses. An export moves queued → running → done or failed, and only that way: done
// and failed are final.
const (
	ExportQueued  = "queued"
	ExportRunning = "running"
	ExportDone    = "done"
	ExportFailed  = "failed"
)

// EventExportReady is the event type of an export that ended (done or failed), appended in the
// same transaction as the export's outcome. Its v1 payload is ExportReadyPayload: the export's id
// only — never a download link, which the outbox would keep, replay and hand to webhooks long
// after the link should have died.
const EventExportReady = "export.ready"

// Export is a user's request for a copy of everything the SDK holds about them (an addition to
// the seed, for the right of access). The archive is a ZIP in the blob store under
// storage.UserBlobKey(UserID, "exports", ID+".zip"); Size and SHA256 describe it once Status is
// done, Error says why when it is failed. RequestedAt is when the user asked, StartedAt when a
// worker first began building it, FinishedAt when it ended, and ExpiresAt (set when it ends) when
// the archive and this record are purged. No download link is ever part of the record.
type Export struct {
	ID          string        `json:"id"`
	UserID      string        `json:"userId"`
	Status      string        `json:"status"`
	RequestedAt time.Time     `json:"requestedAt"`
	StartedAt   *time.Time    `json:"startedAt"`
	FinishedAt  *time.Time    `json:"finishedAt"`
	ExpiresAt   *time.Time    `json:"expiresAt"`
	Size        int64         `json:"size"`
	SHA256      string        `json:"sha256,omitempty"`
	Error       *ErrorPayload `json:"error,omitempty"`
}

// Final reports whether the export has ended (done or failed): it changes no more.
func (e Export) Final() bool { return e.Status == ExportDone || e.Status == ExportFailed }

var sha256Hex = regexp.MustCompile(`^[0-9a-f]{64}$`)

// Validate reports the first invalid field of e: the identifiers, a known status, and the fields
// that go with it — a StartedAt once running, FinishedAt and ExpiresAt exactly when final, an
// archive's SHA256 (64 lower-case hex digits) and a non-negative Size exactly when done, an Error
// with a known code exactly when failed — and times in order.
func (e Export) Validate() error {
	switch {
	case !ValidID(e.ID):
		return Errorf(EINVALID, "id: required")
	case !ValidID(e.UserID):
		return Errorf(EINVALID, "userId: required")
	case e.Status != ExportQueued && e.Status != ExportRunning && !e.Final():
		return Errorf(EINVALID, "status: want queued, running, done or failed")
	case e.RequestedAt.IsZero():
		return Errorf(EINVALID, "requestedAt: required")
	case (e.Status == ExportQueued) != (e.StartedAt == nil):
		return Errorf(EINVALID, "startedAt: set once the export has started, and only then")
	case e.Final() != (e.FinishedAt != nil) || e.Final() != (e.ExpiresAt != nil):
		return Errorf(EINVALID, "finishedAt, expiresAt: set when the export has ended, and only then")
	case e.StartedAt != nil && e.StartedAt.Before(e.RequestedAt):
		return Errorf(EINVALID, "startedAt: before requestedAt")
	case e.FinishedAt != nil && e.StartedAt != nil && e.FinishedAt.Before(*e.StartedAt):
		return Errorf(EINVALID, "finishedAt: before startedAt")
	case e.ExpiresAt != nil && e.FinishedAt != nil && e.ExpiresAt.Before(*e.FinishedAt):
		return Errorf(EINVALID, "expiresAt: before finishedAt")
	}
	return e.validOutcome()
}

// validOutcome checks Size, SHA256 and Error against the status.
func (e Export) validOutcome() error {
	switch {
	case e.Size < 0:
		return Errorf(EINVALID, "size: negative")
	case e.Status == ExportDone && !sha256Hex.MatchString(e.SHA256):
		return Errorf(EINVALID, "sha256: a done export needs the archive's SHA-256 in lower-case hex")
	case e.Status != ExportDone && (e.SHA256 != "" || e.Size != 0):
		return Errorf(EINVALID, "sha256, size: only a done export has them")
	case e.Status == ExportFailed && (e.Error == nil || !Code(e.Error.Code).Known() || e.Error.Message == ""):
		return Errorf(EINVALID, "error: a failed export needs a known code and a message")
	case e.Status != ExportFailed && e.Error != nil:
		return Errorf(EINVALID, "error: only a failed export has one")
	case e.Error != nil && len(e.Error.Message) > maxRunErrorBytes:
		return Errorf(EINVALID, "error: message longer than %d bytes", maxRunErrorBytes)
	}
	return nil
}

// ExportReadyPayload is the v1 payload of export.ready: the export ended. It carries the export's
// id and nothing else: the client reads the export for its status and asks for a download link
// with an authenticated request.
type ExportReadyPayload struct {
	ExportID string `json:"exportId"`
}
