package main

import (
	"encoding/csv"
	"io"
	"strconv"
	"strings"
	"time"

	"github.com/shopspring/decimal"

	"github.com/tradecoach/coach"
)

// maxRows bounds what a file may hold, so that a hostile file cannot exhaust memory.
const maxRows = 1_000_000

// table reads a CSV with a header row and gives each later row's fields by column name.
type table struct {
	r    *csv.Reader
	cols map[string]int
	row  []string
	line int
}

// newTable reads the header of r and checks that it names every required column.
func newTable(r io.Reader, what string, required ...string) (*table, error) {
	cr := csv.NewReader(r)
	cr.FieldsPerRecord = -1
	cr.TrimLeadingSpace = true
	cr.ReuseRecord = true
	head, err := cr.Read()
	if err != nil {
		return nil, coach.Errorf(coach.EINVALID, "%s: no header row", what)
	}
	t := &table{r: cr, cols: map[string]int{}, line: 1}
	for i, h := range head {
		t.cols[strings.ToLower(strings.TrimSpace(strings.TrimPrefix(h, "\ufeff")))] = i
	}
	for _, c := range required {
		if _, ok := t.cols[c]; !ok {
			return nil, coach.Errorf(coach.EINVALID, "%s: header: column %q is missing", what, c)
		}
	}
	return t, nil
}

// next reads the next row; it returns false at the end of the file.
func (t *table) next() (bool, error) {
	row, err := t.r.Read()
	if err == io.EOF {
		return false, nil
	}
	t.line++
	if err != nil {
		return false, coach.Errorf(coach.EINVALID, "line %d: not CSV", t.line)
	}
	if t.line > maxRows+1 {
		return false, coach.Errorf(coach.EINVALID, "more than %d rows", maxRows)
	}
	t.row = row
	return true, nil
}

// get returns the field of column c in the current row, "" when the row is short or has no such
// column.
func (t *table) get(c string) string {
	i, ok := t.cols[c]
	if !ok || i >= len(t.row) {
		return ""
	}
	return strings.TrimSpace(t.row[i])
}

// bad reports a field of the current row.
func (t *table) bad(c, want string) error {
	v := t.get(c)
	if len(v) > 40 {
		v = v[:40] + "…"
	}
	return coach.Errorf(coach.EINVALID, "line %d: %s: %s, got %q", t.line, c, want, v)
}

// ReadTrades reads fills from CSV with the columns (in any order, header names case-insensitive):
//
//	ts         fill time, RFC 3339 (2024-03-11T01:30:00Z)
//	symbol     BTC-USDT, BTC/USDT or BTCUSDT
//	side       BUY or SELL
//	qty        base quantity, a positive decimal
//	price      quote per base, a positive decimal
//	fee        optional: the fee, a decimal ≥ 0; empty means unknown
//	fee_asset  optional: the asset the fee was charged in (required with a non-zero fee)
//	id         optional: the fill's id; "row-N" when absent
//
// Every trade is checked with coach.Trade.Validate; the first bad row is an EINVALID error naming
// its line.
func ReadTrades(r io.Reader) ([]coach.Trade, error) {
	t, err := newTable(r, "trades", "ts", "symbol", "side", "qty", "price")
	if err != nil {
		return nil, err
	}
	var out []coach.Trade
	for {
		ok, err := t.next()
		if err != nil || !ok {
			return out, err
		}
		tr := coach.Trade{Broker: "csv", ExtID: t.get("id")}
		if tr.ExtID == "" {
			tr.ExtID = "row-" + strconv.Itoa(t.line)
		}
		if coach.ValidID(tr.ExtID) {
			tr.ID = tr.ExtID
		}
		if tr.TS, err = time.Parse(time.RFC3339Nano, t.get("ts")); err != nil {
			return nil, t.bad("ts", "want RFC 3339 such as 2024-03-11T01:30:00Z")
		}
		tr.TS = tr.TS.UTC()
		if tr.Symbol, err = coach.ParseSymbol(t.get("symbol")); err != nil {
			return nil, t.bad("symbol", "want BASE-QUOTE")
		}
		switch strings.ToUpper(t.get("side")) {
		case "BUY":
			tr.Side = coach.Buy
		case "SELL":
			tr.Side = coach.Sell
		default:
			return nil, t.bad("side", "want BUY or SELL")
		}
		if tr.Qty, err = decimalOf(t.get("qty")); err != nil {
			return nil, t.bad("qty", "want a decimal")
		}
		if tr.Price, err = decimalOf(t.get("price")); err != nil {
			return nil, t.bad("price", "want a decimal")
		}
		if fee := t.get("fee"); fee != "" {
			d, err := decimalOf(fee)
			if err != nil {
				return nil, t.bad("fee", "want a decimal")
			}
			tr.Fee = decimal.NewNullDecimal(d)
		}
		tr.FeeAsset = strings.ToUpper(t.get("fee_asset"))
		if err := tr.Validate(); err != nil {
			return nil, coach.Errorf(coach.EINVALID, "line %d: %s", t.line, coach.ErrorMessage(err))
		}
		out = append(out, tr)
	}
}

// decimalOf parses a plain decimal, refusing exponents so that "1e999999" is never expanded.
func decimalOf(s string) (decimal.Decimal, error) {
	if s == "" || len(s) > 40 || strings.ContainsAny(s, "eE") {
		return decimal.Decimal{}, coach.Errorf(coach.EINVALID, "not a decimal")
	}
	return decimal.NewFromString(s)
}

// ReadCandles reads OHLCV bars from CSV with the columns (any order, case-insensitive):
//
//	symbol     BTC-USDT, BTC/USDT or BTCUSDT
//	open_time  the bar's start, RFC 3339
//	open, high, low, close, volume   numbers
//	interval   optional: 1m 5m 15m 1h 4h 1d; iv when absent
//
// Rows are kept as given: bias.Prepare and sim.Run drop bars that are invalid, repeated or of
// another interval. A field that is not a number at all is an EINVALID error naming its line.
func ReadCandles(r io.Reader, iv coach.Interval) ([]coach.Candle, error) {
	t, err := newTable(r, "candles", "symbol", "open_time", "open", "high", "low", "close", "volume")
	if err != nil {
		return nil, err
	}
	var out []coach.Candle
	for {
		ok, err := t.next()
		if err != nil || !ok {
			return out, err
		}
		c := coach.Candle{Interval: iv}
		if v := t.get("interval"); v != "" {
			c.Interval = coach.Interval(v)
		}
		if c.Symbol, err = coach.ParseSymbol(t.get("symbol")); err != nil {
			return nil, t.bad("symbol", "want BASE-QUOTE")
		}
		if c.OpenTime, err = time.Parse(time.RFC3339Nano, t.get("open_time")); err != nil {
			return nil, t.bad("open_time", "want RFC 3339 such as 2024-03-11T01:00:00Z")
		}
		c.OpenTime = c.OpenTime.UTC()
		for _, f := range []struct {
			col string
			to  *float64
		}{{"open", &c.Open}, {"high", &c.High}, {"low", &c.Low}, {"close", &c.Close}, {"volume", &c.Volume}} {
			if *f.to, err = strconv.ParseFloat(t.get(f.col), 64); err != nil {
				return nil, t.bad(f.col, "want a number")
			}
		}
		out = append(out, c)
	}
}
