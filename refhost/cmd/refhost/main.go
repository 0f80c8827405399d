// Command refhost is the reference host of tradecoach: the five stacks in one binary.
//
//	refhost [all|edge|core|worker|aicoach|web|migrate|load|slo] [flags]
//
// `all` (the default) runs every stack built so far in one process on loopback — in memory,
// with a demo trader whose 30 days of history are imported and scored at start — and prints
// each stack's address. With Postgres, Redis or S3 configured, it uses them. `edge`, `core`,
// `worker`, `aicoach` and `web` run one stack each (`web` serves the pages behind an edge given
// its URL as REFHOST_WEB_URL); `migrate` brings the Postgres schema up to date and exits.
// `load` drives a host with simulated users; `slo` reads /metrics of a running host and checks
// the service-level objectives (exit status 0 met, 1 breached, 2 a metric missing). Every
// setting is a flag and an environment variable (secrets are environment variables only): see
// the README's table, or `refhost all -h`.
package main

import (
	"context"
	"fmt"
	"os"
	"os/signal"
	"syscall"

	"github.com/tradecoach/coach"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	if err := run(ctx, os.Args[1:], os.Getenv, os.Stdout, os.Stderr, nil); err != nil {
		fmt.Fprintln(os.Stderr, "refhost:", coach.ErrorMessage(err))
		os.Exit(exitCode(err))
	}
}
