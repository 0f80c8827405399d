package broker

import (
	"bufio"
	"io"
	"strconv"
	"strings"
	"time"

	"github.com/pkg/errors"

	"github.com/tradecoach/coach"
)

// Default limits of ParseCandlesCSV.
const (
	DefaultCandleCSVMaxBytes    = 256 << 20
	DefaultCandleCSVMaxRows     = 1_000_000
	DefaultCandleCSVMaxFieldLen = 256
)

// CandleCSVOptions configures ParseCandlesCSV.
type CandleCSVOptions struct {
	// Interval is the interval of every row without an interval column (or with it empty).
	Interval coach.Interval
	// MaxBytes, MaxRows (data rows), MaxFieldLen and MaxLineBytes (one record; 0 means
	// DefaultCSVMaxLineBytes) bound the input (0 means the DefaultCandleCSV* constants). Exceeding
	// any of them, or CSVMaxFields fields in a record, rejects the file with an EINVALID naming
	// the line; no more than those bounds of a record is ever held.
	MaxBytes     int64
	MaxRows      int
	MaxFieldLen  int
	MaxLineBytes int
}

// candleColumns are the required columns of a candle file.
var candleColumns = []string{"symbol", "open_time", "open", "high", "low", "close", "volume"}

// ParseCandlesCSV reads OHLCV bars from CSV (format in CSV.md): a header row naming, in any order
// and any case, symbol, open_time, open, high, low, close, volume and optionally interval; a
// leading UTF-8 byte-order mark is ignored. Rows are returned in file order and kept as given (a
// bar that is invalid, repeated or of another interval is for the consumer, such as bias.Prepare,
// to drop). A missing column, a row that is not CSV, a symbol that is not a pair, a time that is
// not RFC 3339, a field that is not a number, or input over a limit is an EINVALID error naming
// its 1-based line; a read failure of r is EINTERNAL.
func ParseCandlesCSV(r io.Reader, opts CandleCSVOptions) ([]coach.Candle, error) {
	if opts.MaxBytes <= 0 {
		opts.MaxBytes = DefaultCandleCSVMaxBytes
	}
	if opts.MaxRows <= 0 {
		opts.MaxRows = DefaultCandleCSVMaxRows
	}
	if opts.MaxFieldLen <= 0 {
		opts.MaxFieldLen = DefaultCandleCSVMaxFieldLen
	}
	if opts.MaxLineBytes <= 0 {
		opts.MaxLineBytes = DefaultCSVMaxLineBytes
	}
	lr := &limitedReader{r: r, left: opts.MaxBytes}
	// Past the byte limit the file is refused, whatever the row cut short by it looks like.
	fail := func(err error) ([]coach.Candle, error) { return nil, candleFileError(err, lr, opts.MaxBytes) }
	t, err := newCandleTable(lr, opts.MaxFieldLen, opts.MaxLineBytes)
	if err != nil {
		return fail(err)
	}
	var out []coach.Candle
	for {
		ok, err := t.next()
		if err != nil {
			return fail(err)
		}
		if !ok {
			if lr.over {
				return fail(nil)
			}
			return out, nil
		}
		if len(out) == opts.MaxRows {
			return fail(coach.Errorf(coach.EINVALID, "candles: more than %d rows", opts.MaxRows))
		}
		c := coach.Candle{Interval: opts.Interval}
		if v := t.get("interval"); v != "" {
			c.Interval = coach.Interval(v)
		}
		if c.Symbol, err = coach.ParseSymbol(t.get("symbol")); err != nil {
			return fail(t.bad("symbol", "want BASE-QUOTE"))
		}
		if c.OpenTime, err = time.Parse(time.RFC3339Nano, t.get("open_time")); err != nil {
			return fail(t.bad("open_time", "want RFC 3339 such as 2024-03-11T01:00:00Z"))
		}
		c.OpenTime = c.OpenTime.UTC()
		for _, f := range []struct {
			col string
			to  *float64
		}{{"open", &c.Open}, {"high", &c.High}, {"low", &c.Low}, {"close", &c.Close}, {"volume", &c.Volume}} {
			if *f.to, err = strconv.ParseFloat(t.get(f.col), 64); err != nil {
				return fail(t.bad(f.col, "want a number"))
			}
		}
		out = append(out, c)
	}
}

// candleFileError turns err into the file's error: input over the byte limit, a read failure of
// the source (EINTERNAL), or err itself.
func candleFileError(err error, lr *limitedReader, max int64) error {
	if lr.over {
		return coach.Errorf(coach.EINVALID, "candles: file larger than %d bytes; split it", max)
	}
	return err
}

// candleTable reads a CSV with a header row and gives each later row's fields by column name.
type candleTable struct {
	r      *recordReader
	cols   map[string]int
	row    []string
	line   int
	maxLen int
}

// newCandleTable reads the header of r and checks that it names every candle column. Records are
// read bounded: at most maxLine bytes, maxLen bytes a field and CSVMaxFields fields are held.
func newCandleTable(r io.Reader, maxLen, maxLine int) (*candleTable, error) {
	// Header names are not data fields: they are held up to the default field length even when
	// maxLen is lower.
	cr := newRecordReader(bufio.NewReaderSize(r, 64<<10), maxLine, max(maxLen, DefaultCandleCSVMaxFieldLen))
	head, err := cr.Read()
	cr.maxField = maxLen
	if el, ok := err.(*errLine); ok {
		return nil, lineLimitError("candles", el)
	}
	if err != nil && err != io.EOF && !isParseError(err) {
		return nil, errors.Wrap(err, "candles: read")
	}
	if err != nil {
		return nil, coach.Errorf(coach.EINVALID, "candles: no header row")
	}
	if cr.tooMany {
		return nil, coach.Errorf(coach.EINVALID, "candles: line 1: more than %d fields", CSVMaxFields)
	}
	t := &candleTable{r: cr, cols: map[string]int{}, line: 1, maxLen: maxLen}
	for i, h := range head {
		t.cols[strings.ToLower(strings.TrimSpace(strings.TrimPrefix(h, "\ufeff")))] = i
	}
	for _, c := range candleColumns {
		if _, ok := t.cols[c]; !ok {
			return nil, coach.Errorf(coach.EINVALID, "candles: header: column %q is missing", c)
		}
	}
	return t, nil
}

// next reads the next row; it returns false at the end of the file.
func (t *candleTable) next() (bool, error) {
	row, err := t.r.Read()
	if err == io.EOF {
		return false, nil
	}
	if el, ok := err.(*errLine); ok {
		return false, lineLimitError("candles", el)
	}
	if err != nil && !isParseError(err) {
		return false, errors.Wrap(err, "candles: read")
	}
	t.line = t.r.start
	switch {
	case err != nil:
		return false, coach.Errorf(coach.EINVALID, "candles: line %d: not CSV", t.line)
	case t.r.tooMany:
		return false, coach.Errorf(coach.EINVALID, "candles: line %d: more than %d fields", t.line, CSVMaxFields)
	case t.r.long >= 0:
		return false, coach.Errorf(coach.EINVALID, "candles: line %d: a field longer than %d bytes", t.line, t.maxLen)
	}
	t.row = row
	return true, nil
}

// get returns the field of column c in the current row, "" when the row is short or has no such
// column.
func (t *candleTable) get(c string) string {
	i, ok := t.cols[c]
	if !ok || i >= len(t.row) {
		return ""
	}
	return strings.TrimSpace(t.row[i])
}

// bad reports a field of the current row, quoting at most 40 bytes of it.
func (t *candleTable) bad(c, want string) error {
	v := t.get(c)
	if len(v) > 40 {
		v = strings.ToValidUTF8(v[:40], "") + "…"
	}
	return coach.Errorf(coach.EINVALID, "candles: line %d: %s: %s, got %q", t.line, c, want, v)
}
