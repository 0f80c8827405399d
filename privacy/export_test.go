package privacy_test

import (
	"archive/zip"
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/csv"
	"encoding/hex"
	"encoding/json"
	"io"
	"net/http"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"

	"github.com/tradecoach/coach"
	"github.com/tradecoach/coach/privacy"
	"github.com/tradecoach/coach/storage"
	"github.com/tradecoach/coach/storage/memory"
	"github.com/tradecoach/coach/storage/postgres/postgrestest"
	"github.com/tradecoach/coach/storage/s3/s3test"
)

// cmpOpts compare JSON by meaning (jsonb may reformat it) and empty like nil.
var cmpOpts = cmp.Options{
	cmp.FilterValues(func(a, b json.RawMessage) bool { return len(a)+len(b) > 0 }, cmp.Comparer(func(a, b json.RawMessage) bool {
		var x, y any
		return json.Unmarshal(a, &x) == nil && json.Unmarshal(b, &y) == nil && cmp.Equal(x, y)
	})),
	cmpopts.EquateEmpty(),
}

// archive is an unzipped export.
type archive map[string][]byte

func unzip(t testing.TB, b []byte) (archive, []string) {
	t.Helper()
	zr, err := zip.NewReader(bytes.NewReader(b), int64(len(b)))
	if err != nil {
		t.Fatalf("the export is not a ZIP: %v", err)
	}
	out, names := archive{}, []string(nil)
	for _, f := range zr.File {
		rc, err := f.Open()
		if err != nil {
			t.Fatal(err)
		}
		data, err := io.ReadAll(rc)
		rc.Close()
		if err != nil {
			t.Fatalf("%s: %v", f.Name, err)
		}
		out[f.Name], names = data, append(names, f.Name)
	}
	return out, names
}

// section decodes file name of a into a value of type T and compares it with want.
func section[T any](t *testing.T, a archive, name string, want T) {
	t.Helper()
	var got T
	if err := json.Unmarshal(a[name], &got); err != nil {
		t.Errorf("%s: not JSON of the expected shape: %v", name, err)
		return
	}
	if d := cmp.Diff(want, got, cmpOpts); d != "" {
		t.Errorf("%s (-written +exported):\n%s", name, d)
	}
}

// harness is a privacy.Service over a store and a blob store, with the clock it reads.
type harness struct {
	st    storage.Store
	blobs storage.Blobs
	svc   *privacy.Service
	clock *coach.ManualClock
	temp  string // the service's TempDir
}

func newHarness(t testing.TB, st storage.Store, blobs storage.Blobs, clock *coach.ManualClock) harness {
	t.Helper()
	temp := t.TempDir()
	svc, err := privacy.New(privacy.Config{Store: st, Blobs: blobs, Clock: clock, Retention: 48 * time.Hour, TempDir: temp})
	if err != nil {
		t.Fatal(err)
	}
	return harness{st: st, blobs: blobs, svc: svc, clock: clock, temp: temp}
}

// roundTrip exports a user written by writeUser, downloads the archive through a minted link,
// and compares every section with what was written.
func roundTrip(t *testing.T, h harness, client *http.Client, n fixtureSizes) {
	ctx := context.Background()
	w := writeUser(t, ctx, h.st, h.blobs, n)

	e, err := h.svc.Request(ctx, w.user.ID)
	if err != nil {
		t.Fatal(err)
	}
	if again, err := h.svc.Request(ctx, w.user.ID); err != nil || again.ID != e.ID {
		t.Fatalf("a second Request while the first is queued: %v, %v; want the same export", again.ID, err)
	}
	if _, _, err := h.svc.DownloadURL(ctx, w.user.ID, e.ID); coach.ErrorCode(err) != coach.ECONFLICT {
		t.Fatalf("DownloadURL of a queued export: %v, want conflict", err)
	}
	done, err := h.svc.Build(ctx, w.user.ID, e.ID)
	if err != nil {
		t.Fatal(err)
	}
	if done.Status != coach.ExportDone || done.Size == 0 || done.ExpiresAt == nil || !done.ExpiresAt.Equal(done.FinishedAt.Add(48*time.Hour)) {
		t.Fatalf("Build = %+v, want done with a size, expiring 48h after it finished", done)
	}
	if left, err := os.ReadDir(h.temp); err != nil || len(left) != 0 {
		t.Errorf("Build left %d spool files in its TempDir (%v), want none", len(left), err)
	}
	if again, err := h.svc.Build(ctx, w.user.ID, e.ID); err != nil || !cmp.Equal(again, done) {
		t.Fatalf("Build again = %+v, %v; want the export as it ended", again, err)
	}

	// One export.ready event, carrying the export's id and nothing else.
	evs, err := h.st.Events().Since(ctx, w.user.ID, w.events[len(w.events)-1].ID, 0)
	if err != nil {
		t.Fatal(err)
	}
	if len(evs) != 1 || evs[0].Type != coach.EventExportReady || evs[0].V != 1 || !jsonIs(evs[0].Payload, `{"exportId":"`+e.ID+`"}`) {
		t.Fatalf("events after the build: %+v, want one export.ready {exportId}", evs)
	}

	// The link: minted on request, short-lived, never stored; it downloads the archive.
	link, until, err := h.svc.DownloadURL(ctx, w.user.ID, e.ID)
	if err != nil {
		t.Fatal(err)
	}
	if ttl := until.Sub(h.clock.Now()); ttl <= 0 || ttl > privacy.MaxLinkTTL {
		t.Errorf("link lives %s, want (0, %s]", ttl, privacy.MaxLinkTTL)
	}
	if _, _, err := h.svc.DownloadURL(ctx, coach.NewID(), e.ID); coach.ErrorCode(err) != coach.ENOTFOUND {
		t.Errorf("DownloadURL of another user's export: %v, want not found", err)
	}
	resp, err := client.Get(link)
	if err != nil {
		t.Fatal(err)
	}
	body, err := io.ReadAll(resp.Body)
	resp.Body.Close()
	if err != nil || resp.StatusCode != http.StatusOK {
		t.Fatalf("GET the link: %d %v", resp.StatusCode, err)
	}
	sum := sha256.Sum256(body)
	if hex.EncodeToString(sum[:]) != done.SHA256 || int64(len(body)) != done.Size {
		t.Fatalf("downloaded %d bytes with SHA-256 %x, want the export's %d, %s", len(body), sum, done.Size, done.SHA256)
	}
	stored, _ := json.Marshal(done)
	for _, ev := range evs {
		if strings.Contains(string(ev.Payload), "http") {
			t.Errorf("an event holds a link: %s", ev.Payload)
		}
	}
	if strings.Contains(string(stored), "http") || strings.Contains(link, "exportId") {
		t.Errorf("the export record holds a link: %s", stored)
	}

	a, names := unzip(t, body)
	compareArchive(t, a, names, w, e)
}

func jsonIs(got json.RawMessage, want string) bool {
	return cmp.Equal(got, json.RawMessage(want), cmpOpts)
}

// compareArchive checks every file of the archive against what was written.
func compareArchive(t *testing.T, a archive, names []string, w written, e coach.Export) {
	t.Helper()
	wantNames := []string{privacy.FileProfile, privacy.FileConnections, privacy.FileTrades, privacy.FileTradesCSV,
		privacy.FileTags, privacy.FileTagRevisions, privacy.FileTombstones, privacy.FileDisputes, privacy.FileNotes, privacy.FileQuestions, privacy.FileRules, privacy.FileSimulationRuns,
		privacy.FileDigests, privacy.FileAudit, privacy.FileEvents, privacy.FileWebhookEndpoints, privacy.FileWebhookDeliveries,
		privacy.FileBlobs, privacy.FileManifest}
	if d := cmp.Diff(wantNames, names); d != "" {
		t.Fatalf("files (-want +got):\n%s", d)
	}
	u := w.user
	section(t, a, privacy.FileProfile, privacy.Profile{ID: u.ID, Email: u.Email, CreatedAt: u.CreatedAt, TimeZone: u.TimeZone,
		ReportingCurrency: u.ReportingCurrency})
	var conns []privacy.Connection
	for _, c := range w.connections {
		conns = append(conns, privacy.Connection{ID: c.ID, Broker: c.Broker, Status: c.Status, Scope: c.Scope, Label: c.Label,
			ExpiresAt: c.ExpiresAt, CreatedAt: c.CreatedAt})
	}
	section(t, a, privacy.FileConnections, conns)
	section(t, a, privacy.FileTrades, w.trades)
	var tombs []string
	var zs []storage.Tombstone
	if err := json.Unmarshal(a[privacy.FileTombstones], &zs); err != nil {
		t.Fatal(err)
	}
	for _, z := range zs {
		tombs = append(tombs, z.Broker+"/"+z.ExtID)
		if z.DeletedAt.IsZero() {
			t.Errorf("tombstone %s without DeletedAt", z.ExtID)
		}
	}
	if d := cmp.Diff(w.tombstones, tombs); d != "" {
		t.Errorf("tombstones (-written +exported):\n%s", d)
	}
	section(t, a, privacy.FileTags, w.tags)
	section(t, a, privacy.FileTagRevisions, w.revisions)
	section(t, a, privacy.FileDisputes, w.disputes)
	section(t, a, privacy.FileNotes, w.notes)
	section(t, a, privacy.FileQuestions, w.questions)
	section(t, a, privacy.FileRules, w.rules)
	section(t, a, privacy.FileSimulationRuns, w.runs)
	section(t, a, privacy.FileDigests, w.digests)
	section(t, a, privacy.FileAudit, w.audit)
	section(t, a, privacy.FileEvents, w.events)
	section(t, a, privacy.FileWebhookEndpoints, w.endpoints)
	section(t, a, privacy.FileWebhookDeliveries, w.deliveries)
	if bytes.Contains(a[privacy.FileWebhookEndpoints], []byte("SEALED-WEBHOOK-SECRET")) {
		t.Errorf("webhook_endpoints.json shows the sealed secret")
	}
	var blobs []storage.BlobInfo
	if err := json.Unmarshal(a[privacy.FileBlobs], &blobs); err != nil || len(blobs) != len(w.blobKeys) || blobs[0].Key != w.blobKeys[0] {
		t.Errorf("blobs.json = %s, want the user's digest report only", a[privacy.FileBlobs])
	}

	// trades.csv holds the same trades, formula-looking cells defused.
	rows, err := csv.NewReader(bytes.NewReader(a[privacy.FileTradesCSV])).ReadAll()
	if err != nil {
		t.Fatalf("trades.csv: %v", err)
	}
	if len(rows) != len(w.trades)+1 || !cmp.Equal(rows[0], privacy.TradesCSVHeader) {
		t.Fatalf("trades.csv: %d rows, header %v; want %d trades under %v", len(rows)-1, rows[0], len(w.trades), privacy.TradesCSVHeader)
	}
	for i, tr := range w.trades {
		r := rows[i+1]
		ext := tr.ExtID
		if strings.HasPrefix(ext, "=") {
			ext = "'" + ext
		}
		ts, err := time.Parse(time.RFC3339Nano, r[10])
		if r[0] != tr.ID || r[2] != ext || r[4] != string(tr.Symbol) || r[6] != tr.Qty.String() || r[7] != tr.Price.String() ||
			r[8] != tr.Fee.Decimal.String() || err != nil || !ts.Equal(tr.TS) {
			t.Fatalf("trades.csv row %d = %v, want trade %+v", i+1, r, tr)
		}
	}

	var m privacy.Manifest
	if err := json.Unmarshal(a[privacy.FileManifest], &m); err != nil {
		t.Fatal(err)
	}
	if m.Format != privacy.Format || m.ExportID != e.ID || m.UserID != u.ID || m.Counts[privacy.FileTrades] != len(w.trades) ||
		m.Counts[privacy.FileTradesCSV] != len(w.trades) || m.Counts[privacy.FileAudit] != len(w.audit) || !cmp.Equal(m.Files, wantNames) {
		t.Errorf("manifest = %+v", m)
	}

	// No secret and nothing of the other user, in any file.
	for name, b := range a {
		for _, s := range append([]string{passwordHash, "SECRET-", "c2VjcmV0", "U0VDUkVU"}, w.foreign...) {
			if bytes.Contains(b, []byte(s)) {
				t.Errorf("%s contains %q", name, s)
			}
		}
	}
}

// signedBlobs returns memory.SignedBlobs served by a test server, and its client.
func signedBlobs(t *testing.T, clock coach.Clock) (*memory.SignedBlobs, *http.Client) {
	t.Helper()
	mux := http.NewServeMux()
	srv := newServer(t, mux)
	s, err := memory.NewSignedBlobs(nil, memory.SignedConfig{Key: bytes.Repeat([]byte{7}, 32), BaseURL: srv.URL + "/blobs/", Clock: clock})
	if err != nil {
		t.Fatal(err)
	}
	mux.Handle("/blobs/", s)
	return s, srv.Client()
}

func TestExportOnMemory(t *testing.T) {
	t.Parallel()
	clock := coach.NewManualClock(t0.Add(30 * 24 * time.Hour))
	blobs, client := signedBlobs(t, clock)
	h := newHarness(t, memory.New(memory.WithClock(clock)), blobs, clock)
	roundTrip(t, h, client, fixtureSizes{trades: 25_003, audit: 10_050})
}

func TestExportOnPostgresAndS3(t *testing.T) {
	t.Parallel()
	clock := coach.NewManualClock(time.Now().UTC().Truncate(time.Second)) // S3 presigning reads the wall clock
	h := newHarness(t, postgrestest.MustOpenTestDB(t), s3test.MustOpen(t), clock)
	roundTrip(t, h, http.DefaultClient, fixtureSizes{trades: 10_003, audit: 10_050})
}
