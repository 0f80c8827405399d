package main

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/tradecoach/coach"
	promcoach "github.com/tradecoach/coach/metrics/prometheus"
	"github.com/tradecoach/coach/transport"
)

// TestAllExportsTheQueueDepth scrapes the worker's /metrics of `refhost all`: every queue of the
// workers stack has its depth series, and jobs enqueued for later are counted as scheduled there.
func TestAllExportsTheQueueDepth(t *testing.T) {
	addrs, in, logs, _, _ := startAllIn(t, map[string]string{"REFHOST_INTERNAL_KEY": strings.Repeat("5a", 32)})
	name := promcoach.DefaultNamespace + "_" + coach.MetricQueueDepth
	_, page := get(t, addrs["worker"]+"/metrics")
	for q := range transport.Priorities() {
		if want := fmt.Sprintf("%s{queue=%q,state=%q} ", name, q, promcoach.StatePending); !strings.Contains(page, want) {
			t.Errorf("the worker's /metrics has no %s…:\n%s", want, grep(page, name))
		}
	}

	const n = 3
	for i := range n {
		j := transport.Job{Type: "test.later", ID: fmt.Sprintf("later:%d", i), Queue: transport.QueueDigest, ProcessAt: time.Now().Add(time.Hour)}
		if _, err := in.Queue.Enqueue(context.Background(), j); err != nil {
			t.Fatal(err)
		}
	}
	want := fmt.Sprintf("%s{queue=%q,state=%q} %d\n", name, transport.QueueDigest, promcoach.StateScheduled, n)
	if _, page := get(t, addrs["worker"]+"/metrics"); !strings.Contains(page, want) {
		t.Errorf("%d jobs enqueued for later: the worker's /metrics has no %s:\n%s\nlogs:\n%s", n, want, grep(page, name), logs)
	}
}
