package coach

import "time"

// Metrics receives the counters and durations the services of this module emit: jobs run, events
// dispatched, import pages, scoring time, relay connections and drops. Every service's Config
// takes one (NopMetrics when nil), so an embedding host gets the same signals as the reference
// host; package metrics/prometheus exports them to Prometheus.
//
// Names and labels are those of MetricTable. Labels are key/value pairs, keys in the order the
// table gives, values from a small fixed set (job types, brokers, error codes — never a user id,
// an email or a secret). Implementations must be safe for concurrent use and must not block: a
// service calls them on its hot path.
type Metrics interface {
	// Count adds n (≥ 0) to the counter name.
	Count(name string, n int64, labels ...string)

	// Observe records one duration of name. A duration metric counts as well: each observation is
	// one run (a Prometheus histogram's _count).
	Observe(name string, d time.Duration, labels ...string)
}

// NopMetrics discards every metric. It is what a service uses when its Config has no Metrics.
type NopMetrics struct{}

// Count does nothing.
func (NopMetrics) Count(string, int64, ...string) {}

// Observe does nothing.
func (NopMetrics) Observe(string, time.Duration, ...string) {}

// OutcomeOK is the outcome label of a run that succeeded; a failed run is labelled with its
// error's code (ErrorCode).
const OutcomeOK = "ok"

// Outcome returns the outcome label of a run that ended with err: OutcomeOK or ErrorCode(err).
func Outcome(err error) string {
	if err == nil {
		return OutcomeOK
	}
	return string(ErrorCode(err))
}

// MetricKind tells how a metric accumulates.
type MetricKind string

// Metric kinds.
const (
	// KindCounter only goes up (Metrics.Count).
	KindCounter MetricKind = "counter"
	// KindDuration is a distribution of durations (Metrics.Observe), in seconds once exported.
	KindDuration MetricKind = "duration"
	// KindGauge is a level read when the metric is collected, not emitted through Metrics: an
	// exporter reads it from its source at each scrape (metrics/prometheus.QueueDepth).
	KindGauge MetricKind = "gauge"
)

// Metric names, as the services pass them to Metrics. Labels and meanings are in MetricTable.
const (
	MetricJobsRun          = "jobs_run_total"
	MetricJobDuration      = "job_duration_seconds"
	MetricJobsSkipped      = "jobs_skipped_total"
	MetricEventsDispatched = "outbox_events_dispatched_total"
	MetricDispatchDuration = "outbox_dispatch_duration_seconds"
	MetricEventsPruned     = "outbox_events_pruned_total"
	MetricImportPages      = "import_pages_total"
	MetricImportFills      = "import_fills_total"
	MetricImportDuration   = "import_duration_seconds"
	// MetricImportFirstDone times a connection's link to the end of its first complete import.
	MetricImportFirstDone  = "import_first_done_seconds"
	MetricTradesScored     = "bias_trades_scored_total"
	MetricScoreDuration    = "bias_score_duration_seconds"
	MetricEvaluateDuration = "rules_evaluate_duration_seconds"
	MetricSimulateDuration = "sim_simulate_duration_seconds"
	MetricDigestDuration   = "digest_weekly_duration_seconds"
	MetricRelayConnsOpened = "relay_connections_opened_total"
	MetricRelayConnsClosed = "relay_connections_closed_total"
	MetricRelayDrops       = "relay_drops_total"
	// MetricRelayDelivery times an event's commit to its write to a browser's connection.
	MetricRelayDelivery = "relay_delivery_seconds"
	// MetricHTTPDuration times the requests a reference-host server answers.
	MetricHTTPDuration   = "http_request_duration_seconds"
	MetricExportDuration = "privacy_export_duration_seconds"
	MetricExportsPurged  = "privacy_exports_purged_total"
	MetricErasures       = "privacy_erasures_total"
	MetricEraseDuration  = "privacy_erase_duration_seconds"
	MetricChatModel      = "chat_model_duration_seconds"
	MetricChatRejected   = "chat_grounding_failures_total"
	MetricChatAnswers    = "chat_answers_total"
	// MetricWebhookAttempts counts webhook delivery attempts by outcome.
	MetricWebhookAttempts = "webhook_attempts_total"
	// MetricWebhookAttemptDuration times webhook delivery attempts by outcome.
	MetricWebhookAttemptDuration = "webhook_attempt_duration_seconds"
	// MetricWebhooksDisabled counts endpoints delivery disabled after sustained failure.
	MetricWebhooksDisabled = "webhook_endpoints_disabled_total"
	// MetricQueueDepth is the number of jobs in each queue by state, read at each scrape.
	MetricQueueDepth = "jobs_queue_depth"
)

// MetricDesc describes one metric a service emits.
type MetricDesc struct {
	Name   string
	Kind   MetricKind
	Labels []string // label keys, in the order the service passes them
	By     string   // the service that emits it
	Help   string
}

// MetricTable returns every metric this module's services emit: the one table of their names,
// labels and meanings. "outcome" is OutcomeOK or an error code.
func MetricTable() []MetricDesc {
	return []MetricDesc{
		{MetricJobsRun, KindCounter, []string{"type", "outcome"}, "transport.Mux", "Jobs run, one per attempt, by job type and outcome."},
		{MetricJobDuration, KindDuration, []string{"type", "outcome"}, "transport.Mux", "Time one job attempt took, by job type and outcome."},
		{MetricQueueDepth, KindGauge, []string{"queue", "state"}, "prometheus.QueueDepth", "Jobs in each queue by state, read from the queue (transport.QueueInspector) when scraped: pending (ready, waiting for a worker), scheduled (waiting for their ProcessAt), retry (failed, waiting out their backoff) and active (running); completed and dead-lettered jobs are not counted. Every queue of transport.Priorities is listed, with zeros when empty."},
		{MetricJobsSkipped, KindCounter, []string{"type", "code"}, "jobs.Handlers", "Jobs completed without their work because their subject is gone or refuses for good (a deleted user, a revoked or paused connection), by job type and the error code that said so; jobs_run_total counts them as ok."},
		{MetricEventsDispatched, KindCounter, nil, "outbox.Dispatcher", "Outbox events published to the bus and marked delivered."},
		{MetricDispatchDuration, KindDuration, []string{"outcome"}, "outbox.Dispatcher", "Time one dispatch batch took (claim, publish, mark), by outcome."},
		{MetricEventsPruned, KindCounter, nil, "outbox.Retention", "Outbox events dropped by retention."},
		{MetricImportPages, KindCounter, []string{"broker"}, "broker.Importer", "Fill pages stored by imports, by broker."},
		{MetricImportFills, KindCounter, []string{"broker"}, "broker.Importer", "Fills fetched by imports (stored, duplicate, skipped or rejected), by broker."},
		{MetricImportDuration, KindDuration, []string{"broker", "outcome"}, "broker.Importer", "Time one import took, by broker and outcome."},
		{MetricImportFirstDone, KindDuration, []string{"broker"}, "broker.Importer", "Time from a connection's link (its CreatedAt) to the end of its first complete import (the one that first sets its sync mark: the default window, 30 days, of every pair), by broker."},
		{MetricTradesScored, KindCounter, nil, "bias.Service", "Trades scored by ScoreUser."},
		{MetricScoreDuration, KindDuration, []string{"outcome"}, "bias.Service", "Time one ScoreUser call took, by outcome."},
		{MetricEvaluateDuration, KindDuration, []string{"outcome"}, "rules.Service", "Time one EvaluateUser call took, by outcome."},
		{MetricSimulateDuration, KindDuration, []string{"outcome"}, "sim.Service", "Time one Simulate call took, by outcome (\"cached\" when answered from the cache)."},
		{MetricDigestDuration, KindDuration, []string{"outcome"}, "digest.Service", "Time one Weekly call took, by outcome."},
		{MetricRelayConnsOpened, KindCounter, nil, "ws.Relay", "WebSocket connections upgraded by the relay."},
		{MetricRelayConnsClosed, KindCounter, nil, "ws.Relay", "WebSocket connections of the relay that ended (opened − closed is the number open)."},
		{MetricRelayDrops, KindCounter, []string{"reason"}, "ws.Relay", "Connections the relay closed on its own, by reason: slow_consumer (its queue overflowed) or per_user_cap (too many connections of one user)."},
		{MetricRelayDelivery, KindDuration, nil, "ws.Relay", "Time from a live event's ts (stamped in the transaction that commits it) to its write to a browser's WebSocket; replayed events are not counted."},
		{MetricHTTPDuration, KindDuration, []string{"stack", "class"}, "refhost/serve", "Time one HTTP request took, from its headers read to its handler's return, by the stack that answered and the status class (2xx, 3xx, 4xx, 5xx); the operational routes (/healthz, /readyz, /metrics) and WebSocket upgrades are not counted."},
		{MetricExportDuration, KindDuration, []string{"outcome"}, "privacy.Service", "Time one Build of a user's export took (read, zip, upload), by outcome."},
		{MetricExportsPurged, KindCounter, nil, "privacy.Service", "Expired exports whose archive and record PurgeExpired removed."},
		{MetricErasures, KindCounter, []string{"outcome"}, "privacy.Eraser", "Users erased (Erase calls), by outcome."},
		{MetricEraseDuration, KindDuration, []string{"outcome"}, "privacy.Eraser", "Time one Erase call took, by outcome."},
		{MetricChatModel, KindDuration, []string{"outcome"}, "chat.Service", "Time one call of the configured model took (the deterministic one is not timed), by outcome."},
		{MetricChatRejected, KindCounter, []string{"kind"}, "chat.Service", "Model answers the grounding checker refused, by the kind of their first violation: number, label, symbol, trade, date, advice or length."},
		{MetricChatAnswers, KindCounter, []string{"source", "reason"}, "chat.Service", "Answers published, by source (model or deterministic) and why: ok, no_model, rejected (both tries failed the check) or error (the model could not answer)."},
		{MetricWebhookAttempts, KindCounter, []string{"outcome"}, "webhook.Deliverer", "Webhook delivery attempts, by outcome: ok, http_4xx, http_5xx (the receiver's answer) or the error code of an attempt that got no answer (unavailable, forbidden, …)."},
		{MetricWebhookAttemptDuration, KindDuration, []string{"outcome"}, "webhook.Deliverer", "Time one webhook delivery attempt took (connect, send, answer), by outcome."},
		{MetricWebhooksDisabled, KindCounter, nil, "webhook.Deliverer", "Webhook endpoints disabled after their failed attempts in a row reached DisableAfter."},
	}
}
