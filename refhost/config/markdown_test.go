package config_test

import (
	"os"
	"strings"
	"testing"

	"github.com/tradecoach/coach/refhost/config"
)

// The README's table of settings is config.Markdown(), so the two never disagree.
func TestREADMEListsEverySetting(t *testing.T) {
	readme, err := os.ReadFile("../../README.md")
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(readme), config.Markdown()) {
		t.Fatalf("README.md does not hold the table of settings; paste this in:\n%s", config.Markdown())
	}
}
