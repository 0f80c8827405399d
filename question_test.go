package coach_test

import (
	"strings"
	"testing"

	"github.com/tradecoach/coach"
)

func TestQuestionValidate(t *testing.T) {
	ok := coach.Question{ID: coach.NewID(), UserID: coach.NewID(), Text: "Why do I panic?", Answer: "You sold ETH 12.3% below its high.",
		Source: coach.AnswerModel, EvidenceIDs: []string{"tag:t2:drawdown"}}
	if err := ok.Validate(); err != nil {
		t.Fatalf("valid question: %v", err)
	}
	for _, tc := range []struct {
		name string
		edit func(q *coach.Question)
	}{
		{"no id", func(q *coach.Question) { q.ID = "" }},
		{"no user", func(q *coach.Question) { q.UserID = "" }},
		{"blank text", func(q *coach.Question) { q.Text = "  " }},
		{"long text", func(q *coach.Question) { q.Text = strings.Repeat("x", coach.MaxQuestionText+1) }},
		{"blank answer", func(q *coach.Question) { q.Answer = "" }},
		{"long answer", func(q *coach.Question) { q.Answer = strings.Repeat("x", coach.MaxAnswerText+1) }},
		{"unknown source", func(q *coach.Question) { q.Source = "oracle" }},
		{"too many ids", func(q *coach.Question) { q.EvidenceIDs = make([]string, coach.MaxAnswerEvidence+1) }},
		{"empty id", func(q *coach.Question) { q.EvidenceIDs = []string{""} }},
		{"control character", func(q *coach.Question) { q.Answer = "a\x00b" }},
		{"negative rejected", func(q *coach.Question) { q.Rejected = -1 }},
	} {
		q := ok
		tc.edit(&q)
		if coach.ErrorCode(q.Validate()) != coach.EINVALID {
			t.Errorf("%s: Validate() = %v, want EINVALID", tc.name, q.Validate())
		}
	}
}
