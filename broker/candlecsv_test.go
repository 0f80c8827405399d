package broker_test

import (
	"bytes"
	"errors"
	"strings"
	"testing"
	"testing/iotest"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/tradecoach/coach"
	"github.com/tradecoach/coach/broker"
)

func TestParseCandlesCSV(t *testing.T) {
	t.Parallel()
	in := "\ufeffVolume, Symbol,OPEN_TIME,open,high,low,close,interval,extra\n" +
		"12.5,btc/usdt,2024-03-01T02:00:00+02:00,60000,60100,59900,60050,,x\n" +
		"\n" +
		"0,ETHUSDT,2024-03-01T01:00:00Z,3000,3010,2990,3005,4h\n"
	got, err := broker.ParseCandlesCSV(strings.NewReader(in), broker.CandleCSVOptions{Interval: coach.Hour1})
	if err != nil {
		t.Fatal(err)
	}
	want := []coach.Candle{
		{Symbol: "BTC-USDT", Interval: coach.Hour1, OpenTime: time.Date(2024, 3, 1, 0, 0, 0, 0, time.UTC), Open: 60000, High: 60100, Low: 59900, Close: 60050, Volume: 12.5},
		{Symbol: "ETH-USDT", Interval: "4h", OpenTime: time.Date(2024, 3, 1, 1, 0, 0, 0, time.UTC), Open: 3000, High: 3010, Low: 2990, Close: 3005},
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("candles (-want +got):\n%s", diff)
	}
}

func TestParseCandlesCSVErrors(t *testing.T) {
	t.Parallel()
	head := "symbol,open_time,open,high,low,close,volume\n"
	row := "BTC-USDT,2024-03-01T00:00:00Z,1,2,0.5,1.5,10\n"
	for _, tc := range []struct {
		name, csv string
		opts      broker.CandleCSVOptions
		want      string
	}{
		{"empty", "", broker.CandleCSVOptions{}, "candles: no header row"},
		{"missing column", "symbol,open_time\n", broker.CandleCSVOptions{}, `candles: header: column "open" is missing`},
		{"symbol", head + row + "BTC,2024-03-01T00:00:00Z,1,2,0.5,1.5,10\n", broker.CandleCSVOptions{}, `candles: line 3: symbol: want BASE-QUOTE, got "BTC"`},
		{"time", head + "\n" + "BTC-USDT,yesterday,1,2,0.5,1.5,10\n", broker.CandleCSVOptions{}, `candles: line 3: open_time: want RFC 3339 such as 2024-03-11T01:00:00Z, got "yesterday"`},
		{"number", head + "BTC-USDT,2024-03-01T00:00:00Z,1,2,0.5,1.5,lots\n", broker.CandleCSVOptions{}, `candles: line 2: volume: want a number, got "lots"`},
		{"long quote", head + "BTC-USDT,2024-03-01T00:00:00Z,1,2,0.5," + strings.Repeat("9", 50) + "x,1\n", broker.CandleCSVOptions{}, `candles: line 2: close: want a number, got "` + strings.Repeat("9", 40) + `…"`},
		{"not csv", head + row + "\"BTC-USDT,x\n", broker.CandleCSVOptions{}, "candles: line 3: not CSV"},
		{"rows", head + row + row + row, broker.CandleCSVOptions{MaxRows: 2}, "candles: more than 2 rows"},
		{"bytes", head + row, broker.CandleCSVOptions{MaxBytes: int64(len(head) + 10)}, "candles: file larger than 54 bytes; split it"},
		{"field", head + row, broker.CandleCSVOptions{MaxFieldLen: 8}, "candles: line 2: a field longer than 8 bytes"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			got, err := broker.ParseCandlesCSV(strings.NewReader(tc.csv), tc.opts)
			if coach.ErrorCode(err) != coach.EINVALID || coach.ErrorMessage(err) != tc.want || got != nil {
				t.Errorf("ParseCandlesCSV = %d candles, %v; want EINVALID %q", len(got), err, tc.want)
			}
		})
	}
	got, err := broker.ParseCandlesCSV(strings.NewReader(head+row+row), broker.CandleCSVOptions{MaxRows: 2, MaxBytes: int64(len(head + row + row))})
	if err != nil || len(got) != 2 {
		t.Errorf("at the limits: %d candles, %v; want 2", len(got), err)
	}
	boom := errors.New("disk on fire")
	if _, err := broker.ParseCandlesCSV(iotest.ErrReader(boom), broker.CandleCSVOptions{}); coach.ErrorCode(err) != coach.EINTERNAL || !errors.Is(err, boom) {
		t.Errorf("read failure: %v, want EINTERNAL wrapping it", err)
	}
}

func FuzzParseCandlesCSV(f *testing.F) {
	f.Add("symbol,open_time,open,high,low,close,volume\nBTC-USDT,2024-03-01T00:00:00Z,60000,60100,59900,60050,12.5\n")
	f.Add("symbol,open_time,open,high,low,close,volume,interval\nBTCUSDT,2024-03-01T00:00:00Z,NaN,Inf,-1,0,-5,7m\n")
	f.Add("\ufeffOPEN,symbol,open_time,high,low,close,volume\n\"1\n\",ETH/BTC,2024-03-01T00:00:00.5+01:00,1,1,1,1\n\"x")
	f.Fuzz(func(t *testing.T, s string) {
		candles, err := broker.ParseCandlesCSV(strings.NewReader(s), broker.CandleCSVOptions{Interval: coach.Hour1, MaxRows: 50, MaxBytes: 4096})
		if err != nil {
			if coach.ErrorCode(err) != coach.EINVALID {
				t.Fatalf("error %v, want EINVALID", err)
			}
			if candles != nil {
				t.Fatalf("error %v with %d candles", err, len(candles))
			}
			return
		}
		if len(candles) > 50 {
			t.Fatalf("%d candles over MaxRows", len(candles))
		}
		for _, c := range candles {
			if !c.Symbol.Valid() || c.OpenTime.Location() != time.UTC || c.Interval == "" {
				t.Fatalf("candle %+v not normalized", c)
			}
		}
	})
}

// A candle file of one huge line is refused by its line before the line is held.
func TestParseCandlesCSVHostileLineIsBounded(t *testing.T) {
	in := []byte("symbol,open_time,open,high,low,close,volume\n" + strings.Repeat("1,", 1_000_000) + "\n")
	var err error
	n := allocated(func() { _, err = broker.ParseCandlesCSV(bytes.NewReader(in), broker.CandleCSVOptions{}) })
	if coach.ErrorCode(err) != coach.EINVALID || !strings.Contains(coach.ErrorMessage(err), "line 2") {
		t.Fatalf("err = %v, want EINVALID naming line 2", err)
	}
	if n > 4<<20 {
		t.Errorf("parsing %d hostile bytes allocated %d bytes, want ≤ 4 MiB", len(in), n)
	}
}
