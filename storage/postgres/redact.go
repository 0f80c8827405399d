package postgres

import (
	"fmt"
	"io"
	"log/slog"
	"net/url"
)

// String describes c with the password of its URL hidden (a key=value connection string, which
// may carry password=…, is hidden whole).
func (c Config) String() string {
	return fmt.Sprintf("postgres.Config{URL:%s Schema:%s MaxConns:%d NoMigrate:%v ApplicationName:%s}",
		redactedURL(c.URL), c.Schema, c.MaxConns, c.NoMigrate, c.ApplicationName)
}

// redactedURL is a postgres:// URL with its password replaced by "xxxxx", or "[redacted]".
func redactedURL(s string) string {
	if s == "" {
		return ""
	}
	u, err := url.Parse(s)
	if err != nil || u.Scheme == "" || u.Host == "" && u.Opaque != "" {
		return "[redacted]"
	}
	q := u.Query()
	if q.Has("password") {
		q.Set("password", "xxxxx")
		u.RawQuery = q.Encode()
	}
	return u.Redacted()
}

// GoString is String, so that %#v hides the password too.
func (c Config) GoString() string { return c.String() }

// Format writes String for every verb and flag.
func (c Config) Format(f fmt.State, _ rune) {
	if f != nil {
		_, _ = io.WriteString(f, c.String())
	}
}

// LogValue makes log/slog record the configuration without its password.
func (c Config) LogValue() slog.Value { return slog.StringValue(c.String()) }

// MarshalJSON writes String: a Config is never serialized with its password.
func (c Config) MarshalJSON() ([]byte, error) { return []byte(fmt.Sprintf("%q", c.String())), nil }
