package aicoach_test

import (
	"bytes"
	"io"
	"net/http"
)

// recorder passes requests to next, keeping each body and the answer's in w.
func recorder(w *wire, next http.RoundTripper) http.RoundTripper {
	return roundTripFunc(func(r *http.Request) (*http.Response, error) {
		body, err := io.ReadAll(r.Body)
		if err != nil {
			return nil, err
		}
		r.Body = io.NopCloser(bytes.NewReader(body))
		resp, err := next.RoundTrip(r)
		if err != nil {
			return nil, err
		}
		out, err := io.ReadAll(resp.Body)
		resp.Body.Close()
		if err != nil {
			return nil, err
		}
		resp.Body = io.NopCloser(bytes.NewReader(out))
		w.mu.Lock()
		w.requests = append(w.requests, body)
		w.paths = append(w.paths, r.URL.Path)
		w.responses = append(w.responses, out)
		w.statuses = append(w.statuses, resp.StatusCode)
		w.mu.Unlock()
		return resp, nil
	})
}
