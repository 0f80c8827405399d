package coach_test

import (
	"bytes"
	"fmt"
	"log/slog"
	"strings"
	"testing"
	"time"

	"github.com/tradecoach/coach"
)

func TestBrokerConnectionNeverPrintsItsTokens(t *testing.T) {
	c := coach.BrokerConnection{ID: "c1", UserID: "u1", Broker: "coinbase", Status: coach.ConnectionActive,
		AccessEnc: []byte("ACCESS-CIPHERTEXT"), RefreshEnc: []byte("REFRESH-CIPHERTEXT"), CreatedAt: time.Now()}
	var logs bytes.Buffer
	slog.New(slog.NewJSONHandler(&logs, nil)).Info("linked", "conn", c)
	outputs := []string{logs.String(), fmt.Sprint(c), fmt.Sprintf("%+v", c), fmt.Sprintf("%#v", c),
		fmt.Sprintf("%s", c), fmt.Errorf("wrapped: %v", c).Error(), fmt.Sprintf("%v", &c)}
	for _, out := range outputs {
		for _, secret := range []string{"ACCESS-CIPHERTEXT", "REFRESH-CIPHERTEXT", "QUNDRVNT"} {
			if strings.Contains(out, secret) {
				t.Errorf("output shows a token: %s", out)
			}
		}
		if !strings.Contains(out, "c1") {
			t.Errorf("output lost the connection id: %s", out)
		}
	}
}
