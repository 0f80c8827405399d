// Package prometheus exports the metrics of tradecoach's services to Prometheus: Metrics is a
// coach.Metrics that an embedding host gives to every service's Config, so that it gets the same
// signals as the reference host — jobs run, events dispatched, import pages, scoring time, relay
// connections and drops — without the reference host.
//
// Every counter and duration of coach.MetricTable is registered by New, with its help text and
// labels, under the namespace given ("coach" by default): counters as Prometheus counters,
// durations as histograms in seconds. A name the table does not list (a host's own) is registered
// on first use with the label keys of that call. The table's gauge, jobs_queue_depth, is
// QueueDepth's: a collector that reads a queue's transport.QueueInspector at each scrape.
package prometheus
