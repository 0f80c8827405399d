package memory_test

import (
	"context"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/tradecoach/coach"
	"github.com/tradecoach/coach/transport"
	"github.com/tradecoach/coach/transport/memory"
)

func TestMailboxKeepsValidMailAndRefusesTheRest(t *testing.T) {
	t.Parallel()
	var box memory.Mailbox
	ok := transport.Mail{To: "ana@example.com", Subject: "Reset your password", Text: "link", ID: "reset:u1:1"}
	if err := box.Send(context.Background(), ok); err != nil {
		t.Fatal(err)
	}
	for name, m := range map[string]transport.Mail{
		"header injection in subject": {To: "ana@example.com", Subject: "hi\r\nBcc: eve@example.com", Text: "x", ID: "a"},
		"display name":                {To: "Ana <ana@example.com>", Subject: "hi", Text: "x", ID: "a"},
		"no text":                     {To: "ana@example.com", Subject: "hi", ID: "a"},
		"no id":                       {To: "ana@example.com", Subject: "hi", Text: "x"},
		"id with a bracket":           {To: "ana@example.com", Subject: "hi", Text: "x", ID: "a>b"},
	} {
		if err := box.Send(context.Background(), m); coach.ErrorCode(err) != coach.EINVALID {
			t.Errorf("%s: got %v, want invalid", name, err)
		}
	}
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if err := box.Send(ctx, ok); coach.ErrorCode(err) != coach.ECANCELED {
		t.Errorf("canceled: got %v", err)
	}
	if diff := cmp.Diff([]transport.Mail{ok}, box.To("ana@example.com")); diff != "" {
		t.Errorf("mailbox (-want +got):\n%s", diff)
	}
	if got := box.To("bob@example.com"); len(got) != 0 {
		t.Errorf("bob got %v", got)
	}
}
