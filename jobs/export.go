package jobs

import (
	"context"

	"github.com/tradecoach/coach"
	"github.com/tradecoach/coach/transport"
)

// JobExportUser is the job type that builds a user's export (privacy.Service.Build), on q_digest
// with the other per-user reports.
const JobExportUser = "export.user"

// ExportPayload is the input of export.user: build the user's export ExportID.
type ExportPayload struct {
	UserID   string `json:"userId"`
	ExportID string `json:"exportId"`
}

// Validate reports the first invalid field of p.
func (p ExportPayload) Validate() error {
	switch {
	case !coach.ValidID(p.UserID):
		return coach.Errorf(coach.EINVALID, "userId: required")
	case !coach.ValidID(p.ExportID):
		return coach.Errorf(coach.EINVALID, "exportId: required")
	}
	return nil
}

// ParseExport reads an ExportPayload as ParseImport reads an ImportPayload.
func ParseExport(b []byte) (ExportPayload, error) {
	var p ExportPayload
	return p, parse(b, JobExportUser, &p, func() error { return p.Validate() })
}

// ExportJobID is the id of the job that builds export exportID: "export:{exportId}".
func ExportJobID(exportID string) string { return "export:" + exportID }

// ExportJob returns the export.user job of p on q_digest, with id ExportJobID. EINVALID if p is
// invalid.
func ExportJob(p ExportPayload) (transport.Job, error) {
	if err := p.Validate(); err != nil {
		return transport.Job{}, err
	}
	return job(JobExportUser, ExportJobID(p.ExportID), transport.QueueDigest, p, 0)
}

// ExportUser is the handler of export.user: it builds the payload's export
// (privacy.Service.Build), which streams the archive into the blob store and writes the export's
// outcome with its export.ready event in one transaction. An export that has ended is left as it
// is, so running the job again changes nothing; one that is gone (its user erased) is skipped; a
// transient error leaves it running and is retried.
func (h *Handlers) ExportUser(ctx context.Context, j transport.Job) error {
	if !h.constructed() {
		return errNotConstructed
	}
	if h.exporter == nil {
		return unavailable(JobExportUser, "Exporter")
	}
	p, err := ParseExport(j.Payload)
	if err != nil {
		return err
	}
	_, err = h.exporter.Build(ctx, p.UserID, p.ExportID)
	return h.settle(ctx, j, err)
}

// RequestExport records a queued export of the user (privacy.Service.Request) and enqueues its
// export.user job. When the enqueue fails the export is returned with the error: it stays
// queued, and enqueueing ExportJob of it again (its id dedupes) builds it. A user with an export
// still queued or running gets that one, and its job is enqueued again (a no-op while it waits).
//
// Errors: Request's (EINVALID, ENOTFOUND, …); EINVALID when Config.Exporter was not given; the
// queue's.
func (h *Handlers) RequestExport(ctx context.Context, userID string) (coach.Export, error) {
	if !h.constructed() {
		return coach.Export{}, errNotConstructed
	}
	if h.exporter == nil {
		return coach.Export{}, unavailable("RequestExport", "Exporter")
	}
	e, err := h.exporter.Request(ctx, userID)
	if err != nil {
		return coach.Export{}, err
	}
	j, err := ExportJob(ExportPayload{UserID: userID, ExportID: e.ID})
	if err != nil {
		return e, err
	}
	_, err = h.queue.Enqueue(ctx, j)
	return e, err
}
