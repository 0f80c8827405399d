package chat

import (
	"math"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"
)

// CheckerVersion names the grounding rules of Check.
const CheckerVersion = "chat-check/1"

// Violation is something an answer says that its facts do not hold.
type Violation struct {
	// Kind is KindNumber, KindLabel, KindSymbol, KindTrade, KindDate or KindAdvice.
	Kind string `json:"kind"`
	// Text is the words of the answer at fault; Sentence the sentence's index from 0.
	Text     string `json:"text"`
	Sentence int    `json:"sentence"`
	// Reason says what is wrong, in words a model can act on.
	Reason string `json:"reason"`
}

// String returns the violation as the retry prompt names it.
func (v Violation) String() string {
	return strconv.Quote(v.Text) + " (sentence " + strconv.Itoa(v.Sentence+1) + "): " + v.Reason
}

// Report is what Check finds.
type Report struct {
	Violations []Violation `json:"violations"`
	// Used are the ids of the facts that ground the answer's numbers and mentions, in the order
	// of the facts, each once.
	Used []string `json:"used"`
}

// OK reports whether the answer has no violation.
func (r Report) OK() bool { return len(r.Violations) == 0 }

// Check reads answer sentence by sentence and reports every number (with its unit and the
// rounding it is written with), bias label, symbol, trade reference and date that facts do not
// hold for the same subject, and every sentence that advises buying or selling a named asset.
//
// A sentence's subject is what it names: its labels, symbols, trade references and dates. A
// fact fits the sentence when none of its subject's parts contradicts what the sentence names
// (a fact about FOMO does not fit a sentence that names only PANIC; a fact with no label fits
// any). Every label, symbol, trade and date the sentence names must be the subject of a fact
// that fits it, and every number must be a fitting fact's number: within the tolerance of the
// way it is written (Number.Tolerance), a percentage against a fraction times 100, the sign
// read from the words ("down 3%" for −0.03). Facts are those given to the model (Prompt.Facts);
// ev gives the time zone and the day relative dates count from. Check never panics.
func Check(answer string, facts []Fact, ev *Evidence) Report {
	c := newChecker(facts, ev)
	var rep Report
	used := map[int]bool{}
	for i, s := range sentences(answer) {
		c.sentence(i, s, &rep, used)
	}
	for i := range facts {
		if used[i] {
			rep.Used = append(rep.Used, facts[i].ID)
		}
	}
	return rep
}

type checker struct {
	facts  []Fact
	dates  dateReader
	quotes map[string]bool
	bases  map[string]bool
}

func newChecker(facts []Fact, ev *Evidence) *checker {
	loc := ev.location()
	c := &checker{facts: facts, dates: dateReader{loc: loc}, quotes: map[string]bool{}, bases: map[string]bool{}}
	if ev != nil && !ev.Now.IsZero() {
		n := ev.Now.In(loc)
		c.dates.today = time.Date(n.Year(), n.Month(), n.Day(), 0, 0, 0, 0, loc)
	}
	for _, f := range facts {
		if b, q, ok := strings.Cut(f.Subject.Symbol, "-"); ok {
			c.bases[b] = true
			c.quotes[q] = true
		}
	}
	for _, q := range []string{"USDT", "USDC", "BUSD", "DAI", "FDUSD", "TUSD"} {
		c.quotes[q] = true
	}
	return c
}

// named is what a sentence names, by kind.
type named struct {
	labels, symbols, trades, days, months, years []string
}

func (n *named) empty() bool {
	return len(n.labels)+len(n.symbols)+len(n.trades)+len(n.days)+len(n.months)+len(n.years) == 0
}

// symbolMatches reports whether a mention ("BTC-USDT", "BTCUSDT" or "BTC") names symbol.
func symbolMatches(mention, symbol string) bool {
	if mention == symbol {
		return true
	}
	b, q, _ := strings.Cut(symbol, "-")
	return mention == b || mention == b+q
}

// fits reports whether f contradicts nothing the sentence names.
func (n *named) fits(f *Fact) bool {
	s := &f.Subject
	if len(n.labels) > 0 && s.Label != "" && !slices.Contains(n.labels, s.Label) {
		return false
	}
	if len(n.symbols) > 0 && s.Symbol != "" && !slices.ContainsFunc(n.symbols, func(m string) bool { return symbolMatches(m, s.Symbol) }) {
		return false
	}
	if len(n.trades) > 0 && s.Trade != "" && !slices.Contains(n.trades, s.Trade) {
		return false
	}
	if len(n.days)+len(n.months)+len(n.years) > 0 && (s.Date != "" || s.Month != "") {
		if !n.dateFits(s) {
			return false
		}
	}
	return true
}

// dateFits reports whether a fact's day or month is among the days, months and years named.
func (n *named) dateFits(s *Subject) bool {
	if s.Date != "" {
		return slices.Contains(n.days, s.Date) || slices.Contains(n.months, prefix(s.Date, 7)) || slices.Contains(n.years, prefix(s.Date, 4))
	}
	return slices.Contains(n.months, s.Month) || slices.Contains(n.years, prefix(s.Month, 4)) ||
		slices.ContainsFunc(n.days, func(d string) bool { return prefix(d, 7) == s.Month })
}

// has reports whether f's subject is the mention m itself.
func has(f *Fact, m *mention) bool {
	s := &f.Subject
	switch m.kind {
	case KindLabel:
		return s.Label == m.value
	case KindSymbol:
		return s.Symbol != "" && symbolMatches(m.value, s.Symbol)
	case KindTrade:
		return s.Trade == m.value
	case KindDate:
		switch len(m.value) {
		case 10:
			return s.Date == m.value
		case 7:
			return s.Month == m.value || strings.HasPrefix(s.Date, m.value)
		case 4:
			return strings.HasPrefix(s.Month, m.value) || strings.HasPrefix(s.Date, m.value)
		}
	}
	return false
}

func (c *checker) sentence(idx int, s string, rep *Report, used map[int]bool) {
	bad := func(kind, text, reason string) {
		rep.Violations = append(rep.Violations, Violation{Kind: kind, Text: text, Sentence: idx, Reason: reason})
	}
	var ms []mention
	ms = append(ms, c.dates.findDates(s)...)
	ms = append(ms, findTrades(s)...)
	ms = append(ms, findLabels(s)...)
	ms = append(ms, findSymbols(s, c.quotes, c.bases)...)
	var n named
	for _, m := range ms {
		if m.bad != "" {
			bad(m.kind, m.text, m.bad)
			continue
		}
		switch m.kind {
		case KindLabel:
			n.labels = append(n.labels, m.value)
		case KindSymbol:
			n.symbols = append(n.symbols, m.value)
		case KindTrade:
			n.trades = append(n.trades, m.value)
		case KindDate:
			switch len(m.value) {
			case 10:
				n.days = append(n.days, m.value)
			case 7:
				n.months = append(n.months, m.value)
			default:
				n.years = append(n.years, m.value)
			}
		}
	}
	// Every mention must be the subject of a fact that fits the sentence.
	for i := range ms {
		m := &ms[i]
		if m.bad != "" {
			continue
		}
		found := false
		for j := range c.facts {
			if has(&c.facts[j], m) && n.fits(&c.facts[j]) {
				found = true
				used[j] = true
			}
		}
		if !found {
			bad(m.kind, m.text, c.unheld(m, &n))
		}
	}
	// Numbers, with the mentions masked so that dates and references are not read as numbers.
	masked := []byte(s)
	for _, m := range ms {
		for k := m.start; k < m.end && k < len(masked); k++ {
			masked[k] = ' '
		}
	}
	var grounds []int // the facts that ground the sentence's numbers
	global := false   // whether one of them is about the whole evidence
	nums := ParseNumbers(string(masked))
	for _, num := range nums {
		found := false
		for j := range c.facts {
			f := &c.facts[j]
			if f.HasNumber && numberMatches(num, f) && n.fits(f) {
				found = true
				used[j] = true
				grounds = append(grounds, j)
				global = global || f.Subject.general()
			}
		}
		if !found {
			reason := "no such number in the evidence"
			if !n.empty() {
				reason = "no such number in the evidence about what this sentence names"
			}
			bad(KindNumber, s[num.Start:num.End], reason)
		}
	}
	// What a sentence with numbers names must be what its numbers are about: the subject of a
	// fact that grounds one of them, or of a fact on the same trade ("18 minutes after a loss on
	// ETH" names the loss's asset) — unless a number is about the whole evidence.
	if len(grounds) > 0 && !global {
		for i := range ms {
			m := &ms[i]
			if m.bad == "" && !c.attached(m, grounds) {
				bad(m.kind, m.text, "the numbers of this sentence are not about this "+m.kind)
			}
		}
	}
	if a, ok := advice(s, len(n.symbols) > 0); ok {
		bad(KindAdvice, a, "advice to buy or sell a named asset")
	}
}

// unheld says why mention m has no fact.
func (c *checker) unheld(m *mention, n *named) string {
	for j := range c.facts {
		if has(&c.facts[j], m) {
			return "the evidence has this " + m.kind + " but not together with the rest of the sentence"
		}
	}
	return "no such " + m.kind + " in the evidence"
}

// numberMatches reports whether num is what f's number looks like written that way.
func numberMatches(num Number, f *Fact) bool {
	target := math.Abs(f.Number)
	if num.Percent {
		if f.Unit != UnitRatio {
			return false
		}
		target *= 100
	}
	tol := num.Tolerance + 1e-9*math.Max(1, target)
	return math.Abs(math.Abs(num.Value)-target) <= tol
}

// abbreviations end with a period that does not end a sentence.
var abbreviations = []string{"dec.", "jan.", "feb.", "mar.", "apr.", "jun.", "jul.", "aug.", "sep.", "sept.", "oct.", "nov.",
	"mon.", "tue.", "wed.", "thu.", "fri.", "sat.", "sun.", "approx.", "vs.", "e.g.", "i.e.", "ca.", "no.", "etc."}

// sentences splits text at '.', '!', '?' followed by white space, and at line breaks; a period
// of an abbreviation or of a number ("4.1") does not split.
func sentences(text string) []string {
	var out []string
	start := 0
	flush := func(end int) {
		if s := strings.TrimSpace(text[start:end]); s != "" {
			out = append(out, s)
		}
		start = end
	}
	for i := 0; i < len(text); {
		r, w := utf8.DecodeRuneInString(text[i:])
		switch {
		case r == '\n':
			flush(i)
		case r == '.' || r == '!' || r == '?':
			next := i + w
			if next >= len(text) || text[next] == ' ' || text[next] == '\n' || text[next] == '\t' {
				low := strings.ToLower(text[start:next])
				abbr := false
				for _, a := range abbreviations {
					if strings.HasSuffix(low, a) && (len(low) == len(a) || !isLetterByte(low[len(low)-len(a)-1])) {
						abbr = true
						break
					}
				}
				if !abbr {
					flush(next)
				}
			}
		}
		i += w
	}
	flush(len(text))
	return out
}

func isLetterByte(b byte) bool { return b >= 'a' && b <= 'z' || b >= 'A' && b <= 'Z' }

// general reports whether the subject is the whole evidence: no label, symbol, trade or date.
func (s Subject) general() bool {
	return s.Label == "" && s.Symbol == "" && s.Trade == "" && s.Date == "" && s.Month == ""
}

// attached reports whether mention m is the subject of one of the facts grounds, or of a fact
// on the same trade as one of them.
func (c *checker) attached(m *mention, grounds []int) bool {
	for _, j := range grounds {
		g := &c.facts[j]
		if has(g, m) {
			return true
		}
		if g.Subject.Trade == "" {
			continue
		}
		for k := range c.facts {
			if c.facts[k].Subject.Trade == g.Subject.Trade && has(&c.facts[k], m) {
				return true
			}
		}
	}
	return false
}

// prefix returns the first n bytes of s, or "" when s is shorter.
func prefix(s string, n int) string {
	if len(s) < n {
		return ""
	}
	return s[:n]
}
