package infra_test

import (
	"context"
	"io"
	"log/slog"
	"testing"

	"github.com/tradecoach/coach"
	"github.com/tradecoach/coach/refhost/config"
	"github.com/tradecoach/coach/refhost/infra"
	"github.com/tradecoach/coach/transport/memory"
	"github.com/tradecoach/coach/transport/smtp"
)

// The configuration chooses the Mailer: SMTP when it names a relay, the in-memory mailbox when
// not; an SMTP configuration transport/smtp refuses keeps the host from starting.
func TestOpenChoosesTheMailer(t *testing.T) {
	ctx := context.Background()
	log := slog.New(slog.NewTextHandler(io.Discard, nil))
	for _, tc := range []struct {
		name string
		cfg  config.Config
		want string
	}{
		{"no relay", config.Config{}, "memory"},
		{"relay", config.Config{SMTPHost: "smtp.example.com", SMTPTLS: "starttls", SMTPUsername: "coach", SMTPPassword: "pw", SMTPFrom: "Coach <coach@example.com>"}, "smtp"},
		{"plain text to a remote relay", config.Config{SMTPHost: "smtp.example.com", SMTPTLS: "none", SMTPFrom: "coach@example.com"}, "refused"},
		{"no sender", config.Config{SMTPHost: "smtp.example.com", SMTPTLS: "tls"}, "refused"},
	} {
		in, err := infra.Open(ctx, tc.cfg, coach.SystemClock{}, log)
		if tc.want == "refused" {
			if coach.ErrorCode(err) != coach.EINVALID {
				t.Errorf("%s: Open = %v, want EINVALID", tc.name, err)
			}
			continue
		}
		if err != nil {
			t.Fatalf("%s: %v", tc.name, err)
		}
		switch m := in.Mailer.(type) {
		case *memory.Mailbox:
			if tc.want != "memory" {
				t.Errorf("%s: Mailer is the in-memory mailbox", tc.name)
			}
		case *smtp.Mailer:
			if tc.want != "smtp" {
				t.Errorf("%s: Mailer is %v", tc.name, m)
			}
		default:
			t.Errorf("%s: Mailer is %T", tc.name, m)
		}
		_ = in.Close()
	}
}
