// Command validate measures the bias labels against the independent validation persona and the
// null trader of broker/brokertest (issue 14) and writes the validation table into
// bias/DEFINITIONS.md, between the markers of package validate:
//
//	go run ./internal/validate/cmd/validate            # regenerate the table
//	go run ./internal/validate/cmd/validate -check     # fail if the committed table is stale
//
// It prints how long the run took on standard error.
package main

import (
	"context"
	"flag"
	"fmt"
	"os"
	"os/signal"
	"time"

	"github.com/tradecoach/coach"
	"github.com/tradecoach/coach/internal/validate"
)

func main() {
	doc := flag.String("doc", "bias/DEFINITIONS.md", "the document whose validation section is written")
	check := flag.Bool("check", false, "write nothing; exit 1 when the document's section differs from a fresh run")
	days := flag.Int("days", 0, "days of history per seed (0: the default of brokertest.NewValidation)")
	flag.Parse()
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	defer stop()
	if err := run(ctx, *doc, *check, validate.Options{Days: *days}); err != nil {
		fmt.Fprintln(os.Stderr, "validate:", coach.ErrorMessage(err))
		os.Exit(1)
	}
}

// run measures, splices the table into the document and writes it back, or with check compares.
func run(ctx context.Context, path string, check bool, opts validate.Options) error {
	info, err := os.Stat(path)
	if err != nil {
		return coach.WrapError(coach.EINVALID, err, "cannot read %s", path)
	}
	old, err := os.ReadFile(path)
	if err != nil {
		return coach.WrapError(coach.EINVALID, err, "cannot read %s", path)
	}
	start := time.Now()
	rep, err := validate.Run(ctx, opts)
	if err != nil {
		return err
	}
	fresh, err := validate.Splice(string(old), rep.Markdown())
	if err != nil {
		return err
	}
	fmt.Fprintf(os.Stderr, "validate: measured in %s\n", time.Since(start).Round(10*time.Millisecond))
	if check {
		if fresh != string(old) {
			return coach.Errorf(coach.ECONFLICT, "%s: the validation table differs from a fresh run; regenerate it with go run ./internal/validate/cmd/validate", path)
		}
		return nil
	}
	if fresh == string(old) {
		return nil
	}
	return os.WriteFile(path, []byte(fresh), info.Mode().Perm()) // the document keeps its mode
}
