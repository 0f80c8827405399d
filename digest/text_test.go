package digest_test

import (
	"strconv"
	"strings"
	"testing"

	"github.com/tradecoach/coach"
	"github.com/tradecoach/coach/digest"
)

func TestRenderTextStatesTheWeeksFigures(t *testing.T) {
	t.Parallel()
	p := fullPayload(t)
	text, err := digest.RenderText(p)
	if err != nil {
		t.Fatal(err)
	}
	want := []string{
		"Weekly digest " + p.Week,
		p.PeriodStart.String() + " to " + p.PeriodEnd.String() + " (" + p.TimeZone + "), amounts in " + p.Quote,
		"Trades: " + itoa(p.TradeCount) + " on " + itoa(p.ActiveDays) + " days",
		"Realized P/L: " + signed(p.Realized.StringFixed(2)) + " " + p.Quote,
		p.Suggestion.Text,
		"Compared with " + p.VsPreviousWeek.Week,
		"Streak of trades within your rules: " + itoa(p.Streaks.Overall.CurrentTrades),
	}
	for l, b := range p.PnLByBias {
		want = append(want, "- "+l+": "+itoa(b.Trades)+" trade")
	}
	for _, v := range p.RuleViolations {
		want = append(want, "- "+v.Kind+": broken "+itoa(v.Count)+" of "+itoa(v.Checked)+" checked")
	}
	for _, w := range want {
		if !strings.Contains(text, w) {
			t.Errorf("text lacks %q:\n%s", w, text)
		}
	}
	if p.Suggestion.SimulationDelta != nil && !strings.Contains(text, "What-if simulation ("+p.Suggestion.Scenario+")") {
		t.Errorf("text lacks the simulation the suggestion cites:\n%s", text)
	}
}

func TestRenderTextOfAQuietWeekSaysSo(t *testing.T) {
	t.Parallel()
	p := mustBuild(t, digest.Input{User: berlin(), Week: w10})
	text, err := digest.RenderText(p)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(text, "No trades this week.") {
		t.Errorf("a week without trades does not say so:\n%s", text)
	}
	for _, bad := range []string{"Realized P/L", "Labels (", "pattern"} {
		if strings.Contains(text, bad) {
			t.Errorf("a week without trades mentions %q:\n%s", bad, text)
		}
	}
	if p.DataQuality.Insufficient && !strings.Contains(text, "Too little data this week to speak of trends") {
		t.Errorf("a thin week does not say it is too thin for trends:\n%s", text)
	}
}

// Texts a tampered store could change cannot forge lines of the digest.
func TestRenderTextKeepsPayloadTextsOnTheirLine(t *testing.T) {
	t.Parallel()
	p := fullPayload(t)
	const forged = "Realized P/L: +1000000.00 USDT"
	p.Suggestion.Text = "ok\n" + forged
	p.PnLByBias["X\r\n"+forged] = digest.Bucket{Trades: 1}
	p.Week = "2026-W10\n" + forged
	text, err := digest.RenderText(p)
	if err != nil {
		t.Fatal(err)
	}
	for _, line := range strings.Split(text, "\n") {
		if line == forged {
			t.Fatalf("a payload text forged the line %q:\n%s", forged, text)
		}
	}
}

func TestRenderTextRefusesAmountsOutOfRange(t *testing.T) {
	t.Parallel()
	p := fullPayload(t)
	p.Realized = dec("1e40")
	if _, err := digest.RenderText(p); coach.ErrorCode(err) != coach.EINVALID {
		t.Errorf("RenderText = %v, want EINVALID", err)
	}
}

func itoa(n int) string { return strconv.Itoa(n) }

func signed(s string) string {
	if !strings.HasPrefix(s, "-") && s != "0.00" {
		return "+" + s
	}
	return s
}
