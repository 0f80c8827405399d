package main

import (
	"context"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/tradecoach/coach"
	"github.com/tradecoach/coach/broker/brokertest"
	"github.com/tradecoach/coach/storage"
)

// fakeCoinbase is a fake Coinbase (API and OAuth) with fills over the last 29 days.
func fakeCoinbase(t *testing.T) *brokertest.Coinbase {
	t.Helper()
	now := time.Now().UTC()
	cb := brokertest.NewCoinbase(brokertest.CoinbaseConfig{FillsFrom: now.AddDate(0, 0, -29), FillsTo: now.Add(-time.Hour), Seed: 7})
	t.Cleanup(cb.Close)
	cb.AddFills(60)
	return cb
}

// coinbaseEnv configures a host for the fake Coinbase.
func coinbaseEnv(cb *brokertest.Coinbase) map[string]string {
	return map[string]string{"REFHOST_COINBASE_API_URL": cb.URL(), "REFHOST_COINBASE_OAUTH_URL": cb.URL(),
		"REFHOST_COINBASE_CLIENT_ID": cb.Config().ClientID, "REFHOST_COINBASE_CLIENT_SECRET": cb.Config().ClientSecret,
		"REFHOST_COINBASE_REDIRECT_URL": cb.Config().RedirectURL}
}

// coinbaseJourney is issue 16's journey (b): authorize gives Coinbase's consent URL with PKCE
// and a state; a forged state and another user's are refused; the callback links the account; a
// replayed callback is refused; the first import runs, with the audit rows the seed names.
func coinbaseJourney(t *testing.T, h journeyHost, cb *brokertest.Coinbase, audits func(userID string) []string) {
	t.Helper()
	system := signedClient(t, h.key, "")
	users := make([]coach.User, 2)
	for i, email := range []string{"journey-b@example.com", "journey-b2@example.com"} {
		if code := doJSON(t, system, "POST", h.core+"/internal/users", map[string]any{"email": email,
			"passwordHash": "$argon2id$v=19$m=19456,t=2,p=1$c2FsdHNhbHQ$aGFzaGhhc2hoYXNoaGFzaA"}, &users[i]); code != http.StatusCreated {
			t.Fatalf("sign up: %d", code)
		}
	}
	alice, bob := signedClient(t, h.key, users[0].ID), signedClient(t, h.key, users[1].ID)
	var auth struct {
		URL string `json:"url"`
	}
	if code := doJSON(t, alice, "GET", h.core+"/brokers/coinbase/authorize", nil, &auth); code != http.StatusOK {
		t.Fatalf("authorize: %d", code)
	}
	u, err := url.Parse(auth.URL)
	if err != nil || u.Query().Get("code_challenge_method") != "S256" || u.Query().Get("code_challenge") == "" || u.Query().Get("state") == "" {
		t.Fatalf("authorize URL %q", auth.URL)
	}
	// The user consents at Coinbase, which redirects back with a code and the state.
	client := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	res, err := client.Get(auth.URL)
	if err != nil {
		t.Fatal(err)
	}
	res.Body.Close()
	back, err := url.Parse(res.Header.Get("Location"))
	if err != nil || res.StatusCode != http.StatusFound {
		t.Fatalf("consent: %d %v", res.StatusCode, err)
	}
	code, state := back.Query().Get("code"), back.Query().Get("state")
	callback := func(c *http.Client, state string) int {
		return doJSON(t, c, "GET", h.core+"/brokers/coinbase/callback?"+url.Values{"code": {code}, "state": {state}}.Encode(), nil, nil)
	}
	if got := callback(alice, strings.Repeat("A", len(state))); got != http.StatusUnauthorized {
		t.Fatalf("a forged state: %d, want 401", got)
	}
	if got := callback(bob, state); got != http.StatusUnauthorized {
		t.Fatalf("another user's state: %d, want 401", got)
	}
	if got := callback(alice, state); got != http.StatusCreated {
		t.Fatalf("callback: %d", got)
	}
	if got := callback(alice, state); got != http.StatusUnauthorized {
		t.Fatalf("a replayed callback: %d, want 401", got)
	}
	waitUntil(t, "the Coinbase import", 2*time.Minute, h.logs, func() bool {
		return slices.Contains(audits(users[0].ID), coach.AuditImportDone)
	})
	got := audits(users[0].ID)
	linked, start, done := slices.Index(got, coach.AuditBrokerLinked), slices.Index(got, coach.AuditImportStart), slices.Index(got, coach.AuditImportDone)
	if linked < 0 || start < linked || done < start {
		t.Fatalf("audit rows %v, want broker_linked, then import_start, then import_done", got)
	}
	if len(audits(users[1].ID)) != 0 {
		t.Fatalf("bob's refused callback left audit rows: %v", audits(users[1].ID))
	}
	var page struct {
		Trades []coach.Trade `json:"trades"`
	}
	if doJSON(t, alice, "GET", h.core+"/trades?limit=5", nil, &page); len(page.Trades) == 0 || page.Trades[0].Broker != coach.BrokerCoinbase {
		t.Fatalf("no Coinbase trades listed: %+v", page.Trades)
	}
	logs := h.logs()
	for _, secret := range []string{code, state, cb.Config().ClientSecret, "journey-b@example.com"} {
		if strings.Contains(logs, secret) {
			t.Errorf("a log carries %q", secret)
		}
	}
}

// auditsOf lists a user's audit actions in store, oldest first.
func auditsOf(t *testing.T, store storage.Store) func(userID string) []string {
	return func(userID string) []string {
		rows, err := store.Audit().List(context.Background(), userID, 100)
		if err != nil {
			t.Fatal(err)
		}
		out := make([]string, 0, len(rows))
		for i := len(rows) - 1; i >= 0; i-- {
			out = append(out, rows[i].Action)
		}
		return out
	}
}
