package smtp

import (
	"context"
	"crypto/tls"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/mail"
	"strconv"

	"github.com/emersion/go-sasl"
	gosmtp "github.com/emersion/go-smtp"

	"github.com/tradecoach/coach"
	"github.com/tradecoach/coach/transport"
)

var _ transport.Mailer = (*Mailer)(nil)

// Mailer is a transport.Mailer over an SMTP relay. Build it with New; a Mailer not built by New
// refuses every message with EINVALID. Safe for concurrent use: each Send has its own connection.
type Mailer struct {
	cfg Config // Password cleared: it lives behind auth only
	// auth makes the AUTH PLAIN client; nil sends no AUTH. The credentials live only in its
	// closure, so that even fmt's printing of a Mailer's raw fields (a bad verb, a copy in an
	// unexported field) shows a function's address, never the password.
	auth     func() sasl.Client
	password bool // whether auth carries a password, for String
	from     *mail.Address
	addr     string
}

// New returns a Mailer, or EINVALID naming the first missing or invalid field of cfg. It does not
// connect: a relay that is down shows at Send, as EUNAVAILABLE.
func New(cfg Config) (*Mailer, error) {
	cfg, from, err := cfg.withDefaults()
	if err != nil {
		return nil, err
	}
	var auth func() sasl.Client
	if user, pass := cfg.Username, cfg.Password; user != "" {
		auth = func() sasl.Client { return sasl.NewPlainClient("", user, pass) }
	}
	hasPassword := cfg.Password != ""
	cfg.Password = ""
	return &Mailer{cfg: cfg, auth: auth, password: hasPassword, from: from, addr: net.JoinHostPort(cfg.Host, strconv.Itoa(cfg.Port))}, nil
}

// Send submits m to the relay (see transport.Mailer and the package doc for the errors). It
// returns nil once the relay has accepted the message (250 after DATA); the closing QUIT is not
// waited on.
func (s *Mailer) Send(ctx context.Context, m transport.Mail) error {
	if s == nil || s.from == nil {
		return coach.Errorf(coach.EINVALID, "smtp: Mailer not constructed; use smtp.New")
	}
	if ce, ok := coach.ContextError(ctx.Err()); ok {
		return ce
	}
	if err := m.Validate(); err != nil {
		return err
	}
	if err := checkHeaders(m); err != nil {
		return err
	}
	msg, err := compose(m, s.from, s.cfg.Clock.Now())
	if err != nil {
		return err
	}
	sendCtx, cancel := context.WithTimeout(ctx, s.cfg.Timeout)
	defer cancel()
	st := stage("connect")
	err = s.send(sendCtx, &st, m.To, msg)
	return formatError(ctx, sendCtx, st, err)
}

// stage names the step of a Send an error came from.
type stage string

// send runs one SMTP session: dial, secure, sign in, MAIL, RCPT, DATA. *st follows its steps so
// that an error can say where it happened. ctx ending closes the connection, which ends any
// step that is waiting on the relay.
func (s *Mailer) send(ctx context.Context, st *stage, to string, msg []byte) error {
	conn, err := s.dial(ctx)
	if err != nil {
		return err
	}
	stop := context.AfterFunc(ctx, func() { _ = conn.Close() })
	defer stop()
	var c *gosmtp.Client
	if s.cfg.TLS == StartTLS {
		*st = "starttls"
		if c, err = gosmtp.NewClientStartTLS(conn, s.tlsConfig()); err != nil {
			_ = conn.Close()
			return err
		}
	} else {
		c = gosmtp.NewClient(conn)
	}
	defer func() { _ = c.Close() }()
	c.CommandTimeout, c.SubmissionTimeout = s.cfg.Timeout, s.cfg.Timeout
	*st = "hello"
	if err := c.Hello(s.cfg.LocalName); err != nil {
		return err
	}
	if s.auth != nil {
		*st = "auth"
		if err := c.Auth(s.auth()); err != nil {
			return err
		}
	}
	*st = "mail"
	if err := c.Mail(s.from.Address, nil); err != nil {
		return err
	}
	*st = "rcpt"
	if err := c.Rcpt(to, nil); err != nil {
		return err
	}
	*st = "data"
	w, err := c.Data()
	if err != nil {
		return err
	}
	if _, err := w.Write(msg); err != nil {
		return err
	}
	if err := w.Close(); err != nil {
		return err
	}
	*st = "quit"
	_ = c.Quit() // accepted already: a failed QUIT loses nothing
	return nil
}

// dial connects to the relay, in TLS from the first byte for ImplicitTLS.
func (s *Mailer) dial(ctx context.Context) (net.Conn, error) {
	d := &net.Dialer{}
	if s.cfg.TLS == ImplicitTLS {
		return (&tls.Dialer{NetDialer: d, Config: s.tlsConfig()}).DialContext(ctx, "tcp", s.addr)
	}
	return d.DialContext(ctx, "tcp", s.addr)
}

// tlsConfig returns the TLS configuration of one connection: a clone of Config.TLSConfig with
// ServerName defaulting to Host and at least TLS 1.2.
func (s *Mailer) tlsConfig() *tls.Config {
	c := &tls.Config{MinVersion: tls.VersionTLS12}
	if s.cfg.TLSConfig != nil {
		c = s.cfg.TLSConfig.Clone()
		if c.MinVersion < tls.VersionTLS12 {
			c.MinVersion = tls.VersionTLS12
		}
	}
	if c.ServerName == "" {
		c.ServerName = s.cfg.Host
	}
	return c
}

// String describes the Mailer by its configuration, without the password (shown as
// "[redacted]" when there is one).
func (s *Mailer) String() string {
	if s == nil {
		return "smtp.Mailer(nil)"
	}
	cfg := s.cfg
	if s.password {
		cfg.Password = "x" // String shows only that there is one
	}
	return "smtp.Mailer{" + cfg.String() + "}"
}

// GoString is String, so that %#v hides the password too.
func (s *Mailer) GoString() string { return s.String() }

// Format writes String for every verb and flag.
func (s *Mailer) Format(f fmt.State, _ rune) {
	if f != nil {
		_, _ = io.WriteString(f, s.String())
	}
}

// LogValue makes log/slog record the Mailer without its password.
func (s *Mailer) LogValue() slog.Value { return slog.StringValue(s.String()) }

// MarshalJSON writes String: a Mailer is never serialized with its password.
func (s *Mailer) MarshalJSON() ([]byte, error) { return []byte(strconv.Quote(s.String())), nil }
