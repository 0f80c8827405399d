package coach_test

import (
	"encoding/json"
	"slices"
	"strings"
	"testing"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/google/go-cmp/cmp"

	"github.com/tradecoach/coach"
)

func validDispute() coach.TagDispute {
	return coach.TagDispute{ID: "cdisp1", UserID: "cuser1", TradeID: "ctrade1", Label: coach.LabelPanic, TagID: "ctag1",
		Reason: coach.DisputePlan, Note: "this was my plan:\r\nstop at -3%", ExcludeFromAttribution: true,
		CreatedAt: created, UpdatedAt: created.Add(time.Minute)}
}

func validNote() coach.TradeNote {
	return coach.TradeNote{ID: "cnote1", UserID: "cuser1", TradeID: "ctrade1", Text: "Bought the breakout\tafter the retest.",
		CreatedAt: created, UpdatedAt: created}
}

// TestAnswerValidate checks the Validate of TagDispute and TradeNote like TestEntityValidate: the
// valid one passes, and each broken field gives EINVALID with a message that starts with the
// field's JSON name.
func TestAnswerValidate(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name  string
		err   func() error
		field string // "" when the value stays valid
	}{
		{"dispute", func() error { return validDispute().Validate() }, ""},
		{"dispute without note", func() error { d := validDispute(); d.Note = ""; return d.Validate() }, ""},
		{"dispute without times (the store sets them)", func() error {
			d := validDispute()
			d.CreatedAt, d.UpdatedAt = time.Time{}, time.Time{}
			return d.Validate()
		}, ""},
		{"dispute note of the most characters", func() error {
			d := validDispute()
			d.Note = strings.Repeat("é", coach.MaxDisputeNote)
			return d.Validate()
		}, ""},
		{"dispute id", func() error { d := validDispute(); d.ID = ""; return d.Validate() }, "id"},
		{"dispute userId", func() error { d := validDispute(); d.UserID = "u/1"; return d.Validate() }, "userId"},
		{"dispute tradeId", func() error { d := validDispute(); d.TradeID = ""; return d.Validate() }, "tradeId"},
		{"dispute label", func() error { d := validDispute(); d.Label = "panic"; return d.Validate() }, "label"},
		{"dispute tagId", func() error { d := validDispute(); d.TagID = ""; return d.Validate() }, "tagId"},
		{"dispute reason", func() error { d := validDispute(); d.Reason = "because"; return d.Validate() }, "reason"},
		{"dispute no reason", func() error { d := validDispute(); d.Reason = ""; return d.Validate() }, "reason"},
		{"dispute note too long", func() error {
			d := validDispute()
			d.Note = strings.Repeat("a", coach.MaxDisputeNote+1)
			return d.Validate()
		}, "note"},
		{"dispute note with NUL", func() error { d := validDispute(); d.Note = "a\x00b"; return d.Validate() }, "note"},
		{"dispute note with escape", func() error { d := validDispute(); d.Note = "a\x1b[31mb"; return d.Validate() }, "note"},
		{"dispute note not UTF-8", func() error { d := validDispute(); d.Note = "a\xffb"; return d.Validate() }, "note"},
		{"dispute updated before created", func() error {
			d := validDispute()
			d.UpdatedAt = d.CreatedAt.Add(-time.Second)
			return d.Validate()
		}, "updatedAt"},

		{"note", func() error { return validNote().Validate() }, ""},
		{"note id", func() error { n := validNote(); n.ID = ""; return n.Validate() }, "id"},
		{"note userId", func() error { n := validNote(); n.UserID = ""; return n.Validate() }, "userId"},
		{"note tradeId", func() error { n := validNote(); n.TradeID = "a b"; return n.Validate() }, "tradeId"},
		{"note empty", func() error { n := validNote(); n.Text = ""; return n.Validate() }, "text"},
		{"note only white space", func() error { n := validNote(); n.Text = " \r\n\t "; return n.Validate() }, "text"},
		{"note too long", func() error {
			n := validNote()
			n.Text = strings.Repeat("ü", coach.MaxNoteText+1)
			return n.Validate()
		}, "text"},
		{"note with DEL", func() error { n := validNote(); n.Text = "a\x7f"; return n.Validate() }, "text"},
		{"note with a C1 control", func() error { n := validNote(); n.Text = "a\u0085"; return n.Validate() }, "text"},
		{"note updated before created", func() error {
			n := validNote()
			n.UpdatedAt = n.CreatedAt.Add(-time.Second)
			return n.Validate()
		}, "updatedAt"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			err := tc.err()
			if tc.field == "" {
				if err != nil {
					t.Fatalf("Validate: %v, want nil", err)
				}
				return
			}
			if coach.ErrorCode(err) != coach.EINVALID {
				t.Fatalf("Validate: %v, want EINVALID", err)
			}
			if msg := coach.ErrorMessage(err); !strings.HasPrefix(msg, tc.field+":") {
				t.Errorf("message %q does not start with %q", msg, tc.field+":")
			}
		})
	}
}

// TestAnswerJSONNames checks the JSON names of a dispute, a note and a tag shown with its
// dispute: camelCase as the seed's, the tag's fields at the top level.
func TestAnswerJSONNames(t *testing.T) {
	t.Parallel()
	keys := func(v any) []string {
		b, err := json.Marshal(v)
		if err != nil {
			t.Fatal(err)
		}
		var m map[string]json.RawMessage
		if err := json.Unmarshal(b, &m); err != nil {
			t.Fatal(err)
		}
		var out []string
		for k := range m {
			out = append(out, k)
		}
		slices.Sort(out)
		return out
	}
	d := validDispute()
	for _, tc := range []struct {
		name string
		v    any
		want []string
	}{
		{"dispute", d, []string{"createdAt", "excludeFromAttribution", "id", "label", "note", "reason", "tagId", "tagRevision", "tradeId", "updatedAt", "userId"}},
		{"note", validNote(), []string{"createdAt", "id", "text", "tradeId", "updatedAt", "userId"}},
		{"tag with dispute", coach.TagWithDispute{BiasTag: validTag(), Dispute: &d},
			[]string{"confidence", "createdAt", "dispute", "features", "id", "label", "revision", "tradeId", "userId"}},
	} {
		if diff := cmp.Diff(tc.want, keys(tc.v)); diff != "" {
			t.Errorf("%s: JSON keys (-want +got):\n%s", tc.name, diff)
		}
	}
}

// TestCountDisputes counts per label, matching disputes to tags by (user, trade, label) whatever
// tag revision the dispute names; a dispute whose label has no tag counts nowhere.
func TestCountDisputes(t *testing.T) {
	t.Parallel()
	tag := func(user, trade, label string) coach.BiasTag {
		return coach.BiasTag{ID: "g-" + user + trade + label, UserID: user, TradeID: trade, Label: label}
	}
	dispute := func(user, trade, label, reason string, exclude bool) coach.TagDispute {
		return coach.TagDispute{UserID: user, TradeID: trade, Label: label, TagID: "an-earlier-revision", Reason: reason, ExcludeFromAttribution: exclude}
	}
	tags := []coach.BiasTag{
		tag("u1", "t1", coach.LabelPanic), tag("u1", "t2", coach.LabelPanic), tag("u1", "t3", coach.LabelPanic),
		tag("u1", "t1", coach.LabelFOMO), tag("u2", "t9", coach.LabelFOMO), tag("u2", "t8", coach.LabelDiscipline),
	}
	disputes := []coach.TagDispute{
		dispute("u1", "t1", coach.LabelPanic, coach.DisputePlan, true),
		dispute("u1", "t2", coach.LabelPanic, coach.DisputeData, false),
		dispute("u2", "t9", coach.LabelFOMO, coach.DisputePlan, false),
		dispute("u1", "t9", coach.LabelFOMO, coach.DisputePlan, true),     // u1 has no tag on t9: counts nowhere
		dispute("u1", "t4", coach.LabelRevenge, coach.DisputeOther, true), // label dropped by a re-score
	}
	want := []coach.LabelDisputes{
		{Label: coach.LabelDiscipline, Tags: 1, ByReason: map[string]int{}},
		{Label: coach.LabelFOMO, Tags: 2, Disputed: 1, ByReason: map[string]int{coach.DisputePlan: 1}},
		{Label: coach.LabelPanic, Tags: 3, Disputed: 2, Excluded: 1, ByReason: map[string]int{coach.DisputePlan: 1, coach.DisputeData: 1}},
	}
	if diff := cmp.Diff(want, coach.CountDisputes(tags, disputes)); diff != "" {
		t.Errorf("pooled counts (-want +got):\n%s", diff)
	}
	if share, ok := want[2].DisputedShare(); !ok || share != 2.0/3 {
		t.Errorf("PANIC DisputedShare = %v, %v; want 2/3, true", share, ok)
	}
	if _, ok := (coach.LabelDisputes{Label: coach.LabelFOMO}).DisputedShare(); ok {
		t.Error("DisputedShare of a label without tags reports ok")
	}
	if got := coach.CountDisputes(nil, disputes); len(got) != 0 {
		t.Errorf("counts without tags: %v, want none", got)
	}
}

// FuzzAnswerText feeds any text to a dispute's note and a note's text: Validate never panics,
// and what it accepts is UTF-8 within the length, without NUL or other control characters than
// tab and line breaks — text every store keeps as it is.
func FuzzAnswerText(f *testing.F) {
	for _, s := range []string{"", "this was my plan", "a\x00b", "\r\n", "a\xffb", strings.Repeat("x", coach.MaxDisputeNote+1), "\u202eevil", "😀"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		d := validDispute()
		d.Note = s
		n := validNote()
		n.Text = s
		for _, c := range []struct {
			err   error
			limit int
		}{{d.Validate(), coach.MaxDisputeNote}, {n.Validate(), coach.MaxNoteText}} {
			if c.err != nil {
				if coach.ErrorCode(c.err) != coach.EINVALID {
					t.Fatalf("Validate(%q): %v, want EINVALID or nil", s, c.err)
				}
				continue
			}
			if !utf8.ValidString(s) || utf8.RuneCountInString(s) > c.limit || strings.ContainsRune(s, 0) {
				t.Fatalf("Validate accepted %q", s)
			}
			for _, r := range s {
				if unicode.IsControl(r) && !strings.ContainsRune("\t\r\n", r) {
					t.Fatalf("Validate accepted the control character %U in %q", r, s)
				}
			}
		}
		if n.Validate() == nil && strings.TrimSpace(s) == "" {
			t.Fatalf("a note of only white space %q was accepted", s)
		}
	})
}
