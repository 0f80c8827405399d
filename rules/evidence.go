package rules

import (
	"encoding/json"
	"math"
	"strconv"
	"time"

	"github.com/shopspring/decimal"
)

// evidence writes the compact JSON objects of verdicts into one shared buffer: each verdict's
// Evidence is a capacity-limited slice of it, so building them costs no allocation per verdict.
type evidence struct {
	buf   []byte
	start int
	comma bool
}

// begin starts an object.
func (w *evidence) begin() {
	if cap(w.buf)-len(w.buf) < 512 {
		// A new block: earlier objects keep the old one.
		w.buf = make([]byte, 0, 256<<10)
	}
	w.start = len(w.buf)
	w.buf = append(w.buf, '{')
	w.comma = false
}

// end closes the object and returns it.
func (w *evidence) end() json.RawMessage {
	w.buf = append(w.buf, '}')
	return json.RawMessage(w.buf[w.start:len(w.buf):len(w.buf)])
}

func (w *evidence) key(k string) {
	if w.comma {
		w.buf = append(w.buf, ',')
	}
	w.comma = true
	w.buf = append(w.buf, '"')
	w.buf = append(w.buf, k...)
	w.buf = append(w.buf, '"', ':')
}

// num writes a finite float in its shortest form (null for NaN or ±Inf, which valid candles
// never give).
func (w *evidence) num(k string, x float64) {
	w.key(k)
	if !finite(x) {
		w.buf = append(w.buf, "null"...)
		return
	}
	w.buf = strconv.AppendFloat(w.buf, x, 'g', -1, 64)
}

func (w *evidence) int(k string, n int) {
	w.key(k)
	w.buf = strconv.AppendInt(w.buf, int64(n), 10)
}

// str writes s, which must need no JSON escaping (ids, kinds, assets, dates, clock times), or
// is escaped by the encoder when it might.
func (w *evidence) str(k, s string) {
	w.key(k)
	for i := 0; i < len(s); i++ {
		if c := s[i]; c < 0x20 || c == '"' || c == '\\' || c >= 0x80 {
			b, _ := json.Marshal(s)
			w.buf = append(w.buf, b...)
			return
		}
	}
	w.buf = append(w.buf, '"')
	w.buf = append(w.buf, s...)
	w.buf = append(w.buf, '"')
}

func (w *evidence) time(k string, t time.Time) {
	w.key(k)
	w.buf = append(w.buf, '"')
	w.buf = t.UTC().AppendFormat(w.buf, time.RFC3339Nano)
	w.buf = append(w.buf, '"')
}

// dec writes an amount as a JSON string, as decimal.Decimal marshals, or null for one too
// large to write (beyond the bounds coach.Trade.Validate sets).
func (w *evidence) dec(k string, d decimal.Decimal) {
	w.key(k)
	if !saneDecimal(d) {
		w.buf = append(w.buf, "null"...)
		return
	}
	w.buf = append(w.buf, '"')
	w.buf = appendDecimal(w.buf, d)
	w.buf = append(w.buf, '"')
}

// raw writes a JSON fragment made earlier ("k":v,… without braces).
func (w *evidence) raw(frag []byte) {
	if w.comma {
		w.buf = append(w.buf, ',')
	}
	w.comma = true
	w.buf = append(w.buf, frag...)
}

func (w *evidence) null(k string) {
	w.key(k)
	w.buf = append(w.buf, "null"...)
}

// round6 rounds x to 6 decimal places, half away from zero, so that a float's last bits never
// decide a comparison with a threshold written in a few digits.
func round6(x float64) float64 { return math.Round(float64(x*1e6)) / 1e6 }
