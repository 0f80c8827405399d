package coinbase

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"sync"

	"github.com/tradecoach/coach"
	"golang.org/x/oauth2"
)

// TokenStore keeps one connection's OAuth2 tokens. Coinbase rotates refresh tokens: each refresh
// returns a new refresh token and the old one stops working, so the new one must be persisted
// before it is relied upon.
type TokenStore interface {
	// Token returns the connection's current token (access token, refresh token, expiry).
	Token(ctx context.Context) (*oauth2.Token, error)

	// Save persists next, which a refresh just issued in place of prev. It must be atomic: either
	// next is stored whole or nothing changes. An implementation should compare-and-swap on
	// prev.RefreshToken and answer ECONFLICT when another process already rotated it. When Save
	// fails, the Client's call fails with its error (wrapped) and the Client keeps next in memory
	// for its own later calls; prev's refresh token is already spent, so the caller should treat
	// the failure as urgent.
	Save(ctx context.Context, prev, next *oauth2.Token) error
}

// MemoryTokens is a TokenStore in memory, for tests, demos and short-lived tools. It is safe for
// concurrent use.
type MemoryTokens struct {
	mu  sync.Mutex
	tok *oauth2.Token
}

// Format writes "coinbase.MemoryTokens{[redacted]}" for every verb and flag: the token never
// prints.
func (m *MemoryTokens) Format(f fmt.State, _ rune) {
	if f != nil {
		_, _ = io.WriteString(f, "coinbase.MemoryTokens{[redacted]}")
	}
}

// LogValue makes log/slog record no token.
func (m *MemoryTokens) LogValue() slog.Value {
	return slog.StringValue("coinbase.MemoryTokens{[redacted]}")
}

// NewMemoryTokens returns a MemoryTokens holding a copy of tok.
func NewMemoryTokens(tok *oauth2.Token) *MemoryTokens {
	cp := *tok
	return &MemoryTokens{tok: &cp}
}

// Token returns a copy of the current token.
func (m *MemoryTokens) Token(context.Context) (*oauth2.Token, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	cp := *m.tok
	return &cp, nil
}

// Save replaces the token with next when prev's refresh token is the current one, and answers
// ECONFLICT otherwise.
func (m *MemoryTokens) Save(_ context.Context, prev, next *oauth2.Token) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	if prev == nil || next == nil || prev.RefreshToken != m.tok.RefreshToken {
		return coach.Errorf(coach.ECONFLICT, "coinbase: the token was rotated concurrently")
	}
	cp := *next
	m.tok = &cp
	return nil
}
