package prometheus_test

import (
	"context"
	"fmt"
	"time"

	client "github.com/prometheus/client_golang/prometheus"

	"github.com/tradecoach/coach"
	"github.com/tradecoach/coach/metrics/prometheus"
	"github.com/tradecoach/coach/outbox"
	"github.com/tradecoach/coach/storage/memory"
	transportmemory "github.com/tradecoach/coach/transport/memory"
)

// Give the same Metrics to every service's Config and serve the registry (promhttp) as usual.
// Here the outbox dispatcher delivers one event and the counter says so.
func Example() {
	ctx := context.Background()
	registry := client.NewRegistry()
	metrics, err := prometheus.New(prometheus.Config{Registerer: registry})
	if err != nil {
		panic(err)
	}

	store := memory.New()
	_ = store.Users().Create(ctx, coach.User{ID: "trader-1", CreatedAt: time.Now().UTC()})
	e, _ := coach.NewEvent("trader-1", coach.EventDigestReady, 1, map[string]string{"digestId": "d1"})
	if _, err := store.Events().Append(ctx, e); err != nil {
		panic(err)
	}
	dispatcher, err := outbox.NewDispatcher(outbox.DispatcherConfig{Store: store, Bus: transportmemory.NewBus(16), Metrics: metrics})
	if err != nil {
		panic(err)
	}
	if _, err := dispatcher.DispatchOnce(ctx); err != nil {
		panic(err)
	}

	families, err := registry.Gather()
	if err != nil {
		panic(err)
	}
	for _, f := range families {
		if f.GetName() == "coach_outbox_events_dispatched_total" {
			for _, m := range f.GetMetric() {
				fmt.Println(f.GetName(), m.GetCounter().GetValue())
			}
		}
	}
	// Output:
	// coach_outbox_events_dispatched_total 1
}
