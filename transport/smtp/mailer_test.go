package smtp_test

import (
	"bytes"
	"context"
	"crypto/tls"
	"io"
	"mime"
	"mime/multipart"
	"mime/quotedprintable"
	"net/mail"
	"net/textproto"
	"net/url"
	"strconv"
	"strings"
	"testing"
	"time"

	gosmtp "github.com/emersion/go-smtp"

	"github.com/tradecoach/coach"
	"github.com/tradecoach/coach/internal/secrettest"
	"github.com/tradecoach/coach/transport"
	"github.com/tradecoach/coach/transport/smtp"
)

var sentAt = time.Date(2026, 12, 7, 9, 30, 0, 0, time.UTC)

// newMailer returns a Mailer for r in plain text (r is on loopback) with cfg's other fields.
func newMailer(t *testing.T, r *relay, cfg smtp.Config) *smtp.Mailer {
	t.Helper()
	cfg.Host, cfg.Port = r.host, r.port
	if cfg.TLS == "" {
		cfg.TLS = smtp.NoTLS
	}
	if cfg.From == "" {
		cfg.From = "Coach <coach@tradecoach.test>"
	}
	if cfg.Clock == nil {
		cfg.Clock = coach.NewManualClock(sentAt)
	}
	m, err := smtp.New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	return m
}

func digestMail() transport.Mail {
	return transport.Mail{
		To:      "trader@example.com",
		Subject: "Your week 2026-W49: 12 trades, FOMO ×3 — Zusammenfassung für dich",
		Text:    "Hello.\nYou traded 12 times this week.\n.\nA line that starts with a dot stays.\n" + strings.Repeat("long ", 40) + "\n",
		ID:      "digest:u1:2026-W49",
	}
}

// parse reads a delivered message as a mail reader would.
func parse(t *testing.T, data []byte) *mail.Message {
	t.Helper()
	msg, err := mail.ReadMessage(bytes.NewReader(data))
	if err != nil {
		t.Fatalf("delivered message does not parse: %v\n%s", err, data)
	}
	return msg
}

func qp(t *testing.T, r io.Reader) string {
	t.Helper()
	b, err := io.ReadAll(quotedprintable.NewReader(r))
	if err != nil {
		t.Fatal(err)
	}
	return strings.ReplaceAll(string(b), "\r\n", "\n")
}

func TestSendTextMessageParses(t *testing.T) {
	t.Parallel()
	r := startRelay(t, nil)
	m := digestMail()
	if err := newMailer(t, r, smtp.Config{}).Send(context.Background(), m); err != nil {
		t.Fatal(err)
	}
	got := r.messages()
	if len(got) != 1 {
		t.Fatalf("relay received %d messages, want 1", len(got))
	}
	if got[0].from != "coach@tradecoach.test" || len(got[0].to) != 1 || got[0].to[0] != m.To {
		t.Errorf("envelope from %q to %q, want coach@tradecoach.test to [%s]", got[0].from, got[0].to, m.To)
	}
	head, body, _ := strings.Cut(string(got[0].data), "\r\n\r\n")
	for _, line := range strings.Split(head, "\r\n") {
		if len(line) > 998 || len(line) > 78 && !strings.HasPrefix(line, "Subject: =?") {
			t.Errorf("header line of %d bytes: %q", len(line), line)
		}
	}
	for _, line := range strings.Split(body, "\r\n") {
		if len(line) > 76 {
			t.Errorf("body line of %d bytes: %q", len(line), line)
		}
	}
	msg := parse(t, got[0].data)
	subject, err := new(mime.WordDecoder).DecodeHeader(msg.Header.Get("Subject"))
	if err != nil || subject != m.Subject {
		t.Errorf("Subject decodes to %q (%v), want %q", subject, err, m.Subject)
	}
	if raw := msg.Header.Get("Subject"); !strings.Contains(raw, "=?utf-8?q?") {
		t.Errorf("Subject %q is not Q-encoded", raw)
	}
	from, err := msg.Header.AddressList("From")
	if err != nil || len(from) != 1 || from[0].Address != "coach@tradecoach.test" || from[0].Name != "Coach" {
		t.Errorf("From = %v (%v)", from, err)
	}
	to, err := msg.Header.AddressList("To")
	if err != nil || len(to) != 1 || to[0].Address != m.To {
		t.Errorf("To = %v (%v)", to, err)
	}
	if date, err := msg.Header.Date(); err != nil || !date.Equal(sentAt) {
		t.Errorf("Date = %v (%v), want %v", date, err, sentAt)
	}
	if id := msg.Header.Get("Message-ID"); id != "<digest%3Au1%3A2026-W49@tradecoach.test>" {
		t.Errorf("Message-ID = %q", id)
	}
	if v := msg.Header.Get("MIME-Version"); v != "1.0" {
		t.Errorf("MIME-Version = %q", v)
	}
	mt, params, err := mime.ParseMediaType(msg.Header.Get("Content-Type"))
	if err != nil || mt != "text/plain" || params["charset"] != "utf-8" {
		t.Errorf("Content-Type = %q, %v (%v)", mt, params, err)
	}
	if cte := msg.Header.Get("Content-Transfer-Encoding"); cte != "quoted-printable" {
		t.Fatalf("Content-Transfer-Encoding = %q", cte)
	}
	if body := qp(t, msg.Body); body != m.Text {
		t.Errorf("body = %q, want %q", body, m.Text)
	}
}

func TestSendHTMLIsMultipartAlternative(t *testing.T) {
	t.Parallel()
	r := startRelay(t, nil)
	m := digestMail()
	m.HTML = "<p>You traded <b>12</b> times — voilà.</p>"
	if err := newMailer(t, r, smtp.Config{}).Send(context.Background(), m); err != nil {
		t.Fatal(err)
	}
	msg := parse(t, r.messages()[0].data)
	mt, params, err := mime.ParseMediaType(msg.Header.Get("Content-Type"))
	if err != nil || mt != "multipart/alternative" || params["boundary"] == "" {
		t.Fatalf("Content-Type = %q, %v (%v)", mt, params, err)
	}
	mr := multipart.NewReader(msg.Body, params["boundary"])
	var types, bodies []string
	for {
		p, err := mr.NextRawPart()
		if err == io.EOF {
			break
		}
		if err != nil {
			t.Fatal(err)
		}
		if p.Header.Get("Content-Transfer-Encoding") != "quoted-printable" {
			t.Errorf("part encoding %q", p.Header.Get("Content-Transfer-Encoding"))
		}
		types = append(types, p.Header.Get("Content-Type"))
		bodies = append(bodies, qp(t, p))
	}
	want := []string{"text/plain; charset=utf-8", "text/html; charset=utf-8"}
	if strings.Join(types, "|") != strings.Join(want, "|") {
		t.Errorf("parts %q, want %q (plain first: the preferred last)", types, want)
	}
	if len(bodies) == 2 && (bodies[0] != m.Text || bodies[1] != m.HTML+"\n") {
		t.Errorf("bodies %q", bodies)
	}
}

// No field of a Mail can add a header or a recipient: line breaks are refused before anything is
// sent, and what is sent has exactly one of each header.
func TestHeaderInjectionIsImpossible(t *testing.T) {
	t.Parallel()
	r := startRelay(t, nil)
	mailer := newMailer(t, r, smtp.Config{})
	for name, mut := range map[string]func(*transport.Mail){
		"subject CRLF": func(m *transport.Mail) { m.Subject = "hi\r\nBcc: evil@example.net" },
		"subject LF":   func(m *transport.Mail) { m.Subject = "hi\nBcc: evil@example.net" },
		"subject CR":   func(m *transport.Mail) { m.Subject = "hi\rBcc: evil@example.net" },
		"to CRLF":      func(m *transport.Mail) { m.To = "a@example.com\r\nBcc: evil@example.net" },
		"to list":      func(m *transport.Mail) { m.To = "a@example.com, evil@example.net" },
		"to named":     func(m *transport.Mail) { m.To = "Evil <evil@example.net>" },
		"id CRLF":      func(m *transport.Mail) { m.ID = "x\r\nBcc: evil@example.net" },
		"id bracket":   func(m *transport.Mail) { m.ID = "x>\r\nBcc:<y" },
	} {
		m := digestMail()
		mut(&m)
		if err := mailer.Send(context.Background(), m); coach.ErrorCode(err) != coach.EINVALID {
			t.Errorf("%s: Send = %v, want EINVALID", name, err)
		}
	}
	if n := len(r.messages()); n != 0 {
		t.Fatalf("relay received %d messages from refused mails", n)
	}
	// Header-like text in the body and the subject stays inside them.
	m := digestMail()
	m.Subject = "Bcc: evil@example.net =?utf-8?q?x?="
	m.Text = "\r\nBcc: evil@example.net\r\n\r\n.\r\nRCPT TO:<evil@example.net>\r\n"
	if err := mailer.Send(context.Background(), m); err != nil {
		t.Fatal(err)
	}
	got := r.messages()
	if len(got) != 1 || len(got[0].to) != 1 || got[0].to[0] != m.To {
		t.Fatalf("envelope recipients %v, want only %s", got, m.To)
	}
	msg := parse(t, got[0].data)
	for _, h := range []string{"Bcc", "Cc"} {
		if v, ok := msg.Header[h]; ok {
			t.Errorf("header %s: %q appeared", h, v)
		}
	}
	for _, h := range []string{"From", "To", "Subject", "Date", "Message-ID"} {
		if n := len(msg.Header[textproto.CanonicalMIMEHeaderKey(h)]); n != 1 {
			t.Errorf("%d %s headers, want 1", n, h)
		}
	}
}

func TestAuthPlainCredentialsAreChecked(t *testing.T) {
	t.Parallel()
	const pass = "relay-password-7c1e"
	r := startRelay(t, nil, withAuth("coach", pass))
	if err := newMailer(t, r, smtp.Config{Username: "coach", Password: pass}).Send(context.Background(), digestMail()); err != nil {
		t.Fatalf("right credentials: %v", err)
	}
	err := newMailer(t, r, smtp.Config{Username: "coach", Password: "wrong"}).Send(context.Background(), digestMail())
	if coach.ErrorCode(err) != coach.EUNAVAILABLE {
		t.Errorf("wrong password: %v, want EUNAVAILABLE", err)
	}
	if err != nil && strings.Contains(err.Error(), "wrong") {
		t.Errorf("error shows the password: %v", err)
	}
	if err := newMailer(t, r, smtp.Config{}).Send(context.Background(), digestMail()); coach.ErrorCode(err) != coach.EUNAVAILABLE {
		t.Errorf("no credentials where the relay wants them: %v, want EUNAVAILABLE", err)
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	if len(r.received) != 1 || len(r.authed) != 1 || r.authed[0] != "coach" || r.failed != 1 {
		t.Errorf("relay: %d received, signed in %v, %d refused; want 1, [coach], 1", len(r.received), r.authed, r.failed)
	}
}

func TestRelayRepliesMapToCodes(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name          string
		rcpt, data    error
		want          coach.Code
		wantInMessage string
	}{
		{"4xx at RCPT", &gosmtp.SMTPError{Code: 451, EnhancedCode: gosmtp.EnhancedCode{4, 3, 0}, Message: "try later trader@example.com"}, nil, coach.EUNAVAILABLE, "451 4.3.0"},
		{"4xx at DATA", nil, &gosmtp.SMTPError{Code: 452, EnhancedCode: gosmtp.EnhancedCode{4, 3, 1}, Message: "full"}, coach.EUNAVAILABLE, "452"},
		{"5xx at RCPT", &gosmtp.SMTPError{Code: 550, EnhancedCode: gosmtp.EnhancedCode{5, 1, 1}, Message: "no such user trader@example.com"}, nil, coach.EINVALID, "550 5.1.1"},
		{"5xx at DATA", nil, &gosmtp.SMTPError{Code: 554, EnhancedCode: gosmtp.EnhancedCode{5, 7, 1}, Message: "rejected"}, coach.EINVALID, "554"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			r := startRelay(t, nil)
			r.rcptErr, r.dataErr = tc.rcpt, tc.data
			err := newMailer(t, r, smtp.Config{}).Send(context.Background(), digestMail())
			if coach.ErrorCode(err) != tc.want {
				t.Fatalf("Send = %v, want %s", err, tc.want)
			}
			if msg := err.Error(); !strings.Contains(msg, tc.wantInMessage) || strings.Contains(msg, "trader@example.com") {
				t.Errorf("error %q: want the reply code %q and never the relay's text (it may hold the address)", msg, tc.wantInMessage)
			}
		})
	}
}

func TestStartTLSWithTestCertificate(t *testing.T) {
	t.Parallel()
	cert, pool := testCert(t)
	const pass = "tls-only-password"
	r := startRelay(t, nil, withTLS(cert), withAuth("coach", pass))
	m := newMailer(t, r, smtp.Config{TLS: smtp.StartTLS, TLSConfig: &tls.Config{RootCAs: pool}, Username: "coach", Password: pass})
	if err := m.Send(context.Background(), digestMail()); err != nil {
		t.Fatal(err)
	}
	if got := r.messages(); len(got) != 1 {
		t.Fatalf("relay received %d messages", len(got))
	}
	r.mu.Lock()
	seen := append([]bool(nil), r.tlsSeen...)
	r.mu.Unlock()
	// go-smtp opens a session at the first EHLO (plain) and again after STARTTLS (encrypted).
	if len(seen) == 0 || !seen[len(seen)-1] {
		t.Errorf("sessions TLS %v: the message went in plain text", seen)
	}

	// A certificate the client does not trust, or a relay without STARTTLS, sends nothing.
	untrusted := newMailer(t, r, smtp.Config{TLS: smtp.StartTLS, Username: "coach", Password: pass})
	if err := untrusted.Send(context.Background(), digestMail()); coach.ErrorCode(err) != coach.EUNAVAILABLE {
		t.Errorf("untrusted certificate: %v, want EUNAVAILABLE", err)
	}
	plain := startRelay(t, nil)
	noTLS := newMailer(t, plain, smtp.Config{TLS: smtp.StartTLS, TLSConfig: &tls.Config{RootCAs: pool}})
	if err := noTLS.Send(context.Background(), digestMail()); coach.ErrorCode(err) != coach.EUNAVAILABLE {
		t.Errorf("relay without STARTTLS: %v, want EUNAVAILABLE", err)
	}
	if n := len(plain.messages()) + len(r.messages()); n != 1 {
		t.Errorf("%d messages in all, want only the first", n)
	}
}

func TestImplicitTLS(t *testing.T) {
	t.Parallel()
	cert, pool := testCert(t)
	r := startRelay(t, &cert)
	m := newMailer(t, r, smtp.Config{TLS: smtp.ImplicitTLS, TLSConfig: &tls.Config{RootCAs: pool}})
	if err := m.Send(context.Background(), digestMail()); err != nil {
		t.Fatal(err)
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	if len(r.received) != 1 || len(r.tlsSeen) != 1 || !r.tlsSeen[0] {
		t.Errorf("received %d, sessions TLS %v", len(r.received), r.tlsSeen)
	}
}

func TestSlowRelayHitsTheTimeout(t *testing.T) {
	t.Parallel()
	host, port := silentServer(t)
	m, err := smtp.New(smtp.Config{Host: host, Port: port, TLS: smtp.NoTLS, From: "coach@tradecoach.test", Timeout: 200 * time.Millisecond})
	if err != nil {
		t.Fatal(err)
	}
	if err := m.Send(context.Background(), digestMail()); coach.ErrorCode(err) != coach.EUNAVAILABLE {
		t.Errorf("silent relay: %v, want EUNAVAILABLE", err)
	}

	r := startRelay(t, nil)
	r.dataDelay = 2 * time.Second
	slow := newMailer(t, r, smtp.Config{Timeout: 200 * time.Millisecond})
	if err := slow.Send(context.Background(), digestMail()); coach.ErrorCode(err) != coach.EUNAVAILABLE {
		t.Errorf("relay slow to accept: %v, want EUNAVAILABLE", err)
	}
}

func TestCanceledContext(t *testing.T) {
	t.Parallel()
	r := startRelay(t, nil)
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if err := newMailer(t, r, smtp.Config{}).Send(ctx, digestMail()); coach.ErrorCode(err) != coach.ECANCELED {
		t.Errorf("canceled before: %v, want ECANCELED", err)
	}
	host, port := silentServer(t)
	m, err := smtp.New(smtp.Config{Host: host, Port: port, TLS: smtp.NoTLS, From: "coach@tradecoach.test"})
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel = context.WithTimeout(context.Background(), 100*time.Millisecond)
	defer cancel()
	if err := m.Send(ctx, digestMail()); coach.ErrorCode(err) != coach.ECANCELED {
		t.Errorf("caller's deadline during the session: %v, want ECANCELED", err)
	}
	if n := len(r.messages()); n != 0 {
		t.Errorf("%d messages sent", n)
	}
}

// A relay that hangs up at once (as a vanished host does) is EUNAVAILABLE.
func TestRelayThatHangsUp(t *testing.T) {
	t.Parallel()
	u, err := url.Parse(secrettest.HangUpURL(t))
	if err != nil {
		t.Fatal(err)
	}
	port, _ := strconv.Atoi(u.Port())
	m, err := smtp.New(smtp.Config{Host: u.Hostname(), Port: port, TLS: smtp.NoTLS, From: "coach@tradecoach.test"})
	if err != nil {
		t.Fatal(err)
	}
	if err := m.Send(context.Background(), digestMail()); coach.ErrorCode(err) != coach.EUNAVAILABLE {
		t.Errorf("relay hangs up: %v, want EUNAVAILABLE", err)
	}
}
