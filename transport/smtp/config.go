package smtp

import (
	"crypto/tls"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/mail"
	"strings"
	"time"

	"github.com/tradecoach/coach"
)

// TLSMode is how a connection to the relay is secured.
type TLSMode string

// TLS modes.
const (
	// StartTLS connects in plain text and upgrades with STARTTLS before anything else is sent; a
	// relay that does not offer STARTTLS is EUNAVAILABLE. The default (port 587).
	StartTLS TLSMode = "starttls"
	// ImplicitTLS speaks TLS from the first byte ("SMTPS", port 465).
	ImplicitTLS TLSMode = "tls"
	// NoTLS sends everything, credentials included, in plain text: allowed only when Host is a
	// loopback address or "localhost" (a test server, a local MTA), refused by New otherwise.
	NoTLS TLSMode = "none"
)

// DefaultTimeout bounds one Send when Config.Timeout is zero.
const DefaultTimeout = 30 * time.Second

// Config is what a Mailer needs. Its String, Format, LogValue and MarshalJSON leave Password
// out, so a Config can be printed or logged.
type Config struct {
	// Host is the relay's host name or IP address. Required. It is also the name its
	// certificate must carry (unless TLSConfig sets ServerName).
	Host string
	// Port is the relay's TCP port; 0 means 587 for StartTLS, 465 for ImplicitTLS and 25 for
	// NoTLS.
	Port int
	// TLS is how the connection is secured; "" means StartTLS.
	TLS TLSMode
	// TLSConfig, when set, is cloned for each connection (e.g. RootCAs for a private relay);
	// nil means the system roots. Its MinVersion is raised to TLS 1.2.
	TLSConfig *tls.Config
	// Username and Password sign in with AUTH PLAIN (RFC 4616) after the connection is secured;
	// an empty Username sends no AUTH. A Password without a Username is refused.
	Username string
	Password string
	// From is the sender: a plain address or one with a display name ("Coach
	// <coach@example.com>"). Required. Its address is the envelope sender and its domain the
	// right-hand side of every Message-ID.
	From string
	// LocalName is the name the Mailer gives in EHLO; "" means "localhost".
	LocalName string
	// Timeout bounds one Send, from dialling to the relay's acceptance; 0 means DefaultTimeout.
	Timeout time.Duration
	// Clock dates each message; nil means coach.SystemClock.
	Clock coach.Clock
}

// String describes c without its password.
func (c Config) String() string {
	pw := ""
	if c.Password != "" {
		pw = "[redacted]"
	}
	return fmt.Sprintf("smtp.Config{Host:%s Port:%d TLS:%s Username:%s Password:%s From:%s Timeout:%s}",
		c.Host, c.Port, c.TLS, c.Username, pw, c.From, c.Timeout)
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

// withDefaults returns c with its zero fields defaulted and validates it: EINVALID naming the
// first missing or invalid field.
func (c Config) withDefaults() (Config, *mail.Address, error) {
	if c.TLS == "" {
		c.TLS = StartTLS
	}
	if c.Port == 0 {
		c.Port = map[TLSMode]int{StartTLS: 587, ImplicitTLS: 465, NoTLS: 25}[c.TLS]
	}
	if c.LocalName == "" {
		c.LocalName = "localhost"
	}
	if c.Timeout == 0 {
		c.Timeout = DefaultTimeout
	}
	if c.Clock == nil {
		c.Clock = coach.SystemClock{}
	}
	switch {
	case c.Host == "" || strings.ContainsAny(c.Host, " \r\n/:@") && net.ParseIP(c.Host) == nil:
		return c, nil, coach.Errorf(coach.EINVALID, "smtp: Config.Host: want a host name or IP address")
	case c.TLS != StartTLS && c.TLS != ImplicitTLS && c.TLS != NoTLS:
		return c, nil, coach.Errorf(coach.EINVALID, "smtp: Config.TLS: want %q, %q or %q", StartTLS, ImplicitTLS, NoTLS)
	case c.TLS == NoTLS && !loopback(c.Host):
		return c, nil, coach.Errorf(coach.EINVALID, "smtp: Config.TLS: %q is allowed only for a loopback host", NoTLS)
	case c.Port < 1 || c.Port > 65535:
		return c, nil, coach.Errorf(coach.EINVALID, "smtp: Config.Port: want 1 to 65535")
	case c.Password != "" && c.Username == "":
		return c, nil, coach.Errorf(coach.EINVALID, "smtp: Config.Username: required with a Password")
	case strings.ContainsAny(c.Username+c.Password, "\x00\r\n"):
		return c, nil, coach.Errorf(coach.EINVALID, "smtp: Config.Username, Password: no NUL or line breaks")
	case strings.ContainsAny(c.LocalName, " \r\n"):
		return c, nil, coach.Errorf(coach.EINVALID, "smtp: Config.LocalName: want a host name")
	case c.Timeout < 0:
		return c, nil, coach.Errorf(coach.EINVALID, "smtp: Config.Timeout: negative")
	}
	from, err := mail.ParseAddress(c.From)
	if err != nil || strings.ContainsAny(c.From, "\r\n") || !strings.Contains(from.Address, "@") {
		return c, nil, coach.Errorf(coach.EINVALID, "smtp: Config.From: want an address")
	}
	return c, from, nil
}

// loopback reports whether host names this machine: "localhost" or a loopback IP address.
func loopback(host string) bool {
	if strings.EqualFold(host, "localhost") {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}
