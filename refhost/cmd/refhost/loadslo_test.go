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

	dto "github.com/prometheus/client_model/go"

	"github.com/tradecoach/coach"
	promcoach "github.com/tradecoach/coach/metrics/prometheus"
	"github.com/tradecoach/coach/refhost/core"
	"github.com/tradecoach/coach/refhost/load"
	"github.com/tradecoach/coach/refhost/slo"
)

var (
	loadSLOUsers    = flag.Int("loadslo.users", 100, "BenchmarkLoadSLO: connected users of each run")
	loadSLODuration = flag.Duration("loadslo.duration", 30*time.Second, "BenchmarkLoadSLO: how long `refhost load` reads at 100 reads a second")
	loadSLOImports  = flag.Duration("loadslo.imports", 10*time.Minute, "BenchmarkLoadSLO: how long to wait for every user's first import before reading the objectives")
)

// BenchmarkLoadSLO is issue 19's figures: the load of `refhost load` through the edge at
// -loadslo.users users (each signed up and in, its demo broker linked), then, once every first
// import is done and the job queues have drained (coach_jobs_queue_depth), a steady phase (each user's /ws/coach open, their dashboards read at 100 reads
// a second in all, each user asking the coach a question), then the objectives of `refhost slo`
// over every process's /metrics: over the whole run, and over the steady phase alone. Two sets in
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
	var logs func() string
	if set == "all" {
		key = make([]byte, 32)
		_, _ = rand.Read(key)
		env := append(os.Environ(), "REFHOST_INTERNAL_KEY="+hex.EncodeToString(key), "REFHOST_LOG_LEVEL=error")
		p := startStack(b, bin, "all", env, "-edge-addr", "127.0.0.1:0", "-core-addr", "127.0.0.1:0", "-worker-addr", "127.0.0.1:0",
			"-aicoach-addr", "127.0.0.1:0", "-edge-limit-scale", "1000")
		edgeURL, coreURL = p.addr, p.serverURL(b, "core")
		metrics = func() []string { return []string{coreURL + "/metrics"} }
		logs = p.logs.String
	} else {
		s := startScaledOut(b, bin, "error")
		edgeURL, coreURL, key = s.front.URL(), s.core.addr, s.key
		metrics = func() []string { return s.metricsURLs(b) }
		logs = s.logs
	}
	read := func() slo.Families {
		fams := slo.Families{}
		for _, u := range metrics() {
			if err := scrape(context.Background(), u, 30*time.Second, fams); err != nil {
				b.Fatal(err)
			}
		}
		return fams
	}
	ctx := context.Background()
	target, err := load.NewEdge(load.EdgeConfig{URL: edgeURL, Run: coach.NewID(), CoreURL: coreURL, Key: key, KeyID: core.KeyID})
	if err != nil {
		b.Fatal(err)
	}
	fmt.Printf("\n== %s: %d users, then %s at 100 reads/s\n", set, *loadSLOUsers, *loadSLODuration)
	b.ResetTimer()
	began := time.Now()
	users, err := load.SignUp(ctx, target, *loadSLOUsers)
	if err != nil {
		b.Fatal(err)
	}
	fmt.Printf("%d users signed up, signed in and connected to the demo broker in %s\n", *loadSLOUsers, time.Since(began).Round(time.Millisecond))
	// Every user's first import done (the demo trader's too, under all) before the steady phase,
	// so that a slow import counts against the objective instead of being left out of it.
	imports := promcoach.DefaultNamespace + "_" + coach.MetricImportFirstDone
	for began := time.Now(); ; time.Sleep(time.Second) {
		done := uint64(0)
		if f := read()[imports]; f != nil {
			for _, m := range f.GetMetric() {
				done += m.GetHistogram().GetSampleCount()
			}
		}
		if done >= uint64(*loadSLOUsers) {
			fmt.Printf("%d first imports done %s after the sign-ups\n", done, time.Since(began).Round(time.Second))
			break
		}
		if time.Since(began) > *loadSLOImports {
			fmt.Printf("only %d of %d first imports done %s after the sign-ups; the rest are not counted\n", done, *loadSLOUsers, *loadSLOImports)
			break
		}
	}
	// Then the work those imports started (scoring, reflections, the digests of past weeks) done:
	// the job queues empty, so that the steady phase is steady.
	depth := promcoach.DefaultNamespace + "_" + coach.MetricQueueDepth
	for began := time.Now(); ; time.Sleep(time.Second) {
		waiting := 0.0
		if f := read()[depth]; f != nil {
			for _, m := range f.GetMetric() {
				if st := label(m, "state"); st == "pending" || st == "active" || st == "retry" {
					waiting += m.GetGauge().GetValue()
				}
			}
		}
		if waiting == 0 {
			fmt.Printf("the job queues drained %s after that\n", time.Since(began).Round(time.Second))
			break
		}
		if time.Since(began) > *loadSLOImports {
			fmt.Printf("%g jobs still waiting or running %s after that; reading anyway\n", waiting, *loadSLOImports)
			break
		}
	}
	before := read()
	rep, err := load.Run(ctx, load.Config{Target: target, Ready: users, Rate: 100, Duration: *loadSLODuration, Concurrency: 16, Streams: true})
	if err != nil {
		b.Fatal(err)
	}
	b.StopTimer()
	if err := rep.WriteText(os.Stdout); err != nil {
		b.Fatal(err)
	}
	if rep.ActionErrors > 0 || rep.All().Errors > 0 {
		fmt.Printf("the host's errors:\n%s\n", errorLines(logs(), 20))
	}
	after := read()
	for _, view := range []struct {
		name, unit string
		fams       slo.Families
	}{{"the whole run (sign-ups, imports, the steady phase)", "-%", after},
		{"the steady phase alone (refhost slo -window)", "-steady-%", after.Since(before)}} {
		results := slo.Check(view.fams, slo.Objectives())
		var out bytes.Buffer
		if err := slo.Write(&out, results); err != nil {
			b.Fatal(err)
		}
		fmt.Printf("\nrefhost slo over %s: %s\n%s", view.name, slo.Judge(results), out.String())
		for _, r := range results {
			if r.Err == nil {
				b.ReportMetric(100*r.Fraction(), r.Objective.Name+view.unit)
			}
		}
	}
}

// errorLines returns up to n log lines at level ERROR, the first of each message.
func errorLines(logs string, n int) string {
	var out []string
	seen := map[string]bool{}
	for _, line := range strings.Split(logs, "\n") {
		if !strings.Contains(line, `"level":"ERROR"`) {
			continue
		}
		msg := line
		if i := strings.Index(line, `"msg":`); i >= 0 {
			msg = line[i:min(len(line), i+80)]
		}
		if !seen[msg] && len(out) < n {
			seen[msg] = true
			out = append(out, line)
		}
	}
	return strings.Join(out, "\n")
}

func label(m *dto.Metric, name string) string {
	for _, l := range m.GetLabel() {
		if l.GetName() == name {
			return l.GetValue()
		}
	}
	return ""
}
