package chat

import "testing"

// BenchmarkCheck checks the grounded paraphrases against the fixture's facts.
func BenchmarkCheck(b *testing.B) {
	ev := fixtureEvidence(b)
	lines := groundedLines(b)
	b.ReportAllocs()
	n := 0
	for b.Loop() {
		Check(lines[n%len(lines)], ev.Facts, &ev)
		n++
	}
	b.ReportMetric(float64(n)/b.Elapsed().Seconds(), "answers/s")
}

// BenchmarkGatherAndPrompt builds the fixture's evidence and its prompt.
func BenchmarkGatherAndPrompt(b *testing.B) {
	in := fixtureInput()
	b.ReportAllocs()
	for b.Loop() {
		ev, err := Gather(in)
		if err != nil {
			b.Fatal(err)
		}
		if _, err := BuildPrompt("Why do I keep selling in panics?", &ev, PromptConfig{}); err != nil {
			b.Fatal(err)
		}
	}
}
