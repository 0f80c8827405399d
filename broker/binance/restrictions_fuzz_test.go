package binance

import (
	"slices"
	"strings"
	"testing"

	"github.com/tradecoach/coach"
)

// FuzzDecodeRestrictions: decoding any apiRestrictions body never panics; the granted flags come
// out sorted and named enable… or permits…, and ReadOnly passes only when enableReading (and at
// most enableFixReadOnly besides) is granted; otherwise the error is EUNAVAILABLE.
func FuzzDecodeRestrictions(f *testing.F) {
	f.Add([]byte(`{"ipRestrict":false,"createTime":1623840271000,"enableReading":true,"enableWithdrawals":false,"enableInternalTransfer":true,"enableMargin":false,"enableFutures":false,"permitsUniversalTransfer":true,"enableVanillaOptions":false,"enableFixApiTrade":false,"enableFixReadOnly":true,"enableSpotAndMarginTrading":false,"enablePortfolioMarginTrading":true}`))
	f.Add([]byte(`{"enableReading":true}`))
	f.Add([]byte(`{"enableReading":true,"enableX":1}`))
	f.Fuzz(func(t *testing.T, body []byte) {
		r, err := decodeRestrictions(body)
		if err != nil {
			if coach.ErrorCode(err) != coach.EUNAVAILABLE {
				t.Fatalf("error code %q", coach.ErrorCode(err))
			}
			return
		}
		if !slices.IsSorted(r.Granted) {
			t.Fatalf("granted %q not sorted", r.Granted)
		}
		for _, g := range r.Granted {
			if !strings.HasPrefix(g, "enable") && !strings.HasPrefix(g, "permits") {
				t.Fatalf("granted %q is no permission", g)
			}
		}
		if r.ReadOnly() == nil && (!r.CanRead() || len(r.Beyond()) > 0) {
			t.Fatalf("%+v passes as read-only", r)
		}
	})
}
