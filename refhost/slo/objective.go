package slo

import (
	"time"

	"github.com/tradecoach/coach"
	promcoach "github.com/tradecoach/coach/metrics/prometheus"
)

// Objective is one promise: at least Target of the events a metric counts are good.
//
// A histogram objective (Under > 0) counts as good the observations at or under Under; a counter
// objective (Under == 0) counts as good the samples whose GoodLabel is GoodValue. Either way only
// the series whose labels include Labels are read, summed over every other label and over every
// process scraped.
type Objective struct {
	// Name is short and stable, for scripts: "api", "events", "jobs", "import".
	Name string
	// Promise says the objective in the README's words.
	Promise string
	// Metric is the exported family name (with the namespace, e.g. coach_jobs_run_total).
	Metric string
	// Labels select the series read; nil reads them all.
	Labels map[string]string
	// Under is the threshold of a histogram objective; zero makes a counter objective.
	Under time.Duration
	// GoodLabel and GoodValue tell a counter objective's good samples.
	GoodLabel, GoodValue string
	// Target is the fraction of good events promised, in (0, 1].
	Target float64
}

// exported is the name metrics/prometheus gives a coach metric.
func exported(name string) string { return promcoach.DefaultNamespace + "_" + name }

// Objectives returns the reference host's objectives, in the README's order.
//
//   - api: 99% of API calls (the requests the public edge answers) under 300 ms.
//   - events: 99% of events delivered to a connected browser within 2 s of their commit.
//   - jobs: 99.9% of jobs succeed, counted per attempt (a job retried into success counts its
//     failed attempts against the objective: the measure is stricter than the promise).
//   - import: 99% of connections have their first import (30 days of fills, every pair) done
//     within 2 minutes of the link, the shared Binance request budget applied.
func Objectives() []Objective {
	return []Objective{
		{Name: "api", Promise: "99% of API calls under 300 ms",
			Metric: exported(coach.MetricHTTPDuration), Labels: map[string]string{"stack": "edge"},
			Under: 300 * time.Millisecond, Target: 0.99},
		{Name: "events", Promise: "99% of events delivered to a connected browser within 2 s of commit",
			Metric: exported(coach.MetricRelayDelivery), Under: 2 * time.Second, Target: 0.99},
		{Name: "jobs", Promise: "99.9% of jobs succeed",
			Metric: exported(coach.MetricJobsRun), GoodLabel: "outcome", GoodValue: coach.OutcomeOK, Target: 0.999},
		{Name: "import", Promise: "99% of imports of 30 days of fills done within 2 minutes of connecting",
			Metric: exported(coach.MetricImportFirstDone), Under: 2 * time.Minute, Target: 0.99},
	}
}

// Buckets are the histogram bounds, in seconds, the host's duration metrics must have: the
// Prometheus client's defaults with every objective's threshold added (0.3 s, 2 s, 120 s) and a
// few more for imports (30 s, 60 s, 300 s).
func Buckets() []float64 {
	return []float64{.005, .01, .025, .05, .1, .25, .3, .5, 1, 2, 2.5, 5, 10, 30, 60, 120, 300}
}
