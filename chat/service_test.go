package chat_test

import (
	"context"
	"encoding/json"
	"errors"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/tradecoach/coach"
	"github.com/tradecoach/coach/chat"
	"github.com/tradecoach/coach/internal/servicetest"
	"github.com/tradecoach/coach/storage"
	"github.com/tradecoach/coach/storage/memory"
)

// scripted is a Model that gives its answers in turn and remembers the prompts it was given.
type scripted struct {
	mu      sync.Mutex
	answers []string
	errs    []error
	prompts []chat.Prompt
}

func (m *scripted) Answer(ctx context.Context, p chat.Prompt) (string, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	i := len(m.prompts)
	m.prompts = append(m.prompts, p)
	if i < len(m.errs) && m.errs[i] != nil {
		return "", m.errs[i]
	}
	if i < len(m.answers) {
		return m.answers[i], nil
	}
	return "", coach.Errorf(coach.EUNAVAILABLE, "no more answers")
}

type rig struct {
	store   *memory.Store
	svc     *chat.Service
	metrics *servicetest.Metrics
	userID  string
}

func newRig(t *testing.T, model chat.Model) *rig {
	t.Helper()
	store := memory.New()
	u := coach.User{ID: coach.NewID(), CreatedAt: fixtureNowX}
	if err := store.Users().Create(context.Background(), u); err != nil {
		t.Fatal(err)
	}
	m := &servicetest.Metrics{}
	svc, err := chat.New(chat.ServiceConfig{Store: store, Model: model, Metrics: m, ModelTimeout: 2 * time.Second,
		Clock:  coach.NewManualClock(fixtureNowX),
		Source: chat.SourceFunc(func(ctx context.Context, userID, q string) (chat.Input, error) { return exampleInput(), nil })})
	if err != nil {
		t.Fatal(err)
	}
	return &rig{store: store, svc: svc, metrics: m, userID: u.ID}
}

// published returns the coach.answer events of the rig's user.
func (r *rig) published(t *testing.T) []coach.AnswerPayload {
	t.Helper()
	evs, err := r.store.Events().Since(context.Background(), r.userID, "", 100)
	if err != nil {
		t.Fatal(err)
	}
	var out []coach.AnswerPayload
	for _, e := range evs {
		if e.Type != coach.EventCoachAnswer || e.V != 1 {
			t.Fatalf("unexpected event %s v%d", e.Type, e.V)
		}
		var p coach.AnswerPayload
		if err := json.Unmarshal(e.Payload, &p); err != nil {
			t.Fatal(err)
		}
		out = append(out, p)
	}
	return out
}

const (
	grounded   = "Your FOMO buy of BTC last Tuesday came with the RSI at 83.6. What was the plan?"
	ungrounded = "Your FOMO buy of BTC last Tuesday came with the RSI at 91. What was the plan?"
)

func TestAskPublishesTheCheckedAnswerOnce(t *testing.T) {
	for _, tc := range []struct {
		name         string
		model        *scripted
		source       string
		rejected     int
		reason       string
		wantText     string
		wantPrompts  int
		retryMention string
	}{
		{"correct", &scripted{answers: []string{grounded}}, coach.AnswerModel, 0, "ok", grounded, 1, ""},
		{"wrong then right", &scripted{answers: []string{ungrounded, grounded}}, coach.AnswerModel, 1, "ok", grounded, 2, `"91"`},
		{"wrong twice", &scripted{answers: []string{ungrounded, ungrounded}}, coach.AnswerDeterministic, 2, "rejected", "", 2, `"91"`},
		{"model fails", &scripted{errs: []error{coach.Errorf(coach.EUNAVAILABLE, "down")}}, coach.AnswerDeterministic, 0, "error", "", 1, ""},
		{"empty answer", &scripted{answers: []string{"", ""}}, coach.AnswerDeterministic, 2, "rejected", "", 2, ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r := newRig(t, tc.model)
			q, err := r.svc.Ask(context.Background(), r.userID, "  What happened with my BTC buy last Tuesday?  ")
			if err != nil {
				t.Fatal(err)
			}
			if q.Source != tc.source || q.Rejected != tc.rejected || q.Text != "What happened with my BTC buy last Tuesday?" {
				t.Fatalf("question %+v: want source %s, %d rejected", q, tc.source, tc.rejected)
			}
			if tc.wantText != "" && q.Answer != tc.wantText {
				t.Errorf("answer %q, want %q", q.Answer, tc.wantText)
			}
			if strings.Contains(q.Answer, "91") {
				t.Errorf("the ungrounded number reached the answer: %q", q.Answer)
			}
			if len(tc.model.prompts) != tc.wantPrompts {
				t.Fatalf("model asked %d times, want %d", len(tc.model.prompts), tc.wantPrompts)
			}
			if tc.retryMention != "" && !strings.Contains(tc.model.prompts[1].Messages[len(tc.model.prompts[1].Messages)-1].Content, tc.retryMention) {
				t.Errorf("the retry does not name the violation %s", tc.retryMention)
			}
			pubs := r.published(t)
			if len(pubs) != 1 || pubs[0].QuestionID != q.ID || pubs[0].Text != q.Answer || !slices.Equal(pubs[0].EvidenceIDs, q.EvidenceIDs) {
				t.Fatalf("published %+v, want exactly the stored answer %+v", pubs, q)
			}
			if len(q.EvidenceIDs) == 0 {
				t.Error("no evidence ids")
			}
			stored, err := r.store.Questions().List(context.Background(), r.userID, storage.AnswerPage{})
			if err != nil || len(stored) != 1 || stored[0].ID != q.ID {
				t.Fatalf("stored %+v, %v", stored, err)
			}
			if got := r.metrics.Counted(coach.MetricChatAnswers, "source", tc.source, "reason", tc.reason); got != 1 {
				t.Errorf("%s{source=%s,reason=%s} = %d, want 1", coach.MetricChatAnswers, tc.source, tc.reason, got)
			}
			if tc.rejected > 0 && r.metrics.Counted(coach.MetricChatRejected, "kind", chat.KindNumber)+r.metrics.Counted(coach.MetricChatRejected, "kind", "length") != int64(tc.rejected) {
				t.Errorf("grounding failures not counted")
			}
		})
	}
}

func TestAskWithoutAModelIsDeterministic(t *testing.T) {
	r := newRig(t, nil)
	q, err := r.svc.Ask(context.Background(), r.userID, "Why do I keep selling in panics?")
	if err != nil {
		t.Fatal(err)
	}
	if q.Source != coach.AnswerDeterministic || !strings.Contains(q.Answer, "ETH") || len(r.published(t)) != 1 {
		t.Fatalf("question %+v", q)
	}
	if r.metrics.Counted(coach.MetricChatAnswers, "source", coach.AnswerDeterministic, "reason", "no_model") != 1 {
		t.Error("no_model answer not counted")
	}
}

// TestAskTimesTheModelOut: a model that never answers is cut at ModelTimeout and the trader gets
// the deterministic answer.
func TestAskTimesTheModelOut(t *testing.T) {
	slow := chat.ModelFunc(func(ctx context.Context, p chat.Prompt) (string, error) {
		<-ctx.Done()
		return "", coach.WrapError(coach.EUNAVAILABLE, ctx.Err(), "model timed out")
	})
	store := memory.New()
	u := coach.User{ID: coach.NewID(), CreatedAt: fixtureNowX}
	_ = store.Users().Create(context.Background(), u)
	svc, err := chat.New(chat.ServiceConfig{Store: store, Model: slow, ModelTimeout: 50 * time.Millisecond,
		Source: chat.SourceFunc(func(context.Context, string, string) (chat.Input, error) { return exampleInput(), nil })})
	if err != nil {
		t.Fatal(err)
	}
	q, err := svc.Ask(context.Background(), u.ID, "How was my week?")
	if err != nil || q.Source != coach.AnswerDeterministic {
		t.Fatalf("Ask = %+v, %v", q, err)
	}
}

func TestAskRefuses(t *testing.T) {
	r := newRig(t, nil)
	for _, q := range []string{"", strings.Repeat("why ", 300), "a\x00b"} {
		if _, err := r.svc.Ask(context.Background(), r.userID, q); coach.ErrorCode(err) != coach.EINVALID {
			t.Errorf("Ask(%.20q) = %v, want EINVALID", q, err)
		}
	}
	if _, err := r.svc.Ask(context.Background(), "", "why?"); coach.ErrorCode(err) != coach.EINVALID {
		t.Errorf("Ask without a user = %v", err)
	}
	boom := errors.New("source down")
	svc, _ := chat.New(chat.ServiceConfig{Store: r.store, Source: chat.SourceFunc(func(context.Context, string, string) (chat.Input, error) {
		return chat.Input{}, boom
	})})
	if _, err := svc.Ask(context.Background(), r.userID, "why?"); !errors.Is(err, boom) {
		t.Errorf("Ask with a failing source = %v", err)
	}
	if len(r.published(t)) != 0 {
		t.Error("a refused question published an answer")
	}
}

func TestNewRefusesMissingFields(t *testing.T) {
	src := chat.SourceFunc(func(context.Context, string, string) (chat.Input, error) { return chat.Input{}, nil })
	for field, cfg := range map[string]chat.ServiceConfig{
		"Store":        {Source: src},
		"Source":       {Store: memory.New()},
		"ModelTimeout": {Store: memory.New(), Source: src, ModelTimeout: -1},
	} {
		_, err := chat.New(cfg)
		servicetest.RefusesField(t, err, field)
	}
}

func TestZeroValues(t *testing.T) {
	servicetest.ZeroValues(t, []any{(*chat.Service)(nil)})
}

func TestAskKeepsToTheBudgetAndRate(t *testing.T) {
	src := chat.SourceFunc(func(context.Context, string, string) (chat.Input, error) { return exampleInput(), nil })
	store := memory.New()
	clock := coach.NewManualClock(fixtureNowX)
	u := coach.User{ID: coach.NewID(), CreatedAt: fixtureNowX}
	_ = store.Users().Create(context.Background(), u)
	svc, err := chat.New(chat.ServiceConfig{Store: store, Source: src, Clock: clock, DailyBudget: 2})
	if err != nil {
		t.Fatal(err)
	}
	for i := range 3 {
		_, err := svc.Ask(context.Background(), u.ID, "How was my week?")
		if want := i < 2; (err == nil) != want {
			t.Fatalf("question %d: %v", i+1, err)
		}
		if i == 2 && coach.ErrorCode(err) != coach.ERATELIMITED {
			t.Fatalf("third question: %v, want rate_limited", err)
		}
	}
	clock.Advance(24 * time.Hour)
	if _, err := svc.Ask(context.Background(), u.ID, "And today?"); err != nil {
		t.Fatalf("the next day: %v", err)
	}

	limited, err := chat.New(chat.ServiceConfig{Store: store, Source: src, Clock: clock, Limiter: memory.NewRateLimiter(clock),
		Limit: storage.Limit{Rate: 1, Burst: 1, Period: time.Minute}})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := limited.Ask(context.Background(), u.ID, "one"); err != nil {
		t.Fatal(err)
	}
	if _, err := limited.Ask(context.Background(), u.ID, "two"); coach.ErrorCode(err) != coach.ERATELIMITED {
		t.Fatalf("second question within the minute: %v, want rate_limited", err)
	}
}
