package serve

import (
	"context"
	"log/slog"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/tradecoach/coach"
)

// RequestIDHeader carries a request's id in and out: a caller's id is kept when it is 1–64
// characters of [A-Za-z0-9._-], otherwise a new one is made.
const RequestIDHeader = "X-Request-Id"

type requestIDKey struct{}

// RequestID returns the id of the request ctx belongs to, or "".
func RequestID(ctx context.Context) string {
	id, _ := ctx.Value(requestIDKey{}).(string)
	return id
}

// withRequestLog gives each request an id (in its context and the response's X-Request-Id) and
// logs one line when it ends: method, path without the query (queries may carry codes and
// tokens), status, bytes, duration. Operational routes are logged at debug; every other request
// but a WebSocket upgrade (whose handler returns when the socket closes) is timed in metrics.
func withRequestLog(stack string, log *slog.Logger, metrics coach.Metrics, next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		id := r.Header.Get(RequestIDHeader)
		if !validRequestID(id) {
			id = coach.NewID()
		}
		w.Header().Set(RequestIDHeader, id)
		ctx := context.WithValue(r.Context(), requestIDKey{}, id)
		rec := &recorder{ResponseWriter: w, status: http.StatusOK}
		start := time.Now()
		next.ServeHTTP(rec, r.WithContext(ctx))
		took := time.Since(start)
		level := slog.LevelInfo
		switch {
		case operational(r.URL.Path):
			level = slog.LevelDebug
		case !isUpgrade(r):
			metrics.Observe(coach.MetricHTTPDuration, took, "stack", stack, "class", statusClass(rec.status))
		}
		if rec.status >= 500 {
			level = slog.LevelError
		}
		log.LogAttrs(ctx, level, "request", slog.String("stack", stack), slog.String("requestId", id),
			slog.String("method", r.Method), slog.String("path", r.URL.Path), slog.Int("status", rec.status),
			slog.Int64("bytes", rec.bytes), slog.Duration("duration", took))
	})
}

// operational tells the routes every server answers for its operators: health, readiness, metrics.
func operational(path string) bool {
	return path == "/healthz" || path == "/readyz" || path == "/metrics"
}

// isUpgrade tells a WebSocket handshake, whose handler runs as long as the socket.
func isUpgrade(r *http.Request) bool {
	return strings.EqualFold(r.Header.Get("Upgrade"), "websocket")
}

// statusClass is the class label of status: "2xx", "4xx", …
func statusClass(status int) string {
	if status < 100 || status > 599 {
		return "other"
	}
	return strconv.Itoa(status/100) + "xx"
}

func validRequestID(id string) bool {
	if len(id) == 0 || len(id) > 64 {
		return false
	}
	for i := 0; i < len(id); i++ {
		c := id[i]
		if !('a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9' || c == '.' || c == '_' || c == '-') {
			return false
		}
	}
	return true
}

// recorder remembers the status and size of a response.
type recorder struct {
	http.ResponseWriter
	status int
	bytes  int64
	wrote  bool
}

func (r *recorder) WriteHeader(code int) {
	if !r.wrote {
		r.status, r.wrote = code, true
	}
	r.ResponseWriter.WriteHeader(code)
}

func (r *recorder) Write(b []byte) (int, error) {
	r.wrote = true
	n, err := r.ResponseWriter.Write(b)
	r.bytes += int64(n)
	return n, err
}

// Unwrap lets http.ResponseController reach the underlying writer (flushing, hijacking for
// WebSockets).
func (r *recorder) Unwrap() http.ResponseWriter { return r.ResponseWriter }
