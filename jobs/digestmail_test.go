package jobs_test

import (
	"context"
	"strings"
	"sync"
	"testing"

	"github.com/tradecoach/coach"
	"github.com/tradecoach/coach/digest"
	"github.com/tradecoach/coach/jobs"
	"github.com/tradecoach/coach/transport"
	"github.com/tradecoach/coach/transport/memory"
)

// switchMailer is a transport.Mailer that fails with err while err is set, and otherwise hands
// each message to an in-memory mailbox.
type switchMailer struct {
	mu    sync.Mutex
	err   error
	tries int
	box   memory.Mailbox
}

func (m *switchMailer) Send(ctx context.Context, msg transport.Mail) error {
	m.mu.Lock()
	m.tries++
	err := m.err
	m.mu.Unlock()
	if err != nil {
		return err
	}
	return m.box.Send(ctx, msg)
}

func (m *switchMailer) fail(err error) { m.mu.Lock(); m.err = err; m.mu.Unlock() }

// digestMailFixture is a fixture whose user has an email address and the given opt-in, with the
// demo trades imported, and handlers that mail through a switchMailer.
func digestMailFixture(t *testing.T, optIn bool) (*fixture, *jobs.Handlers, *switchMailer, transport.Job) {
	t.Helper()
	f := newFixture(t)
	f.user.Email, f.user.DigestByEmail = "trader-"+strings.ToLower(f.user.ID)+"@example.com", optIn
	must(t, f.store.Users().Update(f.ctx, f.user), "set the user's email and opt-in")
	mailer := &switchMailer{}
	f.cfg.Mailer, f.cfg.Clock = mailer, f.clock
	h := f.handlers(&recordingQueue{})
	must(t, h.ImportTrades(f.ctx, f.job(jobs.ImportJob(f.importPayload()))), "ImportTrades")
	return f, h, mailer, f.job(jobs.DigestJob(jobs.DigestPayload{UserID: f.user.ID, Week: f.lastWeek().String()}))
}

func TestDigestWeeklyMailsAnOptedInUserOnce(t *testing.T) {
	t.Parallel()
	f, h, mailer, j := digestMailFixture(t, true)
	must(t, h.DigestWeekly(f.ctx, j), "DigestWeekly")
	d, err := f.store.Digests().Latest(f.ctx, f.user.ID)
	must(t, err, "Latest")
	if d.DeliveredAt == nil || !d.DeliveredAt.Equal(f.clock.Now()) {
		t.Fatalf("DeliveredAt = %v, want %v", d.DeliveredAt, f.clock.Now())
	}
	sent := mailer.box.Sent()
	if len(sent) != 1 {
		t.Fatalf("%d mails sent, want 1", len(sent))
	}
	week := f.lastWeek().String()
	m := sent[0]
	p, err := digest.ParsePayload(d.Payload)
	must(t, err, "ParsePayload")
	text, err := digest.RenderText(p)
	must(t, err, "RenderText")
	if m.To != f.user.Email || m.ID != jobs.DigestID(f.user.ID, week) || !strings.Contains(m.Subject, week) ||
		!strings.HasPrefix(m.Text, text) || !strings.Contains(m.Text, "turned on the weekly digest by email") {
		t.Errorf("mail %+v: want the digest's text to %s with id %s", m, f.user.Email, jobs.DigestID(f.user.ID, week))
	}

	// The job again (a repeat, or a retry after a later step failed): nothing more is sent.
	f.clock.Advance(1)
	must(t, h.DigestWeekly(f.ctx, j), "DigestWeekly again")
	if n := len(mailer.box.Sent()); n != 1 {
		t.Errorf("%d mails after the job ran again, want 1", n)
	}
	again, err := f.store.Digests().Latest(f.ctx, f.user.ID)
	must(t, err, "Latest")
	if again.DeliveredAt == nil || !again.DeliveredAt.Equal(*d.DeliveredAt) {
		t.Errorf("DeliveredAt moved from %v to %v", d.DeliveredAt, again.DeliveredAt)
	}
}

func TestDigestWeeklyMailsNoOneWhoDidNotOptIn(t *testing.T) {
	t.Parallel()
	f, h, mailer, j := digestMailFixture(t, false)
	must(t, h.DigestWeekly(f.ctx, j), "DigestWeekly")
	d, err := f.store.Digests().Latest(f.ctx, f.user.ID)
	must(t, err, "Latest")
	if n := len(mailer.box.Sent()); n != 0 || d.DeliveredAt != nil {
		t.Errorf("%d mails, DeliveredAt %v; want none and unset", n, d.DeliveredAt)
	}
}

func TestDigestWeeklyRetriesAFailedMail(t *testing.T) {
	t.Parallel()
	f, h, mailer, j := digestMailFixture(t, true)
	mailer.fail(coach.Errorf(coach.EUNAVAILABLE, "relay down"))
	err := h.DigestWeekly(f.ctx, j)
	if coach.ErrorCode(err) != coach.EUNAVAILABLE || jobs.Classify(err) != jobs.Retry {
		t.Fatalf("DigestWeekly with the relay down = %v, want EUNAVAILABLE (retry)", err)
	}
	d, err := f.store.Digests().Latest(f.ctx, f.user.ID)
	must(t, err, "Latest")
	if d.DeliveredAt != nil {
		t.Fatalf("DeliveredAt = %v after a failed mail, want unset", d.DeliveredAt)
	}
	mailer.fail(nil)
	must(t, h.DigestWeekly(f.ctx, j), "DigestWeekly retried")
	d, err = f.store.Digests().Latest(f.ctx, f.user.ID)
	must(t, err, "Latest")
	if n := len(mailer.box.Sent()); n != 1 || d.DeliveredAt == nil {
		t.Errorf("after the retry: %d mails, DeliveredAt %v; want 1 and set", n, d.DeliveredAt)
	}
	// Retried once more after delivery: no attempt to send at all.
	mailer.mu.Lock()
	tries := mailer.tries
	mailer.mu.Unlock()
	must(t, h.DigestWeekly(f.ctx, j), "DigestWeekly after delivery")
	mailer.mu.Lock()
	defer mailer.mu.Unlock()
	if mailer.tries != tries {
		t.Errorf("the Mailer was called %d more times after delivery", mailer.tries-tries)
	}
}

func TestDigestMail(t *testing.T) {
	t.Parallel()
	u := coach.User{ID: "u1", Email: "a@example.com"}
	if _, err := jobs.DigestMail(coach.User{ID: "u1"}, coach.Digest{}); coach.ErrorCode(err) != coach.EINVALID {
		t.Errorf("no email: %v, want EINVALID", err)
	}
	if _, err := jobs.DigestMail(u, coach.Digest{Payload: []byte(`{"v":99}`)}); coach.ErrorCode(err) != coach.EINVALID {
		t.Errorf("bad payload: %v, want EINVALID", err)
	}
}
