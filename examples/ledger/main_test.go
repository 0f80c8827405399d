package main

import (
	"bytes"
	"regexp"
	"strings"
	"testing"
)

// TestRun checks the figures the example prints against values worked out by hand (see the
// comments), so that the README's first command shows correct P/L.
func TestRun(t *testing.T) {
	var out bytes.Buffer
	if err := run(&out); err != nil {
		t.Fatal(err)
	}
	lines := strings.Split(out.String(), "\n")
	for _, want := range []string{
		// s1 sells 0.06 BTC: b1 and b2 (0.04995 after their BTC fees) at 60000, 0.01005 of b3 at
		// 62000; fees 1.8 + 1.2 + 1.86×0.01005/0.03 + 0.0015 BNB × 620.
		`s1 .* BTC-USDT +0\.06 +64500 +3870\.00 +3620\.10 +4\.55 +245\.35 +2d 22h45m`,
		`e2 +Mon 09 Mar 00:30 +ETH-USDT .* -183\.78 .* a fee is unknown`,
		`e0 +ETH-USDT +0\.5 +3400 +1700\.00 +1\.70`, // sold before the history knows of any ETH
		`b3 +BTC-USDT .* 0\.01995 +62000 +1236\.90 +1\.24`,
		`BTC-USDT +0\.01995 +66000 +1316\.70 +1236\.90 +1\.24 +78\.56`,
		`2026-W11 +all +1 +3780\.00 +3960\.00 +3\.78 +-183\.78 +USDT`,
		`all +BTC-USDT +1 +3870\.00 +3645\.03 +4\.58 +220\.39 +USDT`, // average cost
		`Fees unknown .* e1$`,
	} {
		re := regexp.MustCompile(want)
		found := false
		for _, l := range lines {
			found = found || re.MatchString(l)
		}
		if !found {
			t.Errorf("no line matches %q in:\n%s", want, out.String())
		}
	}
}
