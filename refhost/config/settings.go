package config

import (
	"encoding/hex"
	"flag"
	"fmt"
	"log/slog"
	"strconv"
	"strings"
	"time"

	"github.com/tradecoach/coach"
)

// MinKeyBytes is the shortest secret key (InternalKey, LogKey) the host accepts.
const MinKeyBytes = 32

// KEKBytes is the size of the key-encryption key (AES-256).
const KEKBytes = 32

// Setting is one configuration value: its flag (none for a secret, which only an environment
// variable may carry, so it never shows in a process listing), its environment variable, its
// default and what it means.
type Setting struct {
	Flag    string
	Env     string
	Default string
	Usage   string
	set     func(c *Config, v string) error
}

// Settings lists every setting in the order of the README's table.
func Settings() []Setting {
	return []Setting{
		{"edge-addr", "REFHOST_EDGE_ADDR", "127.0.0.1:8082", "address of the public edge (S2): the API, /ws/coach and pages", str(func(c *Config) *string { return &c.EdgeAddr })},
		{"edge-metrics-addr", "REFHOST_EDGE_METRICS_ADDR", "", "private address where an edge serves /metrics (with /healthz and /readyz) for a Prometheus inside the deployment; empty serves none (the edge's public address never does)", str(func(c *Config) *string { return &c.EdgeMetricsAddr })},
		{"edge-limit-scale", "REFHOST_EDGE_LIMIT_SCALE", "1", "multiplies every edge rate limit (requests, logins, sign-ups per address and per user); raise it only for a load run from one address", num(func(c *Config) *int { return &c.EdgeLimitScale })},
		{"core-addr", "REFHOST_CORE_ADDR", "127.0.0.1:8083", "address of the core API (S3)", str(func(c *Config) *string { return &c.CoreAddr })},
		{"public-url", "REFHOST_PUBLIC_URL", "", "base URL clients reach the host at, for download links; empty means http:// and the core address", str(func(c *Config) *string { return &c.PublicURL })},
		{"core-url", "REFHOST_CORE_URL", "", "base URL the edge calls core at; empty means http:// and the core address", str(func(c *Config) *string { return &c.CoreURL })},
		{"web-addr", "REFHOST_WEB_ADDR", "127.0.0.1:8081", "address of the web pages (S1) when run as their own stack (`refhost web`)", str(func(c *Config) *string { return &c.WebAddr })},
		{"web-url", "REFHOST_WEB_URL", "", "base URL the edge passes page requests to (a `refhost web` stack); empty serves pages in the edge's process under `all`, a placeholder from a split edge", str(func(c *Config) *string { return &c.WebURL })},
		{"worker-addr", "REFHOST_WORKER_ADDR", "127.0.0.1:8084", "address of the worker's health and metrics (S4)", str(func(c *Config) *string { return &c.WorkerAddr })},
		{"aicoach-addr", "REFHOST_AICOACH_ADDR", "127.0.0.1:8085", "address of the AI-coach service (S5)", str(func(c *Config) *string { return &c.AIcoachAddr })},
		{"postgres-url", "REFHOST_POSTGRES_URL", "", "PostgreSQL connection string; empty keeps data in memory", str(func(c *Config) *string { return &c.PostgresURL })},
		{"postgres-schema", "REFHOST_POSTGRES_SCHEMA", "coach", "PostgreSQL schema of the store", str(func(c *Config) *string { return &c.PostgresSchema })},
		{"redis-addr", "REFHOST_REDIS_ADDR", "", "Redis host:port for the queue, bus, caches and limits; empty runs them in the process", str(func(c *Config) *string { return &c.RedisAddr })},
		{"redis-db", "REFHOST_REDIS_DB", "0", "Redis database number", num64(func(c *Config) *int64 { return &c.RedisDB })},
		{"s3-endpoint", "REFHOST_S3_ENDPOINT", "", "S3-compatible endpoint URL; empty means AWS S3", str(func(c *Config) *string { return &c.S3Endpoint })},
		{"s3-bucket", "REFHOST_S3_BUCKET", "", "S3 bucket of the blobs; empty keeps blobs in memory", str(func(c *Config) *string { return &c.S3Bucket })},
		{"s3-region", "REFHOST_S3_REGION", "us-east-1", "S3 region", str(func(c *Config) *string { return &c.S3Region })},
		{"", "REFHOST_S3_ACCESS_KEY_ID", "", "S3 access key id; empty uses the AWS credential chain", str(func(c *Config) *string { return &c.S3AccessKey })},
		{"", "REFHOST_S3_SECRET_ACCESS_KEY", "", "S3 secret access key", secret(func(c *Config) *Secret { return &c.S3SecretKey })},
		{"", "REFHOST_INTERNAL_KEY", "", "hex key (≥ 32 bytes) signing the stacks' internal requests; `all` makes one when empty", key(func(c *Config) *Key { return &c.InternalKey })},
		{"", "REFHOST_EDGE_SECRET", "", "hex key (≥ 32 bytes) the edges share: peppers sessions' ipHash/uaHash, keys CSRF tokens, reset links and idempotency hashes; `all` makes one when empty", key(func(c *Config) *Key { return &c.EdgeSecret })},
		{"", "REFHOST_ERASURE_KEY", "", "hex key (≥ 32 bytes) of the pseudonym in erasure records; stable across restarts; `all` on memory makes one when empty", key(func(c *Config) *Key { return &c.ErasureKey })},
		{"aicoach-url", "REFHOST_AICOACH_URL", "", "base URL of the AI-coach service the worker scores through and core asks the coach's answers of; empty does both in the process", str(func(c *Config) *string { return &c.AIcoachURL })},
		{"chat-model-url", "REFHOST_CHAT_MODEL_URL", "", "base URL of an OpenAI-compatible chat-completions server (…/v1) the aicoach stack asks the coach's answers of; empty answers deterministically", str(func(c *Config) *string { return &c.ChatModelURL })},
		{"chat-model", "REFHOST_CHAT_MODEL", "", "model name sent to that server", str(func(c *Config) *string { return &c.ChatModel })},
		{"", "REFHOST_CHAT_MODEL_KEY", "", "API key of that server (aicoach stack only; never logged); empty sends none", secret(func(c *Config) *Secret { return &c.ChatModelKey })},
		{"chat-daily-questions", "REFHOST_CHAT_DAILY_QUESTIONS", "50", "questions a user may ask the coach per UTC day; 0 for no bound", count(func(c *Config) *int { return &c.ChatDailyQuestions })},
		{"chat-per-minute", "REFHOST_CHAT_PER_MINUTE", "6", "questions a user may ask the coach per minute; 0 for no bound", count(func(c *Config) *int { return &c.ChatPerMinute })},
		{"", "REFHOST_KEK", "", "hex key (32 bytes) wrapping the keys that seal broker credentials; core and worker share it; `all` makes one when empty (credentials then do not outlive the process)", kek},
		{"", "REFHOST_KMS_KEY_ID", "", "AWS KMS key (ARN, id or alias) that wraps the keys sealing broker credentials instead of REFHOST_KEK; with both set, KMS wraps new keys and what REFHOST_KEK sealed still opens; empty keeps the local key", str(func(c *Config) *string { return &c.KMSKeyID })},
		{"", "REFHOST_KMS_PREVIOUS_KEY_IDS", "", "retired AWS KMS keys, comma-separated, under which sealed credentials still open", str(func(c *Config) *string { return &c.KMSPreviousKeyIDs })},
		{"kms-region", "REFHOST_KMS_REGION", "", "region of the KMS keys; empty uses the AWS configuration chain's (AWS_REGION, shared config)", str(func(c *Config) *string { return &c.KMSRegion })},
		{"kms-endpoint", "REFHOST_KMS_ENDPOINT", "", "KMS endpoint URL; empty means AWS's (credentials from the AWS chain: environment, shared files, instance or task role)", str(func(c *Config) *string { return &c.KMSEndpoint })},
		{"coinbase-api-url", "REFHOST_COINBASE_API_URL", "https://api.coinbase.com", "Coinbase Advanced Trade API host", str(func(c *Config) *string { return &c.CoinbaseAPIURL })},
		{"coinbase-oauth-url", "REFHOST_COINBASE_OAUTH_URL", "https://login.coinbase.com", "Coinbase OAuth2 host (/oauth2/auth, /oauth2/token, /oauth2/revoke)", str(func(c *Config) *string { return &c.CoinbaseOAuthURL })},
		{"coinbase-client-id", "REFHOST_COINBASE_CLIENT_ID", "", "Coinbase OAuth client id; empty offers no Coinbase linking", str(func(c *Config) *string { return &c.CoinbaseClientID })},
		{"", "REFHOST_COINBASE_CLIENT_SECRET", "", "Coinbase OAuth client secret", secret(func(c *Config) *Secret { return &c.CoinbaseClientSecret })},
		{"coinbase-redirect-url", "REFHOST_COINBASE_REDIRECT_URL", "", "where Coinbase sends the user back after consent (the edge's callback URL)", str(func(c *Config) *string { return &c.CoinbaseRedirectURL })},
		{"binance-api-url", "REFHOST_BINANCE_API_URL", "https://api.binance.com", "Binance Spot REST host", str(func(c *Config) *string { return &c.BinanceAPIURL })},
		{"smtp-host", "REFHOST_SMTP_HOST", "", "SMTP relay that sends mail (weekly digests to users who opt in, password-reset links); empty keeps mail in the process, where nothing is delivered", str(func(c *Config) *string { return &c.SMTPHost })},
		{"smtp-port", "REFHOST_SMTP_PORT", "0", "SMTP relay port; 0 means 587 for starttls, 465 for tls, 25 for none", port(func(c *Config) *int { return &c.SMTPPort })},
		{"smtp-tls", "REFHOST_SMTP_TLS", "starttls", "how the relay connection is secured: starttls, tls (from the first byte) or none (a loopback relay only)", smtpTLS},
		{"smtp-username", "REFHOST_SMTP_USERNAME", "", "SMTP AUTH PLAIN user name; empty signs in with no credentials", str(func(c *Config) *string { return &c.SMTPUsername })},
		{"", "REFHOST_SMTP_PASSWORD", "", "SMTP AUTH PLAIN password (never printed or logged)", secret(func(c *Config) *Secret { return &c.SMTPPassword })},
		{"smtp-from", "REFHOST_SMTP_FROM", "", "sender of the host's mail, an address with an optional name (`Coach <coach@example.com>`); required with an SMTP host", str(func(c *Config) *string { return &c.SMTPFrom })},
		{"log-level", "REFHOST_LOG_LEVEL", "info", "lowest level logged: debug, info, warn or error", level},
		{"", "REFHOST_LOG_KEY", "", "hex key (≥ 32 bytes) of the email hashes in logs; one per process when empty", key(func(c *Config) *Key { return &c.LogKey })},
		{"shutdown-timeout", "REFHOST_SHUTDOWN_TIMEOUT", "20s", "how long shutdown drains requests, WebSockets and jobs", dur(func(c *Config) *time.Duration { return &c.ShutdownTimeout })},
		{"worker-concurrency", "REFHOST_WORKER_CONCURRENCY", "10", "jobs a worker runs at once", num(func(c *Config) *int { return &c.WorkerConcurrency })},
		{"import-lease-ttl", "REFHOST_IMPORT_LEASE_TTL", "2m", "how long a connection's import lease outlives a worker that died importing it (a running import extends it every third of it); another worker resumes the import after it, from the last page stored; at least 1s", dur(func(c *Config) *time.Duration { return &c.ImportLeaseTTL })},
		{"demo", "REFHOST_DEMO", "true", "seed a demo trader with a demo broker connection at start (in-memory store only)", boolean(func(c *Config) *bool { return &c.Demo })},
		{"demo-seed", "REFHOST_DEMO_SEED", "42", "persona seed of the demo trader", num64(func(c *Config) *int64 { return &c.DemoSeed })},
		{"webhooks-loopback", "REFHOST_WEBHOOKS_LOOPBACK", "false", "test mode of webhooks: allow http and loopback receivers (never in production)", boolean(func(c *Config) *bool { return &c.WebhooksLoopback })},
		{"webhook-delivery-retention", "REFHOST_WEBHOOK_DELIVERY_RETENTION", "720h", "how long the worker keeps webhook deliveries after they settled (succeeded, or failed for good: replayable until then); one still being retried is never deleted", dur(func(c *Config) *time.Duration { return &c.WebhookDeliveryRetention })},
	}
}

// Load reads the configuration: each setting's default, replaced by its environment variable
// when set (getenv), replaced by its flag when given in args. EINVALID names the setting whose
// value does not parse, or the flag that does not exist.
func Load(name string, args []string, getenv func(string) string) (Config, error) {
	var c Config
	fs := flag.NewFlagSet(name, flag.ContinueOnError)
	fs.SetOutput(new(strings.Builder))
	for _, s := range Settings() {
		if err := s.set(&c, s.Default); err != nil {
			return Config{}, coach.Errorf(coach.EINTERNAL, "config: default of %s: %v", s.Env, err)
		}
		if v := getenv(s.Env); v != "" {
			if err := s.set(&c, v); err != nil {
				return Config{}, coach.Errorf(coach.EINVALID, "config: %s: %v", s.Env, err)
			}
		}
		if s.Flag != "" {
			set := s.set
			fs.Func(s.Flag, s.Usage, func(v string) error { return set(&c, v) })
		}
	}
	if err := fs.Parse(args); err != nil {
		return Config{}, coach.Errorf(coach.EINVALID, "config: %v", err)
	}
	if fs.NArg() > 0 {
		return Config{}, coach.Errorf(coach.EINVALID, "config: unexpected argument %q", fs.Arg(0))
	}
	return c, nil
}

// Markdown is the README's table of the settings.
func Markdown() string {
	var b strings.Builder
	b.WriteString("| flag | environment variable | default | meaning |\n|---|---|---|---|\n")
	for _, s := range Settings() {
		f := "—"
		if s.Flag != "" {
			f = "`-" + s.Flag + "`"
		}
		d := "—"
		if s.Default != "" {
			d = "`" + s.Default + "`"
		}
		fmt.Fprintf(&b, "| %s | `%s` | %s | %s |\n", f, s.Env, d, s.Usage)
	}
	return b.String()
}

func str(field func(*Config) *string) func(*Config, string) error {
	return func(c *Config, v string) error { *field(c) = v; return nil }
}

func key(field func(*Config) *Key) func(*Config, string) error {
	return func(c *Config, v string) error {
		if v == "" {
			*field(c) = nil
			return nil
		}
		b, err := hex.DecodeString(v)
		if err != nil {
			return fmt.Errorf("want hex digits")
		}
		if len(b) < MinKeyBytes {
			return fmt.Errorf("want at least %d bytes (%d hex digits), got %d bytes", MinKeyBytes, 2*MinKeyBytes, len(b))
		}
		*field(c) = b
		return nil
	}
}

// kek reads the key-encryption key: hex of exactly 32 bytes.
func kek(c *Config, v string) error {
	if v == "" {
		c.KEK = nil
		return nil
	}
	b, err := hex.DecodeString(v)
	if err != nil || len(b) != KEKBytes {
		return fmt.Errorf("want %d hex digits (%d bytes)", 2*KEKBytes, KEKBytes)
	}
	c.KEK = b
	return nil
}

func dur(field func(*Config) *time.Duration) func(*Config, string) error {
	return func(c *Config, v string) error {
		d, err := time.ParseDuration(v)
		if err != nil || d <= 0 {
			return fmt.Errorf("want a positive duration such as 20s")
		}
		*field(c) = d
		return nil
	}
}

func num(field func(*Config) *int) func(*Config, string) error {
	return func(c *Config, v string) error {
		n, err := strconv.Atoi(v)
		if err != nil || n < 1 || n > 1000 {
			return fmt.Errorf("want a whole number from 1 to 1000")
		}
		*field(c) = n
		return nil
	}
}

// count reads a whole number from 0 (none, or no bound) to 100000.
func count(field func(*Config) *int) func(*Config, string) error {
	return func(c *Config, v string) error {
		n, err := strconv.Atoi(v)
		if err != nil || n < 0 || n > 100_000 {
			return fmt.Errorf("want a whole number from 0 to 100000")
		}
		*field(c) = n
		return nil
	}
}

func num64(field func(*Config) *int64) func(*Config, string) error {
	return func(c *Config, v string) error {
		n, err := strconv.ParseInt(v, 10, 64)
		if err != nil {
			return fmt.Errorf("want a whole number")
		}
		*field(c) = n
		return nil
	}
}

func boolean(field func(*Config) *bool) func(*Config, string) error {
	return func(c *Config, v string) error {
		b, err := strconv.ParseBool(v)
		if err != nil {
			return fmt.Errorf("want true or false")
		}
		*field(c) = b
		return nil
	}
}

func secret(field func(*Config) *Secret) func(*Config, string) error {
	return func(c *Config, v string) error { *field(c) = Secret(v); return nil }
}

func port(field func(*Config) *int) func(*Config, string) error {
	return func(c *Config, v string) error {
		n, err := strconv.Atoi(v)
		if err != nil || n < 0 || n > 65535 {
			return fmt.Errorf("want a port from 0 to 65535")
		}
		*field(c) = n
		return nil
	}
}

func smtpTLS(c *Config, v string) error {
	switch v {
	case "starttls", "tls", "none":
		c.SMTPTLS = v
		return nil
	}
	return fmt.Errorf("want starttls, tls or none")
}

func level(c *Config, v string) error {
	var l slog.Level
	if err := l.UnmarshalText([]byte(v)); err != nil {
		return fmt.Errorf("want debug, info, warn or error")
	}
	c.LogLevel = l
	return nil
}
