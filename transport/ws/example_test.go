package ws_test

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"time"

	"github.com/tradecoach/coach"
	storagememory "github.com/tradecoach/coach/storage/memory"
	"github.com/tradecoach/coach/transport/memory"
	"github.com/tradecoach/coach/transport/ws"
)

// The relay streams a user's events from the bus to their WebSocket connections; the Client
// follows them, resuming after a drop. Here on the in-process bus, with a header the host's
// Authenticate checks.
func Example() {
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	bus := memory.NewBus(64)
	relay, err := ws.NewRelay(ws.RelayConfig{
		Bus:      bus,
		Replayer: storagememory.New().Events(), // what a resuming client missed: the outbox
		Authenticate: func(r *http.Request) (string, error) {
			if r.Header.Get("Authorization") != "Bearer token-1" {
				return "", coach.Errorf(coach.EUNAUTHORIZED, "unknown session")
			}
			return "trader-1", nil
		},
	})
	if err != nil {
		panic(err)
	}
	srv := httptest.NewServer(relay)
	defer srv.Close()
	defer relay.Close()

	ready, received := make(chan struct{}, 1), make(chan coach.Envelope, 1)
	client, err := ws.NewClient(ws.ClientConfig{URL: srv.URL + ws.Path,
		Header:  http.Header{"Authorization": {"Bearer token-1"}},
		OnReady: func() { ready <- struct{}{} }})
	if err != nil {
		panic(err)
	}
	done := make(chan struct{})
	go func() {
		defer close(done)
		_ = client.Run(ctx, func(ctx context.Context, env coach.Envelope) error { received <- env; return nil })
	}()
	<-ready

	e, _ := coach.NewEvent("trader-1", coach.EventDigestReady, 1, map[string]string{"digestId": "d1"})
	e.ID, _ = coach.NextEventID(time.Now(), "") // the store assigns ids; the dispatcher publishes stored events
	if err := bus.Publish(ctx, e); err != nil {
		panic(err)
	}
	env := <-received
	fmt.Println(env.Type, env.V, string(env.Payload))
	cancel()
	<-done
	// Output:
	// digest.ready 1 {"digestId":"d1"}
}
