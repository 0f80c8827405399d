// Package redis implements transport.Bus on Redis pub/sub with github.com/redis/go-redis/v9:
// Bus carries every user's events to the subscribers of every process (edge instances), so a
// WebSocket relay on one instance hears what the dispatcher published on another.
//
// Pub/sub keeps nothing: a lost connection ends every subscription with EUNAVAILABLE, and the
// subscribers resubscribe and replay from the outbox. Channels are namespaced by
// BusConfig.Prefix, so several deployments (or tests) can share one Redis.
//
// Driver errors are translated in one place: an unreachable or overloaded server is
// coach.EUNAVAILABLE (keeping the driver's error as its cause), an ended context
// coach.ECANCELED, anything else unexpected is coach.EINTERNAL with a stack. The short-lived
// stores on Redis (cache, idempotency keys, nonces, rate limits) are in storage/redis.
package redis
