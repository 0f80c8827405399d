package main

import (
	"bytes"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/tradecoach/coach"
)

var update = flag.Bool("update", false, "regenerate testdata (sample CSVs and report.golden)")

// rng is splitmix64: the same numbers on every platform, so the samples never drift.
type rng struct{ s uint64 }

func (r *rng) next() uint64 {
	r.s += 0x9e3779b97f4a7c15
	z := r.s
	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9
	z = (z ^ (z >> 27)) * 0x94d049bb133111eb
	return z ^ (z >> 31)
}

func (r *rng) float() float64 { return float64(r.next()>>11) / (1 << 53) }

// noise is roughly normal (Irwin–Hall of 12 uniforms), with no transcendental functions.
func (r *rng) noise() float64 {
	var s float64
	for range 12 {
		s += r.float()
	}
	return s - 6
}

var start = time.Date(2024, 3, 1, 0, 0, 0, 0, time.UTC)

// sampleCandles writes 30 days of hourly bars of sym: a random walk, shaped by drift over some bars.
func sampleCandles(b *bytes.Buffer, sym string, seed uint64, p float64, drift func(int) (float64, float64)) []float64 {
	r := &rng{s: seed}
	closes := make([]float64, 30*24)
	for i := range closes {
		d, vm := drift(i)
		o := p
		p = p * (1 + d + float64(0.006*r.noise()))
		hi := max(o, p) * (1 + float64(0.002*r.float()))
		lo := min(o, p) * (1 - float64(0.002*r.float()))
		vol := max(1, 100*vm*(1+float64(0.2*r.noise())))
		fmt.Fprintf(b, "%s,%s,%.2f,%.2f,%.2f,%.2f,%.3f\n", sym, start.Add(time.Duration(i)*time.Hour).Format(time.RFC3339), o, hi, lo, p, vol)
		closes[i] = float64(int64(p*100+0.5)) / 100
	}
	return closes
}

// writeSamples regenerates testdata/trades.csv and testdata/candles.csv.
func writeSamples(t *testing.T) {
	var cb bytes.Buffer
	cb.WriteString("symbol,open_time,open,high,low,close,volume\n")
	btc := sampleCandles(&cb, "BTC-USDT", 1, 60000, func(i int) (float64, float64) {
		switch {
		case i >= 230 && i < 242:
			return 0.016, 4 // a pump
		case i >= 330 && i < 338:
			return -0.02, 3 // a crash
		}
		return 0, 1
	})
	eth := sampleCandles(&cb, "ETH-USDT", 2, 3000, func(int) (float64, float64) { return 0, 1 })

	var tb bytes.Buffer
	tb.WriteString("ts,symbol,side,qty,price,fee,feeAsset,extId\n")
	n := 0
	trade := func(sym string, closes []float64, side string, h, m int, qty string, mul float64) {
		n++
		p := closes[h-1] * mul // the last close before the fill, nudged
		fmt.Fprintf(&tb, "%s,%s,%s,%s,%.2f,%.4f,USDT,f%02d\n", start.Add(time.Duration(h)*time.Hour+time.Duration(m)*time.Minute).Format(time.RFC3339),
			sym, side, qty, p, p*0.001*parse(qty), n)
	}
	r := &rng{s: 7}
	for d := 8; d < 29; d++ { // routine ETH round trips
		h := d*24 + 9 + int(r.next()%6)
		trade("ETH-USDT", eth, "BUY", h, 13, "0.5", 1.0005)
		trade("ETH-USDT", eth, "SELL", h+20, 41, "0.5", 0.9995)
	}
	trade("BTC-USDT", btc, "BUY", 241, 30, "0.02", 1.003)  // chasing the pump
	trade("BTC-USDT", btc, "SELL", 336, 20, "0.02", 0.998) // dumping in the crash
	trade("ETH-USDT", eth, "BUY", 336, 40, "3", 1.001)     // and sizing up right after
	trade("ETH-USDT", eth, "SELL", 340, 2, "3", 1.0)
	n++ // a pair without candles: it is not scored, and the report says why
	fmt.Fprintf(&tb, "%s,DOGE-USDT,BUY,1000,0.09,0.09,USDT,f%02d\n", start.Add(400*time.Hour).Format(time.RFC3339), n)
	for _, f := range []struct {
		name string
		b    []byte
	}{{"candles.csv", cb.Bytes()}, {"trades.csv", tb.Bytes()}} {
		if err := os.WriteFile(filepath.Join("testdata", f.name), f.b, 0o644); err != nil {
			t.Fatal(err)
		}
	}
}

func parse(s string) float64 {
	var f float64
	fmt.Sscan(s, &f)
	return f
}

func TestReportOnSamples(t *testing.T) {
	if *update {
		writeSamples(t)
	}
	var out bytes.Buffer
	if err := run(&out, "testdata/trades.csv", "testdata/candles.csv", coach.Hour1); err != nil {
		t.Fatal(err)
	}
	path := filepath.Join("testdata", "report.golden")
	if *update {
		if err := os.WriteFile(path, out.Bytes(), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(want, out.Bytes()) {
		t.Errorf("report differs from %s (go test -update rewrites it after review):\n%s", path, out.String())
	}
	for _, label := range []string{"FOMO", "PANIC", "REVENGE", "DOGE-USDT", "disposition"} {
		if !strings.Contains(out.String(), label) {
			t.Errorf("report lacks %s", label)
		}
	}
}

// TestRunRejectsBadFiles checks that a bad row in either file stops the report with an EINVALID
// error naming the file and the line (the parsers themselves are tested in package broker).
func TestRunRejectsBadFiles(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	write := func(name, content string) string {
		path := filepath.Join(dir, name)
		if err := os.WriteFile(path, []byte(content), 0o644); err != nil {
			t.Fatal(err)
		}
		return path
	}
	goodTrades := write("trades.csv", "ts,symbol,side,qty,price,fee,feeAsset,extId\n2024-03-01T01:30:00Z,BTC-USDT,BUY,1,2,,,f1\n")
	goodCandles := write("candles.csv", "symbol,open_time,open,high,low,close,volume\nBTC-USDT,2024-03-01T00:00:00Z,1,2,0.5,1.5,10\n")
	badTrades := write("bad-trades.csv", "ts,symbol,side,qty,price,fee,feeAsset,extId\n2024-03-01T01:30:00Z,BTC-USDT,HOLD,1,2,,,f1\n")
	badCandles := write("bad-candles.csv", "symbol,open_time,open,high,low,close,volume\nBTC-USDT,2024-03-01T00:00:00Z,1,2,0.5,1.5,lots\n")
	for _, tc := range []struct{ trades, candles, want string }{
		{badTrades, goodCandles, badTrades + ": csv: 1 of 1 rows are invalid (first: line 2: "},
		{goodTrades, badCandles, badCandles + `: candles: line 2: volume: want a number, got "lots"`},
	} {
		err := run(&bytes.Buffer{}, tc.trades, tc.candles, coach.Hour1)
		if coach.ErrorCode(err) != coach.EINVALID || !strings.HasPrefix(coach.ErrorMessage(err), tc.want) {
			t.Errorf("run(%s, %s) = %v, want EINVALID %q…", tc.trades, tc.candles, err, tc.want)
		}
	}
	if err := run(&bytes.Buffer{}, goodTrades, goodCandles, coach.Hour1); err != nil {
		t.Errorf("run on good files: %v", err)
	}
}
