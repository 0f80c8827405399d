package digest_test

import (
	"bytes"
	"encoding/json"
	"encoding/xml"
	"io"
	"strings"
	"testing"

	"github.com/tradecoach/coach"
	"github.com/tradecoach/coach/digest"
)

// fullPayload is the Berlin week with rules, a simulation and the previous week.
func fullPayload(t testing.TB) digest.Payload {
	trades, tags := berlinWeek(t)
	prev := mustBuild(t, digest.Input{User: berlin(), Week: w10.Prev(), Trades: trades, Tags: tags, Rules: evaluation()})
	return mustBuild(t, digest.Input{User: berlin(), Week: w10, Trades: trades, Tags: tags, Rules: evaluation(), Previous: &prev,
		Simulations: []digest.SimOutcome{{Scenario: "skipLabel", Label: "FOMO", Delta: dec("5")}}})
}

// hostile plants markup in every text of a payload a tampered store could change.
func hostile(p digest.Payload) digest.Payload {
	const x = `<script>alert(1)</script>`
	const a = `"><img src=x onerror=alert(2)>`
	p.CountsByBias[x] = 3
	p.PnLByBias[x] = digest.Bucket{Realized: dec("-1"), Trades: 3, Closes: 1}
	p.RuleViolations = append(p.RuleViolations, digest.Violation{RuleID: a, Kind: x, Count: 1, Checked: 1})
	p.Streaks.Rules = append(p.Streaks.Rules, digest.Streak{RuleID: a, Kind: x})
	p.Suggestion.Text = x + a
	p.Suggestion.Scenario = a
	p.Quote = x
	p.TimeZone = a
	p.Week = x
	p.DataQuality.Reasons = []string{x}
	p.VsPreviousWeek.CountsByBias[x] = 1
	p.VsPreviousWeek.Week = a
	return p
}

// checkSafe fails when html could run script, load anything or leak markup.
func checkSafe(t *testing.T, html []byte) {
	t.Helper()
	low := strings.ToLower(string(html))
	for _, bad := range []string{"<script", "http://", "https://", "<img", "<link", "<iframe", "<object", "<embed", "href=", "url("} {
		if strings.Contains(low, bad) {
			i := strings.Index(low, bad)
			t.Errorf("report contains %q: …%s…", bad, low[max(i-60, 0):min(i+60, len(low))])
		}
	}
}

func TestRenderHTML(t *testing.T) {
	t.Parallel()
	p := fullPayload(t)
	html, err := digest.RenderHTML(p)
	if err != nil {
		t.Fatal(err)
	}
	checkSafe(t, html)
	s := string(html)
	for _, want := range []string{
		"<!DOCTYPE html>", "<style>", "Weekly digest 2026-W10", "2026-03-02 to 2026-03-08 (Europe/Berlin)",
		"&#43;22.75", // realized, as html/template writes "+"
		"FOMO buying", "Simulation skipLabel: &#43;5.00 USDT",
		"maxTradesPerDay", "r-cap", "Compared with 2026-W09",
		"<svg", "Realized P/L by bias (USDT)", "Trades by bias", "Cumulative realized P/L (USDT)",
	} {
		if !strings.Contains(s, want) {
			t.Errorf("report lacks %q", want)
		}
	}
	if n := strings.Count(s, "<svg"); n != len(digest.Charts()) {
		t.Errorf("report has %d charts, want %d", n, len(digest.Charts()))
	}
}

// TestRenderHTMLEscapes: markup in labels, rule names and texts is shown as text.
func TestRenderHTMLEscapes(t *testing.T) {
	t.Parallel()
	html, err := digest.RenderHTML(hostile(fullPayload(t)))
	if err != nil {
		t.Fatal(err)
	}
	checkSafe(t, html)
	if !bytes.Contains(html, []byte("&lt;script&gt;alert(1)&lt;/script&gt;")) {
		t.Error("the hostile label is not shown escaped")
	}
}

func TestRenderSVG(t *testing.T) {
	t.Parallel()
	for _, p := range []digest.Payload{fullPayload(t), hostile(fullPayload(t)), mustBuild(t, digest.Input{Week: w10})} {
		for _, c := range digest.Charts() {
			svg, err := digest.RenderSVG(p, c)
			if err != nil {
				t.Fatal(err)
			}
			if !bytes.HasPrefix(svg, []byte(`<svg xmlns="http://www.w3.org/2000/svg"`)) {
				t.Errorf("%s: not a standalone SVG: %.60s", c, svg)
			}
			checkXML(t, string(c), svg)
			rest := bytes.Replace(svg, []byte(`xmlns="http://www.w3.org/2000/svg"`), nil, 1)
			checkSafe(t, rest)
		}
	}
	if _, err := digest.RenderSVG(fullPayload(t), "pie"); coach.ErrorCode(err) != coach.EINVALID {
		t.Errorf("unknown chart: %v, want EINVALID", err)
	}
}

// checkXML parses svg and checks that no element outside the drawing vocabulary appears (so no
// markup from the payload became an element).
func checkXML(t *testing.T, name string, svg []byte) {
	t.Helper()
	allowed := map[string]bool{"svg": true, "title": true, "text": true, "rect": true, "line": true, "polyline": true, "circle": true}
	d := xml.NewDecoder(bytes.NewReader(svg))
	for {
		tok, err := d.Token()
		if err == io.EOF {
			return
		}
		if err != nil {
			t.Fatalf("%s: not well-formed XML: %v\n%s", name, err, svg)
		}
		if se, ok := tok.(xml.StartElement); ok && !allowed[se.Name.Local] {
			t.Errorf("%s: unexpected element <%s>", name, se.Name.Local)
		}
	}
}

// TestRenderSVGFigures checks the values a chart shows.
func TestRenderSVGFigures(t *testing.T) {
	t.Parallel()
	p := fullPayload(t)
	for _, tc := range []struct {
		chart digest.Chart
		want  []string
	}{
		{digest.ChartPnLByBias, []string{">FOMO<", "+17.76 USDT", ">REVENGE<", "-2.02 USDT", ">(unlabelled)<", "+0.10 USDT"}},
		{digest.ChartCountsByBias, []string{">HOLDING_LOSERS<", ">1<"}},
		{digest.ChartEquity, []string{">Mon<", ">Sun<", "+22.75 USDT", "<polyline"}},
	} {
		svg, err := digest.RenderSVG(p, tc.chart)
		if err != nil {
			t.Fatal(err)
		}
		for _, w := range tc.want {
			if !bytes.Contains(svg, []byte(w)) {
				t.Errorf("%s lacks %q", tc.chart, w)
			}
		}
	}
}

// FuzzRenderHTML renders any payload a store could hand back: it never fails on a payload that
// parses, and never lets markup through.
func FuzzRenderHTML(f *testing.F) {
	good, err := json.Marshal(fullPayload(f))
	if err != nil {
		f.Fatal(err)
	}
	bad, err := json.Marshal(hostile(fullPayload(f)))
	if err != nil {
		f.Fatal(err)
	}
	f.Add(good)
	f.Add(bad)
	f.Add([]byte(`{"v":1}`))
	f.Add([]byte(`{"v":1,"days":[{"cumulative":"1e30"}],"pnlByBias":{"A":{"realized":"-1e-30"}}}`))
	f.Add([]byte(`{"v":1,"vsPreviousWeek":{"realized":null},"streaks":{"rules":null}}`))
	f.Add([]byte(`{"v":1,"realized":"1e999999999"}`))
	f.Add([]byte(`{"v":1,"days":[]}`))
	f.Fuzz(func(t *testing.T, b []byte) {
		p, err := digest.ParsePayload(b)
		if err != nil {
			if coach.ErrorCode(err) != coach.EINVALID {
				t.Fatalf("ParsePayload error code %q", coach.ErrorCode(err))
			}
			return
		}
		html, err := digest.RenderHTML(p)
		if err != nil {
			t.Fatalf("RenderHTML: %v", err)
		}
		if bytes.Contains(bytes.ToLower(html), []byte("<script")) {
			t.Fatalf("script in report")
		}
		for _, c := range digest.Charts() {
			svg, err := digest.RenderSVG(p, c)
			if err != nil {
				t.Fatal(err)
			}
			checkXML(t, string(c), svg)
		}
	})
}

func TestRenderRejectsHugeAmounts(t *testing.T) {
	t.Parallel()
	if _, err := digest.ParsePayload([]byte(`{"v":1,"pnlByBias":{"FOMO":{"realized":"1e999999999"}}}`)); coach.ErrorCode(err) != coach.EINVALID {
		t.Errorf("ParsePayload: %v, want EINVALID", err)
	}
	p := fullPayload(t)
	p.Days[3].Cumulative = dec("1e40")
	if _, err := digest.RenderHTML(p); coach.ErrorCode(err) != coach.EINVALID {
		t.Errorf("RenderHTML: %v, want EINVALID", err)
	}
	if _, err := digest.RenderSVG(p, digest.ChartEquity); coach.ErrorCode(err) != coach.EINVALID {
		t.Errorf("RenderSVG: %v, want EINVALID", err)
	}
}
