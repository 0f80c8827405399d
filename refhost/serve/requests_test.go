package serve_test

import (
	"net/http"
	"testing"

	"github.com/tradecoach/coach"
	"github.com/tradecoach/coach/internal/servicetest"
	"github.com/tradecoach/coach/refhost/serve"
)

// TestRequestsAreTimedByStackAndClass checks what the API-latency objective reads: every request
// a handler answers is timed under its stack and status class, and the operational routes and
// WebSocket upgrades are not.
func TestRequestsAreTimedByStackAndClass(t *testing.T) {
	var rec servicetest.Metrics
	s := start(t, serve.Config{Requests: &rec, Handler: http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "/missing" {
			http.NotFound(w, r)
			return
		}
		w.WriteHeader(http.StatusNoContent)
	})})
	get(t, s.URL()+"/trades")
	get(t, s.URL()+"/trades")
	get(t, s.URL()+"/missing")
	get(t, s.URL()+"/healthz")
	get(t, s.URL()+"/readyz")
	get(t, s.URL()+"/ws/coach", "Upgrade", "websocket", "Connection", "Upgrade")
	if got := rec.Observed(coach.MetricHTTPDuration, "stack", "test", "class", "2xx"); got != 2 {
		t.Errorf("2xx requests timed %d times, want 2 (the upgrade and the operational routes are not timed)", got)
	}
	if got := rec.Observed(coach.MetricHTTPDuration, "stack", "test", "class", "4xx"); got != 1 {
		t.Errorf("4xx requests timed %d times, want 1", got)
	}
}
