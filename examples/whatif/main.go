// Command whatif answers "what if I had skipped my FOMO buys?": it labels a trader's fills with
// bias scoring, replays them with one what-if scenario (package sim) and prints the actual and
// the counterfactual P/L, realized and marked to the window end, their difference, what changed
// trade by trade, and both equity curves.
//
//	go run ./examples/whatif                  # the demo trader of brokertest.NewDemo, 45 days
//	go run ./examples/whatif -scenario '{"kind":"holdInstead","label":"PANIC","until":"nCandles","n":24}'
//	go run ./examples/whatif -scenario '{"kind":"followRule","stopLossPct":3,"takeProfitPct":6}'
//	go run ./examples/whatif -trades examples/whatif/testdata/trades.csv \
//	    -candles examples/whatif/testdata/candles.csv
//
// The files are in the generic trade format and the candle format of broker/CSV.md
// (broker.ParseCSV, broker.ParseCandlesCSV).
package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"os"
	"time"

	"github.com/shopspring/decimal"

	"github.com/tradecoach/coach"
	"github.com/tradecoach/coach/bias"
	"github.com/tradecoach/coach/broker"
	"github.com/tradecoach/coach/broker/brokertest"
	"github.com/tradecoach/coach/sim"
)

// options are the command line.
type options struct {
	trades, candles string // CSV files; both empty for the demo
	interval        coach.Interval
	scenario        string // JSON
	slippageBps     string
	seed            int64 // demo
	days            int   // demo
}

func main() {
	var o options
	flag.StringVar(&o.trades, "trades", "", "CSV of fills (with -candles); the demo trader when empty")
	flag.StringVar(&o.candles, "candles", "", "CSV of OHLCV bars (with -trades)")
	iv := flag.String("interval", "1h", "candle interval: 1m 5m 15m 1h 4h 1d")
	flag.StringVar(&o.scenario, "scenario", `{"kind":"skipLabel","label":"FOMO"}`, "the what-if scenario, as JSON")
	flag.StringVar(&o.slippageBps, "slippage", "5", "slippage of the fills the scenario adds, in basis points")
	flag.Int64Var(&o.seed, "seed", 42, "demo: the seed of the market and the trader")
	flag.IntVar(&o.days, "days", brokertest.DemoDefaultDays, "demo: days of market data and fills")
	flag.Parse()
	o.interval = coach.Interval(*iv)
	if err := run(os.Stdout, o); err != nil {
		fmt.Fprintln(os.Stderr, "whatif:", coach.ErrorMessage(err))
		os.Exit(1)
	}
}

// data is a trader's fills and the market around them.
type data struct {
	source   string
	trades   []coach.Trade
	candles  []coach.Candle
	from, to time.Time
}

// run loads the data, labels it, simulates o.scenario and writes the report to w.
func run(w io.Writer, o options) error {
	sc, err := sim.ParseScenario([]byte(o.scenario))
	if err != nil {
		return err
	}
	slip, err := decimal.NewFromString(o.slippageBps)
	if err != nil {
		return coach.Errorf(coach.EINVALID, "slippage: want a number of basis points")
	}
	var in data
	switch {
	case o.trades == "" && o.candles == "":
		in, err = demo(o)
	case o.trades != "" && o.candles != "":
		in, err = files(o)
	default:
		return coach.Errorf(coach.EINVALID, "give both -trades and -candles, or neither for the demo")
	}
	if err != nil {
		return err
	}
	cfg := bias.DefaultConfig()
	cfg.Interval = o.interval
	labels, err := bias.Score(in.trades, bias.SeriesOf(in.candles), cfg)
	if err != nil {
		return err
	}
	res, err := sim.Run(sim.Input{
		Trades:   in.trades,
		Tags:     labels.Tags,
		Candles:  in.candles,
		Scenario: sc,
		Params: sim.Params{From: in.from, To: in.to, Interval: o.interval,
			Fees: sim.FeeModel{SlippageBps: slip}},
	})
	if err != nil {
		return err
	}
	return write(w, in, res)
}

// demo makes the demo trader's fills and candles.
func demo(o options) (data, error) {
	d, err := brokertest.NewDemo(o.seed, brokertest.DemoOptions{Days: o.days})
	if err != nil {
		return data{}, err
	}
	in := data{source: fmt.Sprintf("demo trader (seed %d, %d days)", o.seed, o.days), trades: d.Trades(), from: d.Start(), to: d.End()}
	for _, sym := range d.Symbols() {
		cs, err := d.Candles(context.Background(), sym, o.interval, d.Start(), d.End())
		if err != nil {
			return data{}, err
		}
		in.candles = append(in.candles, cs...)
	}
	return in, nil
}

// files reads fills and candles from CSV; the window runs from the first bar to the last.
func files(o options) (data, error) {
	trades, err := readFile(o.trades, func(r io.Reader) ([]coach.Trade, error) {
		res, err := broker.ParseCSV(r, broker.CSVOptions{Format: broker.CSVGeneric})
		return res.Trades, err
	})
	if err != nil {
		return data{}, err
	}
	candles, err := readFile(o.candles, func(r io.Reader) ([]coach.Candle, error) {
		return broker.ParseCandlesCSV(r, broker.CandleCSVOptions{Interval: o.interval})
	})
	if err != nil {
		return data{}, err
	}
	if len(candles) == 0 {
		return data{}, coach.Errorf(coach.EINVALID, "%s: no candles", o.candles)
	}
	in := data{source: o.trades, trades: trades, candles: candles, from: candles[0].OpenTime, to: candles[0].CloseTime()}
	for _, c := range candles {
		if c.OpenTime.Before(in.from) {
			in.from = c.OpenTime
		}
		if c.CloseTime().After(in.to) {
			in.to = c.CloseTime()
		}
	}
	return in, nil
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
