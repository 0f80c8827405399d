// Package demo seeds the reference host's in-memory store with a demo trader: a user, a demo
// broker connection over a deterministic persona's market and fills ending today, and the
// import job that brings their history in, so `refhost all` shows a scored history at once.
package demo

import (
	"context"
	"time"

	"github.com/tradecoach/coach"
	"github.com/tradecoach/coach/broker"
	"github.com/tradecoach/coach/broker/brokertest"
	"github.com/tradecoach/coach/jobs"
	"github.com/tradecoach/coach/storage"
	"github.com/tradecoach/coach/transport"
)

// Email is the demo trader's address.
const Email = "demo@tradecoach.example"

// Days is how many days of history the demo trader has.
const Days = 30

// Market returns the demo persona of seed with a market of Days days that ends at the last UTC
// midnight before now, so that its fills are recent and none is in the future.
func Market(seed int64, now time.Time) (*brokertest.Demo, error) {
	end := now.UTC().Truncate(24 * time.Hour)
	return brokertest.NewDemo(seed, brokertest.DemoOptions{Start: end.AddDate(0, 0, -Days), Days: Days})
}

// Brokers gives the demo market as the broker of every demo connection; connections to any other
// broker are refused with EUNAVAILABLE (refhost/brokers serves Coinbase and Binance, and asks this
// for the rest).
func Brokers(d *brokertest.Demo) jobs.Brokers {
	return jobs.BrokersFunc(func(_ context.Context, c coach.BrokerConnection) (broker.Broker, error) {
		if c.Broker != coach.BrokerDemo {
			return nil, coach.Errorf(coach.EUNAVAILABLE, "broker %s: not served by this host yet", c.Broker)
		}
		return d, nil
	})
}

// Seed creates the demo trader and their demo connection in store and enqueues the import of
// their whole history; the import job then asks for scoring, and the scoring for the digests of
// the past weeks the history covers (built, not mailed: jobs.Config.DigestBackfill), so the
// Digest page and the dashboard's P/L by label are filled in from the start. It returns the trader, who signs in
// with the password behind passwordHash (an Argon2id PHC string; "" for a trader nobody can sign
// in as).
func Seed(ctx context.Context, store storage.Store, q transport.Queue, d *brokertest.Demo, now time.Time, passwordHash string) (coach.User, error) {
	user := coach.User{ID: coach.NewID(), Email: Email, PasswordHash: passwordHash, CreatedAt: now, TimeZone: "Europe/Berlin", ReportingCurrency: "USD"}
	conn := coach.BrokerConnection{ID: coach.NewID(), UserID: user.ID, Broker: coach.BrokerDemo, Status: coach.ConnectionActive,
		Scope: "read", AccessEnc: []byte("demo: no credential"), CreatedAt: now}
	if err := store.Users().Create(ctx, user); err != nil {
		return coach.User{}, err
	}
	if err := store.Connections().Create(ctx, conn); err != nil {
		return coach.User{}, err
	}
	j, err := jobs.ImportJob(jobs.ImportPayload{UserID: user.ID, ConnectionID: conn.ID, WindowStart: d.Start(), WindowEnd: d.End()})
	if err != nil {
		return coach.User{}, err
	}
	if _, err := q.Enqueue(ctx, j); err != nil {
		return coach.User{}, err
	}
	return user, nil
}
