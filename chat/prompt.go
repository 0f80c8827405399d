package chat

import (
	"cmp"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/tradecoach/coach"
)

// PromptVersion names the prompt's wording and layout. A change to either is a new version.
const PromptVersion = "chat-prompt/1"

// Roles of a Message.
const (
	RoleSystem    = "system"
	RoleUser      = "user"
	RoleAssistant = "assistant"
)

// Message is one message of a chat prompt.
type Message struct {
	Role    string `json:"role"`
	Content string `json:"content"`
}

// Prompt is what a Model is asked: the messages, and the facts they carry (in prompt order),
// which are also what the answer is checked against.
type Prompt struct {
	// Version is PromptVersion; EvidenceVersion the evidence's.
	Version         string    `json:"version"`
	EvidenceVersion string    `json:"evidenceVersion"`
	Question        string    `json:"question"`
	Messages        []Message `json:"messages"`
	Facts           []Fact    `json:"facts"`
	// Dropped counts the facts left out to keep within the token budget (the least relevant).
	Dropped int `json:"dropped"`
	// Evidence is what the facts came from; it is not sent.
	Evidence *Evidence `json:"-"`
}

// DefaultTokenBudget is the prompt's size when PromptConfig.MaxTokens is zero.
const DefaultTokenBudget = 3000

// MaxQuestion is the most characters of a question.
const MaxQuestion = 1000

// PromptConfig tunes BuildPrompt.
type PromptConfig struct {
	// MaxTokens bounds the prompt, counted as Tokens counts; DefaultTokenBudget when zero.
	MaxTokens int
}

// Tokens estimates the tokens of s the way most tokenizers come out on English and numbers: one
// per four bytes, rounded up. It is a budget, not a count.
func Tokens(s string) int { return (len(s) + 3) / 4 }

const systemPrompt = `You are a trading-psychology coach. Answer the trader's question in at most five short sentences, ` +
	`in plain words, curious rather than judging, and end with an open question.
Rules, all of them checked before the trader sees your answer:
- Use only the facts listed below. Every number, bias label, symbol, date and trade reference you write must be ` +
	`one of these facts, said about the same label, symbol, trade or date as the fact.
- A fraction may be written as a percentage (0.12 as 12%). Round as you like, but do not change numbers.
- Refer to trades by their reference (T1, T2, …). Dates are in the trader's time zone.
- Never advise buying or selling any asset. Never predict prices.
- If the facts do not answer the question, say so.`

// emailRE finds e-mail addresses a trader may have typed into a question.
var emailRE = regexp.MustCompile(`[A-Za-z0-9._%+\-]+@[A-Za-z0-9.\-]+\.[A-Za-z]{2,}`)

// BuildPrompt returns the prompt for question over ev: the system rules, then the facts most
// relevant to the question first — those whose label, symbol, trade or date the question names,
// then facts about the whole evidence, then the rest, each group in evidence order — as many as
// fit cfg.MaxTokens, then the question with any e-mail address replaced by "[email]". The same
// question, evidence and config always give the same prompt. A question that is empty, longer
// than MaxQuestion or not text is EINVALID.
func BuildPrompt(question string, ev *Evidence, cfg PromptConfig) (Prompt, error) {
	if !utf8.ValidString(question) || strings.TrimSpace(question) == "" {
		return Prompt{}, coach.Errorf(coach.EINVALID, "question: required")
	}
	if utf8.RuneCountInString(question) > MaxQuestion {
		return Prompt{}, coach.Errorf(coach.EINVALID, "question: longer than %d characters", MaxQuestion)
	}
	if ev == nil {
		ev = &Evidence{Version: EvidenceVersion}
	}
	budget := cfg.MaxTokens
	if budget <= 0 {
		budget = DefaultTokenBudget
	}
	q := emailRE.ReplaceAllString(strings.TrimSpace(question), "[email]")
	order := Relevance(q, ev)
	head := systemPrompt + "\n\nFacts (" + ev.Version + "; [id] label symbol trade date metric = value):\n"
	tail := "\n\nQuestion: " + q
	used := Tokens(head) + Tokens(tail)
	var facts []Fact
	var lines strings.Builder
	for _, i := range order {
		line := ev.Facts[i].Line() + "\n"
		if used+Tokens(line) > budget {
			continue
		}
		used += Tokens(line)
		lines.WriteString(line)
		facts = append(facts, ev.Facts[i])
	}
	return Prompt{
		Version: PromptVersion, EvidenceVersion: ev.Version, Question: q,
		Messages: []Message{{Role: RoleSystem, Content: head + lines.String()}, {Role: RoleUser, Content: strings.TrimPrefix(tail, "\n\n")}},
		Facts:    facts, Dropped: len(ev.Facts) - len(facts), Evidence: ev,
	}, nil
}

// Retry returns p with the model's rejected answer and the violations named, asking again.
func (p Prompt) Retry(answer string, vs []Violation) Prompt {
	var b strings.Builder
	b.WriteString("Your answer was not shown to the trader: it says things the facts do not hold.\n")
	for _, v := range vs {
		b.WriteString("- " + v.String() + "\n")
	}
	b.WriteString("Answer the question again, using only the facts listed, attached to what they are about.")
	p.Messages = append(slices.Clone(p.Messages), Message{Role: RoleAssistant, Content: answer}, Message{Role: RoleUser, Content: b.String()})
	return p
}

// Relevance returns the indexes of ev.Facts, most relevant to question first: a point for each
// of the fact's label, symbol, trade, day or month the question names; facts about nothing in
// particular (the digest's totals) after those and before the rest. Ties keep evidence order.
func Relevance(question string, ev *Evidence) []int {
	c := newChecker(ev.Facts, ev)
	ms := c.dates.findDates(question)
	ms = append(ms, findTrades(question)...)
	ms = append(ms, findLabels(question)...)
	ms = append(ms, findSymbols(question, c.quotes, c.bases)...)
	score := make([]int, len(ev.Facts))
	for i := range ev.Facts {
		f := &ev.Facts[i]
		for k := range ms {
			if ms[k].bad == "" && has(f, &ms[k]) {
				score[i] += 2
			}
		}
		s := f.Subject
		if s.Label == "" && s.Symbol == "" && s.Trade == "" && s.Date == "" && s.Month == "" {
			score[i]++
		}
	}
	idx := make([]int, len(ev.Facts))
	for i := range idx {
		idx[i] = i
	}
	slices.SortStableFunc(idx, func(a, b int) int { return cmp.Compare(score[b], score[a]) })
	return idx
}

// factSentence writes f as a plain sentence the checker accepts: its subject and its number as
// the evidence has it.
func factSentence(f Fact) string {
	s := f.Subject
	var parts []string
	for _, p := range []string{s.Trade, s.Label, s.Symbol, s.Date, s.Month} {
		if p != "" {
			parts = append(parts, p)
		}
	}
	text := s.Metric
	if len(parts) > 0 {
		text = strings.Join(parts, " ") + ": " + text
	}
	if f.HasNumber {
		text += " " + strconv.FormatFloat(f.Number, 'g', 6, 64)
	}
	return text + "."
}
