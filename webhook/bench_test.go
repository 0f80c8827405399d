package webhook_test

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/tradecoach/coach"
	"github.com/tradecoach/coach/storage/memory"
	"github.com/tradecoach/coach/webhook"
)

// BenchmarkDelivery delivers 10,000 events to 100 endpoints (100 users with one endpoint each,
// 100 events each, loopback receivers) through Deliverer.Run, and reports the p50/p99 from commit
// to receipt and the throughput. Events are committed at a steady benchRate (below what one
// Deliverer sustains on a small machine), so the latency is the delivery path's, not a backlog's;
// "burst" commits them all at once and measures how fast the backlog drains. In "one-slow-2s"
// one endpoint answers every request after 2 s; its latencies are left out, and the others' p99
// should stay within 10% of "all-fast".
//
//	go test ./webhook -run '^$' -bench Delivery -benchtime 1x
func BenchmarkDelivery(b *testing.B) {
	// A small untimed run first, so that the first case measured does not pay for the process's
	// warm-up (heap growth, the first connections) that the others do not.
	runDelivery(b, 10, 20, false, true)
	for _, tc := range []struct {
		name  string
		slow  bool
		burst bool
	}{{"all-fast", false, false}, {"one-slow-2s", true, false}, {"burst/all-fast", false, true}, {"burst/one-slow-2s", true, true}} {
		name, slow, burst := tc.name, tc.slow, tc.burst
		b.Run(name, func(b *testing.B) {
			var res deliveryRun
			for range b.N {
				res = runDelivery(b, 100, 100, slow, burst)
			}
			b.ReportMetric(res.perSec, "deliveries/s")
			b.ReportMetric(float64(res.p50.Microseconds())/1000, "p50-ms")
			b.ReportMetric(float64(res.p99.Microseconds())/1000, "p99-ms")
			b.ReportMetric(float64(res.cpu.Microseconds())/float64(res.events), "cpu-µs/delivery")
			fmt.Printf("webhook delivery %s: %d events to %d endpoints, %.0f deliveries/s, commit→receipt p50 %v p99 %v (fast endpoints), %.0f cpu-µs/delivery (receivers included)\n",
				name, res.events, res.endpoints, res.perSec, res.p50.Round(time.Microsecond), res.p99.Round(time.Microsecond),
				float64(res.cpu.Microseconds())/float64(res.events))
		})
	}
}

type deliveryRun struct {
	events, endpoints int
	perSec            float64
	p50, p99          time.Duration
	cpu               time.Duration // process CPU time of the run, receivers included
}

// benchRate is the steady rate at which the benchmark commits events, per second.
const benchRate = 1000

func runDelivery(b *testing.B, endpoints, perEndpoint int, slow, burst bool) deliveryRun {
	b.StopTimer()
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	store := memory.New()
	sl := newSealer(b)
	svc, err := webhook.New(webhook.Config{Store: store, Sealer: sl, AllowLoopback: true})
	if err != nil {
		b.Fatal(err)
	}
	client, err := webhook.NewClient(webhook.ClientConfig{AllowLoopback: true, Timeout: 10 * time.Second})
	if err != nil {
		b.Fatal(err)
	}
	del, err := webhook.NewDeliverer(webhook.DelivererConfig{Store: store, Client: client, Sealer: sl, PollInterval: 20 * time.Millisecond})
	if err != nil {
		b.Fatal(err)
	}

	var (
		mu       sync.Mutex
		received = map[string]time.Time{} // event id → first receipt
		pending  sync.WaitGroup
	)
	users := make([]string, endpoints)
	slowUser := ""
	for i := range endpoints {
		isSlow := slow && i == 0
		srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			body, _ := io.ReadAll(r.Body)
			at := time.Now()
			if isSlow {
				select {
				case <-time.After(2 * time.Second):
				case <-r.Context().Done():
				}
				w.WriteHeader(http.StatusOK)
				return
			}
			var env coach.Envelope
			_ = json.Unmarshal(body, &env)
			mu.Lock()
			if _, dup := received[env.EventID]; !dup {
				received[env.EventID] = at
				pending.Done()
			}
			mu.Unlock()
			w.WriteHeader(http.StatusNoContent)
		}))
		defer srv.Close()
		u := coach.User{ID: coach.NewID(), CreatedAt: time.Now().UTC()}
		if err := store.Users().Create(ctx, u); err != nil {
			b.Fatal(err)
		}
		if _, _, err := svc.Create(ctx, u.ID, webhook.Input{URL: srv.URL + "/hook"}); err != nil {
			b.Fatal(err)
		}
		users[i] = u.ID
		if isSlow {
			slowUser = u.ID
		} else {
			pending.Add(perEndpoint)
		}
	}
	done := make(chan error, 1)
	go func() { done <- del.Run(ctx) }()

	committed := make(map[string]time.Time, endpoints*perEndpoint)
	b.StartTimer()
	start, cpu0 := time.Now(), processCPU()
	i := 0
	for n := range perEndpoint {
		for _, uid := range users {
			if !burst {
				if ahead := time.Until(start.Add(time.Duration(i) * time.Second / benchRate)); ahead > time.Millisecond {
					time.Sleep(ahead)
				}
				i++
			}
			e, err := coach.NewEvent(uid, coach.EventRuleBroken, 1, map[string]int{"n": n})
			if err != nil {
				b.Fatal(err)
			}
			out, err := store.Events().Append(ctx, e)
			if err != nil {
				b.Fatal(err)
			}
			if uid != slowUser {
				committed[out[0].ID] = time.Now()
			}
			del.NotifyUser(uid)
		}
	}
	pending.Wait()
	elapsed, cpu := time.Since(start), processCPU()-cpu0
	b.StopTimer()
	cancel()
	<-done

	var lat []time.Duration
	mu.Lock()
	for id, at := range committed {
		lat = append(lat, received[id].Sub(at))
	}
	mu.Unlock()
	slices.Sort(lat)
	fast := len(lat)
	return deliveryRun{events: endpoints * perEndpoint, endpoints: endpoints, perSec: float64(fast) / elapsed.Seconds(),
		p50: lat[fast/2], p99: lat[fast*99/100], cpu: cpu}
}
