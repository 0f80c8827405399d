package chat

import (
	"context"
	"slices"
	"strings"
)

// Model answers a prompt. Its answer is checked (Check) before anyone sees it, so a Model may be
// wrong, but it must not be slow without end: Answer returns when ctx ends, with an error
// coach.ErrorCode gives as ECANCELED or EUNAVAILABLE, and a model that cannot answer gives
// EUNAVAILABLE.
type Model interface {
	Answer(ctx context.Context, p Prompt) (string, error)
}

// ModelFunc is a Model that is a function.
type ModelFunc func(ctx context.Context, p Prompt) (string, error)

// Answer calls f.
func (f ModelFunc) Answer(ctx context.Context, p Prompt) (string, error) { return f(ctx, p) }

// Deterministic is the default Model: no network, no randomness. It answers with the bias
// package's reflections on the evidence most relevant to the question (at most MaxReflections,
// each only if every fact it rests on was given in the prompt), or, when none fits, the most
// relevant facts stated plainly, or says that there is no evidence yet. Its answers pass Check.
type Deterministic struct{}

// MaxReflections is the most reflections a Deterministic answer joins.
const MaxReflections = 2

// NoEvidence is the deterministic answer when the prompt holds no fact.
const NoEvidence = "I don't have evidence to answer that yet. Once your trades are imported and scored, I can point to what they show."

// Answer returns the deterministic answer to p. It never fails but when ctx has ended.
func (Deterministic) Answer(ctx context.Context, p Prompt) (string, error) {
	if err := ctx.Err(); err != nil {
		return "", err
	}
	return deterministicAnswer(p), nil
}

func deterministicAnswer(p Prompt) string {
	if len(p.Facts) == 0 {
		return NoEvidence
	}
	sent := make(map[string]bool, len(p.Facts))
	for _, f := range p.Facts {
		sent[f.ID] = true
	}
	// Rank the reflections by the best position of their facts in the prompt (relevance order).
	pos := make(map[string]int, len(p.Facts))
	for i, f := range p.Facts {
		pos[f.ID] = i
	}
	type cand struct {
		r    Reflection
		rank int
	}
	var cands []cand
	if p.Evidence != nil {
		for _, r := range p.Evidence.Reflections {
			if len(r.EvidenceIDs) == 0 || !allSent(r.EvidenceIDs, sent) {
				continue
			}
			best := len(p.Facts)
			for _, id := range r.EvidenceIDs {
				best = min(best, pos[id])
			}
			cands = append(cands, cand{r, best})
		}
	}
	slices.SortStableFunc(cands, func(a, b cand) int { return a.rank - b.rank })
	var parts []string
	for _, c := range cands {
		if len(parts) == MaxReflections {
			break
		}
		if Check(c.r.Text, p.Facts, p.Evidence).OK() {
			parts = append(parts, c.r.Text)
		}
	}
	if len(parts) == 0 {
		parts = append(parts, "Here is what your evidence shows.")
		for _, f := range p.Facts[:min(3, len(p.Facts))] {
			parts = append(parts, factSentence(f))
		}
	}
	return strings.Join(parts, " ")
}

func allSent(ids []string, sent map[string]bool) bool {
	for _, id := range ids {
		if !sent[id] {
			return false
		}
	}
	return true
}
