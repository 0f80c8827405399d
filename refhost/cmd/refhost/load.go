package main

import (
	"context"
	"encoding/hex"
	"errors"
	"flag"
	"fmt"
	"io"
	"regexp"
	"strings"
	"time"

	"github.com/tradecoach/coach"
	"github.com/tradecoach/coach/refhost/core"
	"github.com/tradecoach/coach/refhost/infra"
	"github.com/tradecoach/coach/refhost/load"
	"github.com/tradecoach/coach/transport/memory"
)

// loadFlags are the settings of `refhost load`.
type loadFlags struct {
	users, concurrency int
	rate               float64
	duration           time.Duration
	target             string
	edgeURL, coreURL   string
	streams            bool
	throughput         bool
	settle             time.Duration
	limitScale         int
}

func parseLoadFlags(args []string, stderr io.Writer) (loadFlags, error) {
	var f loadFlags
	fs := flag.NewFlagSet("refhost load", flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.IntVar(&f.users, "users", 50, fmt.Sprintf("users to sign up (1 to %d)", load.MaxUsers))
	fs.Float64Var(&f.rate, "rate", 100, "reads a second, all users together, in the latency phase (the throughput phase reads as fast as -concurrency reads in flight allow)")
	fs.DurationVar(&f.duration, "duration", 15*time.Second, fmt.Sprintf("how long each phase reads (at most %s)", load.MaxDuration))
	fs.IntVar(&f.concurrency, "concurrency", 16, "reads in flight")
	fs.StringVar(&f.target, "target", "both", "edge, core, or both (core first, then the edge, and the comparison)")
	fs.StringVar(&f.edgeURL, "edge-url", "", "a running edge on loopback; empty starts `refhost all` in this process")
	fs.StringVar(&f.coreURL, "core-url", "", "a running core on loopback (with REFHOST_INTERNAL_KEY); empty starts `refhost all` in this process")
	fs.DurationVar(&f.settle, "settle", 15*time.Second, "wait after the sign-ups for the demo imports they started")
	fs.BoolVar(&f.streams, "streams", true, "keep each user's /ws/coach open and measure event delivery (edge only)")
	fs.BoolVar(&f.throughput, "throughput", true, "read as fast as -concurrency reads in flight allow before reading at -rate; false reads at -rate only (a steady load, as the objectives mean it)")
	fs.IntVar(&f.limitScale, "edge-limit-scale", 1000, "the in-process edge's rate limits times this: every user of a run comes from one address")
	if err := fs.Parse(args); err != nil {
		return f, coach.Errorf(coach.EINVALID, "refhost load: %v", err)
	}
	switch {
	case f.target != "edge" && f.target != "core" && f.target != "both":
		return f, coach.Errorf(coach.EINVALID, "refhost load: -target: want edge, core or both, got %q", f.target)
	case f.users < 1 || f.users > load.MaxUsers:
		return f, coach.Errorf(coach.EINVALID, "refhost load: -users: want 1 to %d", load.MaxUsers)
	case f.settle < 0 || f.settle > load.MaxDuration:
		return f, coach.Errorf(coach.EINVALID, "refhost load: -settle: want 0 to %s", load.MaxDuration)
	case f.duration <= 0 || f.duration > load.MaxDuration:
		return f, coach.Errorf(coach.EINVALID, "refhost load: -duration: want more than 0 and at most %s", load.MaxDuration)
	case !(f.rate > 0 && f.rate <= load.MaxRate):
		return f, coach.Errorf(coach.EINVALID, "refhost load: -rate: want more than 0 and at most %d", load.MaxRate)
	case (f.edgeURL == "") != (f.coreURL == ""):
		return f, coach.Errorf(coach.EINVALID, "refhost load: give both -edge-url and -core-url, or neither (to run the host in this process)")
	}
	return f, nil
}

// runLoad is `refhost load`: it aims the load generator at a running host's edge and core, or at
// `refhost all` started in this process (in memory, on ports the system picks), and prints each
// target's report and, for both, how the edge compares with core.
func runLoad(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer) (err error) {
	f, err := parseLoadFlags(args, stderr)
	if err != nil {
		return err
	}
	key, err := hex.DecodeString(getenv("REFHOST_INTERNAL_KEY"))
	if err != nil {
		return coach.Errorf(coach.EINVALID, "refhost load: REFHOST_INTERNAL_KEY: want hex digits")
	}
	var confirm func(context.Context, string) (string, error)
	if f.edgeURL == "" {
		hostCtx, stop := context.WithCancel(ctx)
		defer stop()
		host, err := startLoadHost(hostCtx, getenv, stderr, f.limitScale)
		if err != nil {
			return err
		}
		defer func() { stop(); err = errors.Join(err, <-host.done) }()
		f.edgeURL, f.coreURL, key = host.addrs["edge"], host.addrs["core"], host.key
		confirm = host.confirm
	}
	if len(key) == 0 {
		return coach.Errorf(coach.EINVALID, "refhost load: REFHOST_INTERNAL_KEY is required to reach a running core")
	}
	run := coach.NewID()
	targets := map[string]load.Target{}
	for _, name := range []string{"core", "edge"} {
		if f.target != "both" && f.target != name {
			continue
		}
		if name == "core" {
			targets[name], err = load.NewCore(load.CoreConfig{URL: f.coreURL, Key: key, KeyID: core.KeyID, Run: run + "-core"})
		} else {
			targets[name], err = load.NewEdge(load.EdgeConfig{URL: f.edgeURL, Run: run + "-edge", Confirm: confirm, CoreURL: f.coreURL,
				Key: key, KeyID: core.KeyID})
		}
		if err != nil {
			return err
		}
	}
	// Every user first (each sign-up connects the demo broker, whose import runs in the
	// background), then -settle for those imports, then two phases a target: as fast as
	// -concurrency reads in flight allow (throughput), then at -rate reads a second (latency
	// without queueing); each user asks the coach one question a phase, over an open stream on
	// the edge.
	ready := map[string][]load.User{}
	for _, name := range []string{"core", "edge"} {
		if targets[name] == nil {
			continue
		}
		began := time.Now()
		if ready[name], err = load.SignUp(ctx, targets[name], f.users); err != nil {
			return err
		}
		fmt.Fprintf(stdout, "%s: %d users signed up, signed in and connected to the demo broker in %s\n", name, f.users,
			time.Since(began).Round(time.Millisecond))
	}
	fmt.Fprintf(stdout, "waiting %s for their imports to settle\n\n", f.settle)
	select {
	case <-time.After(f.settle):
	case <-ctx.Done():
		return coach.Errorf(coach.ECANCELED, "refhost load: canceled")
	}
	reports := map[string][2]load.Report{}
	for i, rate := range []float64{0, f.rate} {
		if i == 0 && !f.throughput {
			continue
		}
		for _, name := range []string{"core", "edge"} {
			if targets[name] == nil {
				continue
			}
			rep, err := load.Run(ctx, load.Config{Target: targets[name], Ready: ready[name], Rate: rate, Duration: f.duration,
				Concurrency: f.concurrency, Streams: f.streams && name == "edge"})
			if err != nil {
				return err
			}
			if err := rep.WriteText(stdout); err != nil {
				return err
			}
			pair := reports[name]
			pair[i] = rep
			reports[name] = pair
		}
	}
	if f.target != "both" {
		return nil
	}
	e, c := reports["edge"], reports["core"]
	latency := load.Compare(e[1], c[1])
	if !f.throughput {
		_, err = fmt.Fprintf(stdout, "edge vs core: %s added at p50 at %g reads/s (p50 %s vs %s)\n",
			durationMS(latency.AddedP50), f.rate, durationMS(e[1].All().P50), durationMS(c[1].All().P50))
		return err
	}
	throughput := load.Compare(e[0], c[0])
	_, err = fmt.Fprintf(stdout, "edge vs core: %.2f× core's throughput (%d reads in flight); %s added at p50 at %g reads/s (p50 %s vs %s)\n",
		throughput.ThroughputRatio, f.concurrency, durationMS(latency.AddedP50), f.rate, durationMS(e[1].All().P50), durationMS(c[1].All().P50))
	return err
}

func durationMS(d time.Duration) string {
	return fmt.Sprintf("%.2fms", float64(d)/float64(time.Millisecond))
}

// loadHost is `refhost all` running in this process for a load run.
type loadHost struct {
	addrs map[string]string
	key   []byte
	mail  *memory.Mailbox
	done  chan error
}

var signupToken = regexp.MustCompile(`#token=([A-Za-z0-9_-]+)`)

// confirm reads the sign-up link the edge mailed to email.
func (h *loadHost) confirm(_ context.Context, email string) (string, error) {
	ms := h.mail.To(email)
	if len(ms) == 0 {
		return "", coach.Errorf(coach.ENOTFOUND, "refhost load: no sign-up mail to a run's user")
	}
	m := signupToken.FindStringSubmatch(ms[len(ms)-1].Text)
	if m == nil {
		return "", coach.Errorf(coach.EINTERNAL, "refhost load: the sign-up mail holds no link")
	}
	return m[1], nil
}

// startLoadHost starts `refhost all` in memory on loopback ports the system picks, its edge's
// limits scaled for one address, and returns once every stack serves.
func startLoadHost(ctx context.Context, getenv func(string) string, stderr io.Writer, limitScale int) (*loadHost, error) {
	key := randomKey()
	env := func(k string) string {
		switch {
		case k == "REFHOST_INTERNAL_KEY":
			return hex.EncodeToString(key)
		case strings.HasPrefix(k, "REFHOST_"):
			return "" // the in-process host is in memory whatever this shell points at
		}
		return getenv(k)
	}
	h := &loadHost{key: key, done: make(chan error, 1)}
	ready := make(chan struct{})
	// Demo stays on: the demo broker's candles come from the demo market only then.
	args := []string{"all", "-edge-addr", "127.0.0.1:0", "-core-addr", "127.0.0.1:0", "-worker-addr", "127.0.0.1:0",
		"-aicoach-addr", "127.0.0.1:0", "-edge-limit-scale", fmt.Sprint(limitScale), "-log-level", "error"}
	go func() {
		h.done <- run(ctx, args, env, io.Discard, stderr, func(addrs map[string]string, in *infra.Infra) {
			h.addrs = addrs
			h.mail, _ = in.Mailer.(*memory.Mailbox)
			close(ready)
		})
	}()
	select {
	case <-ready:
	case err := <-h.done:
		return nil, errors.Join(coach.Errorf(coach.EUNAVAILABLE, "refhost load: the in-process host did not start"), err)
	}
	if h.mail == nil {
		return nil, coach.Errorf(coach.EINTERNAL, "refhost load: the in-process host's mail is not the in-memory mailbox")
	}
	return h, nil
}
