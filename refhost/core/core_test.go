package core_test

import (
	"archive/zip"
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/tradecoach/coach"
	"github.com/tradecoach/coach/broker/brokertest"
	"github.com/tradecoach/coach/digest"
	"github.com/tradecoach/coach/jobs"
	"github.com/tradecoach/coach/refhost/config"
	"github.com/tradecoach/coach/refhost/core"
	"github.com/tradecoach/coach/refhost/demo"
	"github.com/tradecoach/coach/refhost/infra"
	"github.com/tradecoach/coach/refhost/openapi/contracttest"
	"github.com/tradecoach/coach/refhost/services"
	"github.com/tradecoach/coach/refhost/worker"
	"github.com/tradecoach/coach/storage/postgres/postgrestest"
	"github.com/tradecoach/coach/storage/s3/s3test"
	"github.com/tradecoach/coach/transport"
	"github.com/tradecoach/coach/transport/asynq/asynqtest"
	"github.com/tradecoach/coach/transport/hmac"
	"github.com/tradecoach/coach/transport/httpjson"
)

var internalKey = bytes.Repeat([]byte("k"), 32)

// host is a core API over the in-memory adapters, with a worker running its jobs.
type host struct {
	t     *testing.T
	clock *coach.ManualClock // the core API's clock
	in    *infra.Infra
	svc   *services.Services
	srv   *httptest.Server
	// market is the demo market: the worker's broker and every service's candles.
	market *brokertest.Demo
}

func newHost(t *testing.T) *host { return newHostOn(t, config.Config{}) }

// servicesConfig selects Postgres (a schema of the test's own), Redis (a database of the test's
// own, for asynq) and an S3-compatible server.
func servicesConfig(t *testing.T) config.Config {
	schema := postgrestest.RandomTestSchema(t)
	t.Cleanup(func() { postgrestest.DropTestSchema(t, postgrestest.TestURL(), schema) })
	client := asynqtest.MustOpenDB(t)
	s3cfg := s3test.Config(s3test.Server(t))
	return config.Config{PostgresURL: postgrestest.TestURL(), PostgresSchema: schema,
		RedisAddr: client.Options().Addr, RedisDB: int64(client.Options().DB),
		S3Endpoint: s3cfg.Endpoint, S3Bucket: s3cfg.Bucket, S3AccessKey: s3cfg.AccessKey, S3SecretKey: config.Secret(s3cfg.SecretKey)}
}

func newHostOn(t *testing.T, cfg config.Config) *host {
	t.Helper()
	ctx := context.Background()
	log := slog.New(slog.DiscardHandler)
	clock := coach.SystemClock{}
	srv := httptest.NewUnstartedServer(nil)
	cfg.PublicURL = "http://" + srv.Listener.Addr().String()
	in, err := infra.Open(ctx, cfg, clock, log)
	if err != nil {
		postgrestest.SkipUnavailable(t, err)
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = in.Close() })
	market, err := demo.Market(11, clock.Now())
	if err != nil {
		t.Fatal(err)
	}
	svc, err := services.Build(services.Config{Infra: in, ErasureKey: bytes.Repeat([]byte("e"), 32), Candles: market, Clock: clock, Logger: log})
	if err != nil {
		t.Fatal(err)
	}
	wk, err := worker.Start(worker.Config{Infra: in, Services: svc, Brokers: demo.Brokers(market), Concurrency: 2, Logger: log})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(wk.Shutdown)
	coreClock := coach.NewManualClock(time.Now())
	api, err := core.New(core.Config{Infra: in, Services: svc, Key: internalKey, Clock: coreClock, Logger: log})
	if err != nil {
		t.Fatal(err)
	}
	srv.Config.Handler = api
	srv.Start()
	t.Cleanup(srv.Close)
	return &host{t: t, clock: coreClock, in: in, svc: svc, srv: srv, market: market}
}

// user creates a user in the store and returns their id.
func (h *host) user() string {
	h.t.Helper()
	u := coach.User{ID: coach.NewID(), Email: coach.NewID() + "@example.com", CreatedAt: time.Now().UTC(), TimeZone: "Europe/Berlin"}
	if err := h.in.Store.Users().Create(context.Background(), u); err != nil {
		h.t.Fatal(err)
	}
	return u.ID
}

// call sends a request signed with the internal key for subject ("" for none) and decodes the
// JSON answer into out (when not nil); it returns the status.
func (h *host) call(subject, method, path string, body any, out any) int {
	h.t.Helper()
	var rd io.Reader
	ct := ""
	switch b := body.(type) {
	case nil:
	case string:
		rd, ct = strings.NewReader(b), "text/csv"
	default:
		raw, err := json.Marshal(b)
		if err != nil {
			h.t.Fatal(err)
		}
		rd, ct = bytes.NewReader(raw), "application/json"
	}
	req, err := http.NewRequest(method, h.srv.URL+path, rd)
	if err != nil {
		h.t.Fatal(err)
	}
	if ct != "" {
		req.Header.Set("Content-Type", ct)
	}
	if subject != "" {
		req.Header.Set(hmac.HeaderSubject, subject)
	}
	signer, err := hmac.NewSigner(hmac.SignerConfig{Key: hmac.NewKey(core.KeyID, internalKey)})
	if err != nil {
		h.t.Fatal(err)
	}
	res, err := (&http.Client{Transport: contracttest.Internal(h.t, signer)}).Do(req)
	if err != nil {
		h.t.Fatal(err)
	}
	defer res.Body.Close()
	raw, _ := io.ReadAll(res.Body)
	if out != nil && len(raw) > 0 {
		if err := json.Unmarshal(raw, out); err != nil {
			h.t.Fatalf("%s %s: %d %s: %v", method, path, res.StatusCode, raw, err)
		}
		if res.StatusCode >= 400 {
			h.t.Logf("%s %s: %d %s", method, path, res.StatusCode, raw)
		}
	}
	return res.StatusCode
}

// waitFor polls cond until it holds, failing the test after a minute.
func waitFor(t *testing.T, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(time.Minute)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// scored waits until the host's queue holds no score.bias job (q_score is empty): the scoring
// asked for before has run.
func (h *host) scored() {
	h.t.Helper()
	depths, ok := h.in.Queue.(transport.QueueInspector)
	if !ok {
		h.t.Fatalf("the queue %T does not count its jobs", h.in.Queue)
	}
	waitFor(h.t, "the score jobs", func() bool {
		d, err := depths.Depth(context.Background())
		if err != nil {
			h.t.Fatal(err)
		}
		q := d[transport.QueueScore]
		return q.Pending+q.Scheduled+q.Retry+q.Active == 0
	})
}

type tradePage struct {
	Trades []coach.Trade `json:"trades"`
	Next   string        `json:"next"`
}

func TestJourney(t *testing.T) {
	t.Run("memory", func(t *testing.T) { journey(t, newHost(t)) })
	t.Run("postgres+redis+s3", func(t *testing.T) { journey(t, newHostOn(t, servicesConfig(t))) })
}

func journey(t *testing.T, h *host) {
	alice := h.user()

	// Connect the demo broker: its history is imported and scored in the background.
	var conn coach.BrokerConnection
	if code := h.call(alice, "POST", "/brokers/demo", nil, &conn); code != http.StatusCreated || conn.Broker != coach.BrokerDemo {
		t.Fatalf("connect demo: %d %+v", code, conn)
	}
	waitFor(t, "the demo import", func() bool {
		var evs struct {
			Events []coach.Event `json:"events"`
		}
		h.call(alice, "GET", "/events", nil, &evs)
		for _, e := range evs.Events {
			var p coach.ImportProgressPayload
			if e.Type == coach.EventImportProgress && json.Unmarshal(e.Payload, &p) == nil && p.Phase == coach.ImportPhaseDone {
				return true
			}
		}
		return false
	})
	var all []coach.Trade
	for next := ""; ; {
		var p tradePage
		path := "/trades?limit=50"
		if next != "" {
			path += "&after=" + next
		}
		if code := h.call(alice, "GET", path, nil, &p); code != http.StatusOK {
			t.Fatalf("list trades: %d", code)
		}
		all = append(all, p.Trades...)
		if p.Next == "" {
			break
		}
		next = p.Next
	}
	if len(all) < 100 {
		t.Fatalf("%d trades imported", len(all))
	}
	for i := 1; i < len(all); i++ {
		if all[i].TS.Before(all[i-1].TS) || all[i].ID == all[i-1].ID {
			t.Fatalf("pages out of order or repeating at %d", i)
		}
	}

	// A tagged trade's detail carries its tags with evidence, its order and the candles around.
	var tagged struct {
		Tags []coach.TagWithDispute `json:"tags"`
	}
	var detail struct {
		Trade   coach.Trade            `json:"trade"`
		Order   []coach.Trade          `json:"order"`
		Tags    []coach.TagWithDispute `json:"tags"`
		Candles []coach.Candle         `json:"candles"`
	}
	var subject coach.Trade
	waitFor(t, "a tagged trade", func() bool {
		for _, tr := range all {
			if h.call(alice, "GET", "/trades/"+tr.ID, nil, &tagged); len(tagged.Tags) > 0 {
				subject = tr
				return true
			}
		}
		return false
	})
	if code := h.call(alice, "GET", "/trades/"+subject.ID, nil, &detail); code != 200 || detail.Trade.ID != subject.ID ||
		len(detail.Order) == 0 || len(detail.Candles) == 0 || len(detail.Tags[0].Features) == 0 {
		t.Fatalf("detail: %d %+v", code, detail)
	}

	// The trader answers back: a dispute and a note.
	// A tag may sit on another fill of the order: the dispute is of the tagged fill's label.
	label, taggedFill := detail.Tags[0].Label, detail.Tags[0].TradeID
	var d coach.TagDispute
	if code := h.call(alice, "PUT", "/trades/"+taggedFill+"/tags/"+label+"/dispute", map[string]any{"reason": "plan", "excludeFromAttribution": true}, &d); code != 200 || d.Label != label {
		t.Fatalf("dispute: %d %+v", code, d)
	}
	if code := h.call(alice, "POST", "/trades/"+subject.ID+"/notes", map[string]any{"text": "sized down on purpose"}, nil); code != http.StatusCreated {
		t.Fatalf("note: %d", code)
	}

	// Sync now: queued, or refused as already queued or running (the first import's lease may
	// still be held for a moment, and the worker's scheduled sync may have queued the same
	// window); asked again at once, refused as queued or too soon.
	for i, want := range [][]int{{http.StatusAccepted, http.StatusConflict}, {http.StatusConflict, http.StatusTooManyRequests}} {
		var e httpjson.Body
		if code := h.call(alice, "POST", "/brokers/connections/"+conn.ID+"/sync", nil, &e); !slices.Contains(want, code) {
			t.Fatalf("sync now #%d: %d %+v, want one of %v", i+1, code, e, want)
		}
	}

	// The account effects, per month.
	var acct struct {
		Windows []json.RawMessage `json:"windows"`
	}
	if code := h.call(alice, "GET", "/account/metrics", nil, &acct); code != 200 || len(acct.Windows) == 0 {
		t.Fatalf("account metrics: %d, %d windows", code, len(acct.Windows))
	}

	// Rules: create, list, evaluate.
	var rule coach.Rule
	if code := h.call(alice, "POST", "/rules", map[string]any{"kind": "maxTradesPerDay", "params": map[string]any{"n": 5}}, &rule); code != http.StatusCreated || !rule.Active {
		t.Fatalf("create rule: %d %+v", code, rule)
	}
	if code := h.call(alice, "GET", "/rules/evaluation", nil, nil); code != 200 {
		t.Fatalf("evaluate: %d", code)
	}

	// A simulation: 202 with a run id, then done.
	var run coach.SimulationRun
	req := map[string]any{"scenario": map[string]any{"kind": "skipLabel", "label": "FOMO"},
		"from": all[0].TS.Format(time.RFC3339), "to": all[len(all)-1].TS.Add(time.Hour).Format(time.RFC3339), "fees": map[string]any{}}
	if code := h.call(alice, "POST", "/simulations/simple", req, &run); code != http.StatusAccepted || run.ID == "" {
		t.Fatalf("simulate: %d %+v", code, run)
	}
	waitFor(t, "the simulation", func() bool {
		h.call(alice, "GET", "/simulations/"+run.ID, nil, &run)
		return run.Status == coach.SimulationDone
	})

	// The weekly digest, through the queue as the fan-out enqueues it, is the latest.
	week := digest.LastFullWeek(time.Now(), time.UTC)
	dj, err := jobs.DigestJob(jobs.DigestPayload{UserID: alice, Week: week.String()})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := h.in.Queue.Enqueue(context.Background(), dj); err != nil {
		t.Fatal(err)
	}
	waitFor(t, "the weekly digest", func() bool { return h.call(alice, "GET", "/digests/weekly/latest", nil, nil) == http.StatusOK })
	var latest coach.Digest
	if code := h.call(alice, "GET", "/digests/weekly/latest", nil, &latest); code != 200 || latest.UserID != alice {
		t.Fatalf("latest digest: %d %+v", code, latest)
	}

	// Events replay from the start, in id order.
	var evs struct {
		Events []coach.Event `json:"events"`
	}
	if code := h.call(alice, "GET", "/events", nil, &evs); code != 200 || len(evs.Events) == 0 {
		t.Fatalf("events: %d, %d events", code, len(evs.Events))
	}

	// Another user sees none of it, and gets not_found for each of Alice's resources.
	bob := h.user()
	var none tradePage
	if h.call(bob, "GET", "/trades", nil, &none); len(none.Trades) != 0 {
		t.Fatalf("bob sees %d of alice's trades", len(none.Trades))
	}
	for _, p := range []string{"/trades/" + subject.ID, "/rules/" + rule.ID, "/simulations/" + run.ID, "/digests/weekly/" + latest.ID} {
		var e httpjson.Body
		if code := h.call(bob, "GET", p, nil, &e); code != http.StatusNotFound || e.Code != coach.ENOTFOUND {
			t.Errorf("bob GET %s: %d %+v, want not_found", p, code, e)
		}
	}
	if code := h.call(bob, "DELETE", "/trades/"+subject.ID, nil, nil); code != http.StatusNotFound {
		t.Errorf("bob deleting alice's trade: %d", code)
	}

	// An export: 202, built by the worker, downloaded through a short-lived link, holding every
	// trade.
	var exp coach.Export
	if code := h.call(alice, "POST", "/me/export", nil, &exp); code != http.StatusAccepted || exp.ID == "" {
		t.Fatalf("export: %d %+v", code, exp)
	}
	waitFor(t, "the export", func() bool {
		h.call(alice, "GET", "/me/exports/"+exp.ID, nil, &exp)
		return exp.Status == coach.ExportDone
	})
	var link struct {
		URL       string    `json:"url"`
		ExpiresAt time.Time `json:"expiresAt"`
	}
	if code := h.call(alice, "GET", "/me/exports/"+exp.ID+"/download", nil, &link); code != 200 || link.ExpiresAt.After(time.Now().Add(15*time.Minute)) {
		t.Fatalf("link: %d %+v", code, link)
	}
	if code := h.call(bob, "GET", "/me/exports/"+exp.ID+"/download", nil, nil); code != http.StatusNotFound {
		t.Fatalf("bob minted a link to alice's export: %d", code)
	}
	res, err := http.Get(link.URL)
	if err != nil {
		t.Fatal(err)
	}
	archive, _ := io.ReadAll(res.Body)
	res.Body.Close()
	zr, err := zip.NewReader(bytes.NewReader(archive), int64(len(archive)))
	if err != nil {
		t.Fatalf("download %s: %d, not a ZIP: %v", link.URL, res.StatusCode, err)
	}
	rows := -1 // the header
	for _, f := range zr.File {
		if f.Name == "trades.csv" {
			rc, _ := f.Open()
			b, _ := io.ReadAll(rc)
			rc.Close()
			rows += strings.Count(string(b), "\n")
		}
	}
	if rows != len(all) {
		t.Fatalf("trades.csv has %d rows, alice has %d trades", rows, len(all))
	}

	// Deleting a trade leaves it gone.
	defer func() {
		// Last, Alice erases everything; Bob keeps his account.
		if code := h.call(alice, "DELETE", "/me", nil, nil); code != http.StatusAccepted {
			t.Fatalf("erase: %d", code)
		}
		waitFor(t, "the erasure", func() bool { return h.call(alice, "GET", "/me", nil, nil) == http.StatusNotFound })
		var left tradePage
		if h.call(alice, "GET", "/trades", nil, &left); len(left.Trades) != 0 {
			t.Fatalf("%d trades left after the erasure", len(left.Trades))
		}
		if code := h.call(bob, "GET", "/me", nil, nil); code != http.StatusOK {
			t.Fatalf("bob after alice's erasure: %d", code)
		}
	}()
	if code := h.call(alice, "DELETE", "/trades/"+subject.ID, nil, nil); code != http.StatusNoContent {
		t.Fatalf("delete: %d", code)
	}
	if code := h.call(alice, "GET", "/trades/"+subject.ID, nil, nil); code != http.StatusNotFound {
		t.Fatalf("deleted trade: %d", code)
	}
}

func TestCSVUploadReportsRowErrorsAndImports(t *testing.T) {
	h := newHost(t)
	u := h.user()
	file := "ts,symbol,side,qty,price\n2026-03-01T10:00:00Z,BTC-USDT,BUY,0.01,64000\n2026-03-01T11:00:00Z,BTC-USDT,HOLD,0.01,64000\n"
	var bad struct {
		Code   coach.Code `json:"code"`
		Import struct {
			Errors []struct {
				Line int `json:"line"`
			} `json:"errors"`
		} `json:"import"`
	}
	if code := h.call(u, "POST", "/brokers/csv", file, &bad); code != http.StatusUnprocessableEntity || bad.Code != coach.EINVALID ||
		len(bad.Import.Errors) != 1 || bad.Import.Errors[0].Line != 3 {
		t.Fatalf("bad file: %d %+v", code, bad)
	}
	var good struct {
		Inserted int `json:"inserted"`
	}
	if code := h.call(u, "POST", "/brokers/csv?skipBadRows=true", file, &good); code != 200 || good.Inserted != 1 {
		t.Fatalf("skipping bad rows: %d %+v", code, good)
	}
}

// TestCSVUploadIsScored: a trader who only uploads files gets their trades labelled and the
// coach's reflections, as one who links a broker does: the upload enqueues the scoring of the
// window its new trades touched, which the worker runs.
func TestCSVUploadIsScored(t *testing.T) {
	h := newHost(t)
	u := h.user()
	var file strings.Builder
	file.WriteString("ts,symbol,side,qty,price,fee,feeAsset,extId,orderId\n")
	trades := h.market.Trades()
	for _, tr := range trades {
		fee := ""
		if tr.Fee.Valid {
			fee = tr.Fee.Decimal.String()
		}
		fmt.Fprintf(&file, "%s,%s,%s,%s,%s,%s,%s,%s,%s\n", tr.TS.Format(time.RFC3339Nano), tr.Symbol, tr.Side, tr.Qty, tr.Price,
			fee, tr.FeeAsset, tr.ExtID, tr.OrderID)
	}
	var up struct {
		Inserted int `json:"inserted"`
	}
	if code := h.call(u, "POST", "/brokers/csv", file.String(), &up); code != http.StatusOK || up.Inserted != len(trades) {
		t.Fatalf("upload: %d, %d of %d trades stored", code, up.Inserted, len(trades))
	}
	var stored []coach.Trade
	for next := ""; ; {
		var p tradePage
		if code := h.call(u, "GET", "/trades?limit=200&after="+next, nil, &p); code != http.StatusOK {
			t.Fatalf("list trades: %d", code)
		}
		stored = append(stored, p.Trades...)
		if next = p.Next; next == "" {
			break
		}
	}
	if len(stored) != len(trades) {
		t.Fatalf("%d trades listed, %d uploaded", len(stored), len(trades))
	}
	waitFor(t, "a labelled upload and the coach's reflection", func() bool {
		var evs struct {
			Events []coach.Event `json:"events"`
		}
		h.call(u, "GET", "/events?limit=500", nil, &evs)
		if !slices.ContainsFunc(evs.Events, func(e coach.Event) bool { return e.Type == coach.EventCoachReflect }) {
			return false
		}
		for _, tr := range stored {
			var d struct {
				Tags []coach.TagWithDispute `json:"tags"`
			}
			if h.call(u, "GET", "/trades/"+tr.ID, nil, &d); len(d.Tags) > 0 {
				return true
			}
		}
		return false
	})
}

func TestRequestsMustBeSignedAndActForAUser(t *testing.T) {
	h := newHost(t)
	res, err := http.Get(h.srv.URL + "/trades")
	if err != nil {
		t.Fatal(err)
	}
	res.Body.Close()
	if res.StatusCode != http.StatusUnauthorized {
		t.Fatalf("unsigned: %d", res.StatusCode)
	}
	var e httpjson.Body
	if code := h.call("", "GET", "/trades", nil, &e); code != http.StatusUnauthorized || e.Code != coach.EUNAUTHORIZED {
		t.Fatalf("signed without a subject: %d %+v", code, e)
	}
	u := h.user()
	if code := h.call(u, "PATCH", "/me/settings", map[string]any{"timezone": "UTC"}, &e); code != 400 || len(e.Fields) != 1 {
		t.Fatalf("settings with a misspelt field: %d %+v", code, e)
	}
	var me coach.User
	if code := h.call(u, "PATCH", "/me/settings", map[string]any{"timeZone": "America/New_York", "reportingCurrency": "EUR"}, &me); code != 200 ||
		me.TimeZone != "America/New_York" || me.ReportingCurrency != "EUR" {
		t.Fatalf("settings: %d %+v", code, me)
	}
	if me.DigestByEmail {
		t.Fatalf("a new user is opted in to the digest by email: %+v", me)
	}
	if code := h.call(u, "PATCH", "/me/settings", map[string]any{"digestByEmail": true}, &me); code != 200 || !me.DigestByEmail || me.TimeZone != "America/New_York" {
		t.Fatalf("opt in to the digest by email: %d %+v", code, me)
	}
	if code := h.call(u, "GET", "/me", nil, &me); code != 200 || !me.DigestByEmail {
		t.Fatalf("the opt-in is not kept: %d %+v", code, me)
	}
	if code := h.call(u, "PATCH", "/me/settings", map[string]any{"digestByEmail": "yes"}, &e); code != 400 {
		t.Fatalf("digestByEmail not a boolean: %d %+v", code, e)
	}
	if code := h.call(u, "PATCH", "/me/settings", map[string]any{"digestByEmail": false}, &me); code != 200 || me.DigestByEmail {
		t.Fatalf("opt out of the digest by email: %d %+v", code, me)
	}
	noEmail := coach.User{ID: coach.NewID(), CreatedAt: time.Now().UTC()}
	if err := h.in.Store.Users().Create(context.Background(), noEmail); err != nil {
		t.Fatal(err)
	}
	e = httpjson.Body{}
	if code := h.call(noEmail.ID, "PATCH", "/me/settings", map[string]any{"digestByEmail": true}, &e); code != 400 || len(e.Fields) != 1 || e.Fields[0].Field != "digestByEmail" {
		t.Fatalf("opt in without an email address: %d %+v", code, e)
	}
}
