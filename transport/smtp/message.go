package smtp

import (
	"bytes"
	"fmt"
	"mime"
	"mime/multipart"
	"mime/quotedprintable"
	"net/mail"
	"net/textproto"
	"strings"
	"time"

	"github.com/pkg/errors"

	"github.com/tradecoach/coach"
	"github.com/tradecoach/coach/transport"
)

// maxLine is the longest header line written; RFC 5322 allows 998 and recommends 78.
const maxLine = 78

// compose writes m as an RFC 5322 message with CRLF line ends: headers From, To, Subject, Date,
// Message-ID and MIME-Version, then a text/plain body, or a multipart/alternative one (text,
// then HTML) when m has HTML. Bodies are UTF-8 in quoted-printable, so every line stays short and
// 7-bit whatever the text holds. m must have passed Validate: header fields hold no line breaks.
func compose(m transport.Mail, from *mail.Address, now time.Time) ([]byte, error) {
	var b bytes.Buffer
	header(&b, "From", from.String())
	header(&b, "To", (&mail.Address{Address: m.To}).String())
	header(&b, "Subject", mime.QEncoding.Encode("utf-8", m.Subject))
	header(&b, "Date", now.Format(time.RFC1123Z))
	header(&b, "Message-ID", MessageID(m.ID, from.Address))
	header(&b, "MIME-Version", "1.0")
	if m.HTML == "" {
		header(&b, "Content-Type", "text/plain; charset=utf-8")
		header(&b, "Content-Transfer-Encoding", "quoted-printable")
		b.WriteString("\r\n")
		if err := writeQP(&b, m.Text); err != nil {
			return nil, err
		}
		return b.Bytes(), nil
	}
	var body bytes.Buffer
	w := multipart.NewWriter(&body)
	header(&b, "Content-Type", mime.FormatMediaType("multipart/alternative", map[string]string{"boundary": w.Boundary()}))
	b.WriteString("\r\n")
	for _, part := range []struct{ typ, text string }{{"text/plain", m.Text}, {"text/html", m.HTML}} {
		pw, err := w.CreatePart(textproto.MIMEHeader{
			"Content-Type":              {part.typ + "; charset=utf-8"},
			"Content-Transfer-Encoding": {"quoted-printable"},
		})
		if err != nil {
			return nil, errors.Wrap(err, "smtp: compose part")
		}
		var qp bytes.Buffer
		if err := writeQP(&qp, part.text); err != nil {
			return nil, err
		}
		if _, err := pw.Write(qp.Bytes()); err != nil {
			return nil, errors.Wrap(err, "smtp: compose part")
		}
	}
	if err := w.Close(); err != nil {
		return nil, errors.Wrap(err, "smtp: compose")
	}
	b.Write(body.Bytes())
	return b.Bytes(), nil
}

// writeQP writes text in quoted-printable with CRLF line ends (a bare LF or CR in text is a line
// end too), ending with a line end.
func writeQP(b *bytes.Buffer, text string) error {
	text = strings.ReplaceAll(strings.ReplaceAll(text, "\r\n", "\n"), "\r", "\n")
	w := quotedprintable.NewWriter(b)
	// The writer turns "\n" into CRLF as a hard line break (Binary is false).
	if _, err := w.Write([]byte(text)); err != nil {
		return errors.Wrap(err, "smtp: quoted-printable")
	}
	if err := w.Close(); err != nil {
		return errors.Wrap(err, "smtp: quoted-printable")
	}
	if !strings.HasSuffix(text, "\n") {
		b.WriteString("\r\n")
	}
	return nil
}

// header writes "name: value" folded at spaces so that lines stay within maxLine where the value
// allows (a word longer than that stays whole on its line; Validate caps a Subject at 998 bytes
// and an encoded word is at most 75).
func header(b *bytes.Buffer, name, value string) {
	line := name + ":"
	for i, word := range strings.Split(value, " ") {
		if i > 0 && len(line)+1+len(word) > maxLine && strings.TrimSpace(line) != "" {
			b.WriteString(line + "\r\n")
			line = ""
		}
		line += " " + word
	}
	b.WriteString(line + "\r\n")
}

// MessageID returns the Message-ID header of the mail with id sent from the address from:
// "<" + id + "@" + from's domain + ">", with every byte of id that may not stand in a Message-ID's
// left part (RFC 5322 atext, '.' and '%' included) written as %XX. Distinct ids give distinct
// Message-IDs, and a retried Send gives the same one, so receivers can dedupe by it.
func MessageID(id, from string) string {
	domain := "localhost"
	if at := strings.LastIndexByte(from, '@'); at >= 0 && at+1 < len(from) {
		domain = from[at+1:]
	}
	var left strings.Builder
	for i := 0; i < len(id); i++ {
		c := id[i]
		if atext(c) {
			left.WriteByte(c)
			continue
		}
		fmt.Fprintf(&left, "%%%02X", c)
	}
	return "<" + left.String() + "@" + domain + ">"
}

// atext reports whether c may stand in a Message-ID's left part unescaped (RFC 5322 atext, less
// '%', which escapes).
func atext(c byte) bool {
	switch {
	case 'a' <= c && c <= 'z', 'A' <= c && c <= 'Z', '0' <= c && c <= '9':
		return true
	}
	return strings.IndexByte("!#$&'*+-/=?^_`{|}~", c) >= 0
}

// checkHeaders is a last guard against header injection: no composed header field may hold a
// bare CR or LF. Validate already refuses them; this keeps a future field from slipping by.
func checkHeaders(m transport.Mail) error {
	for _, v := range []string{m.To, m.Subject, m.ID} {
		if strings.ContainsAny(v, "\r\n") {
			return coach.Errorf(coach.EINVALID, "mail: header fields may not hold line breaks")
		}
	}
	return nil
}
