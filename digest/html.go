package digest

import (
	"bytes"
	_ "embed"
	"html/template"
	"strconv"
	"strings"
	"time"

	"github.com/pkg/errors"
	"github.com/shopspring/decimal"

	"github.com/tradecoach/coach"
)

//go:embed report.html
var reportSource string

// report is the HTML report's template. html/template escapes every value of the payload for
// its context, so a hostile label, rule id or suggestion text is shown as text, never run.
var report = template.Must(template.New("report").Funcs(template.FuncMap{
	"signed": func(d decimal.Decimal) string { return signedMoney(d, "") },
	"fixed":  func(d decimal.Decimal) string { return d.StringFixed(2) },
	"deref": func(d *decimal.Decimal) decimal.Decimal {
		if d == nil {
			return decimal.Zero
		}
		return *d
	},
	"sign": func(d decimal.Decimal) string {
		switch d.Sign() {
		case 1:
			return "gain"
		case -1:
			return "loss"
		}
		return ""
	},
	"delta": func(n int) string {
		if n > 0 {
			return "+" + strconv.Itoa(n)
		}
		return strconv.Itoa(n)
	},
	"weekday": func(d coach.Date) string { return d.In(time.UTC).Weekday().String()[:3] },
	"join":    func(s []string) string { return strings.Join(s, "; ") },
}).Parse(reportSource))

// reportView is what the template reads.
type reportView struct {
	P      *Payload
	Biases []biasRow
	Charts []template.HTML
	Rules  []ruleRow
	Broken int
	Note   string // why the suggestion's simulation delta and realized P/L differ, or ""
}

type biasRow struct {
	Label    string
	Trades   int
	Closes   int
	Realized decimal.Decimal
}

type ruleRow struct {
	Violation
	CurrentTrades, BestTrades, CurrentDays, BestDays int
}

// RenderHTML renders p as a self-contained HTML report: inline CSS and inline SVG charts, no
// script, no external resource and no link, so it can be archived and opened anywhere. Every
// value from the payload is escaped for its context. A payload with an amount out of range (see
// ParsePayload) is EINVALID.
func RenderHTML(p Payload) ([]byte, error) {
	if err := p.checkAmounts(); err != nil {
		return nil, err
	}
	v := reportView{P: &p, Broken: totalBroken(p.RuleViolations), Note: suggestionNote(&p)}
	for _, l := range sortedKeys(p.PnLByBias) {
		b := p.PnLByBias[l]
		v.Biases = append(v.Biases, biasRow{Label: l, Trades: b.Trades, Closes: b.Closes, Realized: b.Realized})
	}
	for _, c := range Charts() {
		svg, err := renderSVG(&p, c, false)
		if err != nil {
			return nil, err
		}
		// The chart was built by renderSVG, which escapes every text it draws.
		v.Charts = append(v.Charts, template.HTML(svg)) //nolint:gosec // escaped by renderSVG
	}
	if p.Streaks != nil {
		streaks := make(map[string]Streak, len(p.Streaks.Rules))
		for _, s := range p.Streaks.Rules {
			streaks[s.RuleID] = s
		}
		for _, x := range p.RuleViolations {
			s := streaks[x.RuleID]
			v.Rules = append(v.Rules, ruleRow{Violation: x, CurrentTrades: s.CurrentTrades, BestTrades: s.BestTrades,
				CurrentDays: s.CurrentDays, BestDays: s.BestDays})
		}
	}
	var b bytes.Buffer
	if err := report.Execute(&b, v); err != nil {
		return nil, errors.Wrap(err, "digest: render html")
	}
	return b.Bytes(), nil
}
