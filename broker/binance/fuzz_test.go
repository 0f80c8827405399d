package binance

import (
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/tradecoach/coach"
)

// seedTestdata adds every testdata file to f's corpus.
func seedTestdata(f *testing.F) {
	files, _ := filepath.Glob("testdata/binance_*")
	for _, p := range files {
		b, err := os.ReadFile(p)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(b)
	}
	f.Add([]byte(`[{"symbol":"BTCUSDT","id":1,"price":"1e999999999","qty":"1","commission":"0","time":1700000000000,"isBuyer":true}]`))
	f.Add([]byte(`[[1700000000000,"NaN","Inf","-1","1","1",0,"0",0,"0","0","0"],[1,2]]`))
}

// FuzzDecodeTrades: decoding and normalizing any body never panics, and every trade that comes
// out is valid and sane.
func FuzzDecodeTrades(f *testing.F) {
	seedTestdata(f)
	f.Fuzz(func(t *testing.T, body []byte) {
		rows, err := decodeTrades(body)
		if err != nil {
			if coach.ErrorCode(err) != coach.EUNAVAILABLE {
				t.Fatalf("decode error code %q", coach.ErrorCode(err))
			}
			return
		}
		for _, r := range rows {
			tr, err := r.trade("")
			if err != nil {
				if coach.ErrorCode(err) != coach.EINVALID {
					t.Fatalf("normalize error code %q: %v", coach.ErrorCode(err), err)
				}
				continue
			}
			if err := tr.Validate(); err != nil {
				t.Fatalf("trade does not validate: %v", err)
			}
			if tr.Broker != "binance" || tr.ExtID != r.extID() || tr.Symbol.Concat() != r.Symbol || tr.Qty.Sign() <= 0 ||
				tr.Price.Sign() <= 0 || tr.TS.UnixMilli() != r.Time || tr.TS.Location() != time.UTC || (tr.Side == coach.Buy) != r.IsBuyer ||
				tr.ExchangeTradeID != strconv.FormatInt(r.ID, 10) || (tr.OrderID == "") != (r.OrderID <= 0) ||
				r.OrderID > 0 && tr.OrderID != strconv.FormatInt(r.OrderID, 10) ||
				(r.IsMaker == nil) != (tr.Liquidity == "") || r.IsMaker != nil && *r.IsMaker != (tr.Liquidity == coach.Maker) {
				t.Fatalf("insane trade %+v from %+v", tr, r)
			}
		}
	})
}

// FuzzDecodeKlines: decoding any body never panics; every candle that comes out validates.
func FuzzDecodeKlines(f *testing.F) {
	seedTestdata(f)
	f.Fuzz(func(t *testing.T, body []byte) {
		cs, err := decodeKlines(body, "BTC-USDT", coach.Minute1)
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

// FuzzErrorBody: any error body with any status becomes a coach error with a known code, and the
// key or secret in the body never reaches the message.
func FuzzErrorBody(f *testing.F) {
	seedTestdata(f)
	f.Add([]byte(`{"code":-2015,"msg":"key-SECRET-key"}`))
	f.Add([]byte(`{"code":-1,"msg":"key-SEC` + "\x7f" + `RET-key"}`))
	const secret = "key-SECRET-key"
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

// FuzzDecodeAccount: decoding any account body never panics; the held assets come out sorted,
// without repeats or empty names, or the error is EUNAVAILABLE.
func FuzzDecodeAccount(f *testing.F) {
	seedTestdata(f)
	f.Add([]byte(accountSample))
	f.Add([]byte(`{"balances":[{"asset":"BTC","free":"0.1","locked":"-0.1"},{"asset":"","free":"1","locked":"0"}]}`))
	f.Add([]byte(`{"balances":null}`))
	f.Fuzz(func(t *testing.T, body []byte) {
		held, err := decodeAccount(body)
		if err != nil {
			if coach.ErrorCode(err) != coach.EUNAVAILABLE {
				t.Fatalf("error code %q", coach.ErrorCode(err))
			}
			return
		}
		for i, a := range held {
			if a == "" || i > 0 && held[i-1] >= a {
				t.Fatalf("held %q: not sorted, unique and named", held)
			}
		}
	})
}

// FuzzDecodeExchangeInfo: decoding any exchangeInfo body never panics; every listed pair is a
// valid symbol with a status, and discovery over it returns sorted listed pairs that are not
// delisted.
func FuzzDecodeExchangeInfo(f *testing.F) {
	seedTestdata(f)
	f.Add([]byte(exchangeInfoSample))
	f.Add([]byte(`{"symbols":[{"symbol":"BTCUSDT","status":"BREAK","baseAsset":"BTC","quoteAsset":"USDT"},{"symbol":"BTCUSDT","status":"TRADING","baseAsset":"BTC","quoteAsset":"USDT"}]}`))
	f.Add([]byte(`{"symbols":[{"symbol":"B-TCUSDT","status":"TRADING","baseAsset":"B-TC","quoteAsset":"USDT"}]}`))
	f.Fuzz(func(t *testing.T, body []byte) {
		listed, err := decodeExchangeInfo(body)
		if err != nil {
			if coach.ErrorCode(err) != coach.EUNAVAILABLE {
				t.Fatalf("error code %q", coach.ErrorCode(err))
			}
			return
		}
		for s, status := range listed {
			if !s.Valid() || status == "" {
				t.Fatalf("listed %q with status %q", s, status)
			}
		}
		found := discovered([]string{"BTC", "ETH", "LUNA"}, listed, DefaultQuoteAssets)
		for i, s := range found {
			if listed[s] == "" || listed[s] == statusBreak || i > 0 && found[i-1] >= s {
				t.Fatalf("discovered %v from %v", found, listed)
			}
		}
	})
}

// FuzzNormalizeTrades: NormalizeTrades never panics; it fails only with EINVALID and no trades,
// or returns valid trades of the rows, in page order with ids never going back and no ExtID twice.
func FuzzNormalizeTrades(f *testing.F) {
	seedTestdata(f)
	f.Add([]byte(mixedTrades))
	f.Add(syntheticTradesBody(3))
	f.Add([]byte(`[{"symbol":"btcusdt","id":1,"price":"1","qty":"1","commission":"0","commissionAsset":"usdt","time":1700000000000,"isBuyer":false}]`))
	f.Fuzz(func(t *testing.T, body []byte) {
		for _, sym := range []coach.Symbol{"", "BTC-USDT"} {
			got, err := NormalizeTrades(body, sym)
			if err != nil {
				if coach.ErrorCode(err) != coach.EINVALID || got != nil {
					t.Fatalf("error %v (code %q) with %d trades", err, coach.ErrorCode(err), len(got))
				}
				continue
			}
			rows, err := decodeTrades(body)
			if err != nil || len(got) > len(rows) {
				t.Fatalf("%d trades from %d rows (%v)", len(got), len(rows), err)
			}
			seen := map[string]bool{}
			for i, tr := range got {
				if err := tr.Validate(); err != nil {
					t.Fatalf("trade does not validate: %v", err)
				}
				if tr.Broker != "binance" || seen[tr.ExtID] || sym != "" && tr.Symbol != sym || tr.TS.Location() != time.UTC ||
					tr.ID != "" || tr.UserID != "" || tr.FeeAsset != strings.ToUpper(tr.FeeAsset) {
					t.Fatalf("insane trade %+v", tr)
				}
				seen[tr.ExtID] = true
				if i > 0 && tradeID(t, got[i-1]) > tradeID(t, tr) {
					t.Fatalf("ids go back: %s then %s", got[i-1].ExtID, tr.ExtID)
				}
			}
		}
	})
}

// tradeID is the Binance id of a trade, its ExchangeTradeID.
func tradeID(t *testing.T, tr coach.Trade) int64 {
	id, err := strconv.ParseInt(tr.ExchangeTradeID, 10, 64)
	if err != nil {
		t.Fatalf("trade %s: ExchangeTradeID %q: %v", tr.ExtID, tr.ExchangeTradeID, err)
	}
	return id
}

// A symbol Binance would not write (lower case, padded) is refused, never stored as a trade whose
// symbol disagrees with its ExtID (FuzzDecodeTrades found "a0BTC" → A0-BTC with ExtID "a0BTC:…").
func TestTradeRefusesNonCanonicalSymbol(t *testing.T) {
	for _, sym := range []string{"a0BTC", "btcusdt", " BTCUSDT", "BTCUSDT "} {
		m := myTrade{Symbol: sym, ID: 1, Price: "1", Qty: "1", Time: 1700000000000, IsBuyer: true}
		if _, err := m.trade(""); coach.ErrorCode(err) != coach.EINVALID {
			t.Errorf("symbol %q: err = %v, want EINVALID", sym, err)
		}
	}
	m := myTrade{Symbol: "BTCUSDT", ID: 1, Price: "1", Qty: "1", Time: 1700000000000, IsBuyer: true}
	if tr, err := m.trade(""); err != nil || tr.Symbol != "BTC-USDT" {
		t.Errorf("BTCUSDT: %v %v", tr.Symbol, err)
	}
}
