package main

import (
	"context"
	"fmt"
	"io"
	"regexp"
	"sync"

	"github.com/tradecoach/coach/transport"
	transportmemory "github.com/tradecoach/coach/transport/memory"
)

// links finds the links of an account mail (sign-up, reset).
var links = regexp.MustCompile(`https?://\S+`)

// accountMailer is the mailer of the edge: m, or with the in-memory mailbox, m behind a
// consoleMailer.
func accountMailer(m transport.Mailer, out io.Writer) transport.Mailer {
	if _, ok := m.(*transportmemory.Mailbox); ok {
		return &consoleMailer{next: m, out: out}
	}
	return m
}

// consoleMailer prints the links of the edge's account mails on stdout, then hands each mail to
// next: with the in-memory mailbox (no relay configured) it is how a person trying `refhost all`
// confirms a sign-up or resets a password. It prints no address.
type consoleMailer struct {
	next transport.Mailer
	out  io.Writer
	mu   sync.Mutex
}

// Send prints m's subject and links, then sends it on next.
func (c *consoleMailer) Send(ctx context.Context, m transport.Mail) error {
	c.mu.Lock()
	fmt.Fprintf(c.out, "refhost: mail %q (kept in memory; no relay configured)\n", m.Subject)
	for _, l := range links.FindAllString(m.Text, -1) {
		fmt.Fprintf(c.out, "refhost:   %s\n", l)
	}
	c.mu.Unlock()
	return c.next.Send(ctx, m)
}
