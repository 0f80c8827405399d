// Package serve runs the reference host's HTTP servers: one listener per stack, the operational
// routes every stack answers (/healthz, /readyz, /metrics), a request id and an access-log line
// per request, and a shutdown that first reports not ready, then drains the requests in flight.
package serve
