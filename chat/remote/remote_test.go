package remote_test

import (
	"context"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/tradecoach/coach"
	"github.com/tradecoach/coach/chat"
	"github.com/tradecoach/coach/chat/remote"
	"github.com/tradecoach/coach/internal/servicetest"
	"github.com/tradecoach/coach/storage/memory"
	"github.com/tradecoach/coach/transport/hmac"
)

var key = hmac.NewKey("internal-1", []byte(strings.Repeat("k", 32)))

func serve(t *testing.T, model chat.Model) (*remote.Client, string) {
	t.Helper()
	v, err := hmac.NewVerifier(hmac.VerifierConfig{Keys: []hmac.Key{key}, Nonces: memory.NewNonces(nil)})
	if err != nil {
		t.Fatal(err)
	}
	h, err := remote.NewHandler(remote.HandlerConfig{Verifier: v, Model: model})
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(h)
	t.Cleanup(srv.Close)
	c, err := remote.NewClient(remote.ClientConfig{BaseURL: srv.URL, Key: key})
	if err != nil {
		t.Fatal(err)
	}
	return c, srv.URL
}

// TestClientAsksTheHandlersModel: the messages reach the model behind the handler and its text
// comes back; its errors keep their code; no model is EUNAVAILABLE; an unsigned request is 401.
func TestClientAsksTheHandlersModel(t *testing.T) {
	var got []chat.Message
	c, url := serve(t, chat.ModelFunc(func(_ context.Context, p chat.Prompt) (string, error) {
		got = p.Messages
		if strings.Contains(p.Messages[len(p.Messages)-1].Content, "fail") {
			return "", coach.Errorf(coach.EUNAVAILABLE, "model down")
		}
		return "You bought BTC at 97,250.5.", nil
	}))
	msgs := []chat.Message{{Role: chat.RoleSystem, Content: "rules"}, {Role: chat.RoleUser, Content: "Question: why?"}}
	text, err := c.Answer(context.Background(), chat.Prompt{Messages: msgs})
	if err != nil || text != "You bought BTC at 97,250.5." || len(got) != 2 || got[1] != msgs[1] {
		t.Fatalf("Answer = %q, %v; the model got %+v", text, err, got)
	}
	_, err = c.Answer(context.Background(), chat.Prompt{Messages: []chat.Message{{Role: chat.RoleUser, Content: "fail"}}})
	if coach.ErrorCode(err) != coach.EUNAVAILABLE {
		t.Errorf("a failing model: %v, want unavailable", err)
	}
	resp, err := http.Post(url+remote.PathAnswer, "application/json", strings.NewReader(`{"v":1,"messages":[{"role":"user","content":"x"}]}`))
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusUnauthorized {
		t.Errorf("unsigned request: %d, want 401", resp.StatusCode)
	}

	none, _ := serve(t, nil)
	if _, err := none.Answer(context.Background(), chat.Prompt{Messages: msgs}); coach.ErrorCode(err) != coach.EUNAVAILABLE {
		t.Errorf("no model configured: %v, want unavailable", err)
	}
	if _, err := c.Answer(context.Background(), chat.Prompt{}); coach.ErrorCode(err) != coach.EINVALID {
		t.Errorf("no messages: %v, want invalid", err)
	}
}

func TestZeroValues(t *testing.T) {
	servicetest.ZeroValues(t, []any{(*remote.Client)(nil), (*remote.Handler)(nil)})
}
