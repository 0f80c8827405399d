package main

import (
	"bytes"
	"context"
	"net"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/tradecoach/coach"
	"github.com/tradecoach/coach/storage/postgres/postgrestest"
	"github.com/tradecoach/coach/storage/redis/redistest"
)

// output is what a successful run prints: the event as the WebSocket client received it, and the
// host's order read back after the commit.
var output = regexp.MustCompile(`^event received on the WebSocket: shop\.order_placed v1 \{"symbol":"BTC-USD","orderId":"([a-z0-9]+)"\}
order committed: ([a-z0-9]+) BTC-USD
$`)

// checkOutput fails t unless out is one successful run's output about one order.
func checkOutput(t *testing.T, out string) {
	t.Helper()
	m := output.FindStringSubmatch(out)
	if m == nil {
		t.Fatalf("output is not an event and its committed order:\n%s", out)
	}
	if m[1] != m[2] {
		t.Errorf("the event is about order %s, the committed order is %s", m[1], m[2])
	}
}

// TestEmbedDeliversTheEventAndCommitsTheOrder runs the host's flow in process on the test
// Postgres and Redis, twice on the same schemas (the second run finds its user already created).
func TestEmbedDeliversTheEventAndCommitsTheOrder(t *testing.T) {
	pool, schema := postgrestest.MustHostPool(t)
	t.Cleanup(func() { postgrestest.DropTestSchema(t, postgrestest.TestURL(), schema+"_coach") })
	rdb := redistest.MustOpenClient(t)
	prefix := redistest.RandomPrefix()

	for range 2 {
		ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
		var out bytes.Buffer
		err := embed(ctx, &out, pool, rdb, schema, prefix)
		cancel()
		if err != nil {
			t.Fatal(err)
		}
		checkOutput(t, out.String())
	}
	var orders int
	if err := pool.QueryRow(context.Background(), `SELECT count(*) FROM `+schema+`.orders`).Scan(&orders); err != nil {
		t.Fatal(err)
	}
	if orders != 2 {
		t.Errorf("%d orders committed, want 2", orders)
	}
}

// closedAddr returns a loopback address nothing listens on.
func closedAddr(t *testing.T) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	ln.Close()
	return addr
}

// TestEmbedNamesAnUnreachableServer checks that run stops with EUNAVAILABLE naming the server
// that did not answer, by host and port, and never prints the URL's password.
func TestEmbedNamesAnUnreachableServer(t *testing.T) {
	ctx := context.Background()
	pgAddr := closedAddr(t)
	err := run(ctx, &bytes.Buffer{}, options{postgresURL: "postgres://shop:s3cret-pw@" + pgAddr + "/shop", redisAddr: "127.0.0.1:6379", schema: "shop", prefix: "shop:"})
	if coach.ErrorCode(err) != coach.EUNAVAILABLE || !strings.Contains(coach.ErrorMessage(err), "postgres at "+pgAddr+" is unreachable") {
		t.Errorf("unreachable postgres: got %v", err)
	}
	if err != nil && strings.Contains(err.Error(), "s3cret-pw") {
		t.Errorf("the error shows the password: %v", err)
	}

	postgrestest.MustHostPool(t) // the Redis case needs a Postgres that answers
	redisAddr := closedAddr(t)
	err = run(ctx, &bytes.Buffer{}, options{postgresURL: postgrestest.TestURL(), redisAddr: redisAddr, schema: "shop", prefix: "shop:"})
	if coach.ErrorCode(err) != coach.EUNAVAILABLE || !strings.Contains(coach.ErrorMessage(err), "redis at "+redisAddr+" is unreachable") {
		t.Errorf("unreachable redis: got %v", err)
	}

	err = run(ctx, &bytes.Buffer{}, options{postgresURL: postgrestest.TestURL(), schema: "shop; DROP TABLE x"})
	if coach.ErrorCode(err) != coach.EINVALID {
		t.Errorf("schema with SQL in it: got %v, want invalid", err)
	}
}
