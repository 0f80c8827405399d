package broker

import (
	"bufio"
	"bytes"
	"crypto/sha256"
	"encoding/csv"
	"encoding/hex"
	"errors"
	"hash/maphash"
	"io"
	"strconv"
	"strings"

	pkgerrors "github.com/pkg/errors"

	"github.com/shopspring/decimal"

	"github.com/tradecoach/coach"
)

// CSVFormat names a trade-file layout ParseCSV reads. CSV.md, next to this file, documents each.
type CSVFormat string

// CSV formats.
const (
	// CSVAuto detects the format from the header.
	CSVAuto CSVFormat = ""
	// CSVGeneric is this module's own layout: ts,symbol,side,qty,price,fee,feeAsset,extId, and
	// the optional orderId,exchangeTradeId,liquidity.
	CSVGeneric CSVFormat = "generic"
	// CSVCoinbaseFills is Coinbase's fills statement (Coinbase Pro, Advanced Trade):
	// portfolio,trade id,product,side,created at,size,size unit,price,fee,total,price/fee/total unit.
	CSVCoinbaseFills CSVFormat = "coinbase_fills"
	// CSVCoinbaseTransactions is the Coinbase app's transaction history report (Timestamp,
	// Transaction Type, Asset, Quantity Transacted, …); only buys and sells become trades.
	CSVCoinbaseTransactions CSVFormat = "coinbase_transactions"
	// CSVBinanceTrades is Binance's spot trade history export:
	// "Date(UTC)","Pair","Side","Price","Executed","Amount","Fee".
	CSVBinanceTrades CSVFormat = "binance_trades"
	// CSVBinanceLegacy is Binance's older trade history export:
	// Date(UTC),Market,Type,Price,Amount,Total,Fee,Fee Coin.
	CSVBinanceLegacy CSVFormat = "binance_legacy"
)

// Limits of ParseCSV when CSVOptions leaves them zero.
const (
	DefaultCSVMaxBytes    = 64 << 20
	DefaultCSVMaxRows     = 500_000
	DefaultCSVMaxFieldLen = 256
	// MaxCSVRowErrors bounds CSVResult.Errors; BadRows counts them all.
	MaxCSVRowErrors = 100
	// csvHeaderSearch is how many leading records may precede the header (Coinbase's report has a
	// preamble).
	csvHeaderSearch = 10
)

// CSVOptions configures ParseCSV.
type CSVOptions struct {
	// Format is the layout; CSVAuto (the zero value) detects it from the header.
	Format CSVFormat
	// SkipBadRows imports the valid rows of a file that has invalid ones. Without it, one invalid
	// row means no trade is returned.
	SkipBadRows bool
	// Broker is stored in every trade's Broker; "" means the format's exchange ("coinbase",
	// "binance") or coach.BrokerCSV for the generic format.
	Broker string
	// MaxBytes, MaxRows, MaxFieldLen and MaxLineBytes bound the input (0 means the Default*
	// constants). Exceeding MaxBytes or MaxRows, or a record (a line, or the lines of one record
	// whose quoted fields hold line breaks) longer than MaxLineBytes, rejects the whole file with
	// an EINVALID naming the line; a field longer than MaxFieldLen, or a record of more than
	// CSVMaxFields fields, is a row error. Whatever the input, no more than MaxLineBytes of a
	// record, MaxFieldLen bytes of a field and CSVMaxFields fields are held at once.
	MaxBytes     int64
	MaxRows      int
	MaxFieldLen  int
	MaxLineBytes int
}

// RowError is one invalid row: its line in the file (1-based, counting the header and any
// preamble), the column (as named in the header; "" for the row as a whole) and what is wrong.
type RowError struct {
	Line    int    `json:"line"`
	Column  string `json:"column,omitempty"`
	Message string `json:"message"`
}

// CSVResult is what ParseCSV read.
type CSVResult struct {
	// Format is the layout read (the detected one for CSVAuto).
	Format CSVFormat
	// Trades are the valid trades in file order, each passing coach.Trade.Validate, with Broker
	// and ExtID set, and OrderID, ExchangeTradeID and Liquidity where the format has them (UserID,
	// ID and ConnectionID empty).
	Trades []coach.Trade
	// Errors are the first MaxCSVRowErrors invalid rows, in file order.
	Errors []RowError
	// Rows counts the data rows read (not the header, preamble or blank rows); BadRows the invalid
	// ones; Ignored the valid rows that are not trades (a deposit in a Coinbase report).
	Rows, BadRows, Ignored int
}

// ParseCSV reads trades from a CSV file in one of the CSVFormat layouts. A UTF-8 byte-order mark,
// CRLF line ends, blank lines and rows of empty fields are tolerated.
//
// Each trade without an id of its own gets a derived ExtID: "csv-" and 32 hex digits of a SHA-256
// over the row's normalized content and its occurrence index (how many identical rows came before
// it in the file). Re-importing the same file, or a longer export that repeats its rows, therefore
// gives the same ExtIDs, and Trades.Upsert stores no duplicate.
//
// Errors: EINVALID, with no trade, for a file over MaxBytes or MaxRows or with a record over
// MaxLineBytes, without a recognized
// header, or (without SkipBadRows) with any invalid row — CSVResult.Errors then lists the rows.
// With SkipBadRows the valid trades are returned with the row errors and a nil error. A reader
// failure is EINTERNAL.
func ParseCSV(r io.Reader, opts CSVOptions) (CSVResult, error) {
	if opts.MaxBytes <= 0 {
		opts.MaxBytes = DefaultCSVMaxBytes
	}
	if opts.MaxRows <= 0 {
		opts.MaxRows = DefaultCSVMaxRows
	}
	if opts.MaxFieldLen <= 0 {
		opts.MaxFieldLen = DefaultCSVMaxFieldLen
	}
	if opts.MaxLineBytes <= 0 {
		opts.MaxLineBytes = DefaultCSVMaxLineBytes
	}
	if opts.Broker != "" && !validBrokerName(opts.Broker) {
		return CSVResult{}, coach.Errorf(coach.EINVALID, "csv: broker %q: want 1-32 lower-case letters, digits or '_'", clip(opts.Broker, 40))
	}
	if opts.Format != CSVAuto && formatByName(opts.Format) == nil {
		return CSVResult{}, coach.Errorf(coach.EINVALID, "csv: unknown format %q", clip(string(opts.Format), 40))
	}

	lr := &limitedReader{r: r, left: opts.MaxBytes}
	br := bufio.NewReaderSize(lr, 64<<10)
	if bom, _ := br.Peek(3); bytes.Equal(bom, []byte{0xEF, 0xBB, 0xBF}) {
		_, _ = br.Discard(3)
	}
	cr := newRecordReader(br, opts.MaxLineBytes, opts.MaxFieldLen)

	// Room for the rows the input's size suggests, but no more than a few thousand before any row
	// has been read: a hostile file of one huge line must not reserve memory for rows.
	hint := min(sizeHint(r)/64, int64(opts.MaxRows), 4096)
	p := csvParser{opts: opts, seen: make(map[uint64]int, hint), seed: maphash.MakeSeed(), extIDs: map[string]int{}, exchKeys: map[string]int{}}
	res := CSVResult{}
	// Trades are gathered in chunks and copied once at the end: growing one slice of large
	// structs by doubling costs more than the parsing.
	var chunks [][]coach.Trade
	cur := make([]coach.Trade, 0, max(hint, 256))
	var layout csvLayout
	// Header names are not data fields: they are held up to the default field length even when
	// MaxFieldLen is lower.
	cr.maxField = max(opts.MaxFieldLen, DefaultCSVMaxFieldLen)
	for records := 0; layout == nil; records++ {
		rec, err := cr.Read()
		if err == io.EOF {
			if lr.over {
				return CSVResult{}, tooBig(opts.MaxBytes)
			}
			return CSVResult{}, coach.Errorf(coach.EINVALID, "csv: no header found; want one of: %s", headerHelp)
		}
		if lr.over {
			return CSVResult{}, tooBig(opts.MaxBytes)
		}
		if el, ok := err.(*errLine); ok {
			return CSVResult{}, lineLimitError("csv", el)
		}
		if err != nil && !isParseError(err) {
			return CSVResult{}, pkgerrors.Wrap(err, "csv: read")
		}
		if records >= csvHeaderSearch {
			return CSVResult{}, coach.Errorf(coach.EINVALID, "csv: no header in the first %d lines; want one of: %s", csvHeaderSearch, headerHelp)
		}
		if err != nil || blank(rec) {
			continue
		}
		layout, res.Format = detect(rec, opts.Format)
	}
	cr.maxField = opts.MaxFieldLen

	for {
		rec, err := cr.Read()
		if lr.over {
			return CSVResult{}, tooBig(opts.MaxBytes)
		}
		if err == io.EOF {
			break
		}
		if el, ok := err.(*errLine); ok {
			return CSVResult{}, lineLimitError("csv", el)
		}
		line := cr.start
		if err != nil {
			if !isParseError(err) {
				return CSVResult{}, pkgerrors.Wrap(err, "csv: read")
			}
		} else if blank(rec) && cr.long < 0 && !cr.tooMany {
			continue
		}
		res.Rows++
		if res.Rows > opts.MaxRows {
			return CSVResult{}, coach.Errorf(coach.EINVALID, "csv: more than %d rows; split the file", opts.MaxRows)
		}
		switch {
		case err != nil:
			res.addError(RowError{Line: line, Message: "malformed CSV: " + csvErrText(err)})
			continue
		case cr.tooMany:
			res.addError(RowError{Line: line, Message: "more than " + itoa(CSVMaxFields) + " fields"})
			continue
		case cr.long >= 0:
			res.addError(RowError{Line: line, Column: layout.column(cr.long), Message: "longer than " + itoa(opts.MaxFieldLen) + " bytes"})
			continue
		}
		t, ignore, rerr := p.row(layout, rec, line)
		switch {
		case rerr != nil:
			res.addError(*rerr)
		case ignore:
			res.Ignored++
		default:
			if len(cur) == cap(cur) {
				chunks = append(chunks, cur)
				cur = make([]coach.Trade, 0, min(2*cap(cur), 16384))
			}
			cur = append(cur, t)
		}
	}
	if len(chunks) == 0 {
		res.Trades = cur
	} else if n := len(cur) + chunksLen(chunks); n > 0 {
		res.Trades = make([]coach.Trade, 0, n)
		for _, c := range append(chunks, cur) {
			res.Trades = append(res.Trades, c...)
		}
	}
	if res.BadRows > 0 && !opts.SkipBadRows {
		first := res.Errors[0]
		res.Trades = nil
		return res, coach.Errorf(coach.EINVALID, "csv: %d of %d rows are invalid (first: line %d: %s); nothing was imported", res.BadRows, res.Rows, first.Line, first.Message)
	}
	return res, nil
}

// sizeHint is the bytes left in r when r tells (bytes.Reader, strings.Reader, bytes.Buffer), else 0.
func sizeHint(r io.Reader) int64 {
	if l, ok := r.(interface{ Len() int }); ok {
		return int64(l.Len())
	}
	return 0
}

func chunksLen(chunks [][]coach.Trade) int {
	n := 0
	for _, c := range chunks {
		n += len(c)
	}
	return n
}

func (r *CSVResult) addError(e RowError) {
	r.BadRows++
	if len(r.Errors) < MaxCSVRowErrors {
		r.Errors = append(r.Errors, e)
	}
}

// csvParser holds the per-file state of derived ids.
type csvParser struct {
	opts CSVOptions
	// seen counts earlier rows with the same normalized content (the occurrence index).
	seen map[uint64]int
	seed maphash.Seed
	// extIDs remembers the line of every ExtID the file gives, to report repeats (derived ids are
	// distinct by construction); exchKeys the line of every exchange key (coach.Trade.ExchangeKey).
	extIDs, exchKeys map[string]int
}

// row turns one record into a trade. ignore is true for a valid row that is not a trade.
// Fields are at most MaxFieldLen bytes: the record reader reports longer ones.
func (p *csvParser) row(layout csvLayout, rec []string, line int) (t coach.Trade, ignore bool, rerr *RowError) {
	t, ignore, ferr := layout.parse(rec)
	if ferr != nil {
		return t, false, &RowError{Line: line, Column: ferr.column, Message: ferr.message}
	}
	if ignore {
		return t, true, nil
	}
	t.Broker = p.opts.Broker
	if t.Broker == "" {
		t.Broker = layout.broker()
	}
	given := t.ExtID != ""
	if given {
		if prev, dup := p.extIDs[t.ExtID]; dup {
			return t, false, &RowError{Line: line, Column: layout.idColumn(), Message: "the same id as line " + itoa(prev)}
		}
	}
	// Validate before deriving an id: the derived id hashes amounts, which must be in range.
	if given {
		if err := t.Validate(); err != nil {
			return t, false, &RowError{Line: line, Message: coach.ErrorMessage(err)}
		}
	} else {
		t.ExtID = "row"
		if err := t.Validate(); err != nil {
			return t, false, &RowError{Line: line, Message: strings.TrimPrefix(coach.ErrorMessage(err), "trade row: ")}
		}
	}
	// Two rows of one fill on the exchange (the same trade id, pair and side) would be stored once.
	x := t.ExchangeKey()
	if x != "" {
		if prev, dup := p.exchKeys[x]; dup {
			return t, false, &RowError{Line: line, Column: layout.exchangeIDColumn(), Message: "the same exchange trade id as line " + itoa(prev)}
		}
		p.exchKeys[x] = line
	}
	if given {
		p.extIDs[t.ExtID] = line
	} else {
		t.ExtID = p.derivedID(t)
	}
	return t, false, nil
}

// derivedID is "csv-" + 32 hex digits of SHA-256(normalized content ‖ 0x1f ‖ occurrence index).
// The normalized content is fixed forever (ids must not change between releases): the fill time as
// Unix seconds and nanoseconds, the canonical symbol, the side, and qty, price and fee (or "null")
// as coefficient "e" exponent with trailing zeros stripped, and the fee asset, separated by 0x1f.
func (p *csvParser) derivedID(t coach.Trade) string {
	var buf [256]byte
	b := buf[:0]
	sep := byte(0x1f)
	b = strconv.AppendInt(b, t.TS.Unix(), 10)
	b = append(b, '.')
	b = strconv.AppendInt(b, int64(t.TS.Nanosecond()), 10)
	b = append(b, sep)
	b = append(b, t.Symbol...)
	b = append(b, sep)
	b = append(b, t.Side...)
	b = append(b, sep)
	b = appendCanonical(b, t.Qty)
	b = append(b, sep)
	b = appendCanonical(b, t.Price)
	b = append(b, sep)
	if t.Fee.Valid {
		b = appendCanonical(b, t.Fee.Decimal)
	} else {
		b = append(b, "null"...)
	}
	b = append(b, sep)
	b = append(b, t.FeeAsset...)
	// The occurrence counter is keyed by a 64-bit hash of the content: a collision (odds ~1e-8 at
	// the row limit) would only shift an index, and the final hash still covers the content.
	key := maphash.Bytes(p.seed, b)
	n := p.seen[key]
	p.seen[key] = n + 1
	b = append(b, sep)
	b = strconv.AppendInt(b, int64(n), 10)
	sum := sha256.Sum256(b)
	var out [4 + 32]byte
	copy(out[:], "csv-")
	hex.Encode(out[4:], sum[:16])
	return string(out[:])
}

// appendCanonical appends d as coefficient "e" exponent with the coefficient's trailing zeros
// moved into the exponent, so 0.50, .5 and 5e-1 all give "5e-1" (and zero gives "0e0").
func appendCanonical(b []byte, d decimal.Decimal) []byte {
	if d.NumDigits() > 18 {
		// Beyond int64: the library's own normalized text (rare; bounded by the range check).
		return append(b, d.String()...)
	}
	coef, exp := d.CoefficientInt64(), int64(d.Exponent())
	if coef == 0 {
		return append(b, "0e0"...)
	}
	for coef%10 == 0 {
		coef /= 10
		exp++
	}
	b = strconv.AppendInt(b, coef, 10)
	b = append(b, 'e')
	return strconv.AppendInt(b, exp, 10)
}

// limitedReader reads at most left bytes and then reports over (rather than a silent EOF).
type limitedReader struct {
	r    io.Reader
	left int64
	over bool
}

func (l *limitedReader) Read(b []byte) (int, error) {
	if l.left <= 0 {
		// One byte more tells a file of exactly the limit from a longer one.
		var one [1]byte
		n, err := l.r.Read(one[:])
		if n > 0 {
			l.over = true
			return 0, io.EOF
		}
		return 0, err
	}
	if int64(len(b)) > l.left {
		b = b[:l.left]
	}
	n, err := l.r.Read(b)
	l.left -= int64(n)
	return n, err
}

func tooBig(max int64) error {
	return coach.Errorf(coach.EINVALID, "csv: file larger than %d bytes; split it", max)
}

func isParseError(err error) bool {
	var pe *csv.ParseError
	return errors.As(err, &pe)
}

// csvErrText is encoding/csv's reason without its position (the RowError has the line).
func csvErrText(err error) string {
	var pe *csv.ParseError
	if errors.As(err, &pe) {
		return pe.Err.Error()
	}
	return "unreadable"
}

func blank(rec []string) bool {
	for _, f := range rec {
		if strings.TrimSpace(f) != "" {
			return false
		}
	}
	return true
}

func validBrokerName(b string) bool {
	if len(b) == 0 || len(b) > 32 {
		return false
	}
	for i := 0; i < len(b); i++ {
		c := b[i]
		if !(c >= 'a' && c <= 'z' || c >= '0' && c <= '9' || c == '_') {
			return false
		}
	}
	return true
}

// clip shortens untrusted input quoted in a message.
func clip(s string, n int) string {
	if len(s) <= n {
		return s
	}
	return s[:n] + "…"
}

func itoa(n int) string { return strconv.Itoa(n) }
