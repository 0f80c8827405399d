package memory

import (
	"context"
	"sync"

	"github.com/tradecoach/coach"
	"github.com/tradecoach/coach/transport"
)

var _ transport.Mailer = (*Mailbox)(nil)

// Mailbox is a transport.Mailer that keeps every message it accepts, for one process and for
// tests: Sent and To read them back. The zero value is ready to use.
type Mailbox struct {
	mu   sync.Mutex
	sent []transport.Mail
}

// Send validates m and keeps it.
func (b *Mailbox) Send(ctx context.Context, m transport.Mail) error {
	if b == nil {
		return coach.Errorf(coach.EINTERNAL, "memory mailbox: nil")
	}
	if ce, ok := coach.ContextError(ctx.Err()); ok {
		return ce
	}
	if err := m.Validate(); err != nil {
		return err
	}
	b.mu.Lock()
	defer b.mu.Unlock()
	b.sent = append(b.sent, m)
	return nil
}

// Sent returns every message accepted so far, oldest first.
func (b *Mailbox) Sent() []transport.Mail {
	if b == nil {
		return nil
	}
	b.mu.Lock()
	defer b.mu.Unlock()
	return append([]transport.Mail(nil), b.sent...)
}

// To returns the messages accepted for the address to, oldest first.
func (b *Mailbox) To(to string) []transport.Mail {
	var out []transport.Mail
	for _, m := range b.Sent() {
		if m.To == to {
			out = append(out, m)
		}
	}
	return out
}
