package main

import (
	"fmt"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/tradecoach/coach"
	"github.com/tradecoach/coach/broker/brokertest"
)

// fakeBinance is a fake Binance with trades over the 29 days before now, ending with assets held
// (an account that sold everything has no pair discovery can find).
func fakeBinance(t *testing.T) *brokertest.Binance {
	t.Helper()
	now := time.Now().UTC()
	bn := brokertest.NewBinance(brokertest.BinanceConfig{FillsFrom: now.AddDate(0, 0, -29), FillsTo: now.Add(-time.Hour), Seed: 5})
	t.Cleanup(bn.Close)
	bn.AddFills(40)
	return bn
}

// connectBinanceSplit signs up a user through core, submits a trading-enabled key (403, nothing
// linked), then a read-only one (201), and waits for the worker process to import its trades.
func connectBinanceSplit(t *testing.T, system *http.Client, key []byte, coreAddr string, bn *brokertest.Binance, workerLogs fmt.Stringer) {
	t.Helper()
	var user coach.User
	if code := doJSON(t, system, "POST", coreAddr+"/internal/users", map[string]any{"email": "binance-split@example.com",
		"passwordHash": "$argon2id$v=19$m=19456,t=2,p=1$c2FsdHNhbHQ$aGFzaGhhc2hoYXNoaGFzaA"}, &user); code != http.StatusCreated {
		t.Fatalf("sign up: %d", code)
	}
	bob := signedClient(t, key, user.ID)
	body := map[string]any{"apiKey": bn.Config().APIKey, "secretKey": bn.Config().SecretKey}
	bn.SetKeyPermissions(brokertest.TradingKey())
	var e struct {
		Code    coach.Code `json:"code"`
		Message string     `json:"message"`
	}
	if code := doJSON(t, bob, "POST", coreAddr+"/brokers/binance", body, &e); code != http.StatusForbidden || !strings.Contains(e.Message, "enableSpotAndMarginTrading") {
		t.Fatalf("trading key: %d %+v", code, e)
	}
	bn.SetKeyPermissions(brokertest.ReadOnlyKey())
	var conn coach.BrokerConnection
	if code := doJSON(t, bob, "POST", coreAddr+"/brokers/binance", body, &conn); code != http.StatusCreated || conn.Broker != coach.BrokerBinance {
		t.Fatalf("read-only key: %d %+v", code, conn)
	}
	var page struct {
		Trades []coach.Trade `json:"trades"`
	}
	for deadline := time.Now().Add(2 * time.Minute); ; time.Sleep(200 * time.Millisecond) {
		doJSON(t, bob, "GET", coreAddr+"/trades?limit=5", nil, &page)
		if len(page.Trades) > 0 && page.Trades[0].Broker == coach.BrokerBinance {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("the worker process imported no Binance trades within 2 minutes\nworker:\n%s", grep(workerLogs.String(), "binance"))
		}
	}
}
