package postgres

import (
	"bytes"
	"encoding/json"
	"io"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/jackc/pgx/v5/pgtype"
	pkgerrors "github.com/pkg/errors"
	"github.com/shopspring/decimal"
	"github.com/tradecoach/coach"
)

// textOK reports whether s can be stored in a text column: PostgreSQL text is valid UTF-8 and
// never holds a NUL byte.
func textOK(s string) bool { return strings.IndexByte(s, 0) < 0 && utf8.ValidString(s) }

// checkText gives EINVALID, naming field, if s cannot be stored as text. It runs before any SQL,
// so that hostile input is rejected as input rather than failing in the driver.
func checkText(field, s string) error {
	if !textOK(s) {
		return coach.Errorf(coach.EINVALID, "%s: must be UTF-8 text without NUL bytes", field)
	}
	return nil
}

// checkJSON gives EINVALID, naming field, if doc (already known to be JSON) cannot be stored as
// jsonb or would not come back as the same document: jsonb is UTF-8, rejects the escape \u0000
// in strings, and writes numbers out in full, so that 1e700 (which no float64 holds) would come
// back as 701 digits. Numbers must be finite float64 values with an exponent, if written, of at
// most 308 either way.
func checkJSON(field string, doc []byte) error {
	if !utf8.Valid(doc) {
		return coach.Errorf(coach.EINVALID, "%s: JSON must be UTF-8", field)
	}
	if !bytes.Contains(doc, []byte(`\u0000`)) && !hasExponent(doc) {
		return nil
	}
	dec := json.NewDecoder(bytes.NewReader(doc))
	dec.UseNumber()
	for {
		tok, err := dec.Token()
		if err == io.EOF {
			return nil
		}
		if err != nil {
			return coach.Errorf(coach.EINVALID, "%s: not valid JSON", field)
		}
		switch v := tok.(type) {
		case string:
			if strings.IndexByte(v, 0) >= 0 {
				return coach.Errorf(coach.EINVALID, "%s: JSON strings must not contain \\u0000", field)
			}
		case json.Number:
			if !tameNumber(string(v)) {
				return coach.Errorf(coach.EINVALID, "%s: a JSON number is out of range", field)
			}
		}
	}
}

// hasExponent reports whether doc may hold a number in exponent form: an e or E after a digit.
func hasExponent(doc []byte) bool {
	for i := 1; i < len(doc); i++ {
		if c := doc[i]; (c == 'e' || c == 'E') && doc[i-1] >= '0' && doc[i-1] <= '9' {
			return true
		}
	}
	return false
}

// tameNumber reports whether a JSON number is a finite float64 whose exponent, if written, is at
// most 308 in absolute value.
func tameNumber(n string) bool {
	if _, err := strconv.ParseFloat(n, 64); err != nil {
		return false
	}
	if i := strings.IndexAny(n, "eE"); i >= 0 {
		e, err := strconv.Atoi(strings.TrimPrefix(n[i+1:], "+"))
		if err != nil || e > 308 || e < -308 {
			return false
		}
	}
	return true
}

// nullText maps "" to SQL NULL, for nullable text columns.
func nullText(s string) *string {
	if s == "" {
		return nil
	}
	return &s
}

// numeric converts an amount to the driver's numeric, exactly.
func numeric(d decimal.Decimal) pgtype.Numeric {
	return pgtype.Numeric{Int: d.Coefficient(), Exp: d.Exponent(), Valid: true}
}

// nullNumeric converts a nullable amount; an invalid one is SQL NULL.
func nullNumeric(d decimal.NullDecimal) pgtype.Numeric {
	if !d.Valid {
		return pgtype.Numeric{}
	}
	return numeric(d.Decimal)
}

// amount converts a numeric read from the database back to an amount. NULL, NaN and infinities
// never pass the table's checks; meeting one is a fault.
func amount(n pgtype.Numeric) (decimal.Decimal, error) {
	if !n.Valid || n.NaN || n.InfinityModifier != pgtype.Finite || n.Int == nil {
		return decimal.Decimal{}, pkgerrors.New("postgres: stored amount is not a finite number")
	}
	return decimal.NewFromBigInt(n.Int, n.Exp), nil
}

// nullAmount converts a nullable numeric.
func nullAmount(n pgtype.Numeric) (decimal.NullDecimal, error) {
	if !n.Valid {
		return decimal.NullDecimal{}, nil
	}
	d, err := amount(n)
	return decimal.NullDecimal{Decimal: d, Valid: err == nil}, err
}
