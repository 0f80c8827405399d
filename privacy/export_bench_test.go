package privacy_test

import (
	"context"
	"runtime"
	"runtime/metrics"
	"sync"
	"testing"
	"time"

	"github.com/tradecoach/coach"
	"github.com/tradecoach/coach/storage/postgres/postgrestest"
	"github.com/tradecoach/coach/storage/s3/s3test"
)

// heapPeak samples the bytes of live and not-yet-swept heap objects every millisecond until
// stop is called, and returns the largest value seen: the peak heap of what runs meanwhile (the
// in-process S3 server and the Postgres driver included).
func heapPeak() (stop func() uint64) {
	sample := []metrics.Sample{{Name: "/memory/classes/heap/objects:bytes"}}
	var (
		peak uint64
		wg   sync.WaitGroup
	)
	done := make(chan struct{})
	wg.Add(1)
	go func() {
		defer wg.Done()
		t := time.NewTicker(time.Millisecond)
		defer t.Stop()
		for {
			metrics.Read(sample)
			peak = max(peak, sample[0].Value.Uint64())
			select {
			case <-done:
				return
			case <-t.C:
			}
		}
	}()
	return func() uint64 {
		close(done)
		wg.Wait()
		return peak
	}
}

// BenchmarkExport100k builds the export of a user with 100,000 trades (and 10,050 audit rows,
// tags, tombstones, …) on Postgres into the S3 adapter on an in-process S3 server, and reports
// the wall time of one Request and Build (ns/op), the process CPU time Build took (cpu-s/op;
// the Postgres server's is not counted), the peak heap while it ran (peak-heap-MiB) and the
// archive's size (zip-MiB).
func BenchmarkExport100k(b *testing.B) {
	ctx := context.Background()
	clock := coach.NewManualClock(time.Now().UTC())
	st, blobs := postgrestest.MustOpenTestDB(b), s3test.MustOpen(b)
	h := newHarness(b, st, blobs, clock)
	userID := writeUser(b, ctx, st, blobs, fixtureSizes{trades: 100_000, audit: 10_050}).user.ID
	var (
		cpu  time.Duration
		peak uint64
		size int64
	)
	b.ResetTimer()
	for b.Loop() {
		e, err := h.svc.Request(ctx, userID)
		if err != nil {
			b.Fatal(err)
		}
		runtime.GC()
		stop, cpu0 := heapPeak(), processCPU()
		done, err := h.svc.Build(ctx, userID, e.ID)
		cpu += processCPU() - cpu0
		peak = max(peak, stop())
		if err != nil || done.Status != coach.ExportDone {
			b.Fatalf("Build: %+v, %v", done, err)
		}
		size = done.Size
	}
	b.ReportMetric(float64(cpu.Seconds())/float64(b.N), "cpu-s/op")
	b.ReportMetric(float64(peak)/(1<<20), "peak-heap-MiB")
	b.ReportMetric(float64(size)/(1<<20), "zip-MiB")
}
