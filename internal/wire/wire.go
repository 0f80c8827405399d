// Package wire is the plumbing the HTTP broker clients (broker/coinbase, broker/binance) share:
// reading a bounded answer, quoting server text in an error message without control characters
// or secrets, parsing amounts from a broker's JSON without hostile exponents, and bounded,
// Retry-After-aware retries. It is internal: none of it is part of the SDK's API.
package wire

import (
	"io"
	"net/http"
	"strings"
	"unicode"

	"github.com/shopspring/decimal"
)

// SafeText makes text from a server fit for an error message: it drops every non-printable
// character (and invalid UTF-8), then replaces each secret of 4 bytes or more with "[redacted]",
// then cuts the result to 200 bytes plus "…".
func SafeText(s string, secrets []string) string {
	if s == "" {
		return ""
	}
	s = strings.Map(func(r rune) rune {
		if r == unicode.ReplacementChar || !unicode.IsPrint(r) {
			return -1
		}
		return r
	}, s)
	for _, sec := range secrets {
		if len(sec) >= 4 {
			s = strings.ReplaceAll(s, sec, "[redacted]")
		}
	}
	if len(s) > 200 {
		s = strings.ToValidUTF8(s[:200], "") + "…"
	}
	return s
}

// Clip shortens text from the wire or the caller for quoting in an error message: SafeText
// without secrets, then at most 64 bytes plus "…".
func Clip(s string) string {
	s = SafeText(s, nil)
	if len(s) > 64 {
		return strings.ToValidUTF8(s[:64], "") + "…"
	}
	return s
}

// Amount parses a decimal string from a broker's answer. It refuses (ok false) an empty
// string, one over 64 bytes, and any value with an exponent outside ±30 or more than 38 digits,
// so that no hostile "1e999999999" reaches decimal arithmetic.
func Amount(s string) (d decimal.Decimal, ok bool) {
	if s == "" || len(s) > 64 {
		return decimal.Decimal{}, false
	}
	d, err := decimal.NewFromString(s)
	if err != nil {
		return decimal.Decimal{}, false
	}
	if e := d.Exponent(); e < -30 || e > 30 || d.NumDigits() > 38 {
		return decimal.Decimal{}, false
	}
	return d, true
}

// ReadAnswer sends req with hc and reads the whole answer body, at most max bytes. A body over max
// comes back nil with the status and header intact, so the caller treats it as undecodable. Its
// error is a transport failure, whose text may carry the request URL and must not be shown.
func ReadAnswer(hc *http.Client, req *http.Request, max int64) (status int, header http.Header, body []byte, err error) {
	resp, err := hc.Do(req)
	if err != nil {
		return 0, nil, nil, err
	}
	defer resp.Body.Close()
	data, err := io.ReadAll(io.LimitReader(resp.Body, max+1))
	if err != nil {
		return 0, nil, nil, err
	}
	if int64(len(data)) > max {
		return resp.StatusCode, resp.Header, nil, nil
	}
	return resp.StatusCode, resp.Header, data, nil
}
