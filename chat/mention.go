package chat

import (
	"regexp"
	"strconv"
	"strings"
	"time"
)

// Kinds of what an answer mentions, and of violations.
const (
	KindNumber = "number"
	KindLabel  = "label"
	KindSymbol = "symbol"
	KindTrade  = "trade"
	KindDate   = "date"
	KindAdvice = "advice"
)

// mention is a label, symbol, trade reference or date named in a sentence.
type mention struct {
	kind  string
	value string // label; symbol ("BTC-USDT", or a base "BTC"); trade ref ("T3"); day (YYYY-MM-DD), month (YYYY-MM) or year (YYYY)
	start int
	end   int
	text  string
	bad   string // why a date could not be read (an impossible day, a weekday that does not match)
}

// notSymbols are upper-case words that are not assets: abbreviations of indicators and of
// everyday writing, and the labels' own codes.
var notSymbols = map[string]bool{
	"RSI": true, "ATR": true, "MACD": true, "SMA": true, "EMA": true, "VWAP": true, "OHLC": true, "OHLCV": true,
	"UTC": true, "GMT": true, "PNL": true, "PL": true, "PGR": true, "PLR": true, "DE": true, "OK": true,
	"AM": true, "PM": true, "AI": true, "ID": true, "FAQ": true, "TBD": true, "FYI": true, "ASAP": true,
	"NB": true, "PS": true, "ETF": true, "US": true, "UK": true, "EU": true, "API": true, "ROI": true,
	"TA": true, "TL": true, "DR": true, "TLDR": true, "NOT": true, "NO": true, "AND": true, "OR": true,
	"THE": true, "YOU": true, "BUT": true, "ALL": true, "IS": true, "IT": true, "TO": true, "OF": true,
	"IN": true, "ON": true, "AT": true, "IF": true, "SO": true, "UP": true, "AN": true, "AS": true,
	"BY": true, "MY": true, "WE": true, "ME": true, "NEVER": true, "ALWAYS": true, "ONLY": true, "NOTE": true,
	"VERY": true, "BUY": true, "SELL": true, "BOUGHT": true, "SOLD": true, "LONG": true, "SHORT": true,
	"FOMO": true, "PANIC": true, "REVENGE": true, "DISCIPLINE": true, "OVERTRADING": true, "DISPOSITION": true,
	"LOSS_CHASING": true, "HOLDING_LOSERS": true, "LOSS": true, "CHASING": true, "HOLDING": true, "LOSERS": true,
	"USD": true, "EUR": true, "GBP": true, "JPY": true, "CHF": true, "CAD": true, "AUD": true,
}

// coinNames are assets named in words.
var coinNames = map[string]string{
	"bitcoin": "BTC", "ether": "ETH", "ethereum": "ETH", "solana": "SOL", "dogecoin": "DOGE", "ripple": "XRP",
	"cardano": "ADA", "litecoin": "LTC", "polkadot": "DOT", "chainlink": "LINK", "avalanche": "AVAX",
}

var (
	symbolRE   = regexp.MustCompile(`\b[A-Z][A-Z0-9]{1,9}(?:_[A-Z]+)?(?:[-/][A-Z][A-Z0-9]{1,9})?\b`)
	coinNameRE = regexp.MustCompile(`(?i)\b(?:bitcoin|ethereum|ether|solana|dogecoin|ripple|cardano|litecoin|polkadot|chainlink|avalanche)\b`)
	tradeRefRE = regexp.MustCompile(`\bT(\d{1,5})\b|(?i:\btrades?\s*(?:#|no\.?\s*|number\s*)?\s*)(\d{1,5})\b|#(\d{1,5})\b`)
)

// findSymbols returns the assets named in s. quotes are the quote assets of the evidence, read
// as units ("1,200 USDT"), not as assets, unless also a base of the evidence.
func findSymbols(s string, quotes, bases map[string]bool) []mention {
	var out []mention
	for _, m := range symbolRE.FindAllStringIndex(s, -1) {
		tok := s[m[0]:m[1]]
		if notSymbols[tok] || strings.Contains(tok, "_") || tradeRefRE.MatchString(tok) && tok[0] == 'T' && isAllDigits(tok[1:]) {
			continue
		}
		if quotes[tok] && !bases[tok] {
			continue
		}
		v := strings.ReplaceAll(tok, "/", "-")
		out = append(out, mention{kind: KindSymbol, value: v, start: m[0], end: m[1], text: tok})
	}
	for _, m := range coinNameRE.FindAllStringIndex(s, -1) {
		tok := s[m[0]:m[1]]
		out = append(out, mention{kind: KindSymbol, value: coinNames[strings.ToLower(tok)], start: m[0], end: m[1], text: tok})
	}
	return out
}

func isAllDigits(s string) bool {
	if s == "" {
		return false
	}
	for i := 0; i < len(s); i++ {
		if !isDigit(s[i]) {
			return false
		}
	}
	return true
}

// findTrades returns the trade references of s: "T3", "trade 3", "trade #3", "#3".
func findTrades(s string) []mention {
	var out []mention
	for _, m := range tradeRefRE.FindAllStringSubmatchIndex(s, -1) {
		var num string
		for g := 1; g <= 3; g++ {
			if m[2*g] >= 0 {
				num = s[m[2*g]:m[2*g+1]]
			}
		}
		n, err := strconv.Atoi(num)
		if err != nil {
			continue
		}
		out = append(out, mention{kind: KindTrade, value: "T" + strconv.Itoa(n), start: m[0], end: m[1], text: s[m[0]:m[1]]})
	}
	return out
}

const (
	monthAlt   = `january|february|march|april|may|june|july|august|september|october|november|december|jan|feb|mar|apr|jun|jul|aug|sept|sep|oct|nov|dec`
	weekdayAlt = `monday|tuesday|wednesday|thursday|friday|saturday|sunday|mon|tues|tue|wed|thurs|thu|fri|sat|sun`
)

var (
	isoDateRE  = regexp.MustCompile(`\b(\d{4})-(\d{2})-(\d{2})\b`)
	dayMonthRE = regexp.MustCompile(`(?i)\b(?:(` + weekdayAlt + `)\.?,?\s+)?(?:the\s+)?(\d{1,2})(?:st|nd|rd|th)?(?:\s+of)?\s+(` + monthAlt + `)\b\.?(?:,?\s+(\d{4})\b)?`)
	monthDayRE = regexp.MustCompile(`(?i)\b(?:(` + weekdayAlt + `)\.?,?\s+)?(` + monthAlt + `)\.?\s+(\d{1,2})(?:st|nd|rd|th)?\b(?:,?\s+(\d{4})\b)?`)
	monthRE    = regexp.MustCompile(`(?i)\b(?:(?:in|during|of|for|since|through|over|across|throughout|all)\s+(` + monthAlt + `)\b\.?(?:\s+(\d{4})\b)?|(` + monthAlt + `)\s+(\d{4})\b)`)
	relDayRE   = regexp.MustCompile(`(?i)\b(today|yesterday)\b|\b(?:(last|this|on|past|previous)\s+)?(monday|tuesday|wednesday|thursday|friday|saturday|sunday)s?\b`)
	yearRE     = regexp.MustCompile(`\b(?:in|of|since|during)\s+((?:19|20)\d{2})\b`)
)

var monthNum = map[string]time.Month{
	"jan": 1, "feb": 2, "mar": 3, "apr": 4, "may": 5, "jun": 6, "jul": 7, "aug": 8, "sep": 9, "sept": 9, "oct": 10, "nov": 11, "dec": 12,
}

func monthOf(name string) time.Month { return monthNum[strings.ToLower(name)[:min(len(name), 3)]] }

func weekdayOf(name string) (time.Weekday, bool) {
	if name == "" {
		return 0, false
	}
	n := strings.ToLower(name)
	for d := time.Sunday; d <= time.Saturday; d++ {
		if strings.HasPrefix(strings.ToLower(d.String()), n[:min(len(n), 3)]) {
			return d, true
		}
	}
	return 0, false
}

// dateReader resolves dates against the evidence: its time zone and the day of its Now.
type dateReader struct {
	today time.Time // midnight of Now's day in the evidence's zone; zero when Now is unknown
	loc   *time.Location
}

// findDates returns the days, months and years s names. A day without a year is in the year of
// the evidence's Now, or the year before if that would be after Now. A relative day ("last
// Tuesday") is resolved against Now; without a Now it is a mention with bad set.
func (r dateReader) findDates(s string) []mention {
	var out []mention
	taken := func(a, b int) bool {
		for _, m := range out {
			if a < m.end && b > m.start {
				return true
			}
		}
		return false
	}
	for _, m := range isoDateRE.FindAllStringSubmatchIndex(s, -1) {
		y, _ := strconv.Atoi(s[m[2]:m[3]])
		mo, _ := strconv.Atoi(s[m[4]:m[5]])
		d, _ := strconv.Atoi(s[m[6]:m[7]])
		out = append(out, r.day(s, m[0], m[1], y, time.Month(mo), d, ""))
	}
	for _, re := range []*regexp.Regexp{dayMonthRE, monthDayRE} {
		for _, m := range re.FindAllStringSubmatchIndex(s, -1) {
			if taken(m[0], m[1]) {
				continue
			}
			sub := func(g int) string {
				if m[2*g] < 0 {
					return ""
				}
				return s[m[2*g]:m[2*g+1]]
			}
			var day, mon string
			if re == dayMonthRE {
				day, mon = sub(2), sub(3)
			} else {
				mon, day = sub(2), sub(3)
			}
			if strings.EqualFold(mon, "may") && re == monthDayRE && sub(1) == "" {
				// "may 3 trades": the modal verb, not the month, unless capitalized.
				if mon == "may" {
					continue
				}
			}
			d, _ := strconv.Atoi(day)
			y := 0
			if sub(4) != "" {
				y, _ = strconv.Atoi(sub(4))
			}
			out = append(out, r.day(s, m[0], m[1], y, monthOf(mon), d, sub(1)))
		}
	}
	for _, m := range monthRE.FindAllStringSubmatchIndex(s, -1) {
		if taken(m[0], m[1]) {
			continue
		}
		name, year := "", ""
		if m[2] >= 0 {
			name = s[m[2]:m[3]]
			if m[4] >= 0 {
				year = s[m[4]:m[5]]
			}
		} else {
			name, year = s[m[6]:m[7]], s[m[8]:m[9]]
		}
		if name == "may" && year == "" {
			continue
		}
		out = append(out, r.month(s, m[0], m[1], monthOf(name), year))
	}
	for _, m := range relDayRE.FindAllStringSubmatchIndex(s, -1) {
		if taken(m[0], m[1]) {
			continue
		}
		mm := mention{kind: KindDate, start: m[0], end: m[1], text: s[m[0]:m[1]]}
		if r.today.IsZero() {
			mm.bad = "a relative date with no date to count from"
			out = append(out, mm)
			continue
		}
		var day time.Time
		if m[2] >= 0 {
			day = r.today
			if strings.EqualFold(s[m[2]:m[3]], "yesterday") {
				day = r.today.AddDate(0, 0, -1)
			}
		} else {
			wd, _ := weekdayOf(s[m[6]:m[7]])
			back := (int(r.today.Weekday()) - int(wd) + 7) % 7
			if m[4] >= 0 && strings.EqualFold(s[m[4]:m[5]], "last") && back == 0 {
				back = 7
			}
			day = r.today.AddDate(0, 0, -back)
		}
		mm.value = day.Format(time.DateOnly)
		out = append(out, mm)
	}
	for _, m := range yearRE.FindAllStringSubmatchIndex(s, -1) {
		if taken(m[0], m[1]) {
			continue
		}
		out = append(out, mention{kind: KindDate, value: s[m[2]:m[3]], start: m[0], end: m[1], text: s[m[0]:m[1]]})
	}
	return out
}

// day makes the mention of a day, checking that it exists and falls on the weekday named.
func (r dateReader) day(s string, a, b, y int, mo time.Month, d int, weekday string) mention {
	mm := mention{kind: KindDate, start: a, end: b, text: s[a:b]}
	if y == 0 {
		if r.today.IsZero() {
			mm.bad = "a date without a year and no date to count from"
			return mm
		}
		y = r.today.Year()
		if time.Date(y, mo, d, 0, 0, 0, 0, r.loc).After(r.today.AddDate(0, 0, 1)) {
			y--
		}
	}
	t := time.Date(y, mo, d, 0, 0, 0, 0, r.loc)
	if mo < 1 || mo > 12 || t.Day() != d || t.Month() != mo {
		mm.bad = "no such day"
		return mm
	}
	if wd, ok := weekdayOf(weekday); ok && wd != t.Weekday() {
		mm.bad = "the weekday does not match the date"
		return mm
	}
	mm.value = t.Format(time.DateOnly)
	return mm
}

// month makes the mention of a month; without a year, the last such month up to Now.
func (r dateReader) month(s string, a, b int, mo time.Month, year string) mention {
	mm := mention{kind: KindDate, start: a, end: b, text: s[a:b]}
	y, _ := strconv.Atoi(year)
	if y == 0 {
		if r.today.IsZero() {
			mm.bad = "a month without a year and no date to count from"
			return mm
		}
		y = r.today.Year()
		if mo > r.today.Month() {
			y--
		}
	}
	mm.value = time.Date(y, mo, 1, 0, 0, 0, 0, time.UTC).Format("2006-01")
	return mm
}
