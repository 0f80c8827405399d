package digest

import (
	"regexp"
	"strconv"
	"testing"

	"github.com/shopspring/decimal"
)

// TestNegativeBarValuesDoNotOverlapRowNames pins the layout of signed bar charts: a row's name
// ends left of the plot, and the value of a negative bar is written right of the zero axis, so a
// long loss bar never writes its value over the row's name.
func TestNegativeBarValuesDoNotOverlapRowNames(t *testing.T) {
	rows := []barRow{
		{label: "DISCIPLINE", value: decimal.RequireFromString("-214.19")},
		{label: "DISPOSITION", value: decimal.RequireFromString("293.42")},
		{label: "PANIC", value: decimal.RequireFromString("-245.21")},
	}
	svg := string(barChart("Realized P/L by bias", rows, true, "USDT", true))
	axis := regexp.MustCompile(`<line x1="([0-9.]+)"`).FindStringSubmatch(svg)
	if axis == nil {
		t.Fatalf("no zero axis in %s", svg)
	}
	zero, _ := strconv.ParseFloat(axis[1], 64)
	texts := regexp.MustCompile(`<text x="([0-9.]+)" y="[0-9.]+" text-anchor="(\w+)" fill="[^"]+">([^<]*)</text>`).FindAllStringSubmatch(svg, -1)
	seen := 0
	for _, m := range texts {
		x, _ := strconv.ParseFloat(m[1], 64)
		switch m[3] {
		case "-214.19 USDT", "-245.21 USDT":
			seen++
			if x <= zero || m[2] != "start" {
				t.Errorf("value %q at x=%v anchored %s; want it right of the axis at %v", m[3], x, m[2], zero)
			}
		case "DISCIPLINE", "PANIC":
			if x >= zero {
				t.Errorf("row name %q at x=%v, want it left of the axis at %v", m[3], x, zero)
			}
		}
	}
	if seen != 2 {
		t.Fatalf("found %d negative value labels, want 2:\n%s", seen, svg)
	}
}
