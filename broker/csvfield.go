package broker

import (
	"strings"
	"time"

	"github.com/shopspring/decimal"

	"github.com/tradecoach/coach"
)

// fieldError is a row error before its line is known.
type fieldError struct {
	column, message string
}

func ferr(column, message string) *fieldError { return &fieldError{column: column, message: message} }

// header is a CSV header: the names as written and an index by normalized name (trimmed,
// lower-case).
type header struct {
	names []string
	index map[string]int
}

func newHeader(rec []string) header {
	h := header{names: make([]string, len(rec)), index: make(map[string]int, len(rec))}
	for i, n := range rec {
		n = strings.TrimSpace(n)
		h.names[i] = n
		k := strings.ToLower(n)
		if _, dup := h.index[k]; !dup {
			h.index[k] = i
		}
	}
	return h
}

// col returns the index of the first of names present, or -1.
func (h header) col(names ...string) int {
	for _, n := range names {
		if i, ok := h.index[n]; ok {
			return i
		}
	}
	return -1
}

// has reports whether every name is present.
func (h header) has(names ...string) bool {
	for _, n := range names {
		if _, ok := h.index[n]; !ok {
			return false
		}
	}
	return true
}

func (h header) column(i int) string {
	if i < 0 || i >= len(h.names) {
		return ""
	}
	return h.names[i]
}

// field returns the trimmed field i of rec, "" when the row is short or i < 0.
func field(rec []string, i int) string {
	if i < 0 || i >= len(rec) {
		return ""
	}
	return strings.TrimSpace(rec[i])
}

// symbolCache remembers parsed symbols: a file has few distinct pairs and many rows.
type symbolCache map[string]coach.Symbol

func (c symbolCache) parse(s string) (coach.Symbol, error) {
	if sym, ok := c[s]; ok {
		return sym, nil
	}
	sym, err := coach.ParseSymbol(s)
	if err != nil {
		return "", err
	}
	if len(c) < 10_000 {
		c[s] = sym
	}
	return sym, nil
}

// parseAmount parses a plain decimal ("0.5", "1e-5") and bounds it as coach.Trade.Validate does,
// so that no hostile exponent is ever expanded.
func parseAmount(s string) (decimal.Decimal, string) {
	if s == "" {
		return decimal.Decimal{}, "required"
	}
	d, err := decimal.NewFromString(s)
	if err != nil {
		return decimal.Decimal{}, "not a number: " + quote(s)
	}
	if e := d.Exponent(); e < -30 || e > 30 || d.NumDigits() > 38 {
		return decimal.Decimal{}, "number out of range"
	}
	return d, ""
}

// parseMoney parses an amount as spreadsheets and reports write it: "$1,234.56", "-€12.00",
// "(3.50)", "1 234.5 USD". The sign is dropped (callers want magnitudes).
func parseMoney(s string) (decimal.Decimal, string) {
	t := strings.TrimSpace(s)
	t = strings.TrimPrefix(t, "(")
	t = strings.TrimSuffix(t, ")")
	t = strings.TrimLeft(t, "-+ ")
	t = strings.TrimLeftFunc(t, func(r rune) bool { return !(r >= '0' && r <= '9' || r == '.' || r == '-') })
	t = strings.TrimLeft(t, "-")
	t = strings.TrimRightFunc(t, func(r rune) bool { return !(r >= '0' && r <= '9' || r == '.') })
	if strings.ContainsAny(t, ", ") {
		t = strings.NewReplacer(",", "", " ", "").Replace(t)
	}
	if t == "" && strings.TrimSpace(s) != "" {
		return decimal.Decimal{}, "not a number: " + quote(s)
	}
	d, msg := parseAmount(t)
	if msg != "" && msg != "required" {
		return d, "not a number: " + quote(s)
	}
	return d, msg
}

// splitAsset splits a Binance amount with its asset appended ("0.00100000BTC", "1.2 BNB") into
// the number and the asset. A known asset (the pair's, BNB) that ends s wins, longest first, so
// that "100.0001INCH" of 1INCH-USDT reads as 100.000 1INCH; otherwise the asset is the trailing
// run of letters.
func splitAsset(s string, known ...string) (decimal.Decimal, string, string) {
	s = strings.ReplaceAll(strings.TrimSpace(s), ",", "")
	if s == "" {
		return decimal.Decimal{}, "", "required"
	}
	up := strings.ToUpper(s)
	best := ""
	for _, a := range known {
		if a != "" && len(a) > len(best) && len(a) < len(up) && strings.HasSuffix(up, a) {
			best = a
		}
	}
	if best == "" {
		i := len(up)
		for i > 0 && (up[i-1] >= 'A' && up[i-1] <= 'Z') {
			i--
		}
		best = up[i:]
	}
	num := strings.TrimSpace(up[:len(up)-len(best)])
	d, msg := parseAmount(num)
	if msg != "" {
		return d, best, "want an amount followed by its asset, such as 0.5BTC; got " + quote(s)
	}
	return d, best, ""
}

func parseSide(s string) (coach.Side, string) {
	switch strings.ToUpper(s) {
	case "BUY":
		return coach.Buy, ""
	case "SELL":
		return coach.Sell, ""
	case "":
		return "", "required"
	}
	return "", "want BUY or SELL, got " + quote(s)
}

// parseTime accepts the layouts in order and returns the time in UTC; layouts without a zone are
// read as UTC.
func parseTime(s, want string, layouts ...string) (time.Time, string) {
	if s == "" {
		return time.Time{}, "required"
	}
	for _, l := range layouts {
		if t, err := time.Parse(l, s); err == nil {
			return t.UTC(), ""
		}
	}
	return time.Time{}, "want " + want + ", got " + quote(s)
}

func quote(s string) string { return `"` + clip(s, 40) + `"` }
