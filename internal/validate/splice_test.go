package validate_test

import (
	"strings"
	"testing"

	"github.com/tradecoach/coach"
	"github.com/tradecoach/coach/internal/validate"
)

func TestSplice(t *testing.T) {
	begin, end := validate.BeginMarker+" anything -->", validate.EndMarker
	doc := "# Title\n\ntext\n" + begin + "\nold table\n" + end + "\ntail\n"
	got, err := validate.Splice(doc, "new table\n")
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(got, "# Title\n\ntext\n"+validate.BeginMarker) || !strings.HasSuffix(got, "\nnew table\n"+end+"\ntail\n") || strings.Contains(got, "old table") {
		t.Errorf("Splice =\n%s", got)
	}
	again, err := validate.Splice(got, "new table\n")
	if err != nil || again != got {
		t.Errorf("Splice is not idempotent: %v\n%s", err, again)
	}
	for name, bad := range map[string]string{
		"no begin":        "text\n" + end + "\n",
		"no end":          begin + "\ntable\n",
		"end before":      end + "\n" + begin + "\n",
		"two begins":      begin + "\n" + end + "\n" + begin + "\n" + end + "\n",
		"begin mid-line":  "text " + begin + "\n" + end + "\n",
		"empty document":  "",
		"begin truncated": "<!-- validation:beg\n" + end,
	} {
		if _, err := validate.Splice(bad, "x"); coach.ErrorCode(err) != coach.EINVALID {
			t.Errorf("%s: err = %v, want EINVALID", name, err)
		}
	}
}

// FuzzSplice feeds Splice arbitrary documents (it parses the committed DEFINITIONS.md): it never
// panics, and what it accepts comes back with the table between exactly one pair of markers,
// the text before the begin marker untouched, and splicing again changes nothing.
func FuzzSplice(f *testing.F) {
	f.Add("a\n"+validate.BeginMarker+" -->\nold\n"+validate.EndMarker+"\nb", "table")
	f.Add(validate.BeginMarker+validate.EndMarker, "")
	f.Add("x\n"+validate.BeginMarker+"\n"+validate.BeginMarker+"\n"+validate.EndMarker, "t")
	f.Fuzz(func(t *testing.T, doc, table string) {
		if strings.Contains(table, validate.BeginMarker) || strings.Contains(table, validate.EndMarker) {
			t.Skip()
		}
		got, err := validate.Splice(doc, table)
		if err != nil {
			if coach.ErrorCode(err) != coach.EINVALID {
				t.Fatalf("err = %v, want EINVALID", err)
			}
			return
		}
		if strings.Count(got, validate.BeginMarker) != 1 || !strings.Contains(got, strings.TrimSuffix(table, "\n")+"\n"+validate.EndMarker) {
			t.Fatalf("Splice(%q, %q) = %q", doc, table, got)
		}
		b := strings.Index(doc, validate.BeginMarker)
		if got[:b] != doc[:b] {
			t.Fatalf("text before the marker changed: %q", got[:b])
		}
		again, err := validate.Splice(got, table)
		if err != nil || again != got {
			t.Fatalf("not idempotent: %v %q", err, again)
		}
	})
}
