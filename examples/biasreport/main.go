// Command biasreport scores a trader's fills from a CSV file against candles from another, and
// prints each bias label with the coach's reflection, the trades that could not be scored and
// why, and the account-level metrics (disposition effect, overtrading, loss chasing, holding
// losers).
//
//	go run ./examples/biasreport -trades examples/biasreport/testdata/trades.csv \
//	    -candles examples/biasreport/testdata/candles.csv
//
// The files are in the generic trade format and the candle format of broker/CSV.md
// (broker.ParseCSV, broker.ParseCandlesCSV). The sample files in testdata are a synthetic month of
// hourly BTC-USDT and ETH-USDT with a pump and a crash, and a trader who chases one and panics in
// the other.
package main

import (
	"flag"
	"fmt"
	"io"
	"os"

	"github.com/tradecoach/coach"
	"github.com/tradecoach/coach/bias"
	"github.com/tradecoach/coach/broker"
)

func main() {
	trades := flag.String("trades", "testdata/trades.csv", "CSV of fills")
	candles := flag.String("candles", "testdata/candles.csv", "CSV of OHLCV bars")
	interval := flag.String("interval", "1h", "candle interval: 1m 5m 15m 1h 4h 1d")
	flag.Parse()
	if err := run(os.Stdout, *trades, *candles, coach.Interval(*interval)); err != nil {
		fmt.Fprintln(os.Stderr, "biasreport:", coach.ErrorMessage(err))
		os.Exit(1)
	}
}

// run reads both files, scores them with the default definitions for interval iv and writes the
// report to w.
func run(w io.Writer, tradesPath, candlesPath string, iv coach.Interval) error {
	trades, err := readFile(tradesPath, func(r io.Reader) ([]coach.Trade, error) {
		res, err := broker.ParseCSV(r, broker.CSVOptions{Format: broker.CSVGeneric})
		return res.Trades, err
	})
	if err != nil {
		return err
	}
	candles, err := readFile(candlesPath, func(r io.Reader) ([]coach.Candle, error) {
		return broker.ParseCandlesCSV(r, broker.CandleCSVOptions{Interval: iv})
	})
	if err != nil {
		return err
	}
	cfg := bias.DefaultConfig()
	cfg.Interval = iv
	res, err := bias.Score(trades, bias.SeriesOf(candles), cfg)
	if err != nil {
		return err
	}
	return write(w, res, trades)
}

// readFile opens path and parses it with read.
func readFile[T any](path string, read func(io.Reader) ([]T, error)) ([]T, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, coach.Errorf(coach.EINVALID, "%s: %v", path, err)
	}
	defer f.Close()
	out, err := read(f)
	if err != nil {
		return nil, coach.Errorf(coach.EINVALID, "%s: %s", path, coach.ErrorMessage(err))
	}
	return out, nil
}
