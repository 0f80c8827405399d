package asynq_test

import (
	"context"
	"errors"
	"net"
	"sync"
	"testing"
	"time"

	goredis "github.com/redis/go-redis/v9"

	"github.com/tradecoach/coach"
	storagememory "github.com/tradecoach/coach/storage/memory"
)

// TestDepthGivesUpWhenRedisDoesNotAnswer reads the depth from a server that accepts connections
// and never answers, with a client that waits for ever: Depth still returns ECANCELED when its
// context ends, and so does the next call while the first read is stuck.
func TestDepthGivesUpWhenRedisDoesNotAnswer(t *testing.T) {
	t.Parallel()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	var mu sync.Mutex
	var conns []net.Conn
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			mu.Lock()
			conns = append(conns, c)
			mu.Unlock()
		}
	}()
	t.Cleanup(func() {
		_ = ln.Close()
		mu.Lock()
		defer mu.Unlock()
		for _, c := range conns {
			_ = c.Close()
		}
	})
	client := goredis.NewClient(&goredis.Options{Addr: ln.Addr().String(), ReadTimeout: -1, WriteTimeout: -1, MaxRetries: -1})
	t.Cleanup(func() { _ = client.Close() })
	q := mustOpenQueueWith(t, client, storagememory.New().DeadLetters())

	for i := range 2 {
		ctx, cancel := context.WithTimeout(context.Background(), 100*time.Millisecond)
		done := make(chan error, 1)
		go func() {
			_, err := q.Depth(ctx)
			done <- err
		}()
		select {
		case err := <-done:
			if coach.ErrorCode(err) != coach.ECANCELED || !errors.Is(err, context.DeadlineExceeded) {
				t.Errorf("Depth %d against a silent server = %v, want ECANCELED wrapping the deadline", i+1, err)
			}
		case <-time.After(30 * time.Second): // a deadline for a hang
			t.Fatalf("Depth %d did not return after its context ended", i+1)
		}
		cancel()
	}
}
