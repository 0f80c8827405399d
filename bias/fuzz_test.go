package bias_test

import (
	"encoding/json"
	"math"
	"reflect"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/shopspring/decimal"

	"github.com/tradecoach/coach"
	"github.com/tradecoach/coach/bias"
)

// fuzzConfig has short windows so that small inputs reach every label.
func fuzzConfig() bias.Config {
	c := bias.DefaultConfig()
	c.ReturnWindow, c.VolumeDays, c.BandWindow, c.RSIWindow, c.RangeWindow = 3*time.Hour, 1, 4*time.Hour, 3*time.Hour, 4*time.Hour
	c.VolShortWindow, c.VolLongWindow = 2*time.Hour, 5*time.Hour
	c.BaselineEntries, c.MinBaselineEntries, c.MinEvents, c.BaselineDays, c.MinBaselineDays = 4, 1, 1, 3, 1
	c.FOMOMinSignals, c.MinT = 1, 0.5
	c.Rules = func(t coach.Trade) bias.Verdict { return bias.Verdict{Checked: int(t.TS.Minute() % 3)} }
	return c
}

// price decodes a byte into a price, including the values candles must not have.
func price(b byte) float64 {
	switch b {
	case 0:
		return 0
	case 1:
		return math.NaN()
	case 2:
		return math.Inf(1)
	case 3:
		return -5
	case 4:
		return 1e-300
	case 5:
		return 1e300
	}
	return 100 + float64(b) - 128
}

// decode turns fuzz bytes into candles (8 bytes each: symbol, hour, open, high, low, close,
// volume, interval) and trades (6 bytes each: symbol, side, hour, minute, qty, price) after a
// first byte giving the number of candles. Some bytes make a trade invalid: a zero quantity, an id
// given twice, an amount with a hostile exponent.
func decode(data []byte) ([]coach.Trade, bias.CandleSeries) {
	syms := []coach.Symbol{"AAA-USD", "BBB-USD", "CCC-AAA"}
	start := time.Date(2024, 1, 1, 0, 0, 0, 0, time.UTC)
	series := bias.CandleSeries{}
	if len(data) == 0 {
		return nil, series
	}
	n := int(data[0])
	data = data[1:]
	for i := 0; i < n && len(data) >= 8; i++ {
		d := data[:8]
		data = data[8:]
		sym := syms[int(d[0])%len(syms)]
		iv := coach.Hour1
		if d[7]%17 == 0 {
			iv = coach.Minute5
		}
		open := start.Add(time.Duration(d[1]) * time.Hour)
		if d[7]%13 == 0 {
			open = open.Add(time.Minute) // misaligned
		}
		series[sym] = append(series[sym], coach.Candle{Symbol: sym, Interval: iv, OpenTime: open,
			Open: price(d[2]), High: price(d[3]) + 20, Low: price(d[4]) - 20, Close: price(d[5]), Volume: float64(d[6]) - 10})
	}
	var trades []coach.Trade
	for i := 0; len(data) >= 6; i++ {
		d := data[:6]
		data = data[6:]
		sym := syms[int(d[0])%len(syms)]
		side := coach.Buy
		if d[1]%2 == 1 {
			side = coach.Sell
		}
		tr := coach.Trade{ID: "t" + string(rune('A'+i%26)) + string(rune('a'+i/26%26)), Broker: "f", ExtID: "e",
			Symbol: sym, Side: side, Qty: decimal.New(int64(d[4])+1, -2), Price: decimal.NewFromInt(int64(d[5]) + 1),
			TS: start.Add(time.Duration(d[2])*time.Hour + time.Duration(d[3]%60)*time.Minute)}
		switch d[1] % 5 {
		case 1:
			tr.Fee, tr.FeeAsset = decimal.NewNullDecimal(decimal.New(int64(d[3]), -3)), sym.Quote()
		case 2:
			tr.Fee, tr.FeeAsset = decimal.NewNullDecimal(decimal.New(int64(d[3]), -6)), sym.Base()
		case 3:
			tr.Fee, tr.FeeAsset = decimal.NewNullDecimal(decimal.New(1, -2)), "AAA"
		}
		if d[1]%7 == 0 {
			tr.Qty = decimal.Zero // invalid: Score must say so, not panic
		}
		switch {
		case d[1]%11 == 5 && i > 0:
			tr.ID = trades[i-1].ID // given twice: EINVALID
		case d[4] == 255:
			tr.Qty = decimal.New(1, 999_999_999) // an exponent that must never be expanded
		case d[5] == 255:
			tr.Price = decimal.New(1, -999_999_999)
		case d[5] == 254:
			tr.Price = decimal.New(1, 300) // finite as a float, beyond what the ledger takes
		}
		trades = append(trades, tr)
	}
	return trades, series
}

func FuzzScore(f *testing.F) {
	seed := []byte{40}
	for i := range 40 {
		b := byte(i)
		seed = append(seed, b%2, b, 120+b%9, 130+b%7, 110+b%5, 122+b%11, 50+b*3, 7)
	}
	for i := range 12 {
		seed = append(seed, byte(i), byte(i*3+1), byte(10+i*2), byte(i*7), byte(i*11+3), byte(100+i*5))
	}
	f.Add(seed)
	f.Add([]byte{3, 0, 1, 1, 2, 3, 4, 5, 6, 0, 1, 1, 2, 3, 4, 5, 6})
	f.Add([]byte{0, 0, 0, 0, 0, 0, 0})
	f.Add([]byte{0, 0, 0, 1, 0, 255, 9, 0, 16, 2, 0, 9, 255, 1, 5, 3, 0, 9, 254})
	f.Fuzz(func(t *testing.T, data []byte) {
		trades, candles := decode(data)
		res, err := bias.Score(trades, candles, fuzzConfig())
		if err != nil {
			if coach.ErrorCode(err) != coach.EINVALID {
				t.Fatalf("Score error %v, want EINVALID", err)
			}
			return
		}
		ids := map[string]bool{}
		for _, tr := range trades {
			ids[tr.ID] = true
		}
		for _, g := range res.Tags {
			if !ids[g.TradeID] || !(g.Confidence >= 0 && g.Confidence <= 1) || !json.Valid(g.Features) || !utf8.Valid(g.Features) {
				t.Fatalf("bad tag %+v %s", g, g.Features)
			}
			g.ID, g.CreatedAt, g.UserID = "g", time.Now(), "u"
			if err := g.Validate(); err != nil {
				t.Fatalf("tag %s %s: %v", g.TradeID, g.Label, err)
			}
			if text := bias.Reflect(g); utf8.RuneCountInString(text) > bias.MaxReflection || !utf8.ValidString(text) {
				t.Fatalf("reflection %q", text)
			}
		}
		if _, err := json.Marshal(res); err != nil {
			t.Fatalf("result does not marshal: %v", err)
		}
	})
}

// FuzzDispositionMark: on any input, judging paper gains on the sale's bar (SaleBar) changes no
// tag and no skip, only the paper counts of the account metric, and every account's disposition
// metric is DispositionFromCounts of its counts.
func FuzzDispositionMark(f *testing.F) {
	seed := []byte{40}
	for i := range 40 {
		b := byte(i)
		seed = append(seed, b%2, b, 120+b%9, 130+b%7, 110+b%5, 122+b%11, 50+b*3, 7)
	}
	for i := range 12 {
		seed = append(seed, byte(i), byte(i*3+1), byte(10+i*2), byte(i*7), byte(i*11+3), byte(100+i*5))
	}
	f.Add(seed)
	f.Add([]byte{3, 0, 1, 1, 2, 3, 4, 5, 6, 0, 1, 1, 2, 3, 4, 5, 6})
	f.Fuzz(func(t *testing.T, data []byte) {
		trades, candles := decode(data)
		cfg := fuzzConfig()
		def, err := bias.Score(trades, candles, cfg)
		if err != nil {
			return
		}
		cfg.DispositionMark = bias.SaleBar
		sale, err := bias.Score(trades, candles, cfg)
		if err != nil {
			t.Fatalf("Score with SaleBar: %v", err)
		}
		if !reflect.DeepEqual(def.Tags, sale.Tags) || !reflect.DeepEqual(def.Skipped, sale.Skipped) {
			t.Fatalf("SaleBar changed tags or skips:\n%v\n%v", def.Tags, sale.Tags)
		}
		d, s := def.Account.Disposition, sale.Account.Disposition
		if d.Moments != s.Moments || d.Excluded != s.Excluded || d.RG != s.RG || d.RL != s.RL {
			t.Fatalf("SaleBar changed realized counts: %+v, %+v", d.Counts(), s.Counts())
		}
		for _, m := range []bias.Disposition{d, s} {
			if got := bias.DispositionFromCounts(m.Counts(), cfg.MinEvents); !sameDisposition(got, m) {
				t.Fatalf("metric %+v is not that of its counts, %+v", m, got)
			}
		}
	})
}

func sameDisposition(a, b bias.Disposition) bool {
	same := func(x, y float64) bool { return x == y || math.IsNaN(x) && math.IsNaN(y) }
	return a.Counts() == b.Counts() && a.Insufficient == b.Insufficient && same(a.PGR, b.PGR) && same(a.PLR, b.PLR) &&
		same(a.DE, b.DE) && same(a.SE, b.SE) && same(a.T, b.T)
}
