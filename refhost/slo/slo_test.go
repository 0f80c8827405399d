package slo_test

import (
	"bytes"
	"flag"
	"math"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/common/expfmt"

	"github.com/tradecoach/coach"
	promcoach "github.com/tradecoach/coach/metrics/prometheus"
	"github.com/tradecoach/coach/refhost/slo"
)

var update = flag.Bool("update", false, "record testdata/*.prom again from the host's own exporter")

// scenario is the traffic a recorded /metrics text saw.
type scenario struct {
	apiFast, apiSlow   int // edge requests at 50 ms and at 400 ms
	coreSlow           int // core requests at 1 s (not the edge's: never counted)
	eventsFast, events int // events delivered at 100 ms, and in all (the rest at 3 s)
	jobsOK, jobsFailed int
	imports            []time.Duration
	noRelay            bool // no browser ever connected: relay_delivery_seconds absent
}

var scenarios = map[string]scenario{
	// Every objective met, just: 99.5% API, 99.5% events, 99.95% jobs, imports within 90 s.
	"met": {apiFast: 995, apiSlow: 5, coreSlow: 50, eventsFast: 199, events: 200, jobsOK: 19990, jobsFailed: 10,
		imports: []time.Duration{40 * time.Second, 90 * time.Second, 119 * time.Second}},
	// The API objective breached (98% under 300 ms); the others met.
	"breach": {apiFast: 980, apiSlow: 20, eventsFast: 200, events: 200, jobsOK: 1000,
		imports: []time.Duration{40 * time.Second}},
	// Every objective breached: 2 of 3 imports took more than 2 minutes, 1% of jobs failed, …
	"breach-all": {apiFast: 10, apiSlow: 10, eventsFast: 1, events: 10, jobsOK: 99, jobsFailed: 1,
		imports: []time.Duration{40 * time.Second, 3 * time.Minute, 5 * time.Minute}},
	// No browser connected: the events objective cannot be measured.
	"missing": {apiFast: 100, jobsOK: 10, imports: []time.Duration{time.Minute}, noRelay: true},
}

// record returns what /metrics of a host that saw s answers, through the exporter the host uses
// (metrics/prometheus with slo.Buckets).
func record(t *testing.T, s scenario) []byte {
	t.Helper()
	reg := prometheus.NewRegistry()
	m, err := promcoach.New(promcoach.Config{Registerer: reg, Buckets: slo.Buckets()})
	if err != nil {
		t.Fatal(err)
	}
	for range s.apiFast {
		m.Observe(coach.MetricHTTPDuration, 50*time.Millisecond, "stack", "edge", "class", "2xx")
	}
	for i := range s.apiSlow {
		class := []string{"2xx", "4xx", "5xx"}[i%3]
		m.Observe(coach.MetricHTTPDuration, 400*time.Millisecond, "stack", "edge", "class", class)
	}
	for range s.coreSlow {
		m.Observe(coach.MetricHTTPDuration, time.Second, "stack", "core", "class", "2xx")
	}
	if !s.noRelay {
		for i := range s.events {
			d := 100 * time.Millisecond
			if i >= s.eventsFast {
				d = 3 * time.Second
			}
			m.Observe(coach.MetricRelayDelivery, d)
		}
	}
	m.Count(coach.MetricJobsRun, int64(s.jobsOK)/2, "type", "import.trades", "outcome", coach.OutcomeOK)
	m.Count(coach.MetricJobsRun, int64(s.jobsOK)-int64(s.jobsOK)/2, "type", "score.bias", "outcome", coach.OutcomeOK)
	m.Count(coach.MetricJobsRun, int64(s.jobsFailed), "type", "import.trades", "outcome", string(coach.EUNAVAILABLE))
	for _, d := range s.imports {
		m.Observe(coach.MetricImportFirstDone, d, "broker", "binance")
	}
	return exposition(t, reg)
}

// exposition is what /metrics answers for reg, in the Prometheus text format.
func exposition(t *testing.T, reg *prometheus.Registry) []byte {
	t.Helper()
	fams, err := reg.Gather()
	if err != nil {
		t.Fatal(err)
	}
	var b bytes.Buffer
	enc := expfmt.NewEncoder(&b, expfmt.NewFormat(expfmt.TypeTextPlain))
	for _, f := range fams {
		if err := enc.Encode(f); err != nil {
			t.Fatal(err)
		}
	}
	return b.Bytes()
}

// recorded returns testdata/name.prom, recording it first with -update.
func recorded(t *testing.T, name string) []byte {
	t.Helper()
	path := filepath.Join("testdata", name+".prom")
	if *update {
		if err := os.MkdirAll("testdata", 0o750); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, record(t, scenarios[name]), 0o600); err != nil {
			t.Fatal(err)
		}
	}
	b, err := os.ReadFile(path) // #nosec G304 -- a fixture of this package
	if err != nil {
		t.Fatalf("%v (record it with go test -run TestRecorded -update)", err)
	}
	return b
}

func check(t *testing.T, texts ...[]byte) []slo.Result {
	t.Helper()
	fams := slo.Families{}
	for _, text := range texts {
		if err := fams.Parse(bytes.NewReader(text)); err != nil {
			t.Fatal(err)
		}
	}
	return slo.Check(fams, slo.Objectives())
}

func byName(results []slo.Result) map[string]slo.Result {
	m := map[string]slo.Result{}
	for _, r := range results {
		m[r.Objective.Name] = r
	}
	return m
}

func TestRecordedMetrics(t *testing.T) {
	for name, tc := range map[string]struct {
		verdict slo.Verdict
		met     []string // objectives met; the others breached (or missing, for that verdict)
		missing string
	}{
		"met":        {verdict: slo.Met, met: []string{"api", "events", "jobs", "import"}},
		"breach":     {verdict: slo.Breached, met: []string{"events", "jobs", "import"}},
		"breach-all": {verdict: slo.Breached},
		"missing":    {verdict: slo.Missing, met: []string{"api", "jobs", "import"}, missing: "events"},
	} {
		t.Run(name, func(t *testing.T) {
			results := check(t, recorded(t, name))
			if got := slo.Judge(results); got != tc.verdict {
				t.Errorf("verdict %s, want %s", got, tc.verdict)
			}
			for _, r := range results {
				name := r.Objective.Name
				switch {
				case name == tc.missing:
					if coach.ErrorCode(r.Err) != coach.ENOTFOUND || r.Met {
						t.Errorf("%s: met %v, err %v; want ENOTFOUND (its metric is missing)", name, r.Met, r.Err)
					}
				case r.Err != nil:
					t.Errorf("%s: %v", name, r.Err)
				case r.Met != slices.Contains(tc.met, name):
					t.Errorf("%s: met = %v at %.4f of %g (target %g)", name, r.Met, r.Fraction(), r.Total, r.Objective.Target)
				}
			}
			var out bytes.Buffer
			if err := slo.Write(&out, results); err != nil {
				t.Fatal(err)
			}
			if tc.verdict == slo.Breached && !strings.Contains(out.String(), "BREACHED") {
				t.Errorf("the report does not show the breach:\n%s", out.String())
			}
		})
	}
}

// The fractions are counted from the bucket at each threshold, only over the selected series:
// the core's slow requests do not count against the edge's API objective.
func TestRecordedFractions(t *testing.T) {
	r := byName(check(t, recorded(t, "met")))
	for name, want := range map[string][2]float64{
		"api": {995, 1000}, "events": {199, 200}, "jobs": {19990, 20000}, "import": {3, 3},
	} {
		if got := [2]float64{r[name].Good, r[name].Total}; got != want {
			t.Errorf("%s: good/total = %v, want %v", name, got, want)
		}
	}
	// 99% of 1000 requests is rank 990, among the 995 at 50 ms: in the (0.025, 0.05] bucket.
	if q := r["api"].Quantile; !(q > 0.025 && q <= 0.05) {
		t.Errorf("api p99 = %g s, want in (0.025, 0.05]", q)
	}
	if !math.IsNaN(r["jobs"].Quantile) {
		t.Errorf("jobs quantile = %g, want NaN (a counter objective)", r["jobs"].Quantile)
	}
}

// Several processes' scrapes add up: two that each meet the API objective by a hair and one that
// breaches it give the fraction of the three together.
func TestScrapesOfSeveralProcessesAddUp(t *testing.T) {
	met, breach := recorded(t, "met"), recorded(t, "breach")
	r := byName(check(t, met, breach))
	if got := [2]float64{r["api"].Good, r["api"].Total}; got != [2]float64{995 + 980, 2000} {
		t.Errorf("api over two processes: good/total = %v, want [1975 2000]", got)
	}
	if r["api"].Met {
		t.Errorf("api met at %.4f, want breached (98.75%% < 99%%)", r["api"].Fraction())
	}
}

func TestEveryThresholdIsABucketBound(t *testing.T) {
	for _, o := range slo.Objectives() {
		if o.Under > 0 && !slices.Contains(slo.Buckets(), o.Under.Seconds()) {
			t.Errorf("%s: threshold %s is not a bound of slo.Buckets", o.Name, o.Under)
		}
	}
	if !slices.IsSorted(slo.Buckets()) {
		t.Error("slo.Buckets is not sorted")
	}
}

// A histogram without a bound at the threshold cannot say what fell under it: EINVALID, not a
// guess. The Prometheus client's default buckets (no 0.3) are such a histogram.
func TestThresholdBetweenBoundsIsRefused(t *testing.T) {
	text := `# TYPE coach_http_request_duration_seconds histogram
coach_http_request_duration_seconds_bucket{stack="edge",class="2xx",le="0.25"} 90
coach_http_request_duration_seconds_bucket{stack="edge",class="2xx",le="0.5"} 100
coach_http_request_duration_seconds_bucket{stack="edge",class="2xx",le="+Inf"} 100
coach_http_request_duration_seconds_sum{stack="edge",class="2xx"} 12
coach_http_request_duration_seconds_count{stack="edge",class="2xx"} 100
`
	r := byName(check(t, []byte(text)))
	if coach.ErrorCode(r["api"].Err) != coach.EINVALID || r["api"].Met {
		t.Errorf("api: met %v, err %v; want EINVALID", r["api"].Met, r["api"].Err)
	}
}

func TestMetricOfAnotherTypeIsRefused(t *testing.T) {
	text := "# TYPE coach_jobs_run_total gauge\ncoach_jobs_run_total{type=\"x\",outcome=\"ok\"} 3\n"
	r := byName(check(t, []byte(text)))
	if coach.ErrorCode(r["jobs"].Err) != coach.EINVALID {
		t.Errorf("jobs over a gauge: err %v, want EINVALID", r["jobs"].Err)
	}
}

func TestNotPrometheusTextIsInvalid(t *testing.T) {
	err := slo.Families{}.Parse(strings.NewReader("<html>hello</html>\n"))
	if coach.ErrorCode(err) != coach.EINVALID {
		t.Errorf("Parse(html) = %v, want EINVALID", err)
	}
}

func TestQuantile(t *testing.T) {
	inf := math.Inf(1)
	for _, tc := range []struct {
		name    string
		q       float64
		buckets []slo.Bucket
		want    float64
	}{
		// 100 observations, 50 ≤ 0.1, 90 ≤ 0.3, 100 ≤ 1: the median is the 0.1 bound itself; p75
		// is 25 of the 40 in (0.1, 0.3]; p99 is 9 of the 10 in (0.3, 1].
		{"median on a bound", 0.5, []slo.Bucket{{0.1, 50}, {0.3, 90}, {1, 100}, {inf, 100}}, 0.1},
		{"p75 interpolated", 0.75, []slo.Bucket{{0.1, 50}, {0.3, 90}, {1, 100}, {inf, 100}}, 0.1 + 0.2*25/40},
		{"p99 interpolated", 0.99, []slo.Bucket{{0.1, 50}, {0.3, 90}, {1, 100}, {inf, 100}}, 0.3 + 0.7*9/10},
		{"first bucket from zero", 0.25, []slo.Bucket{{0.1, 50}, {inf, 100}}, 0.05},
		{"in +Inf: the highest finite bound", 0.99, []slo.Bucket{{0.1, 50}, {0.3, 90}, {inf, 100}}, 0.3},
		{"unsorted input", 0.99, []slo.Bucket{{inf, 100}, {1, 100}, {0.1, 50}, {0.3, 90}}, 0.3 + 0.7*9/10},
		{"no +Inf bucket", 0.5, []slo.Bucket{{0.1, 50}, {0.3, 100}}, 0.1},
		{"no observations", 0.99, []slo.Bucket{{0.1, 0}, {inf, 0}}, math.NaN()},
		{"q out of range", 1.5, []slo.Bucket{{0.1, 1}}, math.NaN()},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got := slo.Quantile(tc.q, tc.buckets)
			if math.IsNaN(tc.want) != math.IsNaN(got) || !math.IsNaN(got) && math.Abs(got-tc.want) > 1e-12 {
				t.Errorf("Quantile(%g) = %g, want %g", tc.q, got, tc.want)
			}
		})
	}
}

func TestUnder(t *testing.T) {
	bs := []slo.Bucket{{0.25, 80}, {0.3, 95}, {0.5, 99}}
	if n, ok := slo.Under(bs, 0.3); !ok || n != 95 {
		t.Errorf("Under(0.3) = %g, %v; want 95, true", n, ok)
	}
	if _, ok := slo.Under(bs, 0.4); ok {
		t.Error("Under(0.4) found a bucket; want none (no bound at 0.4)")
	}
}

// A check that cannot see every objective says so before it says which are breached.
func TestMissingWinsOverBreached(t *testing.T) {
	o := slo.Objectives()
	results := []slo.Result{{Objective: o[0], Good: 1, Total: 2}, {Objective: o[1], Err: coach.Errorf(coach.ENOTFOUND, "gone")}}
	if got := slo.Judge(results); got != slo.Missing || got.ExitCode() != 2 {
		t.Errorf("Judge = %s (exit %d), want missing (exit 2)", got, got.ExitCode())
	}
	if got := slo.Judge(results[:1]); got != slo.Breached || got.ExitCode() != 1 {
		t.Errorf("Judge = %s (exit %d), want breached (exit 1)", got, got.ExitCode())
	}
}
