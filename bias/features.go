package bias

import (
	"math"
	"strconv"
	"time"
	"unicode/utf8"
)

// jsonObj appends one JSON object to a shared buffer, keys in the order they are written, so that
// the same evidence always gives the same bytes. Numbers use strconv's 'g' format with 6
// significant digits (shortest form, no trailing zeros); NaN and ±Inf, which JSON cannot hold,
// are written as null. Keys and string values are written by this package (ASCII names, symbols,
// ids), and strings are escaped for JSON all the same.
type jsonObj struct {
	b     []byte
	first bool
	start int  // where the object begins in b
	off   bool // write nothing: the features are not wanted (scorer.bare)
}

// open starts an object at the end of b.
func open(b []byte) jsonObj { return jsonObj{b: append(b, '{'), first: true} }

// close ends the object and returns the buffer.
func (o *jsonObj) close() []byte { return append(o.b, '}') }

func (o *jsonObj) key(k string) {
	if o.off {
		return
	}
	if !o.first {
		o.b = append(o.b, ',')
	}
	o.first = false
	o.b = appendString(o.b, k)
	o.b = append(o.b, ':')
}

// num writes a float with 6 significant digits, or null.
func (o *jsonObj) num(k string, x float64) {
	if o.off {
		return
	}
	o.key(k)
	o.b = appendNum(o.b, x)
}

// int writes an integer.
func (o *jsonObj) int(k string, n int) {
	if o.off {
		return
	}
	o.key(k)
	o.b = strconv.AppendInt(o.b, int64(n), 10)
}

// str writes a string.
func (o *jsonObj) str(k, s string) {
	if o.off {
		return
	}
	o.key(k)
	o.b = appendString(o.b, s)
}

// bool writes true or false.
func (o *jsonObj) bool(k string, v bool) {
	if o.off {
		return
	}
	o.key(k)
	o.b = strconv.AppendBool(o.b, v)
}

// time writes t as RFC 3339 in UTC.
func (o *jsonObj) time(k string, t time.Time) {
	if o.off {
		return
	}
	o.key(k)
	o.b = append(o.b, '"')
	o.b = t.UTC().AppendFormat(o.b, time.RFC3339)
	o.b = append(o.b, '"')
}

// raw writes a value already encoded as JSON.
func (o *jsonObj) raw(k string, v []byte) {
	if o.off {
		return
	}
	o.key(k)
	o.b = append(o.b, v...)
}

// strs writes an array of strings.
func (o *jsonObj) strs(k string, ss []string) {
	if o.off {
		return
	}
	o.key(k)
	o.b = append(o.b, '[')
	for i, s := range ss {
		if i > 0 {
			o.b = append(o.b, ',')
		}
		o.b = appendString(o.b, s)
	}
	o.b = append(o.b, ']')
}

func appendNum(b []byte, x float64) []byte {
	if math.IsNaN(x) || math.IsInf(x, 0) {
		return append(b, "null"...)
	}
	if x == 0 {
		return append(b, '0') // never "-0"
	}
	return strconv.AppendFloat(b, x, 'g', 6, 64)
}

const hexDigits = "0123456789abcdef"

// appendString writes s as a JSON string, escaping quotes, backslashes and control characters
// (and the HTML-sensitive <, > and &, as encoding/json does). A byte that is not part of valid
// UTF-8 (an id a caller of Score passed unchecked) is written as U+FFFD, as encoding/json does,
// so that features are always valid UTF-8 JSON that a jsonb column accepts.
func appendString(b []byte, s string) []byte {
	b = append(b, '"')
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case c == '"' || c == '\\':
			b = append(b, '\\', c)
		case c < 0x20 || c == '<' || c == '>' || c == '&' || c == 0x7f:
			b = append(b, '\\', 'u', '0', '0', hexDigits[c>>4], hexDigits[c&0xf])
		case c >= utf8.RuneSelf:
			r, n := utf8.DecodeRuneInString(s[i:])
			if r == utf8.RuneError && n == 1 {
				b = append(b, `\ufffd`...)
			} else {
				b = append(b, s[i:i+n]...)
			}
			i += n - 1
		default:
			b = append(b, c)
		}
	}
	return append(b, '"')
}

// exact writes a float in the shortest form that reads back to the same float64, or null.
func (o *jsonObj) exact(k string, x float64) {
	if o.off {
		return
	}
	o.key(k)
	if math.IsNaN(x) || math.IsInf(x, 0) {
		o.b = append(o.b, "null"...)
		return
	}
	o.b = strconv.AppendFloat(o.b, x, 'g', -1, 64)
}

// omitEmpty writes a string unless it is empty.
func (o *jsonObj) omitEmpty(k, s string) {
	if s != "" {
		o.str(k, s)
	}
}

// begin opens a nested object under key k; end closes it.
func (o *jsonObj) begin(k string) {
	if o.off {
		return
	}
	o.key(k)
	o.b = append(o.b, '{')
	o.first = true
}

func (o *jsonObj) end() {
	if o.off {
		return
	}
	o.b = append(o.b, '}')
	o.first = false
}

// itoa formats n in base 10.
func itoa(n int) string { return strconv.Itoa(n) }

// plural writes n with the singular or plural noun.
func plural(n int, one, many string) string {
	if n == 1 {
		return "1 " + one
	}
	return itoa(n) + " " + many
}
