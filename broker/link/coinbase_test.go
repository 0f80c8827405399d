package link_test

import (
	"context"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/tradecoach/coach"
	"github.com/tradecoach/coach/broker/coinbase"
	"github.com/tradecoach/coach/broker/link"
)

// TestCoinbaseLink: the authorize URL carries a state and an S256 challenge; the callback's code
// is exchanged with the verifier (the fake checks it), the tokens are sealed and the connection
// is stored with a broker_linked row; the same callback again is refused and stores nothing more.
func TestCoinbaseLink(t *testing.T) {
	t.Parallel()
	r := newRig(t)
	ctx := context.Background()
	alice := r.user(t)
	authURL, err := r.linker.StartCoinbase(ctx, alice)
	if err != nil {
		t.Fatal(err)
	}
	u, _ := url.Parse(authURL)
	if q := u.Query(); q.Get("code_challenge_method") != "S256" || len(q.Get("code_challenge")) != 43 || len(q.Get("state")) < 32 {
		t.Fatalf("authorize URL without PKCE S256 or state: %s", authURL)
	}
	code, state := authorize(t, authURL)
	conn, err := r.linker.FinishCoinbase(ctx, alice, state, code)
	if err != nil {
		t.Fatal(err)
	}
	if conn.Broker != "coinbase" || conn.UserID != alice || conn.Status != coach.ConnectionActive || !strings.Contains(conn.Scope, "offline_access") {
		t.Fatalf("connection %+v", conn)
	}
	cs, actions := r.stored(t, alice)
	if len(cs) != 1 || cs[0].ID != conn.ID || !cmp.Equal(actions, []string{coach.AuditBrokerLinked}) {
		t.Fatalf("stored %d connections, audit %v", len(cs), actions)
	}
	tok, err := (&coinbase.StoredTokens{Store: r.store, Sealer: r.sealer, UserID: alice, ConnectionID: conn.ID}).Token(ctx)
	issued := r.cb.LastIssued()
	if err != nil || tok.AccessToken != issued.AccessToken || tok.RefreshToken != issued.RefreshToken {
		t.Fatalf("stored tokens are not the issued ones: %v", err)
	}
	if strings.Contains(string(cs[0].AccessEnc), issued.AccessToken) || strings.Contains(string(cs[0].RefreshEnc), issued.RefreshToken) {
		t.Fatal("a token is stored in the clear")
	}

	_, err = r.linker.FinishCoinbase(ctx, alice, state, code)
	if coach.ErrorCode(err) != coach.EUNAUTHORIZED {
		t.Fatalf("replayed callback: %v, want unauthorized", err)
	}
	if cs, actions := r.stored(t, alice); len(cs) != 1 || len(actions) != 1 {
		t.Fatalf("the replay stored something: %d connections, audit %v", len(cs), actions)
	}
}

// TestCoinbaseLinkRefusals: a forged state, another user's state, an expired state and a
// callback without a code are refused, and nothing is stored; another user's attempt does not
// spend the state, so its owner can still finish.
func TestCoinbaseLinkRefusals(t *testing.T) {
	t.Parallel()
	r := newRig(t)
	ctx := context.Background()
	alice, bob := r.user(t), r.user(t)

	code, state := authorize(t, must(r.linker.StartCoinbase(ctx, alice)))
	for _, tc := range []struct {
		name, user, state, code string
		want                    coach.Code
	}{
		{"forged state", alice, "forged-" + state[7:], code, coach.EUNAUTHORIZED},
		{"no state", alice, "", code, coach.EUNAUTHORIZED},
		{"a long state", alice, strings.Repeat("s", 4096), code, coach.EUNAUTHORIZED},
		{"another user's state", bob, state, code, coach.EUNAUTHORIZED},
	} {
		if _, err := r.linker.FinishCoinbase(ctx, tc.user, tc.state, tc.code); coach.ErrorCode(err) != tc.want {
			t.Errorf("%s: %v, want %s", tc.name, err, tc.want)
		}
	}
	for _, u := range []string{alice, bob} {
		if cs, actions := r.stored(t, u); len(cs) != 0 || len(actions) != 0 {
			t.Fatalf("a refused callback stored %d connections, audit %v", len(cs), actions)
		}
	}
	if _, err := r.linker.FinishCoinbase(ctx, alice, state, code); err != nil {
		t.Fatalf("the owner after refusals: %v", err)
	}

	// The user denied access: no code. The state is spent.
	_, state = authorize(t, must(r.linker.StartCoinbase(ctx, bob)))
	if _, err := r.linker.FinishCoinbase(ctx, bob, state, ""); coach.ErrorCode(err) != coach.EINVALID {
		t.Errorf("no code: %v, want invalid", err)
	}
	// A state past its time.
	code, state = authorize(t, must(r.linker.StartCoinbase(ctx, bob)))
	r.clock.Advance(link.DefaultStateTTL + time.Second)
	if _, err := r.linker.FinishCoinbase(ctx, bob, state, code); coach.ErrorCode(err) != coach.EUNAUTHORIZED {
		t.Errorf("expired state: %v, want unauthorized", err)
	}
	if cs, actions := r.stored(t, bob); len(cs) != 0 || len(actions) != 0 {
		t.Fatalf("bob's refused callbacks stored %d connections, audit %v", len(cs), actions)
	}
}

// TestCoinbaseLinkRacingCallbacks: of several callbacks with one state at once, exactly one links.
func TestCoinbaseLinkRacingCallbacks(t *testing.T) {
	t.Parallel()
	r := newRig(t)
	ctx := context.Background()
	alice := r.user(t)
	code, state := authorize(t, must(r.linker.StartCoinbase(ctx, alice)))
	var wg sync.WaitGroup
	errs := make([]error, 8)
	for i := range errs {
		wg.Go(func() { _, errs[i] = r.linker.FinishCoinbase(ctx, alice, state, code) })
	}
	wg.Wait()
	won := 0
	for _, err := range errs {
		switch {
		case err == nil:
			won++
		case coach.ErrorCode(err) != coach.EUNAUTHORIZED:
			t.Errorf("a losing callback: %v", err)
		}
	}
	if cs, _ := r.stored(t, alice); won != 1 || len(cs) != 1 {
		t.Fatalf("%d callbacks won, %d connections stored; want 1 and 1", won, len(cs))
	}
}

func must(s string, err error) string {
	if err != nil {
		panic(err)
	}
	return s
}
