// Command embed is tradecoach embedded in a host service, the way the README's "Embedding in your
// service" section describes it: the host opens its own pgxpool and keeps its own table (orders),
// hands the pool to storage/postgres (the coach's tables in a schema of their own), and in one
// host transaction inserts an order and appends a coach event through InExternalTx. The outbox
// dispatcher publishes the committed event to the Redis bus (transport/redis), the WebSocket relay
// (transport/ws) streams it to the user's connections, and a ws.Client receives it.
//
//	go run ./examples/embed                                   # the local test Postgres and Redis
//	go run ./examples/embed -postgres "$DATABASE_URL" -redis 10.0.0.5:6379 -schema shop
//
// It prints the event the WebSocket client received and the committed order, shuts everything
// down, and exits with a clear error (and status 1) when Postgres or Redis cannot be reached.
package main

import (
	"context"
	"crypto/subtle"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"os"
	"regexp"
	"strings"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"
	goredis "github.com/redis/go-redis/v9"

	"github.com/tradecoach/coach"
	"github.com/tradecoach/coach/outbox"
	"github.com/tradecoach/coach/storage"
	"github.com/tradecoach/coach/storage/postgres"
	redisbus "github.com/tradecoach/coach/transport/redis"
	"github.com/tradecoach/coach/transport/ws"
)

// options are the program's flags.
type options struct {
	postgresURL string // the host's database
	redisAddr   string // the Redis the event bus runs on
	schema      string // the host's schema; the coach's tables go in schema+"_coach"
	prefix      string // the Redis channel prefix of the bus
	timeout     time.Duration
}

func main() {
	opt := options{}
	flag.StringVar(&opt.postgresURL, "postgres", envOr("DATABASE_URL", "postgres://postgres@127.0.0.1:5432/test?sslmode=disable"), "PostgreSQL URL (default $DATABASE_URL or the local test server)")
	flag.StringVar(&opt.redisAddr, "redis", envOr("REDIS_ADDR", "127.0.0.1:6379"), "Redis address (default $REDIS_ADDR or the local test server)")
	flag.StringVar(&opt.schema, "schema", "shop", "the host's schema (orders); the coach's tables go in <schema>_coach")
	flag.StringVar(&opt.prefix, "prefix", "shop:", "Redis channel prefix of the event bus")
	flag.DurationVar(&opt.timeout, "timeout", 30*time.Second, "give up after this long")
	flag.Parse()

	ctx, cancel := context.WithTimeout(context.Background(), opt.timeout)
	defer cancel()
	if err := run(ctx, os.Stdout, opt); err != nil {
		if coach.ErrorCode(err) == coach.EINTERNAL {
			fmt.Fprintln(os.Stderr, "embed:", err) // the operator's own program: the cause helps
		} else {
			fmt.Fprintln(os.Stderr, "embed:", coach.ErrorMessage(err))
		}
		os.Exit(1)
	}
}

func envOr(name, def string) string {
	if v := os.Getenv(name); v != "" {
		return v
	}
	return def
}

// schemaName is what -schema accepts: it is spelled into the host's SQL.
var schemaName = regexp.MustCompile(`^[a-z_][a-z0-9_]{0,49}$`)

// run connects to the host's Postgres and Redis and runs embed; an unreachable server is an
// EUNAVAILABLE error that names it by host and port (never with the URL's password).
func run(ctx context.Context, out io.Writer, opt options) error {
	if !schemaName.MatchString(opt.schema) {
		return coach.Errorf(coach.EINVALID, "-schema: want a lower-case identifier of at most 50 characters")
	}
	pgCfg, err := pgxpool.ParseConfig(opt.postgresURL)
	if err != nil {
		return coach.Errorf(coach.EINVALID, "-postgres: not a PostgreSQL URL")
	}
	pgAt := net.JoinHostPort(pgCfg.ConnConfig.Host, fmt.Sprint(pgCfg.ConnConfig.Port))
	pool, err := pgxpool.NewWithConfig(ctx, pgCfg)
	if err != nil {
		return coach.Errorf(coach.EINVALID, "-postgres: %v", err)
	}
	defer pool.Close()
	if err := pool.Ping(ctx); err != nil {
		return coach.Errorf(coach.EUNAVAILABLE, "postgres at %s is unreachable (set -postgres or $DATABASE_URL)", pgAt)
	}

	rdb := goredis.NewClient(&goredis.Options{Addr: opt.redisAddr})
	defer rdb.Close()
	if err := rdb.Ping(ctx).Err(); err != nil {
		return coach.Errorf(coach.EUNAVAILABLE, "redis at %s is unreachable (set -redis or $REDIS_ADDR)", opt.redisAddr)
	}
	return embed(ctx, out, pool, rdb, opt.schema, opt.prefix)
}

// embed is what a host service does with the SDK, given its own pool and Redis client. The parts
// between "readme:begin" and "readme:end" lines are the README's "Embedding in your service"
// snippets, character for character (TestREADMEShowsThisProgram checks it).
func embed(ctx context.Context, out io.Writer, pool *pgxpool.Pool, rdb *goredis.Client, schema, prefix string) error {
	// readme:begin wire
	// The host's own table, in the host's own schema.
	if _, err := pool.Exec(ctx, `CREATE SCHEMA IF NOT EXISTS `+schema+`;
		CREATE TABLE IF NOT EXISTS `+schema+`.orders (id text PRIMARY KEY, user_id text NOT NULL, symbol text NOT NULL)`); err != nil {
		return err
	}

	// The coach on the host's pool: its tables live in a schema of their own, migrated by New.
	db, err := postgres.New(ctx, pool, postgres.Config{Schema: schema + "_coach"})
	if err != nil {
		return err
	}
	defer db.Close() // leaves the host's pool open

	// A host-owned user: the host's id, no email (the host keeps personal data in its own tables).
	userID := "shop-user-42"
	err = db.Users().Create(ctx, coach.User{ID: userID, CreatedAt: time.Now().UTC()})
	if err != nil && coach.ErrorCode(err) != coach.ECONFLICT { // ECONFLICT: created by an earlier run
		return err
	}

	// Outbox dispatcher → Redis bus → WebSocket relay. Logger and Metrics are the hooks every
	// service takes (nil: discard, coach.NopMetrics; metrics/prometheus exports them).
	logger := slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: slog.LevelWarn}))
	bus, err := redisbus.NewBus(rdb, redisbus.BusConfig{Prefix: prefix, Buffer: 64})
	if err != nil {
		return err
	}
	defer bus.Close()
	dispatcher, err := outbox.NewDispatcher(outbox.DispatcherConfig{Store: db, Bus: bus, Logger: logger})
	if err != nil {
		return err
	}
	relay, err := ws.NewRelay(ws.RelayConfig{
		Bus:      bus,
		Replayer: db.Events(), // resuming clients replay from the outbox
		Logger:   logger,
		Authenticate: func(r *http.Request) (string, error) { // the host's own session check
			token, _ := strings.CutPrefix(r.Header.Get("Authorization"), "Bearer ")
			if subtle.ConstantTimeCompare([]byte(token), []byte("token-of-user-42")) != 1 {
				return "", coach.Errorf(coach.EUNAUTHORIZED, "unknown session")
			}
			return userID, nil
		},
	})
	if err != nil {
		return err
	}
	mux := http.NewServeMux()
	mux.Handle(ws.Path, relay) // beside the host's own routes
	// readme:end

	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return err
	}
	defer ln.Close() // after srv.Shutdown: a no-op

	// A client of the relay (a browser does the same with lastEventId).
	ready, received := make(chan struct{}, 1), make(chan coach.Envelope, 1)
	client, err := ws.NewClient(ws.ClientConfig{
		URL:    "ws://" + ln.Addr().String() + ws.Path,
		Header: http.Header{"Authorization": {"Bearer token-of-user-42"}},
		OnReady: func() {
			select {
			case ready <- struct{}{}:
			default:
			}
		},
	})
	if err != nil {
		return err
	}

	srv := &http.Server{Handler: mux, ReadHeaderTimeout: 5 * time.Second}
	go srv.Serve(ln)
	runCtx, stop := context.WithCancel(ctx)
	dispatched := make(chan error, 1)
	go func() { dispatched <- dispatcher.Run(runCtx) }()
	clientDone := make(chan struct{})
	go func() {
		defer close(clientDone)
		_ = client.Run(runCtx, func(ctx context.Context, env coach.Envelope) error {
			select {
			case received <- env:
				return nil
			case <-ctx.Done():
				return ctx.Err()
			}
		})
	}()

	// Once the client is live, place an order; its event must reach the client.
	var env coach.Envelope
	orderID := coach.NewID()
	err = func() error {
		select {
		case <-ready:
		case <-ctx.Done():
			return coach.Errorf(coach.EUNAVAILABLE, "the WebSocket client did not connect")
		}
		eventID, err := placeOrder(ctx, pool, db, schema, userID, orderID)
		if err != nil {
			return err
		}
		dispatcher.Notify()          // publish now rather than at the next poll
		for env.EventID != eventID { // a fresh client may first replay a few earlier events
			select {
			case env = <-received:
			case <-ctx.Done():
				return coach.Errorf(coach.EUNAVAILABLE, "the event did not reach the WebSocket client")
			}
		}
		return nil
	}()

	// Shut down: stop taking connections, close the relay's, stop the client and the dispatcher.
	shutdownCtx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 5*time.Second)
	defer cancel()
	_ = srv.Shutdown(shutdownCtx)
	_ = relay.Shutdown(shutdownCtx)
	stop()
	<-clientDone
	if derr := <-dispatched; err == nil && derr != nil && !errors.Is(derr, context.Canceled) {
		err = derr
	}
	if err != nil {
		return err
	}
	fmt.Fprintf(out, "event received on the WebSocket: %s v%d %s\n", env.Type, env.V, env.Payload)

	var symbol string
	if err := pool.QueryRow(ctx, `SELECT symbol FROM `+schema+`.orders WHERE id = $1`, orderID).Scan(&symbol); err != nil {
		return err
	}
	fmt.Fprintf(out, "order committed: %s %s\n", orderID, symbol)
	return nil
}

// readme:begin order
// placeOrder writes the host's order and the coach event about it in one transaction of the
// host's: both are committed, or neither. It returns the event's id.
func placeOrder(ctx context.Context, pool *pgxpool.Pool, db *postgres.DB, schema, userID, orderID string) (string, error) {
	tx, err := pool.Begin(ctx)
	if err != nil {
		return "", err
	}
	defer tx.Rollback(ctx) // a no-op after Commit
	if _, err := tx.Exec(ctx, `INSERT INTO `+schema+`.orders (id, user_id, symbol) VALUES ($1, $2, 'BTC-USD')`, orderID, userID); err != nil {
		return "", err
	}
	var stored []coach.Event
	err = db.InExternalTx(ctx, tx, func(stx storage.Tx) error { // the coach's unit of work on tx
		e, err := coach.NewEvent(userID, "shop.order_placed", 1, map[string]string{"orderId": orderID, "symbol": "BTC-USD"})
		if err != nil {
			return err
		}
		stored, err = stx.Events().Append(ctx, e)
		return err
	})
	if err != nil {
		return "", err // the deferred Rollback undoes the order too
	}
	return stored[0].ID, tx.Commit(ctx) // the dispatcher publishes the event after the commit
}

// readme:end
