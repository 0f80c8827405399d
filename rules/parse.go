package rules

import (
	"bytes"
	"encoding/json"
	"slices"
	"strconv"
	"unicode"
	"unicode/utf8"

	"github.com/shopspring/decimal"
	"github.com/tradecoach/coach"
)

// Rule is a parsed rule: a stored coach.Rule's id and active flag with its typed parameters.
type Rule struct {
	ID     string
	Active bool
	// Params is one of the kinds' parameter types; its Kind is the rule's kind.
	Params Params
}

// Kind returns the rule's kind, "" when it has no Params.
func (r Rule) Kind() string {
	if r.Params == nil {
		return ""
	}
	return r.Params.Kind()
}

// maxParams bounds the JSON of a rule's parameters, as coach.Rule.Validate does.
const maxParams = 4 << 10

// Parse checks r's kind and parameters and returns the typed rule. The parameters must be a JSON
// object with exactly the kind's fields, spelled exactly: an unknown kind, an unknown, missing
// or repeated field, a wrong JSON type (a string for a number, a fraction for an integer, null)
// or a value out of range is EINVALID, with a message that names the first offending field
// ("params.lookbackHours: must be in [1, 720]", "kind: unknown kind …"). Fields are checked in
// the order the kind declares them, then unknown fields in sorted order, so the message is
// deterministic. Parse does not look at r's ID, UserID or CreatedAt.
func Parse(r coach.Rule) (Rule, error) {
	p, err := ParseParams(r.Kind, r.Params)
	if err != nil {
		return Rule{}, err
	}
	return Rule{ID: r.ID, Active: r.Active, Params: p}, nil
}

// ParseParams parses the parameters of a rule of the given kind; see Parse.
func ParseParams(kind string, params json.RawMessage) (Params, error) {
	fields, ok := kindFields[kind]
	if !ok {
		return nil, coach.Errorf(coach.EINVALID, "kind: unknown kind %q; want one of %s", clipText(kind, 64), kindList)
	}
	obj, err := object(params)
	if err != nil {
		return nil, err
	}
	var unknown []string
	for k := range obj {
		if !slices.Contains(fields, k) {
			unknown = append(unknown, k)
		}
	}
	for _, f := range fields {
		if _, ok := obj[f]; !ok && !optional[kind+"."+f] {
			return nil, fieldErr(f, "required")
		}
	}
	if len(unknown) > 0 {
		slices.Sort(unknown)
		return nil, coach.Errorf(coach.EINVALID, "params.%s: unknown field", clipText(unknown[0], 64))
	}
	var p Params
	switch kind {
	case KindAvoidSpikeOverPct:
		var q AvoidSpikeOverPct
		if q.Pct, err = number(obj, "pct"); err == nil {
			q.LookbackHours, err = integer(obj, "lookbackHours")
		}
		p = q
	case KindMaxTradesPerDay:
		var q MaxTradesPerDay
		q.N, err = integer(obj, "n")
		p = q
	case KindCooldownAfterLoss:
		var q CooldownAfterLoss
		q.Minutes, err = integer(obj, "minutes")
		p = q
	case KindMaxNotionalPerTrade:
		var q MaxNotionalPerTrade
		if q.Amount, err = amount(obj, "amount"); err == nil {
			q.Quote, err = text(obj, "quote")
		}
		p = q
	case KindNoTradingWindow:
		var q NoTradingWindow
		if q.From, err = text(obj, "from"); err == nil {
			if q.To, err = text(obj, "to"); err == nil {
				q.Weekdays, err = texts(obj, "weekdays")
			}
		}
		p = q
	case KindStopLossPct:
		var q StopLossPct
		q.Pct, err = number(obj, "pct")
		p = q
	}
	if err != nil {
		return nil, err
	}
	if err := p.Validate(); err != nil {
		return nil, err
	}
	if w, ok := p.(NoTradingWindow); ok {
		w.Weekdays = canonicalWeekdays(w.Weekdays)
		p = w
	}
	return p, nil
}

// kindFields lists each kind's fields in the order they are checked.
var kindFields = map[string][]string{
	KindAvoidSpikeOverPct:   {"pct", "lookbackHours"},
	KindMaxTradesPerDay:     {"n"},
	KindCooldownAfterLoss:   {"minutes"},
	KindMaxNotionalPerTrade: {"amount", "quote"},
	KindNoTradingWindow:     {"from", "to", "weekdays"},
	KindStopLossPct:         {"pct"},
}

// optional names the fields ("kind.field") that may be left out.
var optional = map[string]bool{KindNoTradingWindow + ".weekdays": true}

// object decodes params, which must be one JSON object of at most maxParams bytes, and rejects a
// field given twice.
func object(params json.RawMessage) (map[string]json.RawMessage, error) {
	if len(params) > maxParams {
		return nil, coach.Errorf(coach.EINVALID, "params: larger than %d bytes", maxParams)
	}
	trimmed := bytes.TrimSpace(params)
	if len(trimmed) == 0 || trimmed[0] != '{' || !json.Valid(trimmed) {
		return nil, coach.Errorf(coach.EINVALID, "params: want a JSON object")
	}
	dec := json.NewDecoder(bytes.NewReader(trimmed))
	if _, err := dec.Token(); err != nil { // '{'
		return nil, coach.Errorf(coach.EINVALID, "params: want a JSON object")
	}
	obj := make(map[string]json.RawMessage)
	for dec.More() {
		tok, err := dec.Token()
		if err != nil {
			return nil, coach.Errorf(coach.EINVALID, "params: want a JSON object")
		}
		k, _ := tok.(string)
		var v json.RawMessage
		if err := dec.Decode(&v); err != nil {
			return nil, coach.Errorf(coach.EINVALID, "params: want a JSON object")
		}
		if _, dup := obj[k]; dup {
			return nil, coach.Errorf(coach.EINVALID, "params.%s: given twice", clipText(k, 64))
		}
		obj[k] = v
	}
	return obj, nil
}

// number reads a JSON number that is finite as a float64.
func number(obj map[string]json.RawMessage, f string) (float64, error) {
	raw := obj[f]
	if !isNumber(raw) {
		return 0, fieldErr(f, "want a number")
	}
	x, err := strconv.ParseFloat(string(raw), 64)
	if err != nil || !finite(x) {
		return 0, fieldErr(f, "want a finite number")
	}
	return x, nil
}

// integer reads a JSON number written as an integer.
func integer(obj map[string]json.RawMessage, f string) (int, error) {
	raw := obj[f]
	if !isNumber(raw) {
		return 0, fieldErr(f, "want an integer")
	}
	if bytes.ContainsAny(raw, ".eE") {
		return 0, fieldErr(f, "want an integer")
	}
	// A whole number beyond 32 bits is clamped (ParseInt's ErrRange): it is out of every
	// kind's range, and Validate says which range.
	n, _ := strconv.ParseInt(string(raw), 10, 32)
	return int(n), nil
}

// amount reads a decimal written as a JSON string or number.
func amount(obj map[string]json.RawMessage, f string) (decimal.Decimal, error) {
	raw := obj[f]
	s := string(raw)
	if len(raw) > 0 && raw[0] == '"' {
		if err := json.Unmarshal(raw, &s); err != nil {
			return decimal.Decimal{}, fieldErr(f, "want a decimal number")
		}
	} else if !isNumber(raw) {
		return decimal.Decimal{}, fieldErr(f, "want a decimal number")
	}
	if len(s) == 0 || len(s) > 64 || !decimalText(s) {
		return decimal.Decimal{}, fieldErr(f, "want a decimal number")
	}
	d, err := decimal.NewFromString(s)
	if err != nil || !saneDecimal(d) {
		return decimal.Decimal{}, fieldErr(f, "must be in (0, 1e15]")
	}
	return d, nil
}

// decimalText reports whether s is written like a JSON number (no spaces, no hex, no "Inf").
func decimalText(s string) bool {
	return isNumber(json.RawMessage(s))
}

// text reads a JSON string.
func text(obj map[string]json.RawMessage, f string) (string, error) {
	raw := obj[f]
	var s string
	if len(raw) == 0 || raw[0] != '"' || json.Unmarshal(raw, &s) != nil {
		return "", fieldErr(f, "want a string")
	}
	return s, nil
}

// texts reads an optional JSON array of strings; absent means none.
func texts(obj map[string]json.RawMessage, f string) ([]string, error) {
	raw, ok := obj[f]
	if !ok {
		return nil, nil
	}
	var ss []string
	if len(raw) == 0 || raw[0] != '[' || json.Unmarshal(raw, &ss) != nil {
		return nil, fieldErr(f, "want an array of strings")
	}
	return ss, nil
}

// isNumber reports whether raw is a JSON number literal.
func isNumber(raw json.RawMessage) bool {
	if len(raw) == 0 || !(raw[0] == '-' || raw[0] >= '0' && raw[0] <= '9') {
		return false
	}
	var n json.Number
	return json.Unmarshal(raw, &n) == nil
}

// clipText shortens untrusted text quoted in an error message, keeping valid UTF-8.
func clipText(s string, n int) string {
	for _, r := range s {
		if !unicode.IsPrint(r) {
			return strconv.Quote(s[:min(len(s), n)])
		}
	}
	if len(s) <= n {
		return s
	}
	s = s[:n]
	for len(s) > 0 && !utf8.ValidString(s) {
		s = s[:len(s)-1]
	}
	return s + "…"
}
