package smtp_test

import (
	"context"
	"testing"

	"github.com/tradecoach/coach"
	"github.com/tradecoach/coach/internal/secrettest"
	"github.com/tradecoach/coach/internal/servicetest"
	"github.com/tradecoach/coach/transport"
	"github.com/tradecoach/coach/transport/smtp"
)

func TestNewRefusesInvalidConfig(t *testing.T) {
	t.Parallel()
	ok := smtp.Config{Host: "smtp.example.com", From: "coach@example.com"}
	if _, err := smtp.New(ok); err != nil {
		t.Fatalf("valid config: %v", err)
	}
	for name, mut := range map[string]func(*smtp.Config){
		"no host":             func(c *smtp.Config) { c.Host = "" },
		"host with port":      func(c *smtp.Config) { c.Host = "smtp.example.com:587" },
		"plain text remote":   func(c *smtp.Config) { c.TLS = smtp.NoTLS },
		"unknown TLS mode":    func(c *smtp.Config) { c.TLS = "ssl3" },
		"port out of range":   func(c *smtp.Config) { c.Port = 70000 },
		"password, no user":   func(c *smtp.Config) { c.Password = "p" },
		"user with newline":   func(c *smtp.Config) { c.Username, c.Password = "u\r\nRCPT", "p" },
		"no from":             func(c *smtp.Config) { c.From = "" },
		"from not an address": func(c *smtp.Config) { c.From = "coach" },
		"from with newline":   func(c *smtp.Config) { c.From = "coach@example.com\r\nBcc: x@y.z" },
		"negative timeout":    func(c *smtp.Config) { c.Timeout = -1 },
	} {
		c := ok
		mut(&c)
		if _, err := smtp.New(c); coach.ErrorCode(err) != coach.EINVALID {
			t.Errorf("%s: New = %v, want EINVALID", name, err)
		}
	}
	for _, host := range []string{"127.0.0.1", "::1", "localhost"} {
		if _, err := smtp.New(smtp.Config{Host: host, TLS: smtp.NoTLS, From: "coach@example.com"}); err != nil {
			t.Errorf("plain text to loopback %s: %v", host, err)
		}
	}
}

func TestZeroValues(t *testing.T) {
	t.Parallel()
	servicetest.ZeroValues(t, []any{(*smtp.Mailer)(nil)})
	var m smtp.Mailer
	if err := m.Send(context.Background(), transport.Mail{}); coach.ErrorCode(err) != coach.EINVALID {
		t.Errorf("zero Mailer: %v, want EINVALID", err)
	}
}

// Neither a Config nor a Mailer ever prints the relay password.
func TestPasswordNeverPrints(t *testing.T) {
	t.Parallel()
	const pw = "SMTPPASS-secret-91af"
	cfg := smtp.Config{Host: "smtp.example.com", Username: "coach", Password: pw, From: "coach@example.com"}
	secrettest.AssertCallableRedacted(t, [][]byte{[]byte(pw)}, cfg, &cfg, []smtp.Config{cfg})
	m, err := smtp.New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	secrettest.AssertRedacted(t, [][]byte{[]byte(pw)}, m, *m)
}
