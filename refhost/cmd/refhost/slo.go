package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/tradecoach/coach"
	"github.com/tradecoach/coach/refhost/slo"
)

// maxMetricsBytes bounds one /metrics answer `refhost slo` reads.
const maxMetricsBytes = 32 << 20

// exitError is an error that asks main for a particular exit status.
type exitError struct {
	code int
	err  error
}

func (e *exitError) Error() string { return e.err.Error() }
func (e *exitError) Unwrap() error { return e.err }
func (e *exitError) ExitCode() int { return e.code }

// exitCode is the exit status main gives err: the one it asks for, or 1.
func exitCode(err error) int {
	var e *exitError
	if errors.As(err, &e) {
		return e.code
	}
	return 1
}

// runSLO is `refhost slo`: it reads /metrics of one or more processes of a running host (their
// series added up), prints each objective with what it measured, and returns nil when every one
// is met, an error asking for exit status 1 when one is breached and 2 when a metric one needs is
// missing (or has no observations yet). A host it cannot read is an ordinary error (status 1
// too, with the reason printed).
func runSLO(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("refhost slo", flag.ContinueOnError)
	fs.SetOutput(stderr)
	urls := fs.String("url", "http://127.0.0.1:8083/metrics", "comma-separated /metrics URLs of the host's processes (core, worker, aicoach; `refhost all` serves everything on each)")
	timeout := fs.Duration("timeout", 10*time.Second, "how long each scrape may take")
	window := fs.Duration("window", 0, "judge only what happens over this long: read the host, wait, read it again and check the difference (a steady load's objectives, without the start before it); 0 judges everything since each process started")
	if err := fs.Parse(args); err != nil {
		return coach.Errorf(coach.EINVALID, "refhost slo: %v", err)
	}
	if fs.NArg() > 0 {
		return coach.Errorf(coach.EINVALID, "refhost slo: unexpected argument %q", fs.Arg(0))
	}
	if *window < 0 {
		return coach.Errorf(coach.EINVALID, "refhost slo: -window: negative")
	}
	read := func() (slo.Families, error) {
		fams := slo.Families{}
		for _, u := range strings.Split(*urls, ",") {
			if err := scrape(ctx, strings.TrimSpace(u), *timeout, fams); err != nil {
				return nil, err
			}
		}
		return fams, nil
	}
	fams, err := read()
	if err != nil {
		return err
	}
	if *window > 0 {
		select {
		case <-time.After(*window):
		case <-ctx.Done():
			return coach.Errorf(coach.ECANCELED, "refhost slo: canceled")
		}
		before := fams
		if fams, err = read(); err != nil {
			return err
		}
		fams = fams.Since(before)
		if _, err := fmt.Fprintf(stdout, "over the last %s:\n", *window); err != nil {
			return err
		}
	}
	results := slo.Check(fams, slo.Objectives())
	if err := slo.Write(stdout, results); err != nil {
		return err
	}
	switch v := slo.Judge(results); v {
	case slo.Breached:
		return &exitError{code: v.ExitCode(), err: coach.Errorf(coach.ECONFLICT, "refhost slo: an objective is breached")}
	case slo.Missing:
		return &exitError{code: v.ExitCode(), err: coach.Errorf(coach.ENOTFOUND, "refhost slo: an objective could not be measured: a metric it needs is missing")}
	}
	return nil
}

// scrape reads one /metrics answer into fams.
func scrape(ctx context.Context, rawURL string, timeout time.Duration, fams slo.Families) error {
	u, err := url.Parse(rawURL)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return coach.Errorf(coach.EINVALID, "refhost slo: -url: want http(s)://host/metrics, got %q", rawURL)
	}
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, u.String(), nil)
	if err != nil {
		return coach.Errorf(coach.EINVALID, "refhost slo: %v", err)
	}
	req.Header.Set("Accept", "text/plain;version=0.0.4")
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		return coach.Errorf(coach.EUNAVAILABLE, "refhost slo: %s: %v", u.Redacted(), err)
	}
	defer res.Body.Close()
	if res.StatusCode != http.StatusOK {
		return coach.Errorf(coach.EUNAVAILABLE, "refhost slo: %s answered %s", u.Redacted(), res.Status)
	}
	if err := fams.Parse(io.LimitReader(res.Body, maxMetricsBytes)); err != nil {
		return coach.Errorf(coach.EINVALID, "refhost slo: %s: %s", u.Redacted(), coach.ErrorMessage(err))
	}
	return nil
}
