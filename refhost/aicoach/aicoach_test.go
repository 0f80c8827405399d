package aicoach_test

import (
	"context"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/tradecoach/coach"
	"github.com/tradecoach/coach/chat"
	"github.com/tradecoach/coach/refhost/aicoach"
	"github.com/tradecoach/coach/storage/memory"
)

// TestChatAnswerIsServedBehindTheKey: /v1/chat/answer reaches the configured model through a
// signed request; without a model it answers unavailable, so the core falls back.
func TestChatAnswerIsServedBehindTheKey(t *testing.T) {
	key := []byte(strings.Repeat("k", 32))
	prompt := chat.Prompt{Messages: []chat.Message{{Role: chat.RoleUser, Content: "Question: why?"}}}
	for _, tc := range []struct {
		name  string
		model chat.Model
		code  coach.Code
	}{
		{"with a model", chat.ModelFunc(func(context.Context, chat.Prompt) (string, error) { return "Because.", nil }), ""},
		{"without", nil, coach.EUNAVAILABLE},
	} {
		h, err := aicoach.New(aicoach.Config{Key: key, Nonces: memory.NewNonces(nil), Chat: tc.model})
		if err != nil {
			t.Fatal(err)
		}
		srv := httptest.NewServer(h)
		c, err := aicoach.NewChatClient(srv.URL, key)
		if err != nil {
			t.Fatal(err)
		}
		text, err := c.Answer(context.Background(), prompt)
		srv.Close()
		switch {
		case tc.code == "" && (err != nil || text != "Because."):
			t.Errorf("%s: Answer = %q, %v; want the model's text", tc.name, text, err)
		case tc.code != "" && coach.ErrorCode(err) != tc.code:
			t.Errorf("%s: Answer = %q, %v; want %s", tc.name, text, err, tc.code)
		}
	}
	if m, err := aicoach.NewChatModel("", "", ""); m != nil || err != nil {
		t.Errorf("no URL: %v, %v; want no model", m, err)
	}
	if _, err := aicoach.NewChatModel("ftp://x", "m", "k"); coach.ErrorCode(err) != coach.EINVALID {
		t.Errorf("bad URL: %v", err)
	}
}
