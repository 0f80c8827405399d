package main

import (
	"bytes"
	"context"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/tradecoach/coach"
)

// serveRecorded serves ../../slo/testdata/name.prom as /metrics (recorded by that package's
// tests from the host's own exporter).
func serveRecorded(t *testing.T, name string) string {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("..", "..", "slo", "testdata", name+".prom")) // #nosec G304 -- a fixture
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path != "/metrics" {
			http.NotFound(w, r)
			return
		}
		w.Header().Set("Content-Type", "text/plain; version=0.0.4")
		_, _ = w.Write(b)
	}))
	t.Cleanup(srv.Close)
	return srv.URL + "/metrics"
}

func runSLOTest(t *testing.T, args ...string) (string, error) {
	t.Helper()
	var out, errs bytes.Buffer
	err := run(context.Background(), append([]string{"slo"}, args...), func(string) string { return "" }, &out, &errs, nil)
	return out.String() + errs.String(), err
}

func TestSLOExitStatus(t *testing.T) {
	for _, tc := range []struct {
		recorded []string
		code     int
		want     []string // lines the report must hold
	}{
		{[]string{"met"}, 0, []string{"api ", "MET", "99.5% of 1000", "jobs ", "99.95% of 20000"}},
		{[]string{"met", "met"}, 0, []string{"99.5% of 2000"}},
		{[]string{"breach"}, 1, []string{"98% of 1000", "BREACHED (target 99%)"}},
		{[]string{"breach-all"}, 1, []string{"BREACHED (target 99.9%)", "33.333% of 3"}},
		{[]string{"missing"}, 2, []string{"MISSING: coach_relay_delivery_seconds is missing"}},
	} {
		t.Run(strings.Join(tc.recorded, "+"), func(t *testing.T) {
			var urls []string
			for _, name := range tc.recorded {
				urls = append(urls, serveRecorded(t, name))
			}
			out, err := runSLOTest(t, "-url", strings.Join(urls, ","))
			code := 0
			if err != nil {
				code = exitCode(err)
			}
			if code != tc.code {
				t.Errorf("exit status %d (%v), want %d:\n%s", code, err, tc.code, out)
			}
			for _, w := range tc.want {
				if !strings.Contains(out, w) {
					t.Errorf("report lacks %q:\n%s", w, out)
				}
			}
		})
	}
}

// -window judges the difference between two reads: a breach before the window does not count,
// and a host that only met the objectives since is judged met.
func TestSLOWindowJudgesOnlyWhatHappenedInIt(t *testing.T) {
	breached := serveRecorded(t, "breach") // the same answer both times: nothing new from it
	met, err := os.ReadFile(filepath.Join("..", "..", "slo", "testdata", "met.prom"))
	if err != nil {
		t.Fatal(err)
	}
	var reads atomic.Int32
	growing := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/plain; version=0.0.4")
		if reads.Add(1) > 1 { // empty at first, then a met run's counts
			_, _ = w.Write(met)
		}
	}))
	t.Cleanup(growing.Close)
	urls := breached + "," + growing.URL + "/metrics"

	out, err := runSLOTest(t, "-url", urls, "-window", "20ms")
	if err != nil || !strings.Contains(out, "over the last 20ms") || !strings.Contains(out, "99.5% of 1000") {
		t.Fatalf("-window: %v, want met over the window's 1000 calls:\n%s", err, out)
	}
	if reads.Load() != 2 {
		t.Fatalf("the host was read %d times, want 2", reads.Load())
	}
	// Without the window, the same host's totals hold the breach.
	if out, err := runSLOTest(t, "-url", urls); exitCode(err) != 1 || err == nil {
		t.Fatalf("without -window: %v, want breached:\n%s", err, out)
	}
	if _, err := runSLOTest(t, "-url", urls, "-window", "-1s"); coach.ErrorCode(err) != coach.EINVALID {
		t.Fatalf("a negative window: %v, want EINVALID", err)
	}
}

func TestSLOOfAHostItCannotRead(t *testing.T) {
	srv := httptest.NewServer(http.NotFoundHandler())
	defer srv.Close()
	for _, url := range []string{srv.URL + "/metrics", "ftp://example.com/metrics", "http://127.0.0.1:1/metrics"} {
		_, err := runSLOTest(t, "-url", url, "-timeout", "5s")
		if err == nil || exitCode(err) != 1 {
			t.Errorf("slo -url %s = %v (exit %d), want a failure with status 1", url, err, exitCode(err))
		}
	}
}

// TestSLOAgainstAllMeasuresWhatItServes runs `refhost slo` against `refhost all`: once the demo
// trader's import has run and the edge has answered a few API calls, the API, jobs and import
// objectives are measured from what the host exports (whether they are met is timing, not
// checked here), and the events objective is missing, since no browser connected.
func TestSLOAgainstAllMeasuresWhatItServes(t *testing.T) {
	addrs, logs, _, _ := startAll(t, map[string]string{"REFHOST_INTERNAL_KEY": strings.Repeat("5a", 32)})
	deadline := time.Now().Add(2 * time.Minute)
	for {
		_, m := get(t, addrs["core"]+"/metrics")
		if strings.Contains(m, `coach_jobs_run_total{outcome="ok",type="import.trades"} 1`) &&
			strings.Contains(m, `coach_import_first_done_seconds_count{broker="demo"} 1`) {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("the demo trader was not imported:\n%s\nlogs:\n%s", grep(m, "coach_"), logs)
		}
		time.Sleep(50 * time.Millisecond)
	}
	for range 3 {
		if code, _ := get(t, addrs["edge"]+"/trades"); code != http.StatusUnauthorized {
			t.Fatalf("edge /trades without a session = %d, want 401", code)
		}
	}
	out, err := runSLOTest(t, "-url", addrs["core"]+"/metrics,"+addrs["worker"]+"/metrics")
	if exitCode(err) != 2 || coach.ErrorCode(err) != coach.ENOTFOUND {
		t.Fatalf("slo = %v (exit %d), want exit 2 for the events objective:\n%s", err, exitCode(err), out)
	}
	for _, line := range strings.Split(out, "\n") {
		name, _, _ := strings.Cut(line, " ")
		switch name {
		case "api", "jobs", "import":
			if strings.Contains(line, "MISSING") {
				t.Errorf("%s is not measured:\n%s", name, out)
			}
		case "events":
			if !strings.Contains(line, "MISSING") {
				t.Errorf("events measured without a browser:\n%s", out)
			}
		}
	}
	if !strings.Contains(out, "of 6,") { // 3 calls, scraped from two processes of one registry
		t.Errorf("the API objective does not count the 3 edge calls twice (one per scrape):\n%s", out)
	}
}

// TestEdgeMetricsOnAPrivateAddress: with REFHOST_EDGE_METRICS_ADDR the edge serves /metrics there
// (what `refhost slo` reads of a split edge), never on its public address.
func TestEdgeMetricsOnAPrivateAddress(t *testing.T) {
	addrs, _, _, _ := startAll(t, map[string]string{"REFHOST_INTERNAL_KEY": strings.Repeat("5a", 32), "REFHOST_EDGE_METRICS_ADDR": "127.0.0.1:0"})
	private, ok := addrs["edge-metrics"]
	if !ok {
		t.Fatalf("no edge-metrics server among %v", addrs)
	}
	get(t, addrs["edge"]+"/trades") // one API call, 401
	code, body := get(t, private+"/metrics")
	if code != http.StatusOK || !strings.Contains(body, `coach_http_request_duration_seconds_count{class="4xx",stack="edge"}`) {
		t.Fatalf("private /metrics = %d without the edge's request timing:\n%s", code, grep(body, "http_request"))
	}
	if _, body := get(t, addrs["edge"]+"/metrics"); strings.Contains(body, "coach_") {
		t.Fatal("the edge's public address serves metrics")
	}
}
