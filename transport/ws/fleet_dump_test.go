package ws_test

import (
	"bufio"
	"context"
	"encoding/json"
	"fmt"
	"os"
	"sync"
	"testing"
	"time"

	"github.com/tradecoach/coach/storage/redis/redistest"
)

// fleetDump, when COACH_WS_FLEET_DUMP names a file, records each event's commit → client latency
// beside its commit → bus latency (a PSUBSCRIBE tap in the benchmark's process, which costs Redis
// and that process a little), and writes "relays seq bus-ns client-ns" lines to that file at the
// end of the run, to find where the slow events lost their time.
type fleetDump struct {
	file   string
	relays int
	at     []int64 // commit → client, by seq; 0 when not received
	stop   func()

	mu  sync.Mutex
	bus []int64 // commit → the tap, by seq
}

// newFleetDump starts the tap, or returns nil without COACH_WS_FLEET_DUMP.
func newFleetDump(b *testing.B, prefix string, n, relays int) *fleetDump {
	file := os.Getenv("COACH_WS_FLEET_DUMP")
	if file == "" {
		return nil
	}
	d := &fleetDump{file: file, relays: relays, at: make([]int64, n), bus: make([]int64, n)}
	ctx, cancel := context.WithCancel(context.Background())
	ps := redistest.MustOpenClient(b).PSubscribe(ctx, prefix+"events:*")
	if _, err := ps.Receive(ctx); err != nil {
		b.Fatal(err)
	}
	done := make(chan struct{})
	go func() {
		defer close(done)
		for m := range ps.Channel() {
			now := time.Now()
			var e struct{ Payload fleetStamp }
			if json.Unmarshal([]byte(m.Payload), &e) == nil && e.Payload.Seq >= 0 && e.Payload.Seq < n {
				d.mu.Lock()
				d.bus[e.Payload.Seq] = now.Sub(time.Unix(0, e.Payload.SentAt)).Nanoseconds()
				d.mu.Unlock()
			}
		}
	}()
	d.stop = func() { cancel(); _ = ps.Close(); <-done }
	return d
}

// write stops the tap and appends the run's lines to the file.
func (d *fleetDump) write(b *testing.B) {
	if d == nil {
		return
	}
	d.stop()
	f, err := os.OpenFile(d.file, os.O_CREATE|os.O_APPEND|os.O_WRONLY, 0o600)
	if err != nil {
		b.Fatal(err)
	}
	w := bufio.NewWriter(f)
	for seq, ns := range d.at {
		fmt.Fprintf(w, "%d %d %d %d\n", d.relays, seq, d.bus[seq], ns)
	}
	if err := w.Flush(); err != nil {
		b.Fatal(err)
	}
	if err := f.Close(); err != nil {
		b.Fatal(err)
	}
}
