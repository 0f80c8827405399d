package web

import (
	"strings"
	"time"

	"github.com/shopspring/decimal"

	"github.com/tradecoach/coach"
)

// The pages' ways of writing times, amounts and labels: one place, so every page says them alike.

// userLocation is the signed-in user's time zone (UTC when they have none or core cannot say).
func (rq *Request) userLocation() (*time.Location, coach.User) {
	var u coach.User
	if err := rq.Get("/me", &u); err != nil || u.TimeZone == "" {
		return time.UTC, u
	}
	loc, err := time.LoadLocation(u.TimeZone)
	if err != nil {
		return time.UTC, u
	}
	return loc, u
}

// stamp writes t in loc for people: "Mon 7 Dec 2026, 14:05"; "" for a zero time.
func stamp(t time.Time, loc *time.Location) string {
	if t.IsZero() {
		return ""
	}
	return t.In(loc).Format("Mon 2 Jan 2006, 15:04")
}

// whenPtr is stamp of *t, "" for nil.
func whenPtr(t *time.Time, loc *time.Location) string {
	if t == nil {
		return ""
	}
	return stamp(*t, loc)
}

// day writes a date: "Mon 7 Dec 2026".
func day(d coach.Date) string {
	if d.IsZero() {
		return ""
	}
	return d.In(time.UTC).Format("Mon 2 Jan 2006")
}

// amount is a signed money figure as a page shows it: its text ("+4.37 USDT", "−4.37 USDT") and
// the class that colours it ("pos", "neg", ""). The sign is written, so a loss reads as a loss
// without colour.
type amount struct {
	Text  string
	Class string
}

// moneyOf writes d with two decimals (more when it is small), a sign and the quote asset.
func moneyOf(d decimal.Decimal, quote string) amount {
	places := int32(2)
	if a := d.Abs(); a.Sign() != 0 && a.LessThan(decimal.New(1, -2)) {
		places = 6
	}
	s := d.Abs().StringFixed(places)
	a := amount{Text: s}
	switch d.Sign() {
	case 1:
		a.Text, a.Class = "+"+s, "pos"
	case -1:
		a.Text, a.Class = "−"+s, "neg"
	}
	if quote != "" {
		a.Text += " " + quote
	}
	return a
}

// biasNames are the bias labels in words.
var biasNames = map[string]string{
	coach.LabelFOMO: "FOMO", coach.LabelPanic: "Panic", coach.LabelRevenge: "Revenge",
	coach.LabelDiscipline: "Discipline", coach.LabelOvertrading: "Overtrading",
	coach.LabelDisposition: "Disposition effect", coach.LabelLossChasing: "Loss chasing",
	coach.LabelHoldingLosers: "Holding losers",
}

// biasName says a bias label in words ("LOSS_CHASING" is "Loss chasing").
func biasName(l string) string {
	if n, ok := biasNames[l]; ok {
		return n
	}
	l = strings.ToLower(strings.ReplaceAll(l, "_", " "))
	return sentenceCase(l)
}

func sentenceCase(s string) string {
	if s == "" {
		return s
	}
	return strings.ToUpper(s[:1]) + s[1:]
}

// perTradeLabels are the labels a simulation can skip or hold (the per-trade ones).
var perTradeLabels = []string{coach.LabelFOMO, coach.LabelPanic, coach.LabelRevenge, coach.LabelOvertrading,
	coach.LabelHoldingLosers, coach.LabelDiscipline}
