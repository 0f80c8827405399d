package jobs_test

import (
	"testing"

	"github.com/tradecoach/coach"
	"github.com/tradecoach/coach/jobs"
	"github.com/tradecoach/coach/privacy"
	"github.com/tradecoach/coach/transport"
)

// exportHandlers returns Handlers on q with an Exporter over the fixture's store and blobs.
func (f *fixture) exportHandlers(q transport.Queue) (*jobs.Handlers, *privacy.Service) {
	f.t.Helper()
	exporter, err := privacy.New(privacy.Config{Store: f.store, Blobs: f.blobs, Clock: f.clock})
	must(f.t, err, "privacy.New")
	cfg := f.cfg
	cfg.Queue, cfg.Exporter = q, exporter
	h, err := jobs.New(cfg)
	must(f.t, err, "jobs.New")
	return h, exporter
}

func TestExportUserBuildsOnce(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	q := &recordingQueue{}
	h, exporter := f.exportHandlers(q)
	must(t, h.ImportTrades(f.ctx, f.job(jobs.ImportJob(f.importPayload()))), "ImportTrades")

	e, err := h.RequestExport(f.ctx, f.user.ID)
	must(t, err, "RequestExport")
	again, err := h.RequestExport(f.ctx, f.user.ID)
	must(t, err, "RequestExport again")
	id := jobs.ExportJobID(e.ID)
	if ids := q.ids(); again.ID != e.ID || ids[len(ids)-1] != id || ids[len(ids)-2] != id {
		t.Fatalf("two requests gave exports %s and %s, enqueued %v; want one export and its job (deduped by id) twice", e.ID, again.ID, ids)
	}
	j := q.jobs[len(q.jobs)-1]
	if j.Type != jobs.JobExportUser || j.Queue != transport.QueueDigest || j.ID != "export:"+e.ID {
		t.Fatalf("job %s %s %s, want export.user on q_digest with id export:{exportId}", j.Type, j.Queue, j.ID)
	}
	// Run through a Mux the handlers registered on: twice, as a job delivered twice.
	mux, err := transport.NewMux(transport.MuxConfig{})
	must(t, err, "NewMux")
	must(t, h.Register(mux), "Register")
	for range 2 {
		must(t, mux.Run(f.ctx, j), "run export.user")
	}
	got, err := exporter.Get(f.ctx, f.user.ID, e.ID)
	must(t, err, "Get")
	_, counts := f.events()
	if got.Status != coach.ExportDone || counts[coach.EventExportReady] != 1 {
		t.Errorf("export %s with %d export.ready events after two runs of the job, want done and one", got.Status, counts[coach.EventExportReady])
	}
	if _, info, err := f.blobs.Get(f.ctx, privacy.ExportKey(f.user.ID, e.ID)); err != nil || info.SHA256 != got.SHA256 {
		t.Errorf("archive: %+v, %v; want the export's %s", info, err, got.SHA256)
	}

	// An export that is gone is skipped; a malformed payload is rejected.
	gone := f.job(jobs.ExportJob(jobs.ExportPayload{UserID: f.user.ID, ExportID: coach.NewID()}))
	if err := h.ExportUser(f.ctx, gone); err != nil {
		t.Errorf("unknown export: %v, want skipped (nil)", err)
	}
	bad := j
	bad.Payload = []byte(`{"userId":"u1"}`)
	if err := h.ExportUser(f.ctx, bad); coach.ErrorCode(err) != coach.EINVALID {
		t.Errorf("payload without exportId: %v, want invalid", err)
	}

	// Refused without an Exporter.
	plain := f.handlers(q)
	if err := plain.ExportUser(f.ctx, j); coach.ErrorCode(err) != coach.EINVALID {
		t.Errorf("ExportUser without an Exporter: %v, want invalid", err)
	}
	if _, err := plain.RequestExport(f.ctx, f.user.ID); coach.ErrorCode(err) != coach.EINVALID {
		t.Errorf("RequestExport without an Exporter: %v, want invalid", err)
	}
}

func FuzzParseExport(f *testing.F) {
	fuzzPayload(f, []string{`{"userId":"u1","exportId":"e1"}`, `{"userId":"u1"}`, `{"userId":"u1","exportId":"e 1"}`, `null`},
		jobs.ParseExport, jobs.ExportJob, func(a, b jobs.ExportPayload) bool { return a == b })
}
