package config_test

import (
	"encoding/hex"
	"log/slog"
	"strings"
	"testing"
	"time"

	"github.com/tradecoach/coach"
	"github.com/tradecoach/coach/internal/secrettest"
	"github.com/tradecoach/coach/refhost/config"
)

func env(m map[string]string) func(string) string { return func(k string) string { return m[k] } }

func TestDefaultsAreInMemory(t *testing.T) {
	c, err := config.Load("refhost", nil, env(nil))
	if err != nil {
		t.Fatal(err)
	}
	if !c.UsesMemory() || !c.Demo || c.DemoSeed != 42 || c.WorkerAddr != "127.0.0.1:8084" || c.ShutdownTimeout != 20*time.Second ||
		c.LogLevel != slog.LevelInfo || c.WorkerConcurrency != 10 || c.PostgresSchema != "coach" || c.WebhookDeliveryRetention != 30*24*time.Hour {
		t.Fatalf("defaults: %+v", c)
	}
}

func TestFlagBeatsEnvironmentBeatsDefault(t *testing.T) {
	key := strings.Repeat("ab", 32)
	c, err := config.Load("refhost", []string{"-redis-addr", "10.0.0.1:6379", "-log-level", "debug"}, env(map[string]string{
		"REFHOST_REDIS_ADDR": "127.0.0.1:6379", "REFHOST_POSTGRES_URL": "postgres://db/x", "REFHOST_INTERNAL_KEY": key,
		"REFHOST_SHUTDOWN_TIMEOUT": "3s",
	}))
	if err != nil {
		t.Fatal(err)
	}
	if c.RedisAddr != "10.0.0.1:6379" || c.PostgresURL != "postgres://db/x" || c.LogLevel != slog.LevelDebug ||
		c.ShutdownTimeout != 3*time.Second || len(c.InternalKey) != 32 || c.UsesMemory() {
		t.Fatalf("config: %+v", c)
	}
}

func TestBadValuesNameTheSetting(t *testing.T) {
	for _, tc := range []struct {
		args []string
		env  map[string]string
		want string
	}{
		{env: map[string]string{"REFHOST_INTERNAL_KEY": "zz"}, want: "REFHOST_INTERNAL_KEY"},
		{env: map[string]string{"REFHOST_INTERNAL_KEY": strings.Repeat("ab", 16)}, want: "at least 32 bytes"},
		{env: map[string]string{"REFHOST_SHUTDOWN_TIMEOUT": "-1s"}, want: "REFHOST_SHUTDOWN_TIMEOUT"},
		{args: []string{"-worker-concurrency", "0"}, want: "worker-concurrency"},
		{args: []string{"-internal-key", "ab"}, want: "internal-key"}, // secrets have no flag
		{args: []string{"extra"}, want: "unexpected argument"},
		{args: []string{"-log-level", "loud"}, want: "log-level"},
	} {
		_, err := config.Load("refhost", tc.args, env(tc.env))
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("Load(%v, %v) = %v, want an error naming %q", tc.args, tc.env, err, tc.want)
		}
	}
}

func TestSecretsHaveNoFlag(t *testing.T) {
	for _, s := range config.Settings() {
		secret := strings.Contains(s.Env, "KEY") || strings.Contains(s.Env, "SECRET") || strings.Contains(s.Env, "PASSWORD")
		if secret && s.Flag != "" {
			t.Errorf("%s has the flag -%s: a secret on the command line shows in process listings", s.Env, s.Flag)
		}
	}
	if !strings.Contains(config.Markdown(), "| — | `REFHOST_INTERNAL_KEY` |") {
		t.Fatalf("the table does not show the internal key as environment-only:\n%s", config.Markdown())
	}
}

// The SMTP password reaches the Config from its variable and never prints with it.
func TestSMTPPasswordNeverPrints(t *testing.T) {
	const pw = "SMTP-relay-password-3b9d"
	env := map[string]string{"REFHOST_SMTP_HOST": "smtp.example.com", "REFHOST_SMTP_PASSWORD": pw, "REFHOST_SMTP_FROM": "coach@example.com"}
	c, err := config.Load("refhost", []string{"-smtp-tls", "tls", "-smtp-port", "465", "-smtp-username", "coach"}, func(k string) string { return env[k] })
	if err != nil {
		t.Fatal(err)
	}
	if c.SMTPPassword.Reveal() != pw || c.SMTPHost != "smtp.example.com" || c.SMTPTLS != "tls" || c.SMTPPort != 465 || c.SMTPUsername != "coach" {
		t.Fatalf("SMTP settings not read: %+v", c)
	}
	secrettest.AssertCallableRedacted(t, [][]byte{[]byte(pw)}, c, c.SMTPPassword, []config.Config{c})
	for _, bad := range []map[string]string{{"REFHOST_SMTP_TLS": "ssl"}, {"REFHOST_SMTP_PORT": "70000"}} {
		if _, err := config.Load("refhost", nil, func(k string) string { return bad[k] }); coach.ErrorCode(err) != coach.EINVALID {
			t.Errorf("Load with %v: %v, want EINVALID", bad, err)
		}
	}
}

// A Config printed, logged or marshalled whole shows none of its keys and secrets.
func TestConfigNeverPrintsItsKeys(t *testing.T) {
	keys := map[string]string{
		"REFHOST_INTERNAL_KEY": strings.Repeat("a1", 32), "REFHOST_EDGE_SECRET": strings.Repeat("b2", 32),
		"REFHOST_ERASURE_KEY": strings.Repeat("c3", 32), "REFHOST_KEK": strings.Repeat("d4", 32), "REFHOST_LOG_KEY": strings.Repeat("e5", 32),
	}
	env := map[string]string{"REFHOST_S3_SECRET_ACCESS_KEY": "S3-secret-access-key-77c1", "REFHOST_COINBASE_CLIENT_SECRET": "coinbase-client-secret-19af",
		"REFHOST_SMTP_PASSWORD": "smtp-password-5b0e", "REFHOST_CHAT_MODEL_KEY": "chat-model-key-0c3d"}
	var secrets [][]byte
	for k, v := range keys {
		env[k] = v
		b, _ := hex.DecodeString(v)
		secrets = append(secrets, b)
	}
	for _, k := range []string{"REFHOST_S3_SECRET_ACCESS_KEY", "REFHOST_COINBASE_CLIENT_SECRET", "REFHOST_SMTP_PASSWORD", "REFHOST_CHAT_MODEL_KEY"} {
		secrets = append(secrets, []byte(env[k]))
	}
	c, err := config.Load("refhost", nil, func(k string) string { return env[k] })
	if err != nil {
		t.Fatal(err)
	}
	if len(c.KEK) != 32 || len(c.InternalKey) != 32 || len(c.LogKey) != 32 || c.S3SecretKey.Reveal() != env["REFHOST_S3_SECRET_ACCESS_KEY"] {
		t.Fatalf("keys not read: %d %d %d", len(c.KEK), len(c.InternalKey), len(c.LogKey))
	}
	secrettest.AssertCallableRedacted(t, secrets, c, c.KEK, c.CoinbaseClientSecret, []config.Config{c})
}
