package serve

import (
	"fmt"
	"io"
	"net/http"
	"sync"
)

// Handler is everything the server answers, operational routes and request log included: what
// an in-process caller hands InProcess so its calls are logged and measured like any other.
func (s *Server) Handler() http.Handler {
	if s == nil || s.srv == nil {
		return http.NotFoundHandler()
	}
	return s.srv.Handler
}

// InProcess returns an http.RoundTripper that answers requests for host (host:port) by calling h
// in this process, without a socket, and sends every other request on next
// (http.DefaultTransport when nil). The answer streams: the Response returns once h has written
// its header (or returned), and its Body reads what h writes as it writes it. `refhost all`
// gives it to the edge, so that a call from the edge to core in the same process costs a function
// call, not a loopback connection; the request is still signed and verified.
func InProcess(host string, h http.Handler, next http.RoundTripper) http.RoundTripper {
	if next == nil {
		next = http.DefaultTransport
	}
	return inProcess{host: host, h: h, next: next}
}

type inProcess struct {
	host string
	h    http.Handler
	next http.RoundTripper
}

func (t inProcess) RoundTrip(req *http.Request) (*http.Response, error) {
	if req.URL.Host != t.host {
		return t.next.RoundTrip(req)
	}
	r := req.Clone(req.Context())
	r.RequestURI, r.Host, r.RemoteAddr = req.URL.RequestURI(), req.URL.Host, "127.0.0.1:0"
	if r.Body == nil {
		r.Body = http.NoBody
	}
	pr, pw := io.Pipe()
	w := &pipeWriter{header: http.Header{}, body: pw, sent: make(chan struct{})}
	go func() {
		defer func() {
			if p := recover(); p != nil {
				w.writeHeader(http.StatusInternalServerError)
				_ = pw.CloseWithError(fmt.Errorf("serve: in-process handler panicked: %v", p))
				return
			}
			w.writeHeader(http.StatusOK)
			_ = pw.Close()
		}()
		t.h.ServeHTTP(w, r)
	}()
	select {
	case <-w.sent:
	case <-req.Context().Done():
		_ = pr.CloseWithError(req.Context().Err())
		return nil, req.Context().Err()
	}
	return &http.Response{Status: fmt.Sprintf("%d %s", w.status, http.StatusText(w.status)), StatusCode: w.status,
		Proto: "HTTP/1.1", ProtoMajor: 1, ProtoMinor: 1, Header: w.sentHeader, Body: pr, ContentLength: -1, Request: req}, nil
}

// pipeWriter is the http.ResponseWriter of an in-process call: the header is copied when sent,
// and the body goes down the pipe the Response reads.
type pipeWriter struct {
	header     http.Header
	body       *io.PipeWriter
	once       sync.Once
	sent       chan struct{}
	status     int
	sentHeader http.Header
}

func (w *pipeWriter) Header() http.Header { return w.header }

func (w *pipeWriter) WriteHeader(status int) { w.writeHeader(status) }

func (w *pipeWriter) writeHeader(status int) {
	w.once.Do(func() {
		w.status, w.sentHeader = status, w.header.Clone()
		close(w.sent)
	})
}

func (w *pipeWriter) Write(b []byte) (int, error) {
	w.writeHeader(http.StatusOK)
	return w.body.Write(b)
}

// Flush sends the header if it was not yet: the body is unbuffered already.
func (w *pipeWriter) Flush() { w.writeHeader(http.StatusOK) }
