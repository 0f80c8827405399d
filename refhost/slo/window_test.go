package slo_test

import (
	"bytes"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/tradecoach/coach"
	promcoach "github.com/tradecoach/coach/metrics/prometheus"
	"github.com/tradecoach/coach/refhost/slo"
)

// process is one host process's exporter, scraped as often as a test likes.
type process struct {
	reg *prometheus.Registry
	m   *promcoach.Metrics
}

func newProcess(t *testing.T) process {
	t.Helper()
	reg := prometheus.NewRegistry()
	m, err := promcoach.New(promcoach.Config{Registerer: reg, Buckets: slo.Buckets()})
	if err != nil {
		t.Fatal(err)
	}
	return process{reg, m}
}

func (p process) api(n int, d time.Duration) {
	for range n {
		p.m.Observe(coach.MetricHTTPDuration, d, "stack", "edge", "class", "2xx")
	}
}

func (p process) scrape(t *testing.T) []byte {
	t.Helper()
	return exposition(t, p.reg)
}

func families(t *testing.T, texts ...[]byte) slo.Families {
	t.Helper()
	f := slo.Families{}
	for _, text := range texts {
		if err := f.Parse(bytes.NewReader(text)); err != nil {
			t.Fatal(err)
		}
	}
	return f
}

// A slow start (a burst of sign-ups) then a steady phase, on two edges: the window since the
// start-up holds the steady phase alone, the two processes added up.
func TestSinceIsTheWindowBetweenTwoReads(t *testing.T) {
	a, b := newProcess(t), newProcess(t)
	a.api(60, 2*time.Second)
	b.api(40, time.Second)
	a.m.Count(coach.MetricJobsRun, 5, "type", "import.trades", "outcome", string(coach.EUNAVAILABLE))
	before := families(t, a.scrape(t), b.scrape(t))
	a.api(600, 20*time.Millisecond)
	b.api(398, 50*time.Millisecond)
	b.api(2, 400*time.Millisecond)
	a.m.Count(coach.MetricJobsRun, 1000, "type", "import.trades", "outcome", coach.OutcomeOK)
	after := families(t, a.scrape(t), b.scrape(t))

	whole := byName(slo.Check(after, slo.Objectives()))
	if r := whole["api"]; r.Total != 1100 || r.Good != 998 || r.Met {
		t.Fatalf("the whole run: api %g of %g good, met %v; want 998 of 1100, breached", r.Good, r.Total, r.Met)
	}
	window := byName(slo.Check(after.Since(before), slo.Objectives()))
	if r := window["api"]; r.Total != 1000 || r.Good != 998 || !r.Met {
		t.Fatalf("the window: api %g of %g good, met %v; want 998 of 1000, met", r.Good, r.Total, r.Met)
	}
	if r := window["jobs"]; r.Total != 1000 || r.Good != 1000 || !r.Met {
		t.Fatalf("the window: jobs %g of %g ok; want 1000 of 1000 (the failures were before it)", r.Good, r.Total)
	}
	if r := window["events"]; coach.ErrorCode(r.Err) != coach.ENOTFOUND {
		t.Fatalf("the window's events: %v, want ENOTFOUND (no browser ever connected)", r.Err)
	}
}

// A process restarted between the reads counts from zero, as increase() does at a reset.
func TestSinceCountsARestartedProcessFromZero(t *testing.T) {
	old := newProcess(t)
	old.api(500, 2*time.Second)
	before := families(t, old.scrape(t))
	restarted := newProcess(t)
	restarted.api(100, 10*time.Millisecond)
	r := byName(slo.Check(families(t, restarted.scrape(t)).Since(before), slo.Objectives()))["api"]
	if r.Total != 100 || r.Good != 100 {
		t.Fatalf("api %g of %g good after a restart, want 100 of 100", r.Good, r.Total)
	}
}
