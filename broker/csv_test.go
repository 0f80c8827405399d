package broker_test

import (
	"bytes"
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"
	"github.com/shopspring/decimal"

	"github.com/tradecoach/coach"
	"github.com/tradecoach/coach/broker"
)

func dec(s string) decimal.Decimal { return decimal.RequireFromString(s) }

func fee(s string) decimal.NullDecimal { return decimal.NewNullDecimal(dec(s)) }

func readFixture(t testing.TB, name string) []byte {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("testdata", "csv", name))
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// ignoreDerivedIDs compares trades without their derived ExtIDs, checked separately.
var ignoreDerivedIDs = cmp.FilterPath(func(p cmp.Path) bool {
	return p.Last().String() == ".ExtID"
}, cmp.Comparer(func(a, b string) bool {
	return a == b || strings.HasPrefix(a, "csv-") && strings.HasPrefix(b, "csv-")
}))

func TestParseCSVFormats(t *testing.T) {
	t.Parallel()
	ts := func(s string) time.Time {
		v, err := time.Parse(time.RFC3339Nano, s)
		if err != nil {
			t.Fatal(err)
		}
		return v.UTC()
	}
	for _, tc := range []struct {
		file        string
		wantFormat  broker.CSVFormat
		wantIgnored int
		want        []coach.Trade
	}{
		{"generic.csv", broker.CSVGeneric, 0, []coach.Trade{
			{Broker: "csv", ExtID: "ord-1", Symbol: "BTC-USDT", Side: coach.Buy, Qty: dec("0.010"), Price: dec("64000.50"), Fee: fee("0.64"), FeeAsset: "USDT", TS: ts("2026-01-05T14:03:00Z")},
			{Broker: "csv", ExtID: "csv-", Symbol: "ETH-USDT", Side: coach.Sell, Qty: dec("1.5"), Price: dec("3200"), TS: ts("2026-01-05T14:10:30.25Z")},
			{Broker: "csv", ExtID: "csv-", Symbol: "SOL-USDT", Side: coach.Buy, Qty: dec("10"), Price: dec("150.25"), Fee: fee("0.01"), FeeAsset: "SOL", TS: ts("2026-01-05T16:00:00Z")},
		}},
		{"coinbase_fills.csv", broker.CSVCoinbaseFills, 0, []coach.Trade{
			// The trade id is the exchange's, as written; as the ExtID a numeric one gets its product.
			{Broker: "coinbase", ExtID: "ETH-BTC:123", Symbol: "ETH-BTC", Side: coach.Buy, Qty: dec("0.51395867"), Price: dec("0.01936"), Fee: fee("4.9751199256E-05"), FeeAsset: "BTC", TS: ts("2020-01-21T21:12:58.902Z"), ExchangeTradeID: "123"},
			{Broker: "coinbase", ExtID: "ETH-BTC:124", Symbol: "ETH-BTC", Side: coach.Sell, Qty: dec("0.51395867"), Price: dec("0.01926"), Fee: fee("4.9494219921E-05"), FeeAsset: "BTC", TS: ts("2020-01-24T20:54:19.465Z"), ExchangeTradeID: "124"},
			{Broker: "coinbase", ExtID: "8a1f3c2e-7b9d-4e11-9c3a-2f6d5e4b3a21", Symbol: "BTC-USD", Side: coach.Sell, Qty: dec("0.2"), Price: dec("8745.11"), Fee: fee("8.74511"), FeeAsset: "USD", TS: ts("2020-01-21T21:13:49.280Z"), ExchangeTradeID: "8a1f3c2e-7b9d-4e11-9c3a-2f6d5e4b3a21"},
			// size in the quote asset: 100 USD at 10000 is 0.01 BTC.
			{Broker: "coinbase", ExtID: "BTC-USD:901", Symbol: "BTC-USD", Side: coach.Buy, Qty: dec("0.01"), Price: dec("10000.00"), Fee: fee("0.50"), FeeAsset: "USD", TS: ts("2020-02-01T10:00:00Z"), ExchangeTradeID: "901"},
		}},
		// The generic layout's optional columns: what the exchange said, as ccxt names it (the
		// rows are the Coinbase and Binance wire samples; liquidity in any case, or empty).
		{"generic_exchange.csv", broker.CSVGeneric, 0, []coach.Trade{
			{Broker: "csv", ExtID: "csv-", Symbol: "BTC-USDT", Side: coach.Buy, Qty: dec("0.000000220684504963"), Price: dec("21220.64"), Fee: fee("0.0000280983986004"), FeeAsset: "USDT", TS: ts("2024-01-18T01:37:38.091377090Z"),
				OrderID: "813a53c5-3e39-47bb-863d-2faf685d22d8", ExchangeTradeID: "cdc39e45-bbd3-44ec-bf02-61742dfb16a1", Liquidity: coach.Maker},
			{Broker: "csv", ExtID: "csv-", Symbol: "BNB-BTC", Side: coach.Buy, Qty: dec("12"), Price: dec("4.000001"), Fee: fee("10.1"), FeeAsset: "BNB", TS: ts("2017-07-12T13:19:09.590Z"),
				OrderID: "100234", ExchangeTradeID: "28457", Liquidity: coach.Taker},
			// The other side of a self-trade: the same trade id, another fill.
			{Broker: "csv", ExtID: "csv-", Symbol: "BNB-BTC", Side: coach.Sell, Qty: dec("12"), Price: dec("4.000001"), Fee: fee("10.1"), FeeAsset: "BNB", TS: ts("2017-07-12T13:19:09.590Z"),
				OrderID: "100235", ExchangeTradeID: "28457", Liquidity: coach.Maker},
			{Broker: "csv", ExtID: "mine-7", Symbol: "SOL-USDT", Side: coach.Sell, Qty: dec("10"), Price: dec("150.25"), TS: ts("2026-01-05T16:00:00Z")},
		}},
		{"coinbase_transactions.csv", broker.CSVCoinbaseTransactions, 1, []coach.Trade{
			{Broker: "coinbase", ExtID: "65a1b2c3d4e5f6a7b8c9d0e1", Symbol: "BTC-USD", Side: coach.Buy, Qty: dec("0.0015"), Price: dec("42850.12"), Fee: fee("1.99"), FeeAsset: "USD", TS: ts("2024-01-15T10:23:45Z")},
			{Broker: "coinbase", ExtID: "65a1b2c3d4e5f6a7b8c9d0e3", Symbol: "ETH-USD", Side: coach.Sell, Qty: dec("0.25"), Price: dec("2550.40"), Fee: fee("1.28"), FeeAsset: "USD", TS: ts("2024-01-17T12:30:00Z")},
		}},
		{"binance_trades.csv", broker.CSVBinanceTrades, 0, []coach.Trade{
			{Broker: "binance", ExtID: "csv-", Symbol: "BTC-USDT", Side: coach.Buy, Qty: dec("0.001"), Price: dec("62000.50"), Fee: fee("0.0000015"), FeeAsset: "BNB", TS: ts("2024-03-01T12:30:00Z")},
			{Broker: "binance", ExtID: "csv-", Symbol: "1INCH-USDT", Side: coach.Buy, Qty: dec("100.000"), Price: dec("0.51"), Fee: fee("0.100"), FeeAsset: "1INCH", TS: ts("2024-03-01T13:00:00Z")},
			{Broker: "binance", ExtID: "csv-", Symbol: "BTC-USDT", Side: coach.Sell, Qty: dec("0.0005"), Price: dec("70000"), Fee: fee("0.035"), FeeAsset: "USDT", TS: ts("2024-03-02T10:00:00Z")},
		}},
		{"binance_legacy.csv", broker.CSVBinanceLegacy, 0, []coach.Trade{
			{Broker: "binance", ExtID: "csv-", Symbol: "ETH-BTC", Side: coach.Buy, Qty: dec("2"), Price: dec("0.07"), Fee: fee("0.002"), FeeAsset: "ETH", TS: ts("2021-05-12T10:20:30Z")},
			{Broker: "binance", ExtID: "csv-", Symbol: "BNB-USDT", Side: coach.Sell, Qty: dec("1.5"), Price: dec("650.5"), Fee: fee("0.00112"), FeeAsset: "BNB", TS: ts("2021-05-12T11:00:00Z")},
		}},
	} {
		t.Run(tc.file, func(t *testing.T) {
			t.Parallel()
			res, err := broker.ParseCSV(bytes.NewReader(readFixture(t, tc.file)), broker.CSVOptions{})
			if err != nil {
				t.Fatalf("ParseCSV: %v (row errors %+v)", err, res.Errors)
			}
			if res.Format != tc.wantFormat || res.Ignored != tc.wantIgnored || res.BadRows != 0 {
				t.Errorf("format %q ignored %d bad %d; want %q, %d, 0", res.Format, res.Ignored, res.BadRows, tc.wantFormat, tc.wantIgnored)
			}
			if diff := cmp.Diff(tc.want, res.Trades, ignoreDerivedIDs); diff != "" {
				t.Errorf("trades (-want +got):\n%s", diff)
			}
			for _, tr := range res.Trades {
				if err := tr.Validate(); err != nil {
					t.Errorf("trade %s does not validate: %v", tr.ExtID, err)
				}
			}
			// The explicit format reads the file the same way.
			again, err := broker.ParseCSV(bytes.NewReader(readFixture(t, tc.file)), broker.CSVOptions{Format: tc.wantFormat, Broker: "mine"})
			if err != nil || len(again.Trades) != len(res.Trades) || again.Trades[0].Broker != "mine" {
				t.Errorf("explicit format: %v, %d trades", err, len(again.Trades))
			}
		})
	}
}

func TestParseCSVDerivedIDsAreIdempotent(t *testing.T) {
	t.Parallel()
	file := "ts,symbol,side,qty,price\n" +
		"2026-01-05T14:03:00Z,BTC-USDT,BUY,0.5,100\n" +
		"2026-01-05T14:03:00Z,BTC-USDT,BUY,0.5,100\n" + // a second identical partial fill
		"2026-01-05T14:04:00Z,BTC-USDT,SELL,1,101\n"
	ids := func(s string) []string {
		res, err := broker.ParseCSV(strings.NewReader(s), broker.CSVOptions{})
		if err != nil {
			t.Fatal(err)
		}
		var out []string
		for _, tr := range res.Trades {
			out = append(out, tr.ExtID)
		}
		return out
	}
	first := ids(file)
	if len(first) != 3 || first[0] == first[1] || first[1] == first[2] {
		t.Fatalf("ids = %v, want three distinct", first)
	}
	if diff := cmp.Diff(first, ids(file)); diff != "" {
		t.Errorf("second parse (-first +second):\n%s", diff)
	}
	// The same fills written differently (column order, number form, zone, CRLF, BOM) keep their ids.
	reformatted := "\ufeffprice,qty,side,symbol,ts\r\n" +
		"100.00,0.50,buy,btc/usdt,2026-01-05T15:03:00+01:00\r\n" +
		"100,.5,BUY,BTCUSDT,2026-01-05T14:03:00.000Z\r\n" +
		"\r\n" +
		"101.0,1.0,SELL,BTC-USDT,2026-01-05T14:04:00Z\r\n"
	if diff := cmp.Diff(first, ids(reformatted)); diff != "" {
		t.Errorf("reformatted file (-first +reformatted):\n%s", diff)
	}
	// A longer export that repeats the rows keeps their ids and adds new ones.
	longer := ids(file + "2026-01-05T14:05:00Z,BTC-USDT,BUY,0.5,100\n")
	if diff := cmp.Diff(first, longer[:3]); diff != "" || len(longer) != 4 || longer[3] == first[0] {
		t.Errorf("longer export ids = %v, want %v plus one new", longer, first)
	}
}

func TestParseCSVRowErrors(t *testing.T) {
	t.Parallel()
	file := "ts,symbol,side,qty,price,fee,feeAsset,extId\n" + // line 1
		"2026-01-05T14:03:00Z,BTC-USDT,BUY,1,100,,,a\n" + // 2 ok
		"2026-01-05 14:03:00,BTC-USDT,BUY,1,100,,,b\n" + // 3 ts
		"2026-01-05T14:03:00Z,BTC,BUY,1,100,,,c\n" + // 4 symbol
		"2026-01-05T14:03:00Z,BTC-USDT,HOLD,1,100,,,d\n" + // 5 side
		"2026-01-05T14:03:00Z,BTC-USDT,BUY,-1,100,,,e\n" + // 6 qty (Validate)
		"2026-01-05T14:03:00Z,BTC-USDT,BUY,1,1e999999999,,,f\n" + // 7 price out of range
		"2026-01-05T14:03:00Z,BTC-USDT,BUY,1,100,0.1,,g\n" + // 8 fee without asset
		"2026-01-05T14:03:00Z,BTC-USDT,BUY,1,100,,,a\n" + // 9 repeated id
		"2026-01-05T14:03:00Z,BTC-USDT,BUY,1,100,,,\"bad\"quote\n" + // 10 malformed CSV
		"2026-01-05T14:03:00Z,BTC-USDT,BUY,1,100,,," + strings.Repeat("x", 300) + "\n" + // 11 too long
		"2026-01-05T14:03:00Z,BTC-USDT,BUY,1,100\n" // 12 ok (short row: optional fields absent)
	wantErrs := []broker.RowError{
		{Line: 3, Column: "ts"},
		{Line: 4, Column: "symbol"},
		{Line: 5, Column: "side"},
		{Line: 6},
		{Line: 7, Column: "price"},
		{Line: 8},
		{Line: 9, Column: "extId"},
		{Line: 10},
		{Line: 11, Column: "extId"},
	}
	onlyPos := cmpopts.IgnoreFields(broker.RowError{}, "Message")

	res, err := broker.ParseCSV(strings.NewReader(file), broker.CSVOptions{})
	if coach.ErrorCode(err) != coach.EINVALID {
		t.Fatalf("err = %v, want EINVALID", err)
	}
	if len(res.Trades) != 0 {
		t.Errorf("a file with bad rows returned %d trades", len(res.Trades))
	}
	if diff := cmp.Diff(wantErrs, res.Errors, onlyPos); diff != "" {
		t.Errorf("row errors (-want +got):\n%s", diff)
	}
	for _, e := range res.Errors {
		if e.Message == "" {
			t.Errorf("line %d: empty message", e.Line)
		}
		if strings.Contains(e.Message, strings.Repeat("x", 50)) {
			t.Errorf("line %d: message quotes a long field: %q", e.Line, e.Message)
		}
	}
	if !strings.Contains(coach.ErrorMessage(err), "line 3") || res.Rows != 11 || res.BadRows != 9 {
		t.Errorf("message %q rows %d bad %d", coach.ErrorMessage(err), res.Rows, res.BadRows)
	}

	res, err = broker.ParseCSV(strings.NewReader(file), broker.CSVOptions{SkipBadRows: true})
	if err != nil {
		t.Fatalf("SkipBadRows: %v", err)
	}
	if len(res.Trades) != 2 || res.Trades[0].ExtID != "a" || !strings.HasPrefix(res.Trades[1].ExtID, "csv-") {
		t.Errorf("SkipBadRows trades = %+v", res.Trades)
	}
	if diff := cmp.Diff(wantErrs, res.Errors, onlyPos); diff != "" {
		t.Errorf("SkipBadRows row errors (-want +got):\n%s", diff)
	}
}

// TestParseCSVExchangeColumnErrors: the generic layout's orderId, exchangeTradeId and liquidity
// are checked like the other fields, and one fill of the exchange twice in a file is refused as a
// repeated extId is.
func TestParseCSVExchangeColumnErrors(t *testing.T) {
	t.Parallel()
	file := "ts,symbol,side,qty,price,orderId,exchangeTradeId,liquidity\n" + // line 1
		"2026-01-05T14:03:00Z,BTC-USDT,BUY,1,100,o1,t1,MAKER\n" + // 2 ok
		"2026-01-05T14:03:00Z,BTC-USDT,BUY,1,100,o2,t2,BOTH\n" + // 3 liquidity
		"2026-01-05T14:03:00Z,BTC-USDT,BUY,1,100," + strings.Repeat("o", 129) + ",t3,\n" + // 4 orderId (Validate)
		"2026-01-05T14:03:00Z,BTC-USDT,BUY,1,100,o4,\"t\x7f4\",\n" + // 5 exchangeTradeId (Validate)
		"2026-01-05T14:04:00Z,BTC-USDT,BUY,2,101,o5,t1,TAKER\n" + // 6 the trade of line 2 again
		"2026-01-05T14:03:00Z,BTC-USDT,SELL,1,100,o6,t1,TAKER\n" + // 7 ok: the other side of t1
		"2026-01-05T14:03:00Z,ETH-USDT,BUY,1,100,o7,t1,taker\n" // 8 ok: t1 of another pair
	res, err := broker.ParseCSV(strings.NewReader(file), broker.CSVOptions{SkipBadRows: true})
	if err != nil {
		t.Fatal(err)
	}
	wantErrs := []broker.RowError{
		{Line: 3, Column: "liquidity", Message: `want MAKER, TAKER or empty, got "BOTH"`},
		{Line: 4, Message: "orderId: want at most 128 printable characters"},
		{Line: 5, Message: "exchangeTradeId: want at most 128 printable characters"},
		{Line: 6, Column: "exchangeTradeId", Message: "the same exchange trade id as line 2"},
	}
	if diff := cmp.Diff(wantErrs, res.Errors); diff != "" {
		t.Errorf("row errors (-want +got):\n%s", diff)
	}
	var got []string
	for _, tr := range res.Trades {
		got = append(got, tr.ExchangeKey()+" "+string(tr.Liquidity))
	}
	if diff := cmp.Diff([]string{"BTC-USDT BUY t1 MAKER", "BTC-USDT SELL t1 TAKER", "ETH-USDT BUY t1 TAKER"}, got); diff != "" {
		t.Errorf("trades (-want +got):\n%s", diff)
	}
}

func TestParseCSVFileErrors(t *testing.T) {
	t.Parallel()
	row := "2026-01-05T14:03:00Z,BTC-USDT,BUY,1,100\n"
	hdr := "ts,symbol,side,qty,price\n"
	for _, tc := range []struct {
		name string
		in   string
		opts broker.CSVOptions
		ok   bool
	}{
		{"empty", "", broker.CSVOptions{}, false},
		{"unknown header", "date,pair,amount\n" + row, broker.CSVOptions{}, false},
		{"header after too much preamble", strings.Repeat("x\n", 12) + hdr + row, broker.CSVOptions{}, false},
		{"format mismatch", hdr + row, broker.CSVOptions{Format: broker.CSVBinanceTrades}, false},
		{"unknown format", hdr + row, broker.CSVOptions{Format: "excel"}, false},
		{"bad broker", hdr + row, broker.CSVOptions{Broker: "Bad Name"}, false},
		{"one byte over", hdr + row, broker.CSVOptions{MaxBytes: int64(len(hdr+row)) - 1}, false},
		{"exactly the size limit", hdr + row, broker.CSVOptions{MaxBytes: int64(len(hdr + row))}, true},
		{"too many rows", hdr + strings.Repeat(row, 3), broker.CSVOptions{MaxRows: 2, SkipBadRows: true}, false},
		{"exactly the row limit", hdr + strings.Repeat("2026-01-05T14:03:00Z,BTC-USDT,BUY,1,100,\n", 2), broker.CSVOptions{MaxRows: 2}, true},
		{"header only", hdr, broker.CSVOptions{}, true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			res, err := broker.ParseCSV(strings.NewReader(tc.in), tc.opts)
			if tc.ok {
				if err != nil {
					t.Fatalf("err = %v, want none", err)
				}
				return
			}
			if coach.ErrorCode(err) != coach.EINVALID {
				t.Fatalf("err = %v, want EINVALID", err)
			}
			if len(res.Trades) != 0 {
				t.Errorf("rejected file returned %d trades", len(res.Trades))
			}
		})
	}
}

// FuzzParseCSV checks that ParseCSV never panics, allocates in proportion to its input, and that
// every trade it returns is valid and has a unique ExtID.
func FuzzParseCSV(f *testing.F) {
	entries, err := os.ReadDir(filepath.Join("testdata", "csv"))
	if err != nil {
		f.Fatal(err)
	}
	for _, e := range entries {
		f.Add(readFixture(f, e.Name()), false)
	}
	f.Add([]byte("ts,symbol,side,qty,price\n2026-01-05T14:03:00Z,BTC-USDT,BUY,1e-40,100\n"), true)
	f.Add([]byte("ts,symbol,side,qty,price,orderId,exchangeTradeId,liquidity\n2026-01-05T14:03:00Z,BTC-USDT,BUY,1,100,o,t,maker\n2026-01-05T14:03:00Z,BTC-USDT,BUY,1,100,,t,\n"), true)
	f.Add([]byte("\"Date(UTC)\",\"Pair\",\"Side\",\"Price\",\"Executed\",\"Amount\",\"Fee\"\n\"x\",\"BTCUSDT\",\"BUY\",\"1\",\"E5BTC\",\"\",\"-1BNB\"\n"), true)
	f.Add([]byte("ts,symbol,side,qty,price,fee,feeAsset,extId\n\"2026-01-05T14:03:00Z\",\"a-b\",\"SELL\",\"1\",\"1\",\"0\",\"\",\"\x00\"\n"), false)
	f.Add(hostileCSV(40_000), true)
	f.Add([]byte("ts,symbol,side,qty,price\n\""+strings.Repeat("x,\n", 30_000)), false)
	f.Fuzz(func(t *testing.T, data []byte, skip bool) {
		var res broker.CSVResult
		var err error
		// Resources are bounded by the input's size: rows are at most a few hundred bytes of
		// structs each, and a record is never held past the line limit.
		if n := allocated(func() {
			res, err = broker.ParseCSV(bytes.NewReader(data), broker.CSVOptions{SkipBadRows: skip, MaxRows: 1000})
		}); n > 64*uint64(len(data))+4<<20 {
			t.Fatalf("parsing %d bytes allocated %d bytes", len(data), n)
		}
		if err != nil {
			if c := coach.ErrorCode(err); c != coach.EINVALID {
				t.Fatalf("error code %q: %v", c, err)
			}
			if len(res.Trades) != 0 {
				t.Fatalf("error with %d trades", len(res.Trades))
			}
			return
		}
		if !skip && res.BadRows != 0 {
			t.Fatalf("%d bad rows without an error", res.BadRows)
		}
		seen, seenX := map[string]bool{}, map[string]bool{}
		for _, tr := range res.Trades {
			if err := tr.Validate(); err != nil {
				t.Fatalf("invalid trade returned: %v", err)
			}
			if seen[tr.ExtID] {
				t.Fatalf("ExtID %q returned twice", tr.ExtID)
			}
			seen[tr.ExtID] = true
			if x := tr.ExchangeKey(); x != "" {
				if seenX[x] {
					t.Fatalf("exchange key %q returned twice", x)
				}
				seenX[x] = true
			}
		}
		if len(res.Trades)+res.BadRows+res.Ignored != res.Rows {
			t.Fatalf("rows %d != trades %d + bad %d + ignored %d", res.Rows, len(res.Trades), res.BadRows, res.Ignored)
		}
	})
}

// syntheticCSV returns a generic-format file of n fills over three symbols.
func syntheticCSV(n int) []byte {
	var b bytes.Buffer
	b.WriteString("ts,symbol,side,qty,price,fee,feeAsset,extId\n")
	t0 := time.Date(2026, 1, 5, 0, 0, 0, 0, time.UTC)
	syms := []string{"BTC-USDT", "ETH-USDT", "SOL-USDT"}
	for i := range n {
		side := "BUY"
		if i%2 == 1 {
			side = "SELL"
		}
		id := ""
		if i%4 == 0 {
			id = fmt.Sprintf("ord-%d", i)
		}
		fmt.Fprintf(&b, "%s,%s,%s,%d.%04d,%d.%02d,0.%03d,USDT,%s\n",
			t0.Add(time.Duration(i)*time.Second).Format(time.RFC3339), syms[i%3], side, i%7+1, i%9999, 100+i%5000, i%100, i%1000+1, id)
	}
	return b.Bytes()
}

func BenchmarkParseCSV(b *testing.B) {
	const n = 100_000
	data := syntheticCSV(n)
	b.ReportAllocs()
	b.SetBytes(int64(len(data)))
	cpu0 := cpuTime()
	for b.Loop() {
		res, err := broker.ParseCSV(bytes.NewReader(data), broker.CSVOptions{})
		if err != nil || len(res.Trades) != n {
			b.Fatalf("%v, %d trades", err, len(res.Trades))
		}
	}
	b.ReportMetric(float64(n)*float64(b.N)/b.Elapsed().Seconds(), "fills/s")
	// The rate per CPU-second (GC included) does not depend on how busy a shared machine is.
	if cpu := cpuTime() - cpu0; cpu > 0 {
		b.ReportMetric(float64(n)*float64(b.N)/cpu.Seconds(), "fills/cpu-s")
	}
}

// hostileCSV is a header and one huge line: n tiny fields (a line of commas, as the review sent).
func hostileCSV(n int) []byte {
	var b bytes.Buffer
	b.Grow(n*2 + 64)
	b.WriteString("ts,symbol,side,qty,price\n")
	for range n {
		b.WriteString("a,")
	}
	b.WriteString("\n")
	return b.Bytes()
}

// allocated returns the bytes f allocates.
func allocated(f func()) uint64 {
	var before, after runtime.MemStats
	runtime.ReadMemStats(&before)
	f()
	runtime.ReadMemStats(&after)
	return after.TotalAlloc - before.TotalAlloc
}

// A line of a million tiny fields is refused by its line number before it is held: the parse
// allocates a bounded amount, not the gigabytes a record of a million fields would take.
func TestParseCSVHostileLinesAreBounded(t *testing.T) {
	for _, tc := range []struct {
		name string
		in   []byte
		want string
	}{
		{"a million tiny fields", hostileCSV(1_000_000), "line 2"},
		{"one long quoted field", []byte("ts,symbol,side,qty,price\n\"" + strings.Repeat("x\n", 1<<20) + "\"\n"), "line 2"},
		{"a long preamble line", []byte(strings.Repeat(",", 4<<20) + "\nts,symbol,side,qty,price\n"), "line 1"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var err error
			n := allocated(func() { _, err = broker.ParseCSV(bytes.NewReader(tc.in), broker.CSVOptions{SkipBadRows: true}) })
			if coach.ErrorCode(err) != coach.EINVALID || !strings.Contains(coach.ErrorMessage(err), tc.want) {
				t.Fatalf("err = %v, want EINVALID naming %s", err, tc.want)
			}
			if n > 4<<20 {
				t.Errorf("parsing %d hostile bytes allocated %d bytes, want ≤ 4 MiB", len(tc.in), n)
			}
		})
	}
	// Under the line limit, a record of too many fields is a row error naming its line.
	in := "ts,symbol,side,qty,price\n" + strings.Repeat("1,", broker.CSVMaxFields+1) + "\n2026-01-05T14:03:00Z,BTC-USDT,BUY,1,100\n"
	res, err := broker.ParseCSV(strings.NewReader(in), broker.CSVOptions{SkipBadRows: true})
	if err != nil || len(res.Trades) != 1 || len(res.Errors) != 1 || res.Errors[0].Line != 2 || !strings.Contains(res.Errors[0].Message, "fields") {
		t.Fatalf("too many fields: %v, %+v", err, res)
	}
}

// BenchmarkParseCSVHostile parses the review's attack at the default limits: a header and one
// 64 MiB line of a million-plus tiny fields. It reports the time to the error and the peak heap
// in use meanwhile (sampled), against the goal of ≤ 1 s and ≤ 64 MiB.
func BenchmarkParseCSVHostile(b *testing.B) {
	data := hostileCSV(broker.DefaultCSVMaxBytes/2 - 32)
	runtime.GC()
	var base runtime.MemStats
	runtime.ReadMemStats(&base)
	var peak atomic.Uint64
	stop := make(chan struct{})
	sampled := make(chan struct{})
	go func() {
		defer close(sampled)
		var m runtime.MemStats
		for {
			runtime.ReadMemStats(&m)
			if m.HeapInuse > peak.Load() {
				peak.Store(m.HeapInuse)
			}
			select {
			case <-stop:
				return
			case <-time.After(time.Millisecond):
			}
		}
	}()
	b.ReportAllocs()
	b.SetBytes(int64(len(data)))
	cpu0 := cpuTime()
	for b.Loop() {
		if _, err := broker.ParseCSV(bytes.NewReader(data), broker.CSVOptions{}); coach.ErrorCode(err) != coach.EINVALID {
			b.Fatalf("err = %v, want EINVALID", err)
		}
	}
	close(stop)
	<-sampled
	b.ReportMetric(b.Elapsed().Seconds()*1000/float64(b.N), "ms/parse")
	b.ReportMetric((cpuTime()-cpu0).Seconds()*1000/float64(b.N), "cpu-ms/parse")
	// The input itself (64 MiB) is on the heap throughout; the parse's own peak is above it.
	b.ReportMetric(float64(peak.Load()-min(peak.Load(), base.HeapInuse))/(1<<20), "peak-heap-MiB")
}
