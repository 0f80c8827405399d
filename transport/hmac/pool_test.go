package hmac_test

import (
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"sync"
	"sync/atomic"
	"testing"

	"github.com/tradecoach/coach/transport/hmac"
)

// newConnections makes two rounds of calls concurrent calls through a Signer with next (nil:
// its own transport) and returns the connections the server accepted in each round. In each round
// the server holds every call until all of them have arrived, so they are all in flight at once.
func newConnections(t *testing.T, next http.RoundTripper, calls int) (first, second int32) {
	t.Helper()
	var opened atomic.Int32
	var mu sync.Mutex
	arrived, release := 0, make(chan struct{})
	srv := httptest.NewUnstartedServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		mu.Lock()
		arrived++
		gate := release
		if arrived == calls {
			close(release)
		}
		mu.Unlock()
		<-gate
		_, _ = io.WriteString(w, "ok")
	}))
	srv.Config.ConnState = func(_ net.Conn, s http.ConnState) {
		if s == http.StateNew {
			opened.Add(1)
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
		mu.Lock()
		arrived, release = 0, make(chan struct{})
		mu.Unlock()
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
		wg.Wait()
	}
	round()
	first = opened.Load()
	round()
	return first, opened.Load() - first
}

// A Signer without Next keeps its connections to the service for the next calls: a second round
// of 32 concurrent calls opens few if any, where http.DefaultTransport, which keeps 2 idle
// connections a host, opens 30 again.
func TestSignerKeepsItsConnectionsToTheService(t *testing.T) {
	const calls = 32
	first, second := newConnections(t, nil, calls)
	// The slack: a connection the first round just finished with may not be back in the pool yet
	// when the second begins (the transport returns it from a goroutine of its own).
	if first != calls || second > calls/2 {
		t.Fatalf("its own transport: %d then %d new connections for two rounds of %d calls; want %d then at most %d", first, second, calls, calls, calls/2)
	}
	first, second = newConnections(t, http.DefaultTransport, calls)
	if second < calls-4 {
		t.Fatalf("http.DefaultTransport: %d then %d new connections; the test no longer tells the two apart", first, second)
	}
}
