package hmac_test

import (
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"runtime"
	"sync"
	"sync/atomic"
	"testing"

	"github.com/tradecoach/coach/transport/hmac"
)

// newConnections makes two rounds of calls concurrent calls through a Signer with next (nil:
// its own transport) and returns the connections the server accepted in each round; in the first
// every call is in flight at once.
func newConnections(t *testing.T, next http.RoundTripper, calls int) (first, second int32) {
	t.Helper()
	var n atomic.Int32
	gate := make(chan struct{})
	var gated atomic.Bool
	gated.Store(true)
	srv := httptest.NewUnstartedServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if gated.Load() {
			<-gate
		}
		_, _ = io.WriteString(w, "ok")
	}))
	srv.Config.ConnState = func(_ net.Conn, s http.ConnState) {
		if s == http.StateNew {
			n.Add(1)
		}
	}
	srv.Start()
	t.Cleanup(srv.Close)
	s, err := hmac.NewSigner(hmac.SignerConfig{Key: keyA, Next: next})
	if err != nil {
		t.Fatal(err)
	}
	c := &http.Client{Transport: s}
	round := func() {
		var wg sync.WaitGroup
		for range calls {
			wg.Go(func() {
				res, err := c.Get(srv.URL)
				if err != nil {
					t.Error(err)
					return
				}
				_, _ = io.Copy(io.Discard, res.Body)
				_ = res.Body.Close()
			})
		}
		if gated.Load() {
			for n.Load() < int32(calls) && !t.Failed() {
				runtime.Gosched()
			}
			gated.Store(false)
			close(gate)
		}
		wg.Wait()
	}
	round()
	first = n.Load()
	round()
	return first, n.Load() - first
}

// A Signer without Next keeps its connections to the service for the next calls: a second round
// of 32 concurrent calls opens (almost) none, where http.DefaultTransport, which keeps 2 idle
// connections a host, opens 30 again.
func TestSignerKeepsItsConnectionsToTheService(t *testing.T) {
	const calls = 32
	first, second := newConnections(t, nil, calls)
	if first != calls || second > 4 {
		t.Fatalf("its own transport: %d then %d new connections for two rounds of %d calls; want %d then (almost) none", first, second, calls, calls)
	}
	first, second = newConnections(t, http.DefaultTransport, calls)
	if second < calls-2 {
		t.Fatalf("http.DefaultTransport: %d then %d new connections; the test no longer tells the two apart", first, second)
	}
}
