// Command quickstart is the README's quick start as a program: a demo broker's fills imported into
// the in-memory store, scored for behavioural biases, and the coach's reflection on one of them.
//
//	go run ./examples/quickstart
//
// TestREADMESnippetsAreThePrograms (examples/embed) keeps the README's snippet and this file equal,
// and TestQuickStartPrintsAReflection runs it.
package main

import (
	"context"
	"fmt"
	"io"
	"os"
	"time"

	"github.com/tradecoach/coach"
	"github.com/tradecoach/coach/bias"
	"github.com/tradecoach/coach/broker"
	"github.com/tradecoach/coach/broker/brokertest"
	"github.com/tradecoach/coach/storage"
	"github.com/tradecoach/coach/storage/memory"
)

func main() {
	if err := run(context.Background(), os.Stdout); err != nil {
		fmt.Fprintln(os.Stderr, "quickstart:", coach.ErrorMessage(err))
		os.Exit(1)
	}
}

func run(ctx context.Context, out io.Writer) error {
	// readme:begin quickstart
	// A demo broker: a deterministic trader persona and the market around its fills.
	demo, err := brokertest.NewDemo(42, brokertest.DemoOptions{})
	if err != nil {
		return err
	}
	clock := coach.NewManualClock(demo.End())    // the demo's "now"
	store := memory.New(memory.WithClock(clock)) // storage/postgres gives the same ports

	// A trader (your own id for them; no email needed) and their broker connection.
	user := coach.User{ID: "trader-1", CreatedAt: demo.Start()}
	conn := coach.BrokerConnection{ID: coach.NewID(), UserID: user.ID, Broker: coach.BrokerDemo,
		Status: coach.ConnectionActive, Scope: "read", CreatedAt: demo.Start(),
		AccessEnc: []byte("demo: no credential")} // a real broker's token, sealed (broker/seal)
	if err := store.Users().Create(ctx, user); err != nil {
		return err
	}
	if err := store.Connections().Create(ctx, conn); err != nil {
		return err
	}

	// Import the fills, label them with biases, and print the coach's word on a FOMO buy.
	importer, err := broker.NewImporter(broker.ImporterConfig{Store: store, Clock: clock, Window: demo.End().Sub(demo.Start())})
	if err != nil {
		return err // coach.ErrorCode(err) == coach.EINVALID, naming the field
	}
	if _, err := importer.Import(ctx, user.ID, conn, demo); err != nil { // idempotent
		return err
	}
	scorer, err := bias.New(bias.ServiceConfig{Store: store, Candles: demo, Clock: clock})
	if err != nil {
		return err
	}
	rep, err := scorer.ScoreUser(ctx, user.ID, time.Time{}, time.Time{})
	if err != nil {
		return err
	}
	fomo, err := store.Tags().List(ctx, user.ID, storage.TagFilter{Label: coach.LabelFOMO})
	if err != nil || len(fomo) == 0 {
		return err
	}
	fmt.Fprintf(out, "%d trades scored, %d bias tags, %d of them FOMO\n", rep.Trades, rep.Tags, len(fomo))
	fmt.Fprintln(out, "The coach says:", bias.Reflect(fomo[0])) // fomo[0].Features: the evidence
	// readme:end
	return nil
}
