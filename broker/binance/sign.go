package binance

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"net/url"
	"strconv"
	"strings"
)

// param is one query parameter; requests keep them in the order they are sent.
type param struct{ k, v string }

// query renders r's parameters as sent. For a signed request it appends recvWindow and
// timestamp (Binance's time by the learned offset), signs exactly the bytes before it, and
// appends the signature last.
func (c *Client) query(r request) string {
	var b strings.Builder
	for i, p := range r.params {
		if i > 0 {
			b.WriteByte('&')
		}
		b.WriteString(url.QueryEscape(p.k))
		b.WriteByte('=')
		b.WriteString(url.QueryEscape(p.v))
	}
	if !r.signed {
		return b.String()
	}
	if b.Len() > 0 {
		b.WriteByte('&')
	}
	b.WriteString("recvWindow=")
	b.WriteString(strconv.FormatInt(c.cfg.RecvWindow.Milliseconds(), 10))
	b.WriteString("&timestamp=")
	b.WriteString(strconv.FormatInt(c.now().UnixMilli(), 10))
	payload := b.String()
	return payload + "&signature=" + sign(c.cfg.SecretKey.Reveal(), payload)
}

// sign returns the lower-case hex HMAC-SHA256 of payload keyed by secret: the signature of a
// Binance request whose query string (followed by its body) is payload.
func sign(secret, payload string) string {
	m := hmac.New(sha256.New, []byte(secret))
	m.Write([]byte(payload))
	return hex.EncodeToString(m.Sum(nil))
}
