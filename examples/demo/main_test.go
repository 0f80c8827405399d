package main

import (
	"bytes"
	"context"
	"strings"
	"testing"
)

// TestDemoShowsEveryPlantedBehaviour runs the whole pipeline (demo broker → importer → memory
// store → bias scoring → reflections) and checks that the persona's biases come out labelled and
// explained, and that a second run prints the same thing (determinism end to end).
func TestDemoShowsEveryPlantedBehaviour(t *testing.T) {
	var first, second bytes.Buffer
	if err := run(context.Background(), &first, 42, 8); err != nil {
		t.Fatal(err)
	}
	out := first.String()
	for _, want := range []string{"Imported 378 fills", "FOMO", "PANIC", "REVENGE", "DISPOSITION",
		"HOLDING_LOSERS", "DISCIPLINE", "The coach says:", "Your rules:", "maxTradesPerDay",
		"What if you had skipped your FOMO buys?", "Weekly digest 2026-W07", "Suggestion: ", "Report archived as", "Disposition effect (Odean 1998): PGR"} {
		if !strings.Contains(out, want) {
			t.Errorf("output lacks %q:\n%s", want, out)
		}
	}
	if n := strings.Count(out, "\n  ["); n != 8 {
		t.Errorf("printed %d reflections, want 8", n)
	}
	if err := run(context.Background(), &second, 42, 8); err != nil {
		t.Fatal(err)
	}
	// Everything but the reflections' wording must be identical; the wording varies by the
	// generated tag and trade ids (bias.Reflect), which differ between stores.
	if a, b := withoutReflections(first.String()), withoutReflections(second.String()); a != b {
		t.Errorf("two runs differ:\n%s\n---\n%s", a, b)
	}
}

func withoutReflections(s string) string {
	var keep []string
	for _, line := range strings.Split(s, "\n") {
		if !strings.HasPrefix(line, "  [") {
			keep = append(keep, line)
		}
	}
	return strings.Join(keep, "\n")
}
