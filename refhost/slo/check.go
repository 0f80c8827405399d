package slo

import (
	"fmt"
	"io"
	"maps"
	"math"
	"slices"
	"strings"

	dto "github.com/prometheus/client_model/go"
	"github.com/prometheus/common/expfmt"
	"github.com/prometheus/common/model"

	"github.com/tradecoach/coach"
)

// Families are the metric families of one or more scrapes, by name.
type Families map[string]*dto.MetricFamily

// Parse reads a /metrics answer in the Prometheus text format into f, adding its series to those
// of the same family already there (so that the scrapes of several processes add up). EINVALID
// when the text is not that format, or a family's type differs from the one read before.
func (f Families) Parse(r io.Reader) error {
	p := expfmt.NewTextParser(model.UTF8Validation)
	fams, err := p.TextToMetricFamilies(r)
	if err != nil {
		return coach.Errorf(coach.EINVALID, "slo: not Prometheus text: %v", err)
	}
	for name, fam := range fams {
		have, ok := f[name]
		if !ok {
			f[name] = fam
			continue
		}
		if have.GetType() != fam.GetType() {
			return coach.Errorf(coach.EINVALID, "slo: %s is a %s here and a %s elsewhere", name, fam.GetType(), have.GetType())
		}
		have.Metric = append(have.Metric, fam.Metric...)
	}
	return nil
}

// Result is what Check measured for one Objective.
type Result struct {
	Objective Objective
	// Good and Total count the objective's events: Good/Total is the fraction measured.
	Good, Total float64
	// Quantile estimates, for a histogram objective, the duration under which Target of the
	// observations fell (the p99 of a 99% objective), in seconds; NaN for a counter objective.
	Quantile float64
	// Met tells that Good/Total ≥ Target. It is false when Err is set.
	Met bool
	// Err says why the objective could not be measured: ENOTFOUND when its metric is missing or
	// has no observations, EINVALID when the histogram has no bucket bound at the threshold or the
	// family is of another type.
	Err error
}

// Fraction is Good/Total, or NaN without events.
func (r Result) Fraction() float64 {
	if r.Total == 0 {
		return math.NaN()
	}
	return r.Good / r.Total
}

// Check measures each objective in f.
func Check(f Families, objectives []Objective) []Result {
	out := make([]Result, 0, len(objectives))
	for _, o := range objectives {
		out = append(out, check(f, o))
	}
	return out
}

func check(f Families, o Objective) Result {
	r := Result{Objective: o, Quantile: math.NaN()}
	fam, ok := f[o.Metric]
	if !ok {
		r.Err = coach.Errorf(coach.ENOTFOUND, "%s is missing from /metrics (the host does not export it, or has not measured it yet)", o.Metric)
		return r
	}
	if o.Under > 0 {
		r.Err = r.histogram(fam)
	} else {
		r.Err = r.counter(fam)
	}
	if r.Err == nil && r.Total == 0 {
		r.Err = coach.Errorf(coach.ENOTFOUND, "%s%s has no observations yet", o.Metric, selector(o.Labels))
	}
	r.Met = r.Err == nil && r.Good/r.Total >= o.Target
	return r
}

// histogram sums the buckets of the selected series and counts the observations under the threshold.
func (r *Result) histogram(fam *dto.MetricFamily) error {
	o := r.Objective
	if fam.GetType() != dto.MetricType_HISTOGRAM {
		return coach.Errorf(coach.EINVALID, "%s is a %s, not a histogram", o.Metric, fam.GetType())
	}
	sum := map[float64]float64{}
	for _, m := range fam.GetMetric() {
		if !matches(m, o.Labels) {
			continue
		}
		h := m.GetHistogram()
		r.Total += float64(h.GetSampleCount())
		for _, b := range h.GetBucket() {
			sum[b.GetUpperBound()] += float64(b.GetCumulativeCount())
		}
	}
	buckets := make([]Bucket, 0, len(sum))
	for ub, c := range sum {
		buckets = append(buckets, Bucket{UpperBound: ub, Count: c})
	}
	if _, ok := sum[math.Inf(1)]; !ok && r.Total > 0 {
		// The +Inf bucket is the total (a text without it still has _count).
		buckets = append(buckets, Bucket{UpperBound: math.Inf(1), Count: r.Total})
	}
	good, ok := Under(buckets, o.Under.Seconds())
	if r.Total > 0 && !ok {
		return coach.Errorf(coach.EINVALID, "%s has no bucket bound at %g s: give the host's histograms that bound (slo.Buckets)", o.Metric, o.Under.Seconds())
	}
	r.Good = good
	r.Quantile = Quantile(o.Target, buckets)
	return nil
}

// counter sums the selected series, and the good ones apart.
func (r *Result) counter(fam *dto.MetricFamily) error {
	o := r.Objective
	if fam.GetType() != dto.MetricType_COUNTER {
		return coach.Errorf(coach.EINVALID, "%s is a %s, not a counter", o.Metric, fam.GetType())
	}
	for _, m := range fam.GetMetric() {
		if !matches(m, o.Labels) {
			continue
		}
		v := m.GetCounter().GetValue()
		r.Total += v
		if label(m, o.GoodLabel) == o.GoodValue {
			r.Good += v
		}
	}
	return nil
}

// matches tells whether m has every label of want.
func matches(m *dto.Metric, want map[string]string) bool {
	for k, v := range want {
		if label(m, k) != v {
			return false
		}
	}
	return true
}

func label(m *dto.Metric, name string) string {
	for _, l := range m.GetLabel() {
		if l.GetName() == name {
			return l.GetValue()
		}
	}
	return ""
}

// selector prints labels as PromQL does: {stack="edge"}.
func selector(labels map[string]string) string {
	if len(labels) == 0 {
		return ""
	}
	parts := make([]string, 0, len(labels))
	for _, k := range slices.Sorted(maps.Keys(labels)) {
		parts = append(parts, fmt.Sprintf("%s=%q", k, labels[k]))
	}
	return "{" + strings.Join(parts, ",") + "}"
}
