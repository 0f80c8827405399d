package coach

import (
	"strings"
	"unicode/utf8"
)

// Symbol is a trading pair in its one canonical form, BASE-QUOTE in upper case: "BTC-USDT",
// "ETH-USD". Parse the brokers' forms ("BTCUSDT", "BTC-USD", "btc/usdt") with ParseSymbol.
type Symbol string

// quoteAssets are the quote assets recognized in concatenated forms such as Binance's
// "BTCUSDT", longest first so that "FDUSD" wins over "USD".
var quoteAssets = []string{
	"FDUSD", "USDT", "USDC", "BUSD", "TUSD", "USDP", "DAI", "USD", "EUR", "GBP", "TRY", "BRL",
	"AUD", "JPY", "BTC", "ETH", "BNB",
}

// maxAssetLen bounds each side of a pair; real tickers are far shorter.
const maxAssetLen = 20

// ParseSymbol returns the canonical form of s. It accepts BASE-QUOTE, BASE/QUOTE and BASE_QUOTE in
// any case, and concatenated forms ("BTCUSDT") when they end in a known quote asset. Assets are
// 1 to 20 characters of A–Z and 0–9; anything else is EINVALID.
func ParseSymbol(s string) (Symbol, error) {
	u := strings.TrimSpace(s)
	for i := 0; i < len(u); i++ {
		if u[i] >= utf8.RuneSelf {
			// Checked before upper-casing: strings.ToUpper maps some non-ASCII letters to ASCII
			// ones ("ſ" to "S", "ı" to "I"), which would let a look-alike pass as a ticker.
			return "", Errorf(EINVALID, "symbol %q: want BASE-QUOTE with assets of 1-%d letters or digits", clip(s, 40), maxAssetLen)
		}
	}
	u = strings.ToUpper(u)
	var base, quote string
	if i := strings.IndexAny(u, "-/_"); i >= 0 {
		base, quote = u[:i], u[i+1:]
	} else {
		for _, q := range quoteAssets {
			if len(u) > len(q) && strings.HasSuffix(u, q) {
				base, quote = u[:len(u)-len(q)], q
				break
			}
		}
		if quote == "" {
			return "", Errorf(EINVALID, "symbol %q: cannot tell base from quote; write it as BASE-QUOTE", clip(s, 40))
		}
	}
	if !validAsset(base) || !validAsset(quote) {
		return "", Errorf(EINVALID, "symbol %q: want BASE-QUOTE with assets of 1-%d letters or digits", clip(s, 40), maxAssetLen)
	}
	if base == quote {
		return "", Errorf(EINVALID, "symbol %q: base and quote are the same asset", clip(s, 40))
	}
	return Symbol(base + "-" + quote), nil
}

// MustParseSymbol is ParseSymbol for constants in tests and examples; it panics on a bad symbol.
func MustParseSymbol(s string) Symbol {
	sym, err := ParseSymbol(s)
	if err != nil {
		panic(err)
	}
	return sym
}

// Base returns the base asset ("BTC" of "BTC-USDT"), or "" if s is not canonical.
func (s Symbol) Base() string {
	b, _, _ := s.assets()
	return b
}

// Quote returns the quote asset ("USDT" of "BTC-USDT"), or "" if s is not canonical.
func (s Symbol) Quote() string {
	_, q, _ := s.assets()
	return q
}

// assets splits a canonical symbol into its base and quote without allocating; ok is false (and
// both are "") when s is not canonical, that is not what ParseSymbol returns.
func (s Symbol) assets() (base, quote string, ok bool) {
	b, q, found := strings.Cut(string(s), "-")
	if !found || !validAsset(b) || !validAsset(q) || b == q {
		return "", "", false
	}
	return b, q, true
}

// Concat returns the pair without a separator, as Binance writes it ("BTCUSDT"), or "" if s is
// not canonical.
func (s Symbol) Concat() string { return s.Base() + s.Quote() }

// Valid reports whether s is in canonical form: what ParseSymbol returns, that is, ParseSymbol(s)
// gives s itself. It does not allocate (scoring checks every stored trade with it).
func (s Symbol) Valid() bool {
	_, _, ok := s.assets()
	return ok
}

func validAsset(a string) bool {
	if len(a) == 0 || len(a) > maxAssetLen {
		return false
	}
	for i := 0; i < len(a); i++ {
		c := a[i]
		if !(c >= 'A' && c <= 'Z' || c >= '0' && c <= '9') {
			return false
		}
	}
	return true
}

// clip shortens untrusted input quoted in an error message.
func clip(s string, n int) string {
	if len(s) <= n {
		return s
	}
	return s[:n] + "…"
}
