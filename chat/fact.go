package chat

import (
	"strconv"
	"strings"
	"time"
)

// EvidenceVersion names the rules by which Gather turns evidence into facts. A change to which
// facts are made, their ids, subjects, units or order is a new version.
const EvidenceVersion = "chat-evidence/1"

// Units of a fact's number. A number in an answer is compared with a fact in the fact's unit:
// a UnitRatio fact (0.0398) is grounded by "0.04" and by "4%" or "4.0%"; any other fact by the
// number as written ("83.6", "4.1×", "1,234.5 USDT", "3-hour"), whatever word follows it.
const (
	UnitNone  = ""      // a count, an index value (RSI) or a ratio of like quantities (4.1 times)
	UnitRatio = "ratio" // a fraction: 0.12 is also 12%
	UnitHours = "h"     // hours
	UnitMoney = "money" // an amount in the quote asset of the fact's Symbol or of the digest
)

// Subject is what a fact is about. Empty fields are not part of the subject: a fact with no
// Label, Symbol, Trade, Date or Month (the digest's trade count) is about the whole evidence.
type Subject struct {
	// Label is a bias label (coach.LabelFOMO, …).
	Label string `json:"label,omitempty"`
	// Symbol is a coach.Symbol such as "BTC-USDT".
	Symbol string `json:"symbol,omitempty"`
	// Trade is the trade's reference in this evidence: "T1", "T2", … in trade order. It is
	// not an identifier of the trade's broker.
	Trade string `json:"trade,omitempty"`
	// Date is a day (YYYY-MM-DD) in the evidence's time zone, Month a month (YYYY-MM).
	Date  string `json:"date,omitempty"`
	Month string `json:"month,omitempty"`
	// Metric names the quantity ("rsi", "digest.tradeCount", "window.disposition.pgr").
	Metric string `json:"metric"`
}

// Fact is one statement of the evidence: a number (when HasNumber) in Unit about Subject. ID is
// stable: the same source (a tag id, a digest week, a window month, a simulation scenario) and
// metric always give the same ID, whatever else the evidence holds.
type Fact struct {
	ID        string  `json:"id"`
	Subject   Subject `json:"subject"`
	Number    float64 `json:"number"`
	HasNumber bool    `json:"hasNumber"`
	Unit      string  `json:"unit,omitempty"`
}

// Line is the fact as the prompt states it: "[id] FOMO BTC-USDT T1 2026-12-07 rsi = 83.6483".
func (f Fact) Line() string {
	var b strings.Builder
	b.WriteString("[" + f.ID + "]")
	s := f.Subject
	for _, p := range []string{s.Label, s.Symbol, s.Trade, s.Date, s.Month} {
		if p != "" {
			b.WriteString(" " + p)
		}
	}
	b.WriteString(" " + s.Metric)
	if f.HasNumber {
		b.WriteString(" = " + strconv.FormatFloat(f.Number, 'g', 6, 64))
		switch f.Unit {
		case UnitRatio:
			b.WriteString(" (fraction)")
		case UnitHours:
			b.WriteString(" hours")
		case UnitMoney:
			b.WriteString(" (amount)")
		}
	}
	return b.String()
}

// Reflection is a sentence of the deterministic coach (the bias package's reflections) with
// the facts it rests on.
type Reflection struct {
	Subject     Subject  `json:"subject"`
	Text        string   `json:"text"`
	EvidenceIDs []string `json:"evidenceIds"`
}

// Evidence is a user's evidence as facts, in the order Gather made them.
type Evidence struct {
	// Version is EvidenceVersion.
	Version string `json:"version"`
	// TimeZone is the IANA zone of the facts' dates; Now is the instant relative dates
	// ("yesterday", "last Tuesday") are resolved against.
	TimeZone string    `json:"timeZone"`
	Now      time.Time `json:"now"`
	Facts    []Fact    `json:"facts"`
	// Reflections are the deterministic coach's sentences, most recent tag first.
	Reflections []Reflection `json:"reflections"`
}

// location returns the evidence's time zone, UTC when unknown.
func (e *Evidence) location() *time.Location {
	if e == nil || e.TimeZone == "" {
		return time.UTC
	}
	loc, err := time.LoadLocation(e.TimeZone)
	if err != nil {
		return time.UTC
	}
	return loc
}

// IDs returns the ids of facts, in order.
func IDs(facts []Fact) []string {
	out := make([]string, len(facts))
	for i, f := range facts {
		out[i] = f.ID
	}
	return out
}
