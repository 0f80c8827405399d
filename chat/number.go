package chat

import (
	"math"
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"
)

// Number is a number as an answer writes it.
type Number struct {
	// Text is the number as written, with its sign, scale and unit; Start and End are its byte
	// offsets in the text parsed.
	Text       string
	Start, End int
	// Value is the number read, scale applied (1.2k is 1200), sign kept (−3% is −3).
	Value float64
	// Percent is set when the number is a percentage ("12%", "12 percent"); Value is then 12.
	Percent bool
	// Tolerance is how far a fact may be from Value and still be what was written: half of the
	// last digit shown (83.6 stands for [83.55, 83.65]), and at least 5% of Value when Hedged.
	Tolerance float64
	// Hedged is set when a word like "about", "roughly" or "~" precedes the number.
	Hedged bool
}

// hedges are words that, just before a number, say it is rounded loosely.
var hedges = []string{"about", "around", "roughly", "approximately", "approx.", "approx", "nearly", "almost",
	"close to", "some", "just over", "just under", "over", "under", "more than", "less than", "upwards of",
	"~", "≈", "circa", "ca."}

// hedgeTolerance is the relative tolerance of a hedged number.
const hedgeTolerance = 0.05

// numberWords are the numbers written in words that an answer may use. "one" is left out: it is
// a pronoun more often than a count.
var numberWords = map[string]float64{
	"two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7, "eight": 8, "nine": 9,
	"ten": 10, "eleven": 11, "twelve": 12, "thirteen": 13, "fourteen": 14, "fifteen": 15,
	"sixteen": 16, "seventeen": 17, "eighteen": 18, "nineteen": 19, "twenty": 20,
	"half": 0.5, "a dozen": 12, "dozen": 12,
}

// ParseNumbers returns the numbers of s in order: digits with an optional sign (-, + or the
// Unicode minus −), thousands separators ("1,234.5"), a decimal point, a scale ("1.2k", "3.4M",
// "2 million"), a percent sign or word, and the words of numberWords ("twelve"). It never panics;
// text that is not valid UTF-8 is read rune by rune like any other.
func ParseNumbers(s string) []Number {
	var out []Number
	for i := 0; i < len(s); {
		r, w := utf8.DecodeRuneInString(s[i:])
		if r >= '0' && r <= '9' || r == '.' && i+1 < len(s) && isDigit(s[i+1]) && (i == 0 || !isDigit(s[i-1])) {
			if i > 0 && prevIsWordChar(s, i) {
				// Part of a word or identifier (T3, 1INCH's neighbours, ISO dates are masked earlier).
				j := skipDigits(s, i)
				i = j
				continue
			}
			n, end := readNumber(s, i)
			out = append(out, n)
			i = end
			continue
		}
		if unicode.IsLetter(r) && (i == 0 || !prevIsWordChar(s, i)) {
			if n, end, ok := readWordNumber(s, i); ok {
				out = append(out, n)
				i = end
				continue
			}
			// Skip the rest of the word.
			j := i
			for j < len(s) {
				r2, w2 := utf8.DecodeRuneInString(s[j:])
				if !unicode.IsLetter(r2) && !unicode.IsDigit(r2) {
					break
				}
				j += w2
			}
			i = j
			continue
		}
		i += w
	}
	return out
}

func isDigit(b byte) bool { return b >= '0' && b <= '9' }

// prevIsWordChar reports whether the rune before offset i is a letter or digit.
func prevIsWordChar(s string, i int) bool {
	r, _ := utf8.DecodeLastRuneInString(s[:i])
	return unicode.IsLetter(r) || unicode.IsDigit(r) || r == '_'
}

func skipDigits(s string, i int) int {
	for i < len(s) && (isDigit(s[i]) || s[i] == '.' || s[i] == ',') {
		i++
	}
	return i
}

// readNumber reads the number starting at digit (or '.') offset i.
func readNumber(s string, i int) (Number, int) {
	start := i
	neg := false
	// A sign just before the digits (and not the hyphen of a word: "3-hour" is not −3).
	if r, w := utf8.DecodeLastRuneInString(s[:i]); r == '-' || r == '−' || r == '+' || r == '–' {
		if i-w == 0 || !prevIsWordChar(s, i-w) {
			start -= w
			neg = r != '+'
		}
	}
	// Currency signs before the sign or the digits: "$1,200", "-$45", "$-45".
	for {
		r, w := utf8.DecodeLastRuneInString(s[:start])
		if r != '$' && r != '€' && r != '£' {
			break
		}
		start -= w
		if r2, w2 := utf8.DecodeLastRuneInString(s[:start]); !neg && (r2 == '-' || r2 == '−') && (start-w2 == 0 || !prevIsWordChar(s, start-w2)) {
			start -= w2
			neg = true
		}
	}
	j := i
	var digits strings.Builder
	decimals := -1
	for j < len(s) {
		c := s[j]
		switch {
		case isDigit(c):
			digits.WriteByte(c)
			if decimals >= 0 {
				decimals++
			}
			j++
			continue
		case c == ',' && decimals < 0 && j+3 < len(s)+1 && threeDigits(s, j+1):
			j++
			continue
		case c == '.' && decimals < 0 && j+1 < len(s) && isDigit(s[j+1]):
			digits.WriteByte('.')
			decimals = 0
			j++
			continue
		}
		break
	}
	v, err := strconv.ParseFloat(digits.String(), 64)
	if err != nil {
		v = 0
	}
	if decimals < 0 {
		decimals = 0
	}
	tol := 0.5 * math.Pow10(-decimals)
	scale, end := readScale(s, j)
	v *= scale
	tol *= scale
	n := Number{Value: v, Tolerance: tol}
	// Ordinal suffixes: "3rd", "21st".
	for _, suf := range []string{"st", "nd", "rd", "th"} {
		if strings.HasPrefix(s[end:], suf) && !followedByLetter(s, end+len(suf)) {
			end += len(suf)
			break
		}
	}
	if p, e := readPercent(s, end); p {
		n.Percent = true
		end = e
	}
	if neg {
		n.Value = -n.Value
	}
	if hedgedBefore(s, start) {
		n.Hedged = true
		n.Tolerance = math.Max(n.Tolerance, hedgeTolerance*math.Abs(n.Value))
		// "about 250": rounded to its trailing zeros.
		if decimals == 0 && scale == 1 {
			z := 0
			for d := digits.String(); len(d) > 1 && d[len(d)-1] == '0'; d = d[:len(d)-1] {
				z++
			}
			n.Tolerance = math.Max(n.Tolerance, 0.5*math.Pow10(z))
		}
	}
	n.Start, n.End = start, end
	n.Text = s[start:end]
	return n, end
}

func threeDigits(s string, j int) bool {
	if j+3 > len(s) {
		return false
	}
	for k := j; k < j+3; k++ {
		if !isDigit(s[k]) {
			return false
		}
	}
	return j+3 == len(s) || !isDigit(s[j+3])
}

func followedByLetter(s string, i int) bool {
	if i >= len(s) {
		return false
	}
	r, _ := utf8.DecodeRuneInString(s[i:])
	return unicode.IsLetter(r)
}

// readScale reads a scale after a number: k/K (thousand), M/mn/m (million when followed by no
// other letter and not "min"), bn, and the words thousand, million, billion.
func readScale(s string, j int) (float64, int) {
	rest := s[j:]
	for _, sc := range []struct {
		suf string
		v   float64
	}{{"k", 1e3}, {"K", 1e3}, {"M", 1e6}, {"mn", 1e6}, {"bn", 1e9}, {"B", 1e9}} {
		if strings.HasPrefix(rest, sc.suf) && !followedByLetter(s, j+len(sc.suf)) {
			return sc.v, j + len(sc.suf)
		}
	}
	trimmed := strings.TrimLeft(rest, " ")
	skip := len(rest) - len(trimmed)
	for _, sc := range []struct {
		word string
		v    float64
	}{{"thousand", 1e3}, {"million", 1e6}, {"billion", 1e9}} {
		if skip > 0 && strings.HasPrefix(strings.ToLower(trimmed), sc.word) && !followedByLetter(s, j+skip+len(sc.word)) {
			return sc.v, j + skip + len(sc.word)
		}
	}
	return 1, j
}

// readPercent reads "%", " %", " percent", " per cent", " pct" after a number.
func readPercent(s string, j int) (bool, int) {
	rest := s[j:]
	if strings.HasPrefix(rest, "%") {
		return true, j + 1
	}
	trimmed := strings.TrimLeft(rest, " \u00a0")
	skip := len(rest) - len(trimmed)
	lower := strings.ToLower(trimmed)
	for _, w := range []string{"%", "percent", "per cent", "pct"} {
		if strings.HasPrefix(lower, w) && (w == "%" || !followedByLetter(trimmed, len(w))) {
			return true, j + skip + len(w)
		}
	}
	return false, j
}

// hedgedBefore reports whether a hedge word ends just before offset i (spaces between).
func hedgedBefore(s string, i int) bool {
	before := strings.ToLower(strings.TrimRight(s[:i], " \u00a0"))
	for _, h := range hedges {
		if strings.HasSuffix(before, h) {
			k := len(before) - len(h)
			if k == 0 || h == "~" || h == "≈" || !prevIsWordChar(before, k) {
				return true
			}
		}
	}
	return false
}

// readWordNumber reads a number written in words at offset i ("twelve", "a dozen").
func readWordNumber(s string, i int) (Number, int, bool) {
	lower := strings.ToLower(s[i:min(len(s), i+16)])
	best, bestLen := 0.0, 0
	for w, v := range numberWords {
		if len(w) > bestLen && strings.HasPrefix(lower, w) && !followedByLetter(s, i+len(w)) {
			best, bestLen = v, len(w)
		}
	}
	if bestLen == 0 {
		return Number{}, i, false
	}
	end := i + bestLen
	n := Number{Value: best, Tolerance: 0.5, Start: i}
	if best == 0.5 {
		n.Tolerance = 0.05
	}
	if p, e := readPercent(s, end); p {
		n.Percent, end = true, e
	}
	if hedgedBefore(s, i) {
		n.Hedged = true
		n.Tolerance = math.Max(n.Tolerance, hedgeTolerance*n.Value)
	}
	n.End = end
	n.Text = s[i:end]
	return n, end, true
}
