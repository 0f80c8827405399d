// Package smtp is a transport.Mailer that hands each message to an SMTP relay (RFC 5321), built
// on github.com/emersion/go-smtp's client.
//
// Every Send opens one connection, secures it (STARTTLS, or TLS from the first byte), signs in
// with AUTH PLAIN when credentials are configured, and submits one message: MIME 1.0, text/plain
// in UTF-8 (quoted-printable), or multipart/alternative with the HTML alternative when the Mail
// has one; the Subject encoded as RFC 2047 words when it is not plain ASCII, a Date, and a
// Message-ID made from Mail.ID so that receivers can dedupe a retried message. A plain-text
// connection is allowed only to a loopback relay (a test server or a local MTA).
//
// Errors follow transport.Mailer: EINVALID for a message that fails Validate or that the relay
// refuses for good (a 5xx reply to RCPT or DATA), EUNAVAILABLE when the relay cannot be reached,
// secured or signed in to, refuses the sender, answers 4xx, or does not finish within
// Config.Timeout, and
// ECANCELED when the caller's context ends first. Errors never quote the relay's reply text,
// which may hold the recipient's address, and the password never prints (Config redacts it).
package smtp
