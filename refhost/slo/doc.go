// Package slo states the reference host's service-level objectives and checks them against what
// a running host exports on /metrics.
//
// Each Objective is a fraction of good events over a target: API calls answered within 300 ms,
// live events written to a browser within 2 s of their commit, jobs that succeed, first imports
// done within 2 minutes of the link. Check reads the Prometheus histograms and counters behind
// them (the metric names of coach.MetricTable, exported by metrics/prometheus) and says, for
// each, what it measured and whether it meets its target, or that a metric it needs is not
// there. A histogram objective counts the observations in the bucket whose bound is its
// threshold exactly, so the host's histograms must have that bound: Buckets lists them.
package slo
