package openai_test

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/shopspring/decimal"

	"github.com/tradecoach/coach"
	"github.com/tradecoach/coach/chat"
	"github.com/tradecoach/coach/chat/openai"
	"github.com/tradecoach/coach/internal/secrettest"
	"github.com/tradecoach/coach/internal/servicetest"
	"github.com/tradecoach/coach/storage"
	"github.com/tradecoach/coach/storage/memory"
)

const (
	apiKey    = "sk-test-5c1e7a9b3d2f4e6a8b0c"
	extID     = "EXT-BROKER-77aa"
	userEmail = "jane.trader@example.com"
)

var now = time.Date(2026, 12, 7, 18, 0, 0, 0, time.UTC)

// input is a FOMO buy of BTC on Tuesday 1 December (RSI 83.6) and a panic sale of ETH on
// Thursday 3 December (12.3% below its high).
func input() chat.Input {
	trade := func(id, sym string, side coach.Side, ts time.Time, price string) coach.Trade {
		return coach.Trade{ID: id, UserID: "u", Broker: coach.BrokerDemo, ExtID: extID + id, Symbol: coach.Symbol(sym), Side: side,
			Price: decimal.RequireFromString(price), Qty: decimal.RequireFromString("1"), TS: ts}
	}
	t1 := trade("tr1", "BTC-USDT", coach.Buy, time.Date(2026, 12, 1, 14, 0, 0, 0, time.UTC), "97250.5")
	t2 := trade("tr2", "ETH-USDT", coach.Sell, time.Date(2026, 12, 3, 9, 30, 0, 0, time.UTC), "3412.25")
	return chat.Input{TimeZone: "UTC", Now: now, Tags: []chat.TaggedTrade{
		{Trade: t1, Tag: coach.BiasTag{ID: "tag1", UserID: "u", TradeID: t1.ID, Label: coach.LabelFOMO, Confidence: 0.94, CreatedAt: t1.TS,
			Features: json.RawMessage(`{"symbol":"BTC-USDT","ev":{"rangePos":1.06,"priorReturn":0.0398,"abnormalVolume":4.12,"rsi":83.6483},"signals":["nearHigh","extremeReturn","abnormalVolume","stretched"],"th":{"rangeBars":3,"returnBars":3},"conv":{"interval":"1h"}}`)}},
		{Trade: t2, Tag: coach.BiasTag{ID: "tag2", UserID: "u", TradeID: t2.ID, Label: coach.LabelPanic, Confidence: 0.81, CreatedAt: t2.TS,
			Features: json.RawMessage(`{"symbol":"ETH-USDT","ev":{"drawdown":0.123,"lossPct":0.0521,"volRatio":2.37,"rsi":24.7},"signals":["volSpike","oversold"],"th":{"rangeBars":24},"conv":{"interval":"1h"}}`)}},
	}}
}

// completion is a chat-completions response body with one message.
func completion(text string) string {
	b, _ := json.Marshal(map[string]any{"id": "chatcmpl-1", "object": "chat.completion", "created": 1, "model": "coach-test",
		"choices": []any{map[string]any{"index": 0, "finish_reason": "stop", "message": map[string]any{"role": "assistant", "content": text}}}})
	return string(b)
}

// fake is an OpenAI-compatible server that answers every request with its script, and checks
// each request: the key as a bearer token, the model, and no identifier of the trader's broker.
type fake struct {
	t      *testing.T
	mu     sync.Mutex
	calls  int
	bodies []string
	script func(w http.ResponseWriter, r *http.Request)
}

func (f *fake) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	body, _ := io.ReadAll(r.Body)
	f.mu.Lock()
	f.calls++
	f.bodies = append(f.bodies, string(body))
	f.mu.Unlock()
	if r.Method != http.MethodPost || r.URL.Path != "/v1/chat/completions" || r.Header.Get("Authorization") != "Bearer "+apiKey {
		f.t.Errorf("request %s %s, Authorization set: %v", r.Method, r.URL.Path, r.Header.Get("Authorization") != "")
		http.Error(w, "no", http.StatusUnauthorized)
		return
	}
	var req struct {
		Model    string `json:"model"`
		Messages []struct{ Role, Content string }
	}
	if err := json.Unmarshal(body, &req); err != nil || req.Model != "coach-test" || len(req.Messages) < 2 {
		f.t.Errorf("request body %s", body)
	}
	if strings.Contains(string(body), extID) || strings.Contains(string(body), userEmail) {
		f.t.Errorf("the prompt sent holds a broker id or the e-mail: %s", body)
	}
	f.script(w, r)
}

func answer(text string) func(http.ResponseWriter, *http.Request) {
	return func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		_, _ = io.WriteString(w, completion(text))
	}
}

// TestFakeServerEveryUngroundedAnswerIsCaught is the table of issue 22: a fake server scripted to
// answer correctly, invent a number, swap a label, invent a trade, give a buy order, time out and
// return malformed output. Only the correct answer is published; every other case publishes the
// deterministic answer, which passes the checker; the logs hold no key.
func TestFakeServerEveryUngroundedAnswerIsCaught(t *testing.T) {
	const correct = "Your FOMO buy of BTC last Tuesday came with the RSI at 83.6. What was the plan for it?"
	for _, tc := range []struct {
		name      string
		script    func(http.ResponseWriter, *http.Request)
		source    string
		calls     int
		rejection string // the kind of violation counted, when the model's answers were refused
	}{
		{"answers correctly", answer(correct), coach.AnswerModel, 1, ""},
		{"invents a number", answer("Your FOMO buy of BTC last Tuesday came with the RSI at 91.2."), coach.AnswerDeterministic, 2, chat.KindNumber},
		{"swaps a label", answer("You panic sold BTC last Tuesday with the RSI at 83.6."), coach.AnswerDeterministic, 2, chat.KindLabel},
		{"invents a trade", answer("T7 was another FOMO buy of BTC, like T1."), coach.AnswerDeterministic, 2, chat.KindTrade},
		{"gives a buy order", answer("Buy BTC now: the RSI of 83.6 says it will keep going."), coach.AnswerDeterministic, 2, chat.KindAdvice},
		{"times out", func(w http.ResponseWriter, r *http.Request) {
			select {
			case <-r.Context().Done():
			case <-time.After(5 * time.Second):
			}
		}, coach.AnswerDeterministic, 1, ""},
		{"malformed JSON", func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set("Content-Type", "application/json")
			_, _ = io.WriteString(w, `{"choices": [{"message": {"content": "Your FOMO`)
		}, coach.AnswerDeterministic, 1, ""},
		{"no choices", func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set("Content-Type", "application/json")
			_, _ = io.WriteString(w, `{"id":"x","object":"chat.completion","choices":[]}`)
		}, coach.AnswerDeterministic, 1, ""},
		{"oversized body", func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set("Content-Type", "application/json")
			_, _ = io.WriteString(w, completion(correct+strings.Repeat(" ", 64<<10)))
		}, coach.AnswerDeterministic, 1, ""},
		{"server error echoing the key", func(w http.ResponseWriter, r *http.Request) {
			http.Error(w, `{"error":{"message":"bad key `+apiKey+`"}}`, http.StatusInternalServerError)
		}, coach.AnswerDeterministic, 1, ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			f := &fake{t: t, script: tc.script}
			srv := httptest.NewServer(f)
			defer srv.Close()
			model, err := openai.New(openai.Config{BaseURL: srv.URL + "/v1", Model: "coach-test", Key: openai.NewKey(apiKey),
				Timeout: 300 * time.Millisecond, MaxResponseBytes: 16 << 10})
			if err != nil {
				t.Fatal(err)
			}
			var logs bytes.Buffer
			store := memory.New()
			u := coach.User{ID: coach.NewID(), Email: userEmail, CreatedAt: now}
			if err := store.Users().Create(context.Background(), u); err != nil {
				t.Fatal(err)
			}
			m := &servicetest.Metrics{}
			var ev chat.Evidence
			svc, err := chat.New(chat.ServiceConfig{Store: store, Model: model, Metrics: m,
				Logger: slog.New(slog.NewJSONHandler(&logs, &slog.HandlerOptions{Level: slog.LevelDebug})),
				Source: chat.SourceFunc(func(context.Context, string, string) (chat.Input, error) {
					in := input()
					ev, _ = chat.Gather(in)
					return in, nil
				})})
			if err != nil {
				t.Fatal(err)
			}
			q, err := svc.Ask(context.Background(), u.ID, "What happened with my BTC buy last Tuesday? Mail me at "+userEmail)
			if err != nil {
				t.Fatal(err)
			}
			if q.Source != tc.source || f.calls != tc.calls {
				t.Fatalf("answer %q from %s after %d calls; want source %s after %d calls", q.Answer, q.Source, f.calls, tc.source, tc.calls)
			}
			if tc.source == coach.AnswerModel && q.Answer != correct {
				t.Errorf("answer %q, want the model's %q", q.Answer, correct)
			}
			if rep := chat.Check(q.Answer, ev.Facts, &ev); !rep.OK() {
				t.Errorf("published an ungrounded answer %q: %v", q.Answer, rep.Violations)
			}
			if tc.rejection != "" {
				var refused int64
				for _, k := range []string{chat.KindNumber, chat.KindLabel, chat.KindSymbol, chat.KindTrade, chat.KindDate, chat.KindAdvice} {
					refused += m.Counted(coach.MetricChatRejected, "kind", k)
				}
				if refused != 2 {
					t.Errorf("%s = %d, want 2", coach.MetricChatRejected, refused)
				}
				// The model's answer (the last message the fake server got back, repeated in the
				// retry) has a violation of the kind the case is about.
				var req struct {
					Messages []struct{ Role, Content string }
				}
				_ = json.Unmarshal([]byte(f.bodies[1]), &req)
				said := req.Messages[len(req.Messages)-2].Content
				found := false
				for _, v := range chat.Check(said, ev.Facts, &ev).Violations {
					found = found || v.Kind == tc.rejection
				}
				if !found {
					t.Errorf("no %s violation in %q", tc.rejection, said)
				}
			}
			evs, err := store.Events().Since(context.Background(), u.ID, "", 10)
			if err != nil || len(evs) != 1 || evs[0].Type != coach.EventCoachAnswer {
				t.Fatalf("events %+v, %v: want one coach.answer", evs, err)
			}
			stored, _ := store.Questions().List(context.Background(), u.ID, storage.AnswerPage{})
			all := logs.String() + string(evs[0].Payload)
			for _, s := range stored {
				all += s.Answer + s.Text
			}
			for _, form := range secrettest.Forms([]byte(apiKey)) {
				if strings.Contains(all, form) {
					t.Errorf("logs, event or stored question hold the key (%q):\n%s", form, all)
				}
			}
		})
	}
}

// TestKeyNeverPrints: the key, the Config holding it and the Model print "[redacted]".
func TestKeyNeverPrints(t *testing.T) {
	key := openai.NewKey(apiKey)
	model, err := openai.New(openai.Config{BaseURL: "http://127.0.0.1:1/v1", Model: "m", Key: key})
	if err != nil {
		t.Fatal(err)
	}
	secrettest.AssertRedacted(t, [][]byte{[]byte(apiKey)}, key, openai.Config{BaseURL: "http://x/v1", Model: "m", Key: key}, model)
	if key.Reveal() != apiKey || key.IsZero() || !(openai.Key{}).IsZero() {
		t.Error("Reveal or IsZero")
	}
}

func TestNewRefusesBadConfig(t *testing.T) {
	for field, cfg := range map[string]openai.Config{
		"BaseURL":   {Model: "m"},
		"BaseURL ":  {BaseURL: "ftp://x/v1", Model: "m"},
		"BaseURL  ": {BaseURL: "http://user:pw@x/v1", Model: "m"},
		"Model":     {BaseURL: "http://x/v1"},
		"Timeout":   {BaseURL: "http://x/v1", Model: "m", Timeout: -1},
		"MaxTokens": {BaseURL: "http://x/v1", Model: "m", MaxTokens: -1},
	} {
		_, err := openai.New(cfg)
		servicetest.RefusesField(t, err, strings.TrimSpace(field))
	}
}

func TestZeroValues(t *testing.T) {
	servicetest.ZeroValues(t, []any{(*openai.Model)(nil)})
}
