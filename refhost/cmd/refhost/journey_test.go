package main

import (
	"archive/zip"
	"bytes"
	"encoding/json"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/tradecoach/coach"
	"github.com/tradecoach/coach/broker/brokertest"
	"github.com/tradecoach/coach/digest"
	"github.com/tradecoach/coach/jobs"
	"github.com/tradecoach/coach/transport"
)

// journeyHost is a running reference host as issue 16's journey (a) sees it: core's address, the
// internal key, the fake Binance the host reads, a way to put a job on the host's queue (what
// the hourly scheduler would do, on the test's time), and every process's log.
type journeyHost struct {
	core    string
	key     []byte
	binance *brokertest.Binance
	enqueue func(transport.Job) error
	logs    func() string
}

// binanceJourney is issue 16's journey (a) through core's signed internal API: sign up; a
// trading-enabled Binance key refused, a read-only one linked; 30 days imported; tags with
// coach.reflect events; a simulation; the weekly digest; an export downloaded; the erasure — and
// no email, key, secret or hash in any log.
func binanceJourney(t *testing.T, h journeyHost) {
	t.Helper()
	system := signedClient(t, h.key, "")
	var user coach.User
	const email = "journey-a@example.com"
	if code := doJSON(t, system, "POST", h.core+"/internal/users", map[string]any{"email": email,
		"passwordHash": "$argon2id$v=19$m=19456,t=2,p=1$c2FsdHNhbHQ$aGFzaGhhc2hoYXNoaGFzaA"}, &user); code != http.StatusCreated {
		t.Fatalf("sign up: %d", code)
	}
	alice := signedClient(t, h.key, user.ID)
	body := map[string]any{"apiKey": h.binance.Config().APIKey, "secretKey": h.binance.Config().SecretKey}
	h.binance.SetKeyPermissions(brokertest.TradingKey())
	if code := doJSON(t, alice, "POST", h.core+"/brokers/binance", body, nil); code != http.StatusForbidden {
		t.Fatalf("a trading-enabled key: %d, want 403", code)
	}
	h.binance.SetKeyPermissions(brokertest.ReadOnlyKey())
	var conn coach.BrokerConnection
	if code := doJSON(t, alice, "POST", h.core+"/brokers/binance", body, &conn); code != http.StatusCreated {
		t.Fatalf("a read-only key: %d", code)
	}

	// The import's done event, then the coach's reflections on the tags it led to.
	events := func() []coach.Event {
		var out struct {
			Events []coach.Event `json:"events"`
		}
		doJSON(t, alice, "GET", h.core+"/events?limit=1000", nil, &out)
		return out.Events
	}
	waitUntil(t, "the import and the coach's reflections", 3*time.Minute, h.logs, func() bool {
		done, reflections := false, 0
		for _, e := range events() {
			var p coach.ImportProgressPayload
			if e.Type == coach.EventImportProgress && json.Unmarshal(e.Payload, &p) == nil && p.Phase == coach.ImportPhaseDone {
				done = true
			}
			if e.Type == coach.EventCoachReflect {
				reflections++
			}
		}
		return done && reflections > 0
	})
	var page struct {
		Trades []coach.Trade `json:"trades"`
	}
	doJSON(t, alice, "GET", h.core+"/trades?limit=1000", nil, &page)
	if len(page.Trades) < 10 || page.Trades[0].Broker != coach.BrokerBinance {
		t.Fatalf("imported %d trades", len(page.Trades))
	}
	first, last := page.Trades[0].TS, page.Trades[len(page.Trades)-1].TS
	if last.Sub(first) < 20*24*time.Hour {
		t.Fatalf("the import spans %s, want about 30 days", last.Sub(first))
	}

	// A what-if simulation.
	var run coach.SimulationRun
	if code := doJSON(t, alice, "POST", h.core+"/simulations/simple", map[string]any{"scenario": map[string]any{"kind": "skipLabel", "label": "FOMO"},
		"from": first.Format(time.RFC3339), "to": last.Add(time.Hour).Format(time.RFC3339), "fees": map[string]any{}}, &run); code != http.StatusAccepted {
		t.Fatalf("simulate: %d", code)
	}
	waitUntil(t, "the simulation", time.Minute, h.logs, func() bool {
		doJSON(t, alice, "GET", h.core+"/simulations/"+run.ID, nil, &run)
		return run.Status == coach.SimulationDone
	})

	// The weekly digest of the last full week, as the hourly fan-out would start it.
	dj, err := jobs.DigestJob(jobs.DigestPayload{UserID: user.ID, Week: digest.LastFullWeek(time.Now(), time.UTC).String()})
	if err != nil {
		t.Fatal(err)
	}
	if err := h.enqueue(dj); err != nil {
		t.Fatal(err)
	}
	var d coach.Digest
	waitUntil(t, "the weekly digest", time.Minute, h.logs, func() bool {
		return doJSON(t, alice, "GET", h.core+"/digests/weekly/latest", nil, &d) == http.StatusOK
	})

	// A question to the coach: no model is configured, so the deterministic coach answers, from
	// the evidence (ids of the facts it used), once published as coach.answer.
	var asked coach.Question
	if code := doJSON(t, alice, "POST", h.core+"/coach/questions", map[string]any{"question": "Why do I keep buying after a run-up?"}, &asked); code != http.StatusCreated {
		t.Fatalf("ask the coach: %d", code)
	}
	if asked.Source != coach.AnswerDeterministic || len(asked.EvidenceIDs) == 0 {
		t.Fatalf("the coach's answer %+v: want a deterministic answer resting on evidence", asked)
	}
	answers := 0
	for _, e := range events() {
		if e.Type == coach.EventCoachAnswer {
			answers++
		}
	}
	if answers != 1 {
		t.Fatalf("%d coach.answer events, want 1", answers)
	}

	// An export, downloaded through its short-lived link, holds every trade.
	var exp coach.Export
	if code := doJSON(t, alice, "POST", h.core+"/me/export", nil, &exp); code != http.StatusAccepted {
		t.Fatalf("export: %d", code)
	}
	waitUntil(t, "the export", time.Minute, h.logs, func() bool {
		doJSON(t, alice, "GET", h.core+"/me/exports/"+exp.ID, nil, &exp)
		return exp.Status == coach.ExportDone
	})
	var link struct {
		URL string `json:"url"`
	}
	if code := doJSON(t, alice, "GET", h.core+"/me/exports/"+exp.ID+"/download", nil, &link); code != http.StatusOK {
		t.Fatalf("download link: %d", code)
	}
	res, err := http.Get(link.URL)
	if err != nil {
		t.Fatal(err)
	}
	archive, _ := io.ReadAll(res.Body)
	res.Body.Close()
	zr, err := zip.NewReader(bytes.NewReader(archive), int64(len(archive)))
	if err != nil {
		t.Fatalf("the download (%d) is not a ZIP: %v", res.StatusCode, err)
	}
	for _, f := range zr.File {
		if f.Name == "trades.csv" {
			rc, _ := f.Open()
			b, _ := io.ReadAll(rc)
			rc.Close()
			if rows := strings.Count(string(b), "\n") - 1; rows != len(page.Trades) {
				t.Fatalf("trades.csv has %d rows, want %d", rows, len(page.Trades))
			}
		}
	}

	// The erasure.
	if code := doJSON(t, alice, "DELETE", h.core+"/me", nil, nil); code != http.StatusAccepted {
		t.Fatalf("erase: %d", code)
	}
	waitUntil(t, "the erasure", time.Minute, h.logs, func() bool {
		return doJSON(t, alice, "GET", h.core+"/me", nil, nil) == http.StatusNotFound
	})
	if doJSON(t, alice, "GET", h.core+"/trades", nil, &page); len(page.Trades) != 0 {
		t.Fatalf("%d trades left after the erasure", len(page.Trades))
	}

	logs := h.logs()
	for _, secret := range []string{email, h.binance.Config().APIKey, h.binance.Config().SecretKey, "argon2id", link.URL} {
		if strings.Contains(logs, secret) {
			t.Errorf("a log carries %q", secret)
		}
	}
}

// waitUntil polls cond until it holds, failing with the logs after limit.
func waitUntil(t testing.TB, what string, limit time.Duration, logs func() string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(limit)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s\n%s", what, logs())
		}
		time.Sleep(100 * time.Millisecond)
	}
}
