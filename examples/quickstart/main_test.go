package main

import (
	"bytes"
	"context"
	"strings"
	"testing"
)

// TestQuickStartPrintsAReflection runs the README's quick start and checks what it prints: the
// demo persona's 378 fills scored, and a reflection on a FOMO buy.
func TestQuickStartPrintsAReflection(t *testing.T) {
	var out bytes.Buffer
	if err := run(context.Background(), &out); err != nil {
		t.Fatal(err)
	}
	lines := strings.Split(strings.TrimSuffix(out.String(), "\n"), "\n")
	if len(lines) != 2 || !strings.HasPrefix(lines[0], "378 trades scored, ") || !strings.HasPrefix(lines[1], "The coach says: ") {
		t.Fatalf("output:\n%s", out.String())
	}
	// The wording varies with the tag's id (bias.Reflect); the evidence always names the pair.
	if !strings.Contains(lines[1], "-USDT") || !strings.Contains(lines[1], "%") {
		t.Errorf("the reflection states no evidence about the pair: %s", lines[1])
	}
}
