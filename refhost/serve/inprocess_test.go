package serve_test

import (
	"context"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/tradecoach/coach/refhost/serve"
)

// TestInProcessAnswersWithTheHandler checks the in-process transport: the request reaches the
// handler whole (method, path, query, headers, body, host), the answer comes back whole, a
// streamed answer arrives before the handler returns, a panic is an error on the body, and
// requests for other hosts go to next.
func TestInProcessAnswersWithTheHandler(t *testing.T) {
	t.Parallel()
	release := make(chan struct{})
	h := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch r.URL.Path {
		case "/echo":
			body, _ := io.ReadAll(r.Body)
			w.Header().Set("X-Got", r.Method+" "+r.URL.RawQuery+" "+r.Header.Get("X-Sent")+" "+r.Host+" "+r.RequestURI)
			w.WriteHeader(http.StatusCreated)
			_, _ = w.Write(body)
		case "/stream":
			_, _ = io.WriteString(w, "first;")
			w.(http.Flusher).Flush()
			<-release
			_, _ = io.WriteString(w, "second")
		case "/panic":
			_, _ = io.WriteString(w, "partial")
			panic("boom")
		case "/nothing":
		}
	})
	var elsewhere []string
	next := roundTrip(func(r *http.Request) (*http.Response, error) {
		elsewhere = append(elsewhere, r.URL.Host)
		return &http.Response{StatusCode: 418, Body: http.NoBody, Request: r}, nil
	})
	c := &http.Client{Transport: serve.InProcess("core.internal:8083", h, next)}

	req, _ := http.NewRequest("POST", "http://core.internal:8083/echo?a=1", strings.NewReader("hello"))
	req.Header.Set("X-Sent", "yes")
	res, err := c.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(res.Body)
	res.Body.Close()
	if res.StatusCode != 201 || string(body) != "hello" || res.Header.Get("X-Got") != "POST a=1 yes core.internal:8083 /echo?a=1" {
		t.Errorf("echo: %d %q %q", res.StatusCode, body, res.Header.Get("X-Got"))
	}

	res, err = c.Get("http://core.internal:8083/stream")
	if err != nil {
		t.Fatal(err)
	}
	first := make([]byte, len("first;"))
	if _, err := io.ReadFull(res.Body, first); err != nil || string(first) != "first;" {
		t.Fatalf("streamed part: %q %v", first, err)
	}
	close(release)
	rest, _ := io.ReadAll(res.Body)
	res.Body.Close()
	if string(rest) != "second" {
		t.Errorf("rest %q", rest)
	}

	res, err = c.Get("http://core.internal:8083/panic")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := io.ReadAll(res.Body); err == nil || !strings.Contains(err.Error(), "panicked") {
		t.Errorf("a panicking handler's body read: %v", err)
	}
	res.Body.Close()

	res, err = c.Get("http://core.internal:8083/nothing")
	if err != nil || res.StatusCode != 200 {
		t.Fatalf("a handler that writes nothing: %v %v", res, err)
	}
	res.Body.Close()

	res, err = c.Get("http://other.internal:1/x")
	if err != nil || res.StatusCode != 418 || len(elsewhere) != 1 || elsewhere[0] != "other.internal:1" {
		t.Errorf("another host: %v %v %v", res, err, elsewhere)
	}

	ctx, cancel := context.WithCancel(context.Background())
	blocked := http.HandlerFunc(func(http.ResponseWriter, *http.Request) { time.Sleep(50 * time.Millisecond) })
	cancel()
	req, _ = http.NewRequestWithContext(ctx, "GET", "http://core.internal:8083/slow", nil)
	if _, err := (&http.Client{Transport: serve.InProcess("core.internal:8083", blocked, nil)}).Do(req); err == nil {
		t.Error("a canceled request got an answer")
	}
}

type roundTrip func(*http.Request) (*http.Response, error)

func (f roundTrip) RoundTrip(r *http.Request) (*http.Response, error) { return f(r) }
