package link_test

import (
	"context"
	"strings"
	"testing"

	"github.com/tradecoach/coach"
	"github.com/tradecoach/coach/broker/binance"
	"github.com/tradecoach/coach/broker/brokertest"
	"github.com/tradecoach/coach/broker/seal"
)

// TestLinkBinance: a trading- or withdrawal-enabled key is forbidden and a rejected or malformed
// key invalid, storing nothing; a read-only key is sealed and stored with a broker_linked row.
func TestLinkBinance(t *testing.T) {
	t.Parallel()
	r := newRig(t)
	ctx := context.Background()
	alice := r.user(t)
	key, secret := r.bn.Config().APIKey, seal.NewToken(r.bn.Config().SecretKey)
	withdraw := brokertest.ReadOnlyKey()
	withdraw.EnableWithdrawals = true
	for _, tc := range []struct {
		name   string
		perms  brokertest.BinanceKeyPermissions
		key    string
		secret seal.Token
		want   coach.Code
	}{
		{"trading key", brokertest.TradingKey(), key, secret, coach.EFORBIDDEN},
		{"withdrawal key", withdraw, key, secret, coach.EFORBIDDEN},
		{"rejected key", brokertest.ReadOnlyKey(), "not-the-key", secret, coach.EINVALID},
		{"wrong secret", brokertest.ReadOnlyKey(), key, seal.NewToken("not-the-secret"), coach.EINVALID},
		{"no secret", brokertest.ReadOnlyKey(), key, seal.Token{}, coach.EINVALID},
		{"key with a newline", brokertest.ReadOnlyKey(), key + "\n", secret, coach.EINVALID},
	} {
		r.bn.SetKeyPermissions(tc.perms)
		_, err := r.linker.LinkBinance(ctx, alice, tc.key, tc.secret)
		if coach.ErrorCode(err) != tc.want {
			t.Errorf("%s: %v, want %s", tc.name, err, tc.want)
		}
		if err != nil && (strings.Contains(err.Error(), key) || strings.Contains(err.Error(), r.bn.Config().SecretKey)) {
			t.Errorf("%s: the error quotes the key or secret", tc.name)
		}
	}
	if cs, actions := r.stored(t, alice); len(cs) != 0 || len(actions) != 0 {
		t.Fatalf("refused keys stored %d connections, audit %v", len(cs), actions)
	}

	r.bn.SetKeyPermissions(brokertest.ReadOnlyKey())
	conn, err := r.linker.LinkBinance(ctx, alice, key, secret)
	if err != nil {
		t.Fatal(err)
	}
	cs, actions := r.stored(t, alice)
	if len(cs) != 1 || cs[0].ID != conn.ID || len(actions) != 1 || actions[0] != coach.AuditBrokerLinked {
		t.Fatalf("stored %d connections, audit %v", len(cs), actions)
	}
	gotKey, gotSecret, err := binance.OpenKey(ctx, r.sealer, cs[0])
	if err != nil || gotKey != key || gotSecret.Reveal() != r.bn.Config().SecretKey {
		t.Fatalf("the stored key pair does not open to the submitted one: %v", err)
	}
	if strings.Contains(string(cs[0].AccessEnc)+string(cs[0].RefreshEnc), r.bn.Config().SecretKey) {
		t.Fatal("the secret is stored in the clear")
	}
}
