package transport_test

import (
	"context"
	"fmt"
	"time"

	"github.com/tradecoach/coach/transport"
)

// A Mux routes jobs to handlers by type; its Run is the handler a Worker is given.
func Example() {
	mux, err := transport.NewMux(transport.MuxConfig{})
	if err != nil {
		panic(err)
	}
	err = mux.Handle(transport.JobDigestWeekly, func(ctx context.Context, j transport.Job) error {
		fmt.Println("digest job", j.ID, "on", j.Queue)
		return nil
	})
	fmt.Println(err)

	job := transport.WeeklyDigestJob(time.Date(2026, 3, 2, 10, 0, 0, 0, time.UTC))
	fmt.Println(mux.Run(context.Background(), job))
	// Output:
	// <nil>
	// digest job digest.weekly:2026-W09 on q_digest
	// <nil>
}
