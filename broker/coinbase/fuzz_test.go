package coinbase

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/shopspring/decimal"

	"github.com/tradecoach/coach"
	"github.com/tradecoach/coach/internal/wire"
)

// seedTestdata adds every testdata file to f's corpus.
func seedTestdata(f *testing.F) {
	files, _ := filepath.Glob("testdata/coinbase_*")
	for _, p := range files {
		b, err := os.ReadFile(p)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(b)
	}
	f.Add([]byte(`{"fills":[{"entry_id":"e","price":"1e999999999","size":"1","product_id":"BTC-USD","side":"BUY","trade_time":"2024-01-01T00:00:00Z","size_in_quote":true}]}`))
	f.Add([]byte(`{"fills":[{"entry_id":"e","trade_id":"t\u0085","order_id":"o","liquidity_indicator":"maker","price":"1","size":"1","product_id":"BTC-USD","side":"BUY","trade_time":"2024-01-01T00:00:00Z"}]}`))
	f.Add([]byte(`{"candles":[{"start":"-1","low":"NaN","high":"Inf","open":"1","close":"1","volume":"-1"}]}`))
}

// FuzzDecodeFills: decoding and normalizing any body never panics, and every trade that comes out
// is valid and sane.
func FuzzDecodeFills(f *testing.F) {
	seedTestdata(f)
	f.Fuzz(func(t *testing.T, body []byte) {
		p, err := decodeFills(body)
		if err != nil {
			if coach.ErrorCode(err) != coach.EUNAVAILABLE {
				t.Fatalf("decode error code %q", coach.ErrorCode(err))
			}
			return
		}
		for _, fl := range p.Fills {
			tr, err := fl.trade(coach.Buy)
			if err != nil {
				if coach.ErrorCode(err) != coach.EINVALID {
					t.Fatalf("normalize error code %q: %v", coach.ErrorCode(err), err)
				}
				continue
			}
			if err := tr.Validate(); err != nil {
				t.Fatalf("trade does not validate: %v", err)
			}
			if tr.Broker != "coinbase" || tr.ExtID != fl.extID() || tr.Qty.Sign() <= 0 || tr.Price.Sign() <= 0 ||
				tr.Fee.Valid && tr.FeeAsset != tr.Symbol.Quote() || tr.TS.Location() != time.UTC ||
				tr.OrderID != fl.OrderID || tr.ExchangeTradeID != fl.TradeID || tr.Liquidity != "" && !strings.EqualFold(string(tr.Liquidity), fl.LiquidityIndicator) {
				t.Fatalf("insane trade %+v from %+v", tr, fl)
			}
			if !fl.SizeInQuote && !tr.Qty.Equal(mustAmount(t, fl.Size)) {
				t.Fatalf("qty %s from size %q", tr.Qty, fl.Size)
			}
		}
	})
}

// FuzzDecodeCandles: decoding any body never panics; every candle that comes out validates.
func FuzzDecodeCandles(f *testing.F) {
	seedTestdata(f)
	f.Fuzz(func(t *testing.T, body []byte) {
		cs, err := decodeCandles(body, "BTC-USD", coach.Minute1)
		if err != nil {
			if c := coach.ErrorCode(err); c != coach.EUNAVAILABLE && c != coach.EINVALID {
				t.Fatalf("error code %q", c)
			}
			return
		}
		for _, c := range cs {
			if err := c.Validate(); err != nil {
				t.Fatalf("candle does not validate: %v", err)
			}
		}
	})
}

// FuzzErrorBody: any error body with any status becomes a coach error with a known code, and a
// secret in the body never reaches the message.
func FuzzErrorBody(f *testing.F) {
	seedTestdata(f)
	f.Add([]byte(`{"error":"x","message":"tok-SECRET-tok"}`))
	f.Add([]byte(`{"errors":[{"id":"tok-SECRET-tok","message":"tok-SEC` + "\x01" + `RET-tok"}]}`))
	const secret = "tok-SECRET-tok"
	codes := map[coach.Code]bool{coach.EINVALID: true, coach.ENOTFOUND: true, coach.EUNAUTHORIZED: true, coach.EFORBIDDEN: true,
		coach.ERATELIMITED: true, coach.EUNAVAILABLE: true}
	f.Fuzz(func(t *testing.T, body []byte) {
		for _, status := range []int{400, 401, 403, 404, 418, 429, 500, 503} {
			err := formatError(status, body, []string{secret})
			if !codes[coach.ErrorCode(err)] {
				t.Fatalf("status %d: code %q", status, coach.ErrorCode(err))
			}
			if strings.Contains(err.Error(), secret) {
				t.Fatalf("status %d: secret in %q", status, err.Error())
			}
		}
	})
}

func mustAmount(t *testing.T, s string) decimal.Decimal {
	d, ok := wire.Amount(s)
	if !ok {
		t.Fatalf("amount %q", s)
	}
	return d
}

// FuzzNormalizeFills: NormalizeFills never panics; it fails only with EINVALID and no trades, or
// returns one valid trade per distinct trade entry of the page, sorted by (TS, ExtID).
func FuzzNormalizeFills(f *testing.F) {
	seedTestdata(f)
	f.Add([]byte(mixedFills))
	f.Add(syntheticFillsBody(3))
	f.Add([]byte(`{"fills":[{"entry_id":"e","order_id":"0000-000000-000000","price":"1","size":"1","product_id":"btc-usd","trade_time":"2024-01-01T00:00:00+02:00"}]}`))
	f.Fuzz(func(t *testing.T, body []byte) {
		got, err := NormalizeFills(body, sampleOrderSides)
		if err != nil {
			if coach.ErrorCode(err) != coach.EINVALID || got != nil {
				t.Fatalf("error %v (code %q) with %d trades", err, coach.ErrorCode(err), len(got))
			}
			return
		}
		p, err := decodeFills(body)
		if err != nil {
			t.Fatalf("normalized a body that does not decode: %v", err)
		}
		entries := map[string]bool{}
		for _, fl := range p.Fills {
			if fl.isTrade() {
				entries[fl.extID()] = true
			}
		}
		if len(got) != len(entries) {
			t.Fatalf("%d trades from %d distinct trade entries", len(got), len(entries))
		}
		for i, tr := range got {
			if err := tr.Validate(); err != nil {
				t.Fatalf("trade does not validate: %v", err)
			}
			if tr.Broker != "coinbase" || !entries[tr.ExtID] || tr.TS.Location() != time.UTC || tr.ID != "" || tr.UserID != "" {
				t.Fatalf("insane trade %+v", tr)
			}
			if i > 0 {
				prev := got[i-1]
				if c := prev.TS.Compare(tr.TS); c > 0 || c == 0 && prev.ExtID >= tr.ExtID {
					t.Fatalf("trades %d and %d out of order or repeated: %+v, %+v", i-1, i, prev, tr)
				}
			}
		}
	})
}
