package coach_test

import (
	"os"
	"regexp"
	"strings"
	"testing"

	"github.com/tradecoach/coach"
)

// metricsDoc renders coach.MetricTable as the markdown table METRICS.md carries.
func metricsDoc() string {
	var b strings.Builder
	b.WriteString("| metric | kind | labels | emitted by | meaning |\n|---|---|---|---|---|\n")
	for _, d := range coach.MetricTable() {
		b.WriteString("| `" + d.Name + "` | " + string(d.Kind) + " | " + strings.Join(d.Labels, ", ") + " | " + d.By + " | " + d.Help + " |\n")
	}
	return b.String()
}

// TestMetricsDocMatchesTable keeps METRICS.md and coach.MetricTable the same table.
func TestMetricsDocMatchesTable(t *testing.T) {
	b, err := os.ReadFile("METRICS.md")
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(b), metricsDoc()) {
		t.Errorf("METRICS.md does not hold coach.MetricTable; its table should read:\n%s", metricsDoc())
	}
}

// TestMetricTable checks the names and labels every exporter relies on: unique names in
// Prometheus form, counters ending in _total, durations in _seconds, label keys in snake case.
func TestMetricTable(t *testing.T) {
	name := regexp.MustCompile(`^[a-z][a-z0-9_]*$`)
	seen := map[string]bool{}
	for _, d := range coach.MetricTable() {
		switch {
		case seen[d.Name]:
			t.Errorf("%s listed twice", d.Name)
		case !name.MatchString(d.Name):
			t.Errorf("%s: not a Prometheus name", d.Name)
		case d.Kind == coach.KindCounter && !strings.HasSuffix(d.Name, "_total"):
			t.Errorf("%s: a counter's name ends in _total", d.Name)
		case d.Kind == coach.KindDuration && !strings.HasSuffix(d.Name, "_seconds"):
			t.Errorf("%s: a duration's name ends in _seconds", d.Name)
		case d.Kind == coach.KindGauge && strings.HasSuffix(d.Name, "_total"):
			t.Errorf("%s: a gauge's name does not end in _total", d.Name)
		case d.Help == "" || d.By == "":
			t.Errorf("%s: help and emitter are required", d.Name)
		}
		seen[d.Name] = true
		for _, l := range d.Labels {
			if !name.MatchString(l) {
				t.Errorf("%s: label %q is not snake case", d.Name, l)
			}
		}
	}
	if coach.Outcome(nil) != coach.OutcomeOK || coach.Outcome(coach.Errorf(coach.ENOTFOUND, "x")) != string(coach.ENOTFOUND) {
		t.Error("Outcome does not give ok or the error's code")
	}
}
