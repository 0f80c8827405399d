package binance_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/tradecoach/coach"
	"github.com/tradecoach/coach/broker/binance"
	"github.com/tradecoach/coach/broker/brokertest"
	"github.com/tradecoach/coach/broker/seal"
)

// TestAPIRestrictions: the fake's key permissions come back as granted flags; a read-only key
// passes ReadOnly, a key that can trade, withdraw or transfer (or cannot read) is EFORBIDDEN
// naming what to switch off; the call is signed and weighs 1.
func TestAPIRestrictions(t *testing.T) {
	t.Parallel()
	trading := brokertest.TradingKey()
	withdraw := brokertest.ReadOnlyKey()
	withdraw.EnableWithdrawals, withdraw.IPRestrict = true, true
	transfer := brokertest.ReadOnlyKey()
	transfer.PermitsUniversalTransfer = true
	blind := brokertest.ReadOnlyKey()
	blind.EnableReading = false
	for _, tc := range []struct {
		name    string
		perms   brokertest.BinanceKeyPermissions
		granted []string
		ip      bool
		refuse  string // a word of the refusal; "" for read-only
	}{
		{"read-only", brokertest.ReadOnlyKey(), []string{"enableFixReadOnly", "enableReading"}, false, ""},
		{"trading", trading, []string{"enableFixReadOnly", "enableReading", "enableSpotAndMarginTrading"}, false, "enableSpotAndMarginTrading"},
		{"withdrawals", withdraw, []string{"enableFixReadOnly", "enableReading", "enableWithdrawals"}, true, "enableWithdrawals"},
		{"universal transfer", transfer, []string{"enableFixReadOnly", "enableReading", "permitsUniversalTransfer"}, false, "permitsUniversalTransfer"},
		{"cannot read", blind, []string{"enableFixReadOnly"}, false, "Enable Reading"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			h := newHarness(t, 0, nil, nil)
			h.fake.SetKeyPermissions(tc.perms)
			r, err := h.client.APIRestrictions(context.Background())
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(tc.granted, r.Granted); diff != "" || r.IPRestrict != tc.ip {
				t.Errorf("granted (-want +got):\n%s ipRestrict %v", diff, r.IPRestrict)
			}
			err = r.ReadOnly()
			switch {
			case tc.refuse == "" && err != nil:
				t.Errorf("read-only key refused: %v", err)
			case tc.refuse != "" && (coach.ErrorCode(err) != coach.EFORBIDDEN || !strings.Contains(coach.ErrorMessage(err), tc.refuse)):
				t.Errorf("ReadOnly = %v, want forbidden naming %s", err, tc.refuse)
			}
			if n := h.fake.RequestsTo("/sapi/v1/account/apiRestrictions"); n != 1 {
				t.Errorf("%d requests to apiRestrictions, want 1", n)
			}
		})
	}
}

// TestAPIRestrictionsRejectedKey: a key the fake does not know is EUNAUTHORIZED, and the error
// quotes neither the key nor the secret.
func TestAPIRestrictionsRejectedKey(t *testing.T) {
	t.Parallel()
	h := newHarness(t, 0, nil, nil)
	c, err := binance.New(binance.Config{BaseURL: h.fake.URL(), APIKey: "someone-elses-key", SecretKey: seal.NewToken("their-secret"),
		Clock: h.clock, Sleep: h.waits.sleep})
	if err != nil {
		t.Fatal(err)
	}
	_, err = c.APIRestrictions(context.Background())
	if coach.ErrorCode(err) != coach.EUNAUTHORIZED || strings.Contains(err.Error(), "someone-elses-key") || strings.Contains(err.Error(), "their-secret") {
		t.Fatalf("err = %v, want unauthorized without the key", err)
	}
}

// TestAPIRestrictionsUnknownPermissionIsNotReadOnly: a permission flag Binance adds later, or one
// that is not a boolean, counts as granted, so an unexpected answer never passes as read-only.
func TestAPIRestrictionsUnknownPermissionIsNotReadOnly(t *testing.T) {
	t.Parallel()
	for _, body := range []string{
		`{"enableReading":true,"enableSomethingNew":true}`,
		`{"enableReading":true,"enableWithdrawals":"yes"}`,
	} {
		r, err := binance.DecodeRestrictions([]byte(body))
		if err != nil {
			t.Fatal(err)
		}
		if coach.ErrorCode(r.ReadOnly()) != coach.EFORBIDDEN {
			t.Errorf("%s passes as read-only: %+v", body, r)
		}
	}
	for _, body := range []string{`[]`, `{"ipRestrict":false}`, `{"enableReading":true,"enableReading":false}`, `null`} {
		if _, err := binance.DecodeRestrictions([]byte(body)); coach.ErrorCode(err) != coach.EUNAVAILABLE {
			t.Errorf("%s: err = %v, want unavailable (malformed)", body, err)
		}
	}
}

// TestSealKeyRoundTrip: a sealed key pair opens for its connection only, and prints as sealed.
func TestSealKeyRoundTrip(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	kek, err := seal.NewLocalKEK(make([]byte, seal.KeySize))
	if err != nil {
		t.Fatal(err)
	}
	s, err := seal.New(seal.Config{KEK: kek})
	if err != nil {
		t.Fatal(err)
	}
	c := coach.BrokerConnection{ID: coach.NewID(), UserID: coach.NewID(), Broker: coach.BrokerBinance, Status: coach.ConnectionActive,
		CreatedAt: time.Now().UTC()}
	c, err = binance.SealKey(ctx, s, c, "the-api-key", seal.NewToken("the-secret"))
	if err != nil {
		t.Fatal(err)
	}
	key, secret, err := binance.OpenKey(ctx, s, c)
	if err != nil || key != "the-api-key" || secret.Reveal() != "the-secret" {
		t.Fatalf("OpenKey = %q, %v", key, err)
	}
	other := c
	other.ID = coach.NewID()
	if _, _, err := binance.OpenKey(ctx, s, other); coach.ErrorCode(err) != coach.EINVALID {
		t.Fatalf("another connection opened the key: %v", err)
	}
	swapped := c
	swapped.AccessEnc, swapped.RefreshEnc = c.RefreshEnc, c.AccessEnc
	if _, _, err := binance.OpenKey(ctx, s, swapped); err == nil {
		t.Fatal("the key and the secret swapped still open")
	}
	if _, err := binance.SealKey(ctx, s, c, "", seal.NewToken("x")); coach.ErrorCode(err) != coach.EINVALID {
		t.Fatalf("sealing no key: %v", err)
	}
}
