package serve_test

import (
	"bytes"
	"context"
	"errors"
	"io"
	"log/slog"
	"net/http"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/tradecoach/coach/refhost/serve"
)

// syncBuffer is a log sink safe for the server's goroutines.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

func start(t *testing.T, cfg serve.Config) *serve.Server {
	t.Helper()
	cfg.Stack, cfg.Addr = "test", "127.0.0.1:0"
	s, err := serve.Listen(cfg)
	if err != nil {
		t.Fatal(err)
	}
	done := make(chan error, 1)
	go func() { done <- s.Serve() }()
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		_ = s.Shutdown(ctx)
		if err := <-done; err != nil {
			t.Errorf("Serve: %v", err)
		}
	})
	return s
}

func get(t *testing.T, url string, header ...string) (int, string, http.Header) {
	t.Helper()
	req, err := http.NewRequest(http.MethodGet, url, nil)
	if err != nil {
		t.Fatal(err)
	}
	for i := 0; i+1 < len(header); i += 2 {
		req.Header.Set(header[i], header[i+1])
	}
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	b, _ := io.ReadAll(res.Body)
	return res.StatusCode, string(b), res.Header
}

func TestHealthAndReadiness(t *testing.T) {
	var dbDown atomic.Bool
	s := start(t, serve.Config{Ready: []serve.Check{{Name: "postgres", Run: func(context.Context) error {
		if dbDown.Load() {
			return errors.New("connection refused")
		}
		return nil
	}}}})
	if code, _, _ := get(t, s.URL()+"/healthz"); code != http.StatusOK {
		t.Fatalf("healthz = %d", code)
	}
	if code, _, _ := get(t, s.URL()+"/readyz"); code != http.StatusOK {
		t.Fatalf("readyz = %d with every check passing", code)
	}
	dbDown.Store(true)
	code, body, _ := get(t, s.URL()+"/readyz")
	if code != http.StatusServiceUnavailable || !strings.Contains(body, "postgres") {
		t.Fatalf("readyz with postgres down = %d %q, want 503 naming postgres", code, body)
	}
	if code, _, _ := get(t, s.URL()+"/metrics"); code != http.StatusNotFound {
		t.Fatalf("metrics without a handler = %d, want 404", code)
	}
}

func TestShutdownDrainsRequestsInFlight(t *testing.T) {
	entered, release := make(chan struct{}), make(chan struct{})
	s, err := serve.Listen(serve.Config{Stack: "test", Addr: "127.0.0.1:0", Handler: http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		close(entered)
		<-release
		_, _ = w.Write([]byte("finished"))
	})})
	if err != nil {
		t.Fatal(err)
	}
	served := make(chan error, 1)
	go func() { served <- s.Serve() }()

	type result struct {
		code int
		body string
	}
	slow := make(chan result, 1)
	go func() {
		res, err := http.Get(s.URL() + "/slow")
		if err != nil {
			slow <- result{body: err.Error()}
			return
		}
		defer res.Body.Close()
		b, _ := io.ReadAll(res.Body)
		slow <- result{res.StatusCode, string(b)}
	}()
	<-entered

	// While the slow request runs, /readyz turns 503 at once and the shutdown waits.
	s.Drain()
	if code, _, _ := get(t, s.URL()+"/readyz"); code != http.StatusServiceUnavailable {
		t.Fatalf("readyz while draining = %d, want 503", code)
	}
	shut := make(chan error, 1)
	go func() {
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		shut <- s.Shutdown(ctx)
	}()
	select {
	case err := <-shut:
		t.Fatalf("Shutdown returned (%v) with a request in flight", err)
	case <-time.After(100 * time.Millisecond):
	}
	close(release)
	if r := <-slow; r.code != http.StatusOK || r.body != "finished" {
		t.Fatalf("request in flight got %d %q, want it to finish", r.code, r.body)
	}
	if err := <-shut; err != nil {
		t.Fatalf("Shutdown: %v", err)
	}
	if err := <-served; err != nil {
		t.Fatalf("Serve after Shutdown: %v", err)
	}
	if _, err := http.Get(s.URL() + "/healthz"); err == nil {
		t.Fatal("a new request was answered after shutdown")
	}
}

func TestRequestIDAndAccessLog(t *testing.T) {
	var logs syncBuffer
	var seenID atomic.Value
	seenID.Store("")
	s := start(t, serve.Config{
		Logger: slog.New(slog.NewJSONHandler(&logs, nil)),
		Handler: http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			seenID.Store(serve.RequestID(r.Context()))
			w.WriteHeader(http.StatusTeapot)
		}),
	})
	seen := func() string { return seenID.Load().(string) }
	_, _, h := get(t, s.URL()+"/oauth/callback?code=SECRETCODE&state=xyz", serve.RequestIDHeader, "caller-id_1.2")
	if h.Get(serve.RequestIDHeader) != "caller-id_1.2" || seen() != "caller-id_1.2" {
		t.Fatalf("a valid caller id was not kept: header %q, handler saw %q", h.Get(serve.RequestIDHeader), seen())
	}
	_, _, h = get(t, s.URL()+"/x", serve.RequestIDHeader, "bad id\twith spaces")
	if id := h.Get(serve.RequestIDHeader); id == "" || strings.ContainsAny(id, " \t") || id != seen() {
		t.Fatalf("an invalid caller id was not replaced: header %q, handler saw %q", id, seen())
	}
	line := logs.String()
	if strings.Contains(line, "SECRETCODE") || strings.Contains(line, "state=") {
		t.Fatalf("the access log carries the query: %s", line)
	}
	if !strings.Contains(line, `"path":"/oauth/callback"`) || !strings.Contains(line, `"status":418`) || !strings.Contains(line, `"requestId":"caller-id_1.2"`) {
		t.Fatalf("access log misses path, status or request id: %s", line)
	}
}
