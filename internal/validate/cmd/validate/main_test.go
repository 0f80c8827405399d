package main

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/tradecoach/coach"
	"github.com/tradecoach/coach/internal/validate"
)

// TestRunWritesThenChecks writes the table into a document, checks that -check then passes, and
// that it fails once the table is edited by hand.
func TestRunWritesThenChecks(t *testing.T) {
	opts := validate.Options{Tuning: []int64{1}, HeldOut: []int64{2}, Days: 14}
	path := filepath.Join(t.TempDir(), "DEFINITIONS.md")
	doc := "# Definitions\n\n" + validate.BeginMarker + " -->\nold\n" + validate.EndMarker + "\n\n## After\n"
	if err := os.WriteFile(path, []byte(doc), 0o600); err != nil {
		t.Fatal(err)
	}
	if err := run(context.Background(), path, true, opts); coach.ErrorCode(err) != coach.ECONFLICT {
		t.Fatalf("check of a stale table: err = %v, want ECONFLICT", err)
	}
	if err := run(context.Background(), path, false, opts); err != nil {
		t.Fatal(err)
	}
	got, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(string(got), "# Definitions\n\n") || !strings.HasSuffix(string(got), validate.EndMarker+"\n\n## After\n") || strings.Contains(string(got), "\nold\n") {
		t.Fatalf("the document around the table changed, or the old table stayed:\n%s", got)
	}
	if !strings.Contains(string(got), "| FOMO |") {
		t.Fatalf("no table written:\n%s", got)
	}
	if err := run(context.Background(), path, true, opts); err != nil {
		t.Fatalf("check right after writing: %v", err)
	}
	edited := strings.Replace(string(got), "| FOMO |", "| FOMO  |", 1)
	if err := os.WriteFile(path, []byte(edited), 0o600); err != nil {
		t.Fatal(err)
	}
	if err := run(context.Background(), path, true, opts); coach.ErrorCode(err) != coach.ECONFLICT {
		t.Fatalf("check of an edited table: err = %v, want ECONFLICT", err)
	}
	if err := run(context.Background(), filepath.Join(t.TempDir(), "missing.md"), true, opts); coach.ErrorCode(err) != coach.EINVALID {
		t.Errorf("missing document: err = %v, want EINVALID", err)
	}
}
