package main

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/hex"
	"flag"
	"fmt"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/tradecoach/coach"
	promcoach "github.com/tradecoach/coach/metrics/prometheus"
	"github.com/tradecoach/coach/refhost/slo"
)

var (
	loadSLOUsers    = flag.Int("loadslo.users", 100, "BenchmarkLoadSLO: connected users of each run")
	loadSLODuration = flag.Duration("loadslo.duration", 30*time.Second, "BenchmarkLoadSLO: how long `refhost load` reads at 100 reads a second")
	loadSLOImports  = flag.Duration("loadslo.imports", 10*time.Minute, "BenchmarkLoadSLO: how long to wait for every user's first import before reading the objectives")
)

// BenchmarkLoadSLO is issue 19's figures: `refhost load` through the edge at -loadslo.users
// connected users (each signed in, its demo broker linked, its /ws/coach open, reading its
// dashboard at 100 reads a second in all, each asking the coach a question), then
// `refhost slo` over every process's /metrics once each user's first import is done. Two sets in
// one run: `refhost all` (one process, in memory) and the scaled-out set (two edges behind a
// loopback proxy, core, two workers, two aicoach, on Postgres and Redis). Each objective's measured
// fraction is reported in percent; the full reports go to stdout.
//
//	go test -run '^$' -bench BenchmarkLoadSLO -benchtime 1x -timeout 60m ./refhost/cmd/refhost -loadslo.users 100
func BenchmarkLoadSLO(b *testing.B) {
	bin := buildBinary(b)
	for _, set := range []string{"all", "scaled-out"} {
		b.Run(set, func(b *testing.B) {
			for range b.N {
				loadSLO(b, bin, set)
			}
		})
	}
}

func loadSLO(b *testing.B, bin, set string) {
	var edgeURL, coreURL string
	var key []byte
	var metrics func() []string
	if set == "all" {
		key = make([]byte, 32)
		_, _ = rand.Read(key)
		env := append(os.Environ(), "REFHOST_INTERNAL_KEY="+hex.EncodeToString(key), "REFHOST_LOG_LEVEL=error")
		p := startStack(b, bin, "all", env, "-edge-addr", "127.0.0.1:0", "-core-addr", "127.0.0.1:0", "-worker-addr", "127.0.0.1:0",
			"-aicoach-addr", "127.0.0.1:0", "-edge-limit-scale", "1000")
		edgeURL, coreURL = p.addr, p.serverURL(b, "core")
		metrics = func() []string { return []string{coreURL + "/metrics"} }
	} else {
		s := startScaledOut(b, bin, "error")
		edgeURL, coreURL, key = s.front.URL(), s.core.addr, s.key
		metrics = func() []string { return s.metricsURLs(b) }
	}
	getenv := func(k string) string {
		if k == "REFHOST_INTERNAL_KEY" {
			return hex.EncodeToString(key)
		}
		return ""
	}
	fmt.Printf("\n== %s: refhost load -target edge -users %d -duration %s -throughput=false\n", set, *loadSLOUsers, *loadSLODuration)
	b.ResetTimer()
	if err := runLoad(context.Background(), []string{"-target", "edge", "-edge-url", edgeURL, "-core-url", coreURL,
		"-users", fmt.Sprint(*loadSLOUsers), "-duration", loadSLODuration.String(), "-throughput=false"}, getenv, os.Stdout, os.Stderr); err != nil {
		b.Fatal(err)
	}
	b.StopTimer()
	// The import objective counts finished imports only: wait for every user's (the demo trader's
	// too, under all) before reading, so a slow import counts against it instead of being left out.
	imports := promcoach.DefaultNamespace + "_" + coach.MetricImportFirstDone
	began := time.Now()
	var fams slo.Families
	for {
		fams = slo.Families{}
		for _, u := range metrics() {
			if err := scrape(context.Background(), u, 30*time.Second, fams); err != nil {
				b.Fatal(err)
			}
		}
		done := uint64(0)
		if f := fams[imports]; f != nil {
			for _, m := range f.GetMetric() {
				done += m.GetHistogram().GetSampleCount()
			}
		}
		if done >= uint64(*loadSLOUsers) {
			fmt.Printf("%d first imports done (%s after the load ended)\n", done, time.Since(began).Round(time.Second))
			break
		}
		if time.Since(began) > *loadSLOImports {
			fmt.Printf("only %d of %d first imports done %s after the load ended; the rest are not counted\n", done, *loadSLOUsers, *loadSLOImports)
			break
		}
		time.Sleep(2 * time.Second)
	}
	results := slo.Check(fams, slo.Objectives())
	var out bytes.Buffer
	if err := slo.Write(&out, results); err != nil {
		b.Fatal(err)
	}
	fmt.Printf("refhost slo -url %s\n%sverdict: %s\n", strings.Join(metrics(), ","), out.String(), slo.Judge(results))
	for _, r := range results {
		b.ReportMetric(100*r.Fraction(), r.Objective.Name+"-%")
	}
}
