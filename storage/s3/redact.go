package s3

import (
	"fmt"
	"io"
	"log/slog"
)

// String describes c without its credentials.
func (c Config) String() string {
	key := ""
	if c.AccessKey != "" || c.SecretKey != "" {
		key = "[redacted]"
	}
	return fmt.Sprintf("s3.Config{Endpoint:%s Region:%s Bucket:%s AccessKey:%s SecretKey:%s PathStyle:%v}",
		c.Endpoint, c.Region, c.Bucket, key, key, c.PathStyle)
}

// GoString is String, so that %#v hides the credentials too.
func (c Config) GoString() string { return c.String() }

// Format writes String for every verb and flag.
func (c Config) Format(f fmt.State, _ rune) {
	if f != nil {
		_, _ = io.WriteString(f, c.String())
	}
}

// LogValue makes log/slog record the configuration without its credentials.
func (c Config) LogValue() slog.Value { return slog.StringValue(c.String()) }

// MarshalJSON writes String: a Config is never serialized with its credentials.
func (c Config) MarshalJSON() ([]byte, error) { return []byte(fmt.Sprintf("%q", c.String())), nil }
