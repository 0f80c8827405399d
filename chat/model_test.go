package chat

import (
	"context"
	"strings"
	"testing"
)

// TestDeterministicAnswersPassTheChecker: the default model's answers, over full and truncated
// prompts and over no evidence, are grounded.
func TestDeterministicAnswersPassTheChecker(t *testing.T) {
	ev := fixtureEvidence(t)
	empty := Evidence{Version: EvidenceVersion, Now: fixtureNow}
	for _, tc := range []struct {
		q      string
		ev     *Evidence
		budget int
		want   string
	}{
		{"Why do I keep selling in panics?", &ev, 0, "ETH"},
		{"What happened with my BTC buy last Tuesday?", &ev, 0, "BTC"},
		{"What changed this week?", &ev, 0, ""},
		{"Tell me about the revenge trade.", &ev, 0, "SOL"},
		{"How did November go?", &ev, 0, ""},
		{"Anything about ETH?", &ev, 250, ""},
		{"How am I doing?", &empty, 0, NoEvidence},
	} {
		p, err := BuildPrompt(tc.q, tc.ev, PromptConfig{MaxTokens: tc.budget})
		if err != nil {
			t.Fatal(err)
		}
		a, err := Deterministic{}.Answer(context.Background(), p)
		if err != nil {
			t.Fatal(err)
		}
		if rep := Check(a, p.Facts, p.Evidence); !rep.OK() {
			t.Errorf("%q: answer %q fails the checker: %v", tc.q, a, rep.Violations)
		}
		if a == "" || !strings.Contains(a, tc.want) {
			t.Errorf("%q: answer %q, want it to mention %q", tc.q, a, tc.want)
		}
		t.Logf("%q → %s", tc.q, a)
	}
}

func TestDeterministicStopsWithItsContext(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if _, err := (Deterministic{}).Answer(ctx, Prompt{}); err == nil {
		t.Fatal("answered after the context ended")
	}
}
