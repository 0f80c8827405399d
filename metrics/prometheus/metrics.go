package prometheus

import (
	"log/slog"
	"slices"
	"sync"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/tradecoach/coach"
)

// DefaultNamespace prefixes every metric name when Config.Namespace is empty.
const DefaultNamespace = "coach"

// Config is what Metrics needs.
type Config struct {
	// Registerer receives the collectors (prometheus.NewRegistry() or
	// prometheus.DefaultRegisterer). Required.
	Registerer prometheus.Registerer
	// Namespace prefixes every name: "coach" gives coach_jobs_run_total. DefaultNamespace when
	// empty.
	Namespace string
	// Buckets are the histogram buckets of duration metrics, in seconds (prometheus.DefBuckets
	// when nil).
	Buckets []float64
	// Logger receives, once per metric, a call whose labels do not fit the metric (the call is
	// dropped); nil discards it.
	Logger *slog.Logger
}

// Metrics is a coach.Metrics that records into Prometheus collectors. It is safe for concurrent
// use. Build it with New; a Metrics not built that way drops everything.
type Metrics struct {
	reg     prometheus.Registerer
	ns      string
	buckets []float64
	log     *slog.Logger

	mu       sync.RWMutex
	counters map[string]*vec[*prometheus.CounterVec]
	hists    map[string]*vec[*prometheus.HistogramVec]
	warned   map[string]bool
}

// vec is a collector with its label keys, in the order the services pass them.
type vec[V any] struct {
	v    V
	keys []string
}

var _ coach.Metrics = (*Metrics)(nil)

// New registers every counter and duration of coach.MetricTable with cfg.Registerer and returns Metrics, or an
// EINVALID error naming the missing field, or the registerer's error (a name registered twice).
func New(cfg Config) (*Metrics, error) {
	if cfg.Registerer == nil {
		return nil, coach.Errorf(coach.EINVALID, "prometheus: Config.Registerer is required")
	}
	if cfg.Namespace == "" {
		cfg.Namespace = DefaultNamespace
	}
	if cfg.Buckets == nil {
		cfg.Buckets = prometheus.DefBuckets
	}
	if cfg.Logger == nil {
		cfg.Logger = slog.New(slog.DiscardHandler)
	}
	m := &Metrics{reg: cfg.Registerer, ns: cfg.Namespace, buckets: cfg.Buckets, log: cfg.Logger,
		counters: map[string]*vec[*prometheus.CounterVec]{}, hists: map[string]*vec[*prometheus.HistogramVec]{},
		warned: map[string]bool{}}
	for _, d := range coach.MetricTable() {
		var err error
		switch d.Kind {
		case coach.KindCounter:
			_, err = m.counter(d.Name, d.Help, d.Labels)
		case coach.KindDuration:
			_, err = m.histogram(d.Name, d.Help, d.Labels)
		case coach.KindGauge:
			// Read at each scrape by its own collector (QueueDepth), not emitted through Metrics.
		}
		if err != nil {
			return nil, err
		}
	}
	return m, nil
}

// Count adds n to the counter name. Labels are key/value pairs; a call whose keys differ from the
// metric's is dropped (and logged once).
func (m *Metrics) Count(name string, n int64, labels ...string) {
	if m == nil || m.counters == nil || n < 0 {
		return
	}
	keys, values := split(labels)
	m.mu.RLock()
	v, ok := m.counters[name]
	m.mu.RUnlock()
	if !ok {
		var err error
		if v, err = m.counter(name, name, keys); err != nil {
			m.warn(name, err)
			return
		}
	}
	c, err := v.v.GetMetricWithLabelValues(ordered(v.keys, keys, values)...)
	if err != nil {
		m.warn(name, err)
		return
	}
	c.Add(float64(n))
}

// Observe records d, in seconds, in the histogram name. Labels are as for Count.
func (m *Metrics) Observe(name string, d time.Duration, labels ...string) {
	if m == nil || m.hists == nil {
		return
	}
	keys, values := split(labels)
	m.mu.RLock()
	v, ok := m.hists[name]
	m.mu.RUnlock()
	if !ok {
		var err error
		if v, err = m.histogram(name, name, keys); err != nil {
			m.warn(name, err)
			return
		}
	}
	h, err := v.v.GetMetricWithLabelValues(ordered(v.keys, keys, values)...)
	if err != nil {
		m.warn(name, err)
		return
	}
	h.Observe(d.Seconds())
}

// counter returns the counter vector of name, registering it with keys if it is new.
func (m *Metrics) counter(name, help string, keys []string) (*vec[*prometheus.CounterVec], error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	if v, ok := m.counters[name]; ok {
		return v, nil
	}
	cv := prometheus.NewCounterVec(prometheus.CounterOpts{Namespace: m.ns, Name: name, Help: help}, keys)
	if err := m.reg.Register(cv); err != nil {
		return nil, coach.Errorf(coach.EINVALID, "prometheus: register %s: %s", name, err)
	}
	v := &vec[*prometheus.CounterVec]{v: cv, keys: keys}
	m.counters[name] = v
	return v, nil
}

// histogram returns the histogram vector of name, registering it with keys if it is new.
func (m *Metrics) histogram(name, help string, keys []string) (*vec[*prometheus.HistogramVec], error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	if v, ok := m.hists[name]; ok {
		return v, nil
	}
	hv := prometheus.NewHistogramVec(prometheus.HistogramOpts{Namespace: m.ns, Name: name, Help: help, Buckets: m.buckets}, keys)
	if err := m.reg.Register(hv); err != nil {
		return nil, coach.Errorf(coach.EINVALID, "prometheus: register %s: %s", name, err)
	}
	v := &vec[*prometheus.HistogramVec]{v: hv, keys: keys}
	m.hists[name] = v
	return v, nil
}

// warn logs, once per metric, a call that could not be recorded.
func (m *Metrics) warn(name string, err error) {
	m.mu.Lock()
	first := !m.warned[name]
	m.warned[name] = true
	m.mu.Unlock()
	if first {
		m.log.Warn("prometheus: metric call dropped", "metric", name, "err", err)
	}
}

// split separates key/value pairs; a trailing key without a value gets "".
func split(labels []string) (keys, values []string) {
	for i := 0; i < len(labels); i += 2 {
		keys = append(keys, labels[i])
		if i+1 < len(labels) {
			values = append(values, labels[i+1])
		} else {
			values = append(values, "")
		}
	}
	return keys, values
}

// ordered returns values in the order of want (the metric's keys), or values unchanged when the
// keys differ in number or name (GetMetricWithLabelValues then reports the mismatch).
func ordered(want, keys, values []string) []string {
	if len(want) != len(keys) {
		return values
	}
	out := make([]string, len(want))
	for i, w := range want {
		j := slices.Index(keys, w)
		if j < 0 {
			return append(values, "") // one value too many: refused as a mismatch
		}
		out[i] = values[j]
	}
	return out
}
