package link

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"strings"
	"time"

	"github.com/tradecoach/coach"
	"github.com/tradecoach/coach/broker/coinbase"
	"github.com/tradecoach/coach/broker/seal"
)

// purposeVerifier is the seal purpose of a pending link's PKCE verifier.
const purposeVerifier = "pkce_verifier"

// maxStateLen bounds the state a callback may carry (StartLink makes 43 characters).
const maxStateLen = 128

// pending is a Coinbase link in progress, as kept in Config.Pending under the state's hash: whose
// it is, the id its connection will have, its PKCE verifier sealed for that user and connection,
// and when it expires.
type pending struct {
	UserID       string `json:"userId"`
	ConnectionID string `json:"connectionId"`
	Verifier     []byte `json:"verifier"`
	Expires      int64  `json:"expires"`
}

// errState is the one answer to a state that is unknown, forged, expired, spent or another user's:
// it says nothing about which.
var errState = coach.Errorf(coach.EUNAUTHORIZED, "link: this Coinbase authorization is unknown, expired or already used: connect Coinbase again")

// StartCoinbase begins linking userID's Coinbase account and returns the authorize URL to send
// them to. The URL carries a fresh state and the S256 challenge of a fresh PKCE verifier; the
// state is kept for Config.StateTTL, bound to userID, with the verifier sealed. EINVALID when
// Coinbase linking is not configured.
func (l *Linker) StartCoinbase(ctx context.Context, userID string) (string, error) {
	if l == nil || l.coinbase == nil {
		return "", coach.Errorf(coach.EINVALID, "link: Coinbase linking is not configured")
	}
	if !coach.ValidID(userID) {
		return "", coach.Errorf(coach.EINVALID, "link: userId: required")
	}
	lk, err := l.coinbase.StartLink()
	if err != nil {
		return "", err
	}
	connID := coach.NewID()
	sealed, err := l.cfg.Sealer.Seal(ctx, verifierBinding(userID, connID), lk.Verifier)
	if err != nil {
		return "", err
	}
	rec, err := json.Marshal(pending{UserID: userID, ConnectionID: connID, Verifier: sealed.Bytes(),
		Expires: l.cfg.Clock.Now().Add(l.cfg.StateTTL).UnixMilli()})
	if err != nil {
		return "", err
	}
	if err := l.cfg.Pending.Set(ctx, stateKey(lk.State), rec, l.cfg.StateTTL); err != nil {
		return "", err
	}
	return lk.URL, nil
}

// FinishCoinbase completes the link whose callback carried state and code, for userID: the state
// must be one StartCoinbase issued to userID, unexpired and not used before (EUNAUTHORIZED
// otherwise, the same answer for each case); it is spent by this call whatever follows. The code is
// exchanged with the PKCE verifier, the tokens sealed, and the connection stored with a
// broker_linked audit row. EINVALID for a callback without a code (the user denied access),
// EUNAUTHORIZED when Coinbase refuses the code. Nothing is stored unless the exchange succeeds.
func (l *Linker) FinishCoinbase(ctx context.Context, userID, state, code string) (coach.BrokerConnection, error) {
	if l == nil || l.coinbase == nil {
		return coach.BrokerConnection{}, coach.Errorf(coach.EINVALID, "link: Coinbase linking is not configured")
	}
	if state == "" || len(state) > maxStateLen || !coach.ValidID(userID) {
		return coach.BrokerConnection{}, errState
	}
	key := stateKey(state)
	raw, err := l.cfg.Pending.Get(ctx, key)
	if coach.ErrorCode(err) == coach.ENOTFOUND {
		return coach.BrokerConnection{}, errState
	}
	if err != nil {
		return coach.BrokerConnection{}, err
	}
	var p pending
	if json.Unmarshal(raw, &p) != nil || p.UserID != userID || !l.cfg.Clock.Now().Before(time.UnixMilli(p.Expires)) {
		return coach.BrokerConnection{}, errState
	}
	// Spend the state before anything else: of two callbacks racing with it, one goes on.
	if err := l.cfg.Used.Use(ctx, key, l.cfg.StateTTL); coach.ErrorCode(err) == coach.ECONFLICT {
		return coach.BrokerConnection{}, errState
	} else if err != nil {
		return coach.BrokerConnection{}, err
	}
	if err := l.cfg.Pending.Delete(ctx, key); err != nil {
		return coach.BrokerConnection{}, err
	}
	verifier, err := l.cfg.Sealer.Open(ctx, verifierBinding(userID, p.ConnectionID), seal.SealedOf(p.Verifier))
	if err != nil {
		return coach.BrokerConnection{}, errState
	}
	tok, err := l.coinbase.FinishLink(ctx, coinbase.Link{State: state, Verifier: verifier}, state, code)
	if err != nil {
		return coach.BrokerConnection{}, err
	}
	scope, _ := tok.Extra("scope").(string)
	conn := l.newConnection(userID, coach.BrokerCoinbase, scopeText(scope))
	conn.ID = p.ConnectionID
	if conn, err = coinbase.SealTokens(ctx, l.cfg.Sealer, conn, tok); err != nil {
		return coach.BrokerConnection{}, err
	}
	if err := l.create(ctx, conn); err != nil {
		return coach.BrokerConnection{}, err
	}
	return conn, nil
}

// stateKey is the key of a state's pending link and of its spent mark: a hash, so that the
// state itself is stored nowhere.
func stateKey(state string) string {
	sum := sha256.Sum256([]byte("tradecoach/link coinbase state\x00" + state))
	return "link:coinbase:" + hex.EncodeToString(sum[:])
}

// verifierBinding binds a pending link's verifier to its user and future connection.
func verifierBinding(userID, connID string) seal.Binding {
	return seal.Binding{UserID: userID, Broker: coach.BrokerCoinbase, ConnectionID: connID, Purpose: purposeVerifier}
}

// scopeText trims a granted scope to what a connection stores.
func scopeText(s string) string {
	if len(s) > 1024 {
		return s[:1024]
	}
	return strings.TrimSpace(s)
}
