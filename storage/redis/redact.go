package redis

import (
	"fmt"
	"io"
	"log/slog"
)

// String describes c without its password.
func (c Config) String() string {
	pw := ""
	if c.Password != "" {
		pw = "[redacted]"
	}
	return fmt.Sprintf("redis.Config{Addr:%s Username:%s Password:%s DB:%d Prefix:%s}", c.Addr, c.Username, pw, c.DB, c.Prefix)
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
