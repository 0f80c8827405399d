// Package config reads the reference host's configuration from flags and environment variables:
// one table of settings (Settings) that registers the flags, reads the variables and writes the
// README's table, so the three never disagree.
package config

import (
	"log/slog"
	"time"
)

// Config is the reference host's configuration. Empty adapter settings mean the in-memory
// adapters: no PostgresURL keeps data in memory, no RedisAddr runs the queue, bus and caches in
// the process, no S3Bucket keeps blobs in memory.
type Config struct {
	// Addresses each stack listens on (host:port). Port 0 picks a free port.
	EdgeAddr, CoreAddr, WorkerAddr, AIcoachAddr, WebAddr string
	// EdgeMetricsAddr, when set, is a private address where an edge serves /metrics (the edge's
	// public address never does), so that a split deployment's API and delivery objectives can
	// be scraped.
	EdgeMetricsAddr string
	// CoreURL is where the edge (and a separate web stack) calls core; empty means http:// and
	// CoreAddr.
	CoreURL string
	// WebURL is where the edge passes page requests to a separate web stack (`refhost web`);
	// empty serves the pages in the edge's process under `all`, and a placeholder page from a
	// split edge.
	WebURL string
	// PublicURL is the base URL clients reach the host at, for the links it mints.
	PublicURL string

	// PostgresURL and PostgresSchema select the Postgres store.
	PostgresURL, PostgresSchema string
	// RedisAddr selects the Redis queue (asynq), bus, caches and limits; RedisDB is the database.
	RedisAddr string
	RedisDB   int64
	// S3Endpoint, S3Bucket, S3Region and the static credentials select the S3 blob store.
	S3Endpoint, S3Bucket, S3Region string
	S3AccessKey                    string
	S3SecretKey                    Secret

	// InternalKey signs the internal requests between the stacks (edge → core, worker → aicoach).
	// AIcoachURL is where the worker (scoring) and core (the coach's answers) reach the aicoach
	// stack; empty does both in the process.
	InternalKey Key
	AIcoachURL  string
	// EdgeSecret is the edges' shared secret: it peppers the sessions' ipHash and uaHash and keys
	// the CSRF tokens, password-reset links and idempotency hashes.
	EdgeSecret Key
	// EdgeLimitScale multiplies every rate limit of the edge (1: edge.DefaultLimits). A load run
	// from one address raises it; a deployment keeps 1.
	EdgeLimitScale int

	// ChatModelURL, ChatModel and ChatModelKey name the OpenAI-compatible chat-completions
	// server the coach's answers are written by: the aicoach stack (or `all`) calls it, and only
	// its configuration needs the key. Empty ChatModelURL answers deterministically.
	// ChatDailyQuestions and ChatPerMinute bound each user's questions (core).
	ChatModelURL, ChatModel           string
	ChatModelKey                      Secret
	ChatDailyQuestions, ChatPerMinute int

	// ErasureKey keys the pseudonym that names an erased user in the record of their erasure.
	ErasureKey Key
	// KEK is the key-encryption key (32 bytes) that wraps the data keys sealing broker
	// credentials; core and worker must share it.
	KEK Key
	// KMSKeyID, when set, is the AWS KMS key (ARN, id or alias) that wraps new data keys instead
	// of KEK; KEK, when also set, stays a previous key whose envelopes still open.
	KMSKeyID string
	// KMSPreviousKeyIDs are retired KMS keys (comma-separated) whose envelopes still open.
	KMSPreviousKeyIDs string
	// KMSRegion is the KMS key's region; empty uses the AWS configuration chain's.
	KMSRegion string
	// KMSEndpoint, when set, replaces KMS's endpoint (a VPC endpoint, a local KMS).
	KMSEndpoint string
	// CoinbaseAPIURL and CoinbaseOAuthURL are Coinbase's API and OAuth hosts (the OAuth paths
	// /oauth2/auth, /oauth2/token and /oauth2/revoke are under CoinbaseOAuthURL); BinanceAPIURL is
	// Binance's REST host. Tests point them at fake servers.
	CoinbaseAPIURL, CoinbaseOAuthURL, BinanceAPIURL string
	// CoinbaseClientID, CoinbaseClientSecret and CoinbaseRedirectURL are the OAuth application;
	// linking Coinbase is offered only when all three are set.
	CoinbaseClientID, CoinbaseRedirectURL string
	CoinbaseClientSecret                  Secret

	// SMTPHost, SMTPPort and SMTPTLS ("starttls", "tls" or "none") select the relay that sends
	// mail, SMTPUsername and SMTPPassword sign in to it, and SMTPFrom is the sender. An empty
	// SMTPHost keeps mail in the process (transport/memory's Mailbox).
	SMTPHost     string
	SMTPPort     int
	SMTPTLS      string
	SMTPUsername string
	SMTPPassword Secret
	SMTPFrom     string

	// LogLevel is the lowest level logged; LogKey keys the email hashes in the logs.
	LogLevel slog.Level
	LogKey   Key

	// ShutdownTimeout bounds the drain of HTTP servers, WebSockets and workers at shutdown.
	ShutdownTimeout time.Duration
	// WorkerConcurrency is how many jobs a worker runs at once.
	WorkerConcurrency int
	// ImportLeaseTTL is how long a connection's import lease outlives a worker that died holding
	// it (broker.ImporterConfig.LeaseTTL): until then no other worker imports the connection.
	ImportLeaseTTL time.Duration
	// Demo seeds a demo trader (persona DemoSeed) with a demo broker connection at start.
	Demo     bool
	DemoSeed int64
	// WebhooksLoopback is the webhooks' test mode: http and loopback receivers are allowed
	// (webhook.ClientConfig.AllowLoopback). Never in production.
	WebhooksLoopback bool
	// WebhookDeliveryRetention is how long webhook deliveries are kept after they settled
	// (jobs.RetentionConfig.WebhookDeliveries).
	WebhookDeliveryRetention time.Duration
}

// UsesMemory reports whether no external service is configured: every adapter is in memory.
func (c Config) UsesMemory() bool {
	return c.PostgresURL == "" && c.RedisAddr == "" && c.S3Bucket == ""
}
