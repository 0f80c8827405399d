package chat

import (
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/tradecoach/coach"
)

func promptText(p Prompt) string {
	var b strings.Builder
	for _, m := range p.Messages {
		b.WriteString(m.Role + ": " + m.Content + "\n")
	}
	return b.String()
}

// TestBuildPromptIsDeterministicAndLeavesOutIdentifiers: the same input gives the same prompt,
// versioned, and no e-mail, broker ids, order or exchange ids, connection or user id reach it.
func TestBuildPromptIsDeterministicAndLeavesOutIdentifiers(t *testing.T) {
	q := "Why do I keep panic selling ETH? Write to me at " + fixtureEmail
	ev1, ev2 := fixtureEvidence(t), fixtureEvidence(t)
	p1, err := BuildPrompt(q, &ev1, PromptConfig{})
	if err != nil {
		t.Fatal(err)
	}
	p2, err := BuildPrompt(q, &ev2, PromptConfig{})
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(p1, p2); diff != "" {
		t.Fatalf("two builds differ:\n%s", diff)
	}
	if p1.Version != PromptVersion || p1.EvidenceVersion != EvidenceVersion {
		t.Errorf("versions %q %q", p1.Version, p1.EvidenceVersion)
	}
	text := promptText(p1)
	for _, secret := range []string{fixtureEmail, fixtureExtID, fixtureOrder, fixtureConn, "XCH-", "user1", coach.BrokerDemo + " "} {
		if strings.Contains(text, secret) {
			t.Errorf("prompt holds %q:\n%s", secret, text)
		}
	}
	if !strings.Contains(text, "[email]") || p1.Dropped != 0 || len(p1.Facts) != len(ev1.Facts) {
		t.Errorf("question not redacted or facts dropped (%d dropped, %d of %d sent)", p1.Dropped, len(p1.Facts), len(ev1.Facts))
	}
}

// TestBuildPromptKeepsTheMostRelevantWithinBudget: with a small budget the facts about what the
// question names come first, the prompt stays within the budget, and the rest are dropped.
func TestBuildPromptKeepsTheMostRelevantWithinBudget(t *testing.T) {
	ev := fixtureEvidence(t)
	const budget = 600
	p, err := BuildPrompt("What happened with my panic sale on Thursday?", &ev, PromptConfig{MaxTokens: budget})
	if err != nil {
		t.Fatal(err)
	}
	if p.Dropped == 0 || len(p.Facts) == 0 {
		t.Fatalf("%d facts sent, %d dropped: want some of each", len(p.Facts), p.Dropped)
	}
	total := 0
	for _, m := range p.Messages {
		total += Tokens(m.Content)
	}
	if total > budget {
		t.Errorf("prompt is %d tokens, budget %d", total, budget)
	}
	// Every PANIC fact of T2 (the Thursday panic sale) made it, and they come first.
	var want []string
	for _, f := range ev.Facts {
		if f.Subject.Trade == "T2" {
			want = append(want, f.ID)
		}
	}
	got := IDs(p.Facts)
	if len(got) < len(want) {
		t.Fatalf("sent %v, want at least the T2 facts %v", got, want)
	}
	if diff := cmp.Diff(want, got[:len(want)]); diff != "" {
		t.Errorf("first facts (-want +got):\n%s", diff)
	}
}

func TestBuildPromptRefusesBadQuestions(t *testing.T) {
	ev := fixtureEvidence(t)
	for _, q := range []string{"", "   ", strings.Repeat("x", MaxQuestion+1), "\xff"} {
		if _, err := BuildPrompt(q, &ev, PromptConfig{}); coach.ErrorCode(err) != coach.EINVALID {
			t.Errorf("BuildPrompt(%.20q) = %v, want EINVALID", q, err)
		}
	}
}

// TestRetryNamesTheViolations: the retry carries the rejected answer and each violation.
func TestRetryNamesTheViolations(t *testing.T) {
	ev := fixtureEvidence(t)
	p, err := BuildPrompt("How was my week?", &ev, PromptConfig{})
	if err != nil {
		t.Fatal(err)
	}
	answer := "You made 99 trades."
	rep := Check(answer, p.Facts, p.Evidence)
	r := p.Retry(answer, rep.Violations)
	if len(r.Messages) != len(p.Messages)+2 || r.Messages[len(p.Messages)].Content != answer ||
		!strings.Contains(r.Messages[len(r.Messages)-1].Content, `"99"`) {
		t.Fatalf("retry messages: %+v", r.Messages[len(p.Messages):])
	}
	if len(p.Messages) != 2 {
		t.Errorf("Retry changed the original prompt: %d messages", len(p.Messages))
	}
}
