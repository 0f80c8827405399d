package coach_test

import (
	"strings"
	"testing"

	"github.com/tradecoach/coach"
)

func TestParseSymbol(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		in   string
		want coach.Symbol // "" for an EINVALID error
	}{
		{"BTCUSDT", "BTC-USDT"},
		{"btc-usd", "BTC-USD"},
		{"ETH/BTC", "ETH-BTC"},
		{"sol_usdc", "SOL-USDC"},
		{" BTC-USDT\t", "BTC-USDT"},
		{"BTC-USDT", "BTC-USDT"},
		{"BTCFDUSD", "BTC-FDUSD"},   // FDUSD, not USD
		{"FDUSDUSDT", "FDUSD-USDT"}, // FDUSD as a base
		{"ETHFDUSD", "ETH-FDUSD"},
		{"fdusdtry", "FDUSD-TRY"},
		{"USDCUSDT", "USDC-USDT"},
		{"ETHBUSD", "ETH-BUSD"},
		{"BTCUSD", "BTC-USD"},
		{"ETHBTC", "ETH-BTC"},
		{"BNBETH", "BNB-ETH"},
		{"1INCHUSDT", "1INCH-USDT"},
		{"BTCEUR", "BTC-EUR"},
		{"X-Y", "X-Y"},
		{strings.Repeat("A", 20) + "-USDT", coach.Symbol(strings.Repeat("A", 20) + "-USDT")},

		{"", ""},
		{"BTC", ""},    // no separator, no known quote
		{"USDT", ""},   // only a quote asset
		{"BTCXYZ", ""}, // unknown quote in concatenated form
		{"BTC-", ""},   // empty quote
		{"-USDT", ""},  // empty base
		{"BTC--USDT", ""},
		{"BTC-USDT-X", ""},
		{"BTC USDT", ""},
		{"BTC-US DT", ""},
		{"USDT-USDT", ""},
		{"USDTUSDT", ""}, // base and quote the same
		{"BTC-ÜSDT", ""},
		{"ſol-usdt", ""}, // long s upper-cases to S: not an ASCII ticker
		{"ıcp-usdt", ""}, // dotless i upper-cases to I
		{strings.Repeat("A", 21) + "-USDT", ""},
		{"BTC-" + strings.Repeat("U", 21), ""},
		{"\x00BTC-USDT", ""},
	} {
		got, err := coach.ParseSymbol(tc.in)
		switch {
		case tc.want == "" && coach.ErrorCode(err) != coach.EINVALID:
			t.Errorf("ParseSymbol(%q) = %q, %v; want EINVALID", tc.in, got, err)
		case tc.want != "" && (err != nil || got != tc.want):
			t.Errorf("ParseSymbol(%q) = %q, %v; want %q", tc.in, got, err, tc.want)
		}
	}
}

func TestSymbolParts(t *testing.T) {
	t.Parallel()
	s := coach.MustParseSymbol("ethbtc")
	if s.Base() != "ETH" || s.Quote() != "BTC" || s.Concat() != "ETHBTC" || !s.Valid() {
		t.Errorf("%q: base %q quote %q concat %q valid %v", s, s.Base(), s.Quote(), s.Concat(), s.Valid())
	}
	for _, bad := range []coach.Symbol{"", "BTCUSDT", "btc-usdt", "BTC/USDT", " BTC-USDT"} {
		if bad.Valid() {
			t.Errorf("%q.Valid() = true, want false (not canonical)", bad)
		}
	}
	if b, q := coach.Symbol("BTCUSDT").Base(), coach.Symbol("BTCUSDT").Quote(); b != "" || q != "" {
		t.Errorf("non-canonical parts: %q %q", b, q)
	}
	defer func() {
		if recover() == nil {
			t.Error("MustParseSymbol(bad) did not panic")
		}
	}()
	coach.MustParseSymbol("nope")
}

func TestParseSymbolErrorClipsInput(t *testing.T) {
	t.Parallel()
	_, err := coach.ParseSymbol(strings.Repeat("Z", 10_000))
	if msg := coach.ErrorMessage(err); len(msg) > 200 {
		t.Errorf("message is %d bytes long: untrusted input must be clipped", len(msg))
	}
}

// FuzzParseSymbol checks that ParseSymbol never panics and that a symbol it returns is canonical:
// valid, and parsed again to itself.
func FuzzParseSymbol(f *testing.F) {
	for _, s := range []string{
		"BTCUSDT", "btc-usd", "ETH/BTC", "sol_usdc", "BTCFDUSD", "FDUSDUSDT", "USDTUSDT", "BTC--USDT",
		"ſol-usdt", " BTC-USDT ", "", "-", "A-B", strings.Repeat("A", 21) + "USDT", "\xff\xfe-USDT",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		sym, err := coach.ParseSymbol(s)
		if want := err == nil && string(sym) == s; coach.Symbol(s).Valid() != want {
			t.Fatalf("Symbol(%q).Valid() = %v, want %v (ParseSymbol gives %q, %v)", s, !want, want, sym, err)
		}
		if err != nil {
			if coach.ErrorCode(err) != coach.EINVALID || sym != "" {
				t.Fatalf("ParseSymbol(%q) = %q, %v: want \"\" and EINVALID", s, sym, err)
			}
			return
		}
		if !sym.Valid() {
			t.Fatalf("ParseSymbol(%q) = %q, which is not Valid", s, sym)
		}
		again, err := coach.ParseSymbol(string(sym))
		if err != nil || again != sym {
			t.Fatalf("ParseSymbol(%q) = %q, %v; want it to be idempotent (%q)", sym, again, err, sym)
		}
		if coach.Symbol(sym.Base()+"-"+sym.Quote()) != sym || sym.Base() == sym.Quote() {
			t.Fatalf("%q: base %q quote %q", sym, sym.Base(), sym.Quote())
		}
		if p, err := coach.ParseSymbol(sym.Concat()); err == nil && !p.Valid() {
			t.Fatalf("ParseSymbol(%q) = %q, not valid", sym.Concat(), p)
		}
	})
}

// Base, Quote and Concat of a symbol that is not canonical are "", as documented — never the
// input or a piece of it.
func TestSymbolPartsOfNonCanonical(t *testing.T) {
	t.Parallel()
	for _, s := range []coach.Symbol{"garbage", "", "btc-usdt", "BTC-", "-USDT", "BTC-USDT-X", "BTC-BTC", "BTC/USDT", " BTC-USDT"} {
		if b, q, c := s.Base(), s.Quote(), s.Concat(); b != "" || q != "" || c != "" {
			t.Errorf("%q: Base %q Quote %q Concat %q, want all empty", s, b, q, c)
		}
	}
	s := coach.Symbol("1INCH-USDT")
	if s.Base() != "1INCH" || s.Quote() != "USDT" || s.Concat() != "1INCHUSDT" {
		t.Errorf("%s: %q %q %q", s, s.Base(), s.Quote(), s.Concat())
	}
}

// Valid is exactly "ParseSymbol gives the symbol itself", on canonical symbols and on inputs
// ParseSymbol accepts but rewrites.
func TestSymbolValidIsParseSymbolFixedPoint(t *testing.T) {
	t.Parallel()
	for _, s := range []string{
		"BTC-USDT", "1INCH-USDT", "A-B", "BTC-BTC", "btc-usdt", "BTCUSDT", "BTC/USDT", "BTC_USDT", " BTC-USDT",
		"BTC-USDT ", "BTC--USDT", "-USDT", "BTC-", "BTC-USDT-X", "ſOL-USDT", strings.Repeat("A", 21) + "-USDT", "",
	} {
		p, err := coach.ParseSymbol(s)
		want := err == nil && string(p) == s
		if got := coach.Symbol(s).Valid(); got != want {
			t.Errorf("Symbol(%q).Valid() = %v, want %v", s, got, want)
		}
	}
}
