package chat

import (
	"context"
	"log/slog"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/tradecoach/coach"
	"github.com/tradecoach/coach/storage"
)

// Source gives the evidence of a user for a question. StoreSource reads it from the storage
// ports; a host may gather it its own way.
type Source interface {
	Input(ctx context.Context, userID, question string) (Input, error)
}

// DefaultModelTimeout bounds one model call when ServiceConfig.ModelTimeout is zero.
const DefaultModelTimeout = 20 * time.Second

// ServiceConfig is what a Service needs.
type ServiceConfig struct {
	Store  storage.Store // required: stores the questions and appends coach.answer
	Source Source        // required: the evidence
	// Model answers the questions; Deterministic{} when nil. Its answers are checked; the
	// deterministic one answers when they fail twice or the model cannot answer.
	Model        Model
	ModelTimeout time.Duration // DefaultModelTimeout when zero
	Prompt       PromptConfig
	// DailyBudget, when positive, is how many questions a user may ask per UTC day; the next
	// one is ERATELIMITED.
	DailyBudget int
	// Limiter and Limit, when Limiter is set, rate-limit each user's questions (key
	// "chat:{userID}"); a question over the limit is ERATELIMITED.
	Limiter storage.RateLimiter
	Limit   storage.Limit
	Clock   coach.Clock   // coach.SystemClock when nil
	Logger  *slog.Logger  // discards when nil
	Metrics coach.Metrics // coach.NopMetrics when nil
}

// Service answers a trader's questions: evidence → prompt → model → check, and publishes the
// answer that passed.
type Service struct {
	store   storage.Store
	source  Source
	model   Model
	timeout time.Duration
	prompt  PromptConfig
	budget  int
	limiter storage.RateLimiter
	limit   storage.Limit
	clock   coach.Clock
	log     *slog.Logger
	metrics coach.Metrics
}

// New returns a Service, or an EINVALID error naming the first missing or invalid field.
func New(cfg ServiceConfig) (*Service, error) {
	switch {
	case cfg.Store == nil:
		return nil, coach.Errorf(coach.EINVALID, "chat: Store is required")
	case cfg.Source == nil:
		return nil, coach.Errorf(coach.EINVALID, "chat: Source is required")
	case cfg.ModelTimeout < 0:
		return nil, coach.Errorf(coach.EINVALID, "chat: ModelTimeout must not be negative")
	case cfg.Prompt.MaxTokens < 0:
		return nil, coach.Errorf(coach.EINVALID, "chat: Prompt.MaxTokens must not be negative")
	case cfg.DailyBudget < 0:
		return nil, coach.Errorf(coach.EINVALID, "chat: DailyBudget must not be negative")
	case cfg.Limiter != nil && cfg.Limit.Validate() != nil:
		return nil, coach.Errorf(coach.EINVALID, "chat: Limit: %s", coach.ErrorMessage(cfg.Limit.Validate()))
	}
	s := &Service{store: cfg.Store, source: cfg.Source, model: cfg.Model, timeout: cfg.ModelTimeout, prompt: cfg.Prompt,
		budget: cfg.DailyBudget, limiter: cfg.Limiter, limit: cfg.Limit, clock: cfg.Clock, log: cfg.Logger, metrics: cfg.Metrics}
	if s.model == nil {
		s.model = Deterministic{}
	}
	if s.timeout == 0 {
		s.timeout = DefaultModelTimeout
	}
	if s.clock == nil {
		s.clock = coach.SystemClock{}
	}
	if s.log == nil {
		s.log = slog.New(slog.DiscardHandler)
	}
	if s.metrics == nil {
		s.metrics = coach.NopMetrics{}
	}
	return s, nil
}

var errNotConstructed = coach.Errorf(coach.EINVALID, "chat: Service not constructed; use chat.New")

// Versions is what Question.Versions records: the prompt, evidence and checker versions.
const Versions = PromptVersion + " " + EvidenceVersion + " " + CheckerVersion

// Ask answers the user's question. It gathers the evidence (Source), builds the prompt and asks
// the model; an answer that fails Check (or is empty or longer than coach.MaxAnswerText) is
// asked again once with its violations named, and if the second answer fails too — or the model
// cannot answer within ModelTimeout — the deterministic answer is given instead. Nothing the
// model writes is published before it passed the check. In one transaction Ask stores the
// question with the answer (storage.Questions) and appends one coach.answer event with the ids of
// the evidence the answer used, and returns the stored question.
//
// Before anything is gathered, the user's DailyBudget and rate limit are checked.
//
// Errors: EINVALID for a bad user id or question; ERATELIMITED over the budget or the rate
// limit; the source's, the limiter's and the store's errors.
func (s *Service) Ask(ctx context.Context, userID, question string) (coach.Question, error) {
	if s == nil || s.store == nil {
		return coach.Question{}, errNotConstructed
	}
	if !coach.ValidID(userID) {
		return coach.Question{}, coach.Errorf(coach.EINVALID, "userId: required")
	}
	question = strings.TrimSpace(question)
	probe := coach.Question{ID: coach.NewID(), UserID: userID, Text: question, Answer: "-", Source: coach.AnswerDeterministic}
	if err := probe.Validate(); err != nil {
		return coach.Question{}, err
	}
	if err := s.allow(ctx, userID); err != nil {
		return coach.Question{}, err
	}
	in, err := s.source.Input(ctx, userID, question)
	if err != nil {
		return coach.Question{}, err
	}
	ev, err := Gather(in)
	if err != nil {
		return coach.Question{}, err
	}
	p, err := BuildPrompt(question, &ev, s.prompt)
	if err != nil {
		return coach.Question{}, err
	}
	text, rep, source, rejected := s.answer(ctx, p)
	ids := rep.Used
	if len(ids) > coach.MaxAnswerEvidence {
		ids = ids[:coach.MaxAnswerEvidence]
	}
	if ids == nil {
		ids = []string{}
	}
	q := coach.Question{ID: coach.NewID(), UserID: userID, Text: question, Answer: text, Source: source, EvidenceIDs: ids,
		Rejected: rejected, Versions: Versions, CreatedAt: s.clock.Now().UTC()}
	err = s.store.InTx(ctx, func(tx storage.Tx) error {
		stored, err := tx.Questions().Add(ctx, q)
		if err != nil {
			return err
		}
		e, err := coach.NewEvent(userID, coach.EventCoachAnswer, 1, coach.AnswerPayload{QuestionID: stored.ID, Text: stored.Answer,
			Source: stored.Source, EvidenceIDs: stored.EvidenceIDs})
		if err != nil {
			return err
		}
		if _, err := tx.Events().Append(ctx, e); err != nil {
			return err
		}
		q = stored
		return nil
	})
	if err != nil {
		return coach.Question{}, err
	}
	return q, nil
}

// answer returns the checked answer to p, its report, its source and how many model answers
// were refused.
func (s *Service) answer(ctx context.Context, p Prompt) (string, Report, string, int) {
	if _, ok := s.model.(Deterministic); ok {
		text, rep := fallback(p)
		s.metrics.Count(coach.MetricChatAnswers, 1, "source", coach.AnswerDeterministic, "reason", "no_model")
		return text, rep, coach.AnswerDeterministic, 0
	}
	rejected := 0
	ask := p
	for try := 0; try < 2; try++ {
		text, err := s.call(ctx, ask)
		if err != nil {
			if ctx.Err() == nil {
				s.log.Warn("chat: the model did not answer; the deterministic coach answers", "code", coach.ErrorCode(err),
					"error", coach.ErrorMessage(err))
			}
			text, rep := fallback(p)
			s.metrics.Count(coach.MetricChatAnswers, 1, "source", coach.AnswerDeterministic, "reason", "error")
			return text, rep, coach.AnswerDeterministic, rejected
		}
		rep := Check(text, p.Facts, p.Evidence)
		if n := utf8.RuneCountInString(text); text == "" || n > coach.MaxAnswerText || !utf8.ValidString(text) {
			rep.Violations = append(rep.Violations, Violation{Kind: "length", Text: "", Reason: "the answer must be 1 to 2000 characters of text"})
		}
		if rep.OK() {
			s.metrics.Count(coach.MetricChatAnswers, 1, "source", coach.AnswerModel, "reason", "ok")
			return text, rep, coach.AnswerModel, rejected
		}
		rejected++
		s.metrics.Count(coach.MetricChatRejected, 1, "kind", rep.Violations[0].Kind)
		s.log.Info("chat: the model's answer failed the grounding check", "try", try+1, "violations", len(rep.Violations),
			"firstKind", rep.Violations[0].Kind)
		ask = p.Retry(text, rep.Violations)
	}
	text, rep := fallback(p)
	s.metrics.Count(coach.MetricChatAnswers, 1, "source", coach.AnswerDeterministic, "reason", "rejected")
	return text, rep, coach.AnswerDeterministic, rejected
}

// call asks the model within the timeout and times it.
func (s *Service) call(ctx context.Context, p Prompt) (string, error) {
	ctx, cancel := context.WithTimeout(ctx, s.timeout)
	defer cancel()
	start := time.Now()
	text, err := s.model.Answer(ctx, p)
	if err == nil && ctx.Err() != nil {
		err = coach.WrapError(coach.EUNAVAILABLE, ctx.Err(), "the model did not answer in time")
	}
	s.metrics.Observe(coach.MetricChatModel, time.Since(start), "outcome", coach.Outcome(err))
	return strings.TrimSpace(text), err
}

// fallback is the deterministic answer to p with its report.
func fallback(p Prompt) (string, Report) {
	text := deterministicAnswer(p)
	rep := Check(text, p.Facts, p.Evidence)
	if !rep.OK() {
		// Never publish an unchecked sentence, even the coach's own.
		text = NoEvidence
		rep = Check(text, p.Facts, p.Evidence)
	}
	return text, rep
}

// SourceFunc is a Source that is a function.
type SourceFunc func(ctx context.Context, userID, question string) (Input, error)

// Input calls f.
func (f SourceFunc) Input(ctx context.Context, userID, question string) (Input, error) {
	return f(ctx, userID, question)
}

// allow checks the user's daily budget and rate limit.
func (s *Service) allow(ctx context.Context, userID string) error {
	if s.budget > 0 {
		now := s.clock.Now().UTC()
		day := time.Date(now.Year(), now.Month(), now.Day(), 0, 0, 0, 0, time.UTC)
		n, err := s.store.Questions().CountSince(ctx, userID, day)
		if err != nil {
			return err
		}
		if n >= s.budget {
			return coach.Errorf(coach.ERATELIMITED, "you have asked %d questions today, the most a day; ask again tomorrow", n)
		}
	}
	if s.limiter != nil {
		d, err := s.limiter.Allow(ctx, "chat:"+userID, s.limit)
		if err != nil {
			return err
		}
		if !d.Allowed {
			return coach.Errorf(coach.ERATELIMITED, "too many questions; try again in %s", d.RetryAfter.Round(time.Second))
		}
	}
	return nil
}
