package redis

import (
	"context"
	"strings"

	"github.com/go-redis/redis_rate/v10"
	goredis "github.com/redis/go-redis/v9"

	"github.com/tradecoach/coach"
)

// DefaultPrefix is the key prefix used when Config.Prefix is empty.
const DefaultPrefix = "coach:"

// Config configures a Store. Addr, Username, Password and DB are used by Open only; New takes
// an existing client and uses Prefix alone.
type Config struct {
	// Addr is the server's host:port (Open only; default "127.0.0.1:6379").
	Addr string
	// Username and Password authenticate with the server (Open only; optional).
	Username string
	Password string
	// DB is the database number (Open only; default 0).
	DB int
	// Prefix starts every key this store writes (default DefaultPrefix). Two stores with
	// different prefixes never see each other's keys.
	Prefix string
}

// withDefaults returns c with empty fields set to their defaults.
func (c Config) withDefaults() Config {
	if c.Addr == "" {
		c.Addr = "127.0.0.1:6379"
	}
	if c.Prefix == "" {
		c.Prefix = DefaultPrefix
	}
	return c
}

// Validate reports the first field out of range, by its name.
func (c Config) Validate() error {
	if c.DB < 0 {
		return coach.Errorf(coach.EINVALID, "redis: DB must not be negative, got %d", c.DB)
	}
	if strings.ContainsAny(c.Prefix, "*?[]\\ \t\r\n") {
		return coach.Errorf(coach.EINVALID, "redis: Prefix %q must not contain glob characters or spaces", c.Prefix)
	}
	return nil
}

// Store holds the Redis-backed stores of one deployment: Cache, Idempotency, Nonces,
// RateLimiter, WeightBudget and Leases, all under one key prefix. It is safe for concurrent use.
type Store struct {
	client goredis.UniversalClient
	owned  bool // Close closes client: Open made it
	prefix string

	cache   *Cache
	idem    *Idempotency
	nonces  *Nonces
	limiter *RateLimiter
	budget  *WeightBudget
	leases  *Leases
}

// New returns a Store over client, which stays the caller's to close. Only cfg.Prefix is used.
func New(client goredis.UniversalClient, cfg Config) (*Store, error) {
	cfg = cfg.withDefaults()
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	if client == nil {
		return nil, coach.Errorf(coach.EINVALID, "redis: client is nil")
	}
	s := &Store{client: client, prefix: cfg.Prefix}
	index := userIndex{client: client, prefix: cfg.Prefix}
	s.cache = &Cache{client: client, prefix: cfg.Prefix + "cache:", index: index}
	s.idem = &Idempotency{client: client, prefix: cfg.Prefix + "idem:", index: index}
	s.nonces = &Nonces{client: client, prefix: cfg.Prefix + "nonce:"}
	s.limiter = &RateLimiter{limiter: redis_rate.NewLimiter(client), prefix: cfg.Prefix + "rate:", index: index}
	s.budget = &WeightBudget{client: client, prefix: cfg.Prefix + "budget:"}
	s.leases = &Leases{client: client, prefix: cfg.Prefix + "lease:", index: index}
	return s, nil
}

// Open connects to the server at cfg.Addr, checks that it answers (EUNAVAILABLE otherwise) and
// returns a Store that closes the connection on Close. Every call honours its context's deadline.
func Open(ctx context.Context, cfg Config) (*Store, error) {
	cfg = cfg.withDefaults()
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	client := goredis.NewClient(&goredis.Options{
		Addr:     cfg.Addr,
		Username: cfg.Username,
		Password: cfg.Password,
		DB:       cfg.DB,
		// Honour the deadlines of callers' contexts, not only the socket timeouts.
		ContextTimeoutEnabled: true,
	})
	if err := client.Ping(ctx).Err(); err != nil {
		_ = client.Close()
		return nil, formatError("ping", err)
	}
	s, err := New(client, cfg)
	if err != nil {
		_ = client.Close()
		return nil, err
	}
	s.owned = true
	return s, nil
}

// Cache returns the storage.Cache of this store.
func (s *Store) Cache() *Cache { return s.cache }

// Idempotency returns the storage.Idempotency of this store.
func (s *Store) Idempotency() *Idempotency { return s.idem }

// Nonces returns the storage.Nonces of this store.
func (s *Store) Nonces() *Nonces { return s.nonces }

// RateLimiter returns the storage.RateLimiter of this store.
func (s *Store) RateLimiter() *RateLimiter { return s.limiter }

// WeightBudget returns the storage.WeightBudget of this store: every Store on the same server and
// prefix shares its budgets.
func (s *Store) WeightBudget() *WeightBudget { return s.budget }

// Leases returns the storage.Leases of this store: every Store on the same server and prefix
// sees the same leases.
func (s *Store) Leases() *Leases { return s.leases }

// Prefix returns the key prefix of this store.
func (s *Store) Prefix() string { return s.prefix }

// KeyPatterns returns SCAN MATCH patterns that together match every key this store writes —
// for tools and tests that must find or remove exactly this store's keys. (redis_rate puts its
// own "rate:" in front of the keys it is given, so rate-limit keys do not start with Prefix.)
func (s *Store) KeyPatterns() []string {
	return []string{s.prefix + "*", redisRatePrefix + s.prefix + "*"}
}

// redisRatePrefix is the prefix redis_rate adds to every key it is given.
const redisRatePrefix = "rate:"

// Close closes the connection if Open made it; a Store made by New leaves its client open.
func (s *Store) Close() error {
	if !s.owned {
		return nil
	}
	if err := s.client.Close(); err != nil {
		return formatError("close", err)
	}
	return nil
}
