package config_test

import (
	"flag"
	"os"
	"strings"
	"testing"

	"github.com/tradecoach/coach/refhost/config"
)

var update = flag.Bool("update", false, "rewrite the README's table of settings")

// tableMarker starts the README's table of settings.
const tableMarker = "<!-- settings table: generated from refhost/config (TestREADMEListsEverySetting) -->\n"

// The README's table of settings is config.Markdown(), so the two never disagree. Run with
// -update to rewrite it.
func TestREADMEListsEverySetting(t *testing.T) {
	const path = "../../README.md"
	readme, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	s := string(readme)
	i := strings.Index(s, tableMarker)
	if i < 0 {
		t.Fatalf("README.md has no %q", tableMarker)
	}
	start := i + len(tableMarker)
	end := strings.Index(s[start:], "\n\n")
	if end < 0 {
		end = len(s) - start - 1
	}
	end += start + 1
	if s[start:end] == config.Markdown() {
		return
	}
	if *update {
		if err := os.WriteFile(path, []byte(s[:start]+config.Markdown()+s[end:]), 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	t.Fatalf("README.md's table of settings is stale: go test ./refhost/config -run TestREADMEListsEverySetting -update")
}
