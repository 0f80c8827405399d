// Package redis implements tradecoach's short-lived stores on Redis with
// github.com/redis/go-redis/v9: storage.Cache, storage.Idempotency, storage.Nonces and
// storage.RateLimiter (GCRA, via github.com/go-redis/redis_rate/v10). The event bus on Redis
// pub/sub is in transport/redis.
//
// Every key this package writes is namespaced by Config.Prefix and carries a TTL, so several
// deployments (or tests) can share one Redis database and nothing is kept forever. Each
// operation touches exactly one key, so the stores also work on Redis Cluster.
//
// Driver errors are translated in one place: an unreachable or overloaded server is
// coach.EUNAVAILABLE (keeping the driver's error as its cause), an ended context
// coach.ECANCELED, anything else unexpected is coach.EINTERNAL with a stack.
package redis
