package prometheus

import (
	"context"
	"log/slog"
	"maps"
	"slices"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/tradecoach/coach"
	"github.com/tradecoach/coach/transport"
)

// DefaultQueueDepthTimeout bounds one read of the queue's depth when QueueDepthConfig.Timeout is
// zero: well inside Prometheus's default scrape timeout (10 s).
const DefaultQueueDepthTimeout = 2 * time.Second

// Queue states, the values of the state label of coach.MetricQueueDepth.
const (
	StatePending   = "pending"
	StateScheduled = "scheduled"
	StateRetry     = "retry"
	StateActive    = "active"
)

// QueueDepthConfig is what a QueueDepth needs.
type QueueDepthConfig struct {
	// Inspector counts the queue's jobs (transport/asynq's and transport/memory's queues do).
	// Required.
	Inspector transport.QueueInspector
	// Queues are listed at every scrape, with zeros when they hold no job, so that an autoscaler
	// always finds their series; the other queues Inspector reports are listed too. Nil means the
	// queues of transport.Priorities.
	Queues []string
	// Timeout bounds one read at a scrape (DefaultQueueDepthTimeout when zero): a read that takes
	// longer is given up, and the scrape goes on without this gauge.
	Timeout time.Duration
	// Namespace prefixes the name as Config.Namespace does (DefaultNamespace when empty).
	Namespace string
	// Logger receives a warning for each scrape whose read failed; nil discards them.
	Logger *slog.Logger
}

// QueueDepth is the prometheus.Collector of coach.MetricQueueDepth: a gauge of the jobs in each
// queue by state (StatePending, StateScheduled, StateRetry, StateActive), read from the Inspector
// at each scrape, never in the background. When the read fails or outlasts the Timeout the scrape
// has no series of it (an autoscaler then keeps its replicas) and the rest of the registry is
// served as usual. Register it with the registry that serves /metrics. Build it with
// NewQueueDepth; a QueueDepth not built that way collects nothing.
type QueueDepth struct {
	cfg  QueueDepthConfig
	desc *prometheus.Desc
}

var _ prometheus.Collector = (*QueueDepth)(nil)

// NewQueueDepth returns a QueueDepth, or EINVALID naming a missing Inspector or a negative
// Timeout.
func NewQueueDepth(cfg QueueDepthConfig) (*QueueDepth, error) {
	switch {
	case cfg.Inspector == nil:
		return nil, coach.Errorf(coach.EINVALID, "prometheus: QueueDepthConfig.Inspector is required")
	case cfg.Timeout < 0:
		return nil, coach.Errorf(coach.EINVALID, "prometheus: QueueDepthConfig.Timeout: negative")
	}
	if cfg.Queues == nil {
		cfg.Queues = slices.Sorted(maps.Keys(transport.Priorities()))
	}
	if cfg.Timeout == 0 {
		cfg.Timeout = DefaultQueueDepthTimeout
	}
	if cfg.Namespace == "" {
		cfg.Namespace = DefaultNamespace
	}
	if cfg.Logger == nil {
		cfg.Logger = slog.New(slog.DiscardHandler)
	}
	var help string
	for _, d := range coach.MetricTable() {
		if d.Name == coach.MetricQueueDepth {
			help = d.Help
		}
	}
	desc := prometheus.NewDesc(prometheus.BuildFQName(cfg.Namespace, "", coach.MetricQueueDepth), help, []string{"queue", "state"}, nil)
	return &QueueDepth{cfg: cfg, desc: desc}, nil
}

// Describe sends the gauge's one descriptor.
func (c *QueueDepth) Describe(ch chan<- *prometheus.Desc) {
	if c == nil || c.desc == nil {
		return
	}
	ch <- c.desc
}

// Collect reads the depth, within the Timeout, and sends one series per queue and state.
func (c *QueueDepth) Collect(ch chan<- prometheus.Metric) {
	if c == nil || c.desc == nil {
		return
	}
	ctx, cancel := context.WithTimeout(context.Background(), c.cfg.Timeout)
	defer cancel()
	depth, err := c.cfg.Inspector.Depth(ctx)
	if err != nil {
		c.cfg.Logger.Warn("prometheus: queue depth not read", "metric", coach.MetricQueueDepth, "code", coach.ErrorCode(err), "err", err)
		return
	}
	listed := maps.Clone(depth) // the Inspector's map stays its own
	if listed == nil {
		listed = map[string]transport.QueueDepth{}
	}
	for _, q := range c.cfg.Queues {
		if _, ok := listed[q]; !ok {
			listed[q] = transport.QueueDepth{}
		}
	}
	for q, d := range listed {
		for state, n := range map[string]int{StatePending: d.Pending, StateScheduled: d.Scheduled, StateRetry: d.Retry, StateActive: d.Active} {
			ch <- prometheus.MustNewConstMetric(c.desc, prometheus.GaugeValue, float64(n), q, state)
		}
	}
}
