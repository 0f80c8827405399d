package web

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/url"
	"strings"

	"github.com/pkg/errors"

	"github.com/tradecoach/coach"
	"github.com/tradecoach/coach/transport/hmac"
	"github.com/tradecoach/coach/transport/httpjson"
)

// maxCoreAnswer bounds an answer of core that web reads (a dashboard of many trades is the
// largest).
const maxCoreAnswer = 32 << 20

// coreClient calls core with requests signed by the internal key, as a user.
type coreClient struct {
	base   *url.URL
	client *http.Client
}

// newCoreClient signs with the wall clock (core checks timestamps against its own).
func newCoreClient(base string, key []byte, rt http.RoundTripper) (*coreClient, error) {
	u, err := url.Parse(strings.TrimSuffix(base, "/"))
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return nil, coach.Errorf(coach.EINVALID, "web: Config.CoreURL: want a base URL such as http://127.0.0.1:8083")
	}
	signer, err := hmac.NewSigner(hmac.SignerConfig{Key: hmac.NewKey(KeyID, key), Next: rt})
	if err != nil {
		return nil, err
	}
	return &coreClient{base: u, client: &http.Client{Transport: signer,
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}}, nil
}

// callJSON sends in (when not nil) as JSON; see call.
func (c *coreClient) callJSON(ctx context.Context, subject, method, path string, in, out any) error {
	if in == nil {
		return c.call(ctx, subject, method, path, "", nil, out)
	}
	b, err := json.Marshal(in)
	if err != nil {
		return errors.Wrap(err, "web: encode a call to core")
	}
	return c.call(ctx, subject, method, path, "application/json", bytes.NewReader(b), out)
}

// call sends a signed request acting for subject and decodes a 2xx answer into out (when not
// nil). An error answer of core comes back as a coach error of its code and message (its field
// errors as httpjson.FieldErrors); a core that cannot be reached is EUNAVAILABLE.
func (c *coreClient) call(ctx context.Context, subject, method, path, contentType string, body io.Reader, out any) error {
	req, err := http.NewRequestWithContext(ctx, method, c.base.String()+path, body)
	if err != nil {
		return errors.Wrap(err, "web: build a call to core")
	}
	if contentType != "" {
		req.Header.Set("Content-Type", contentType)
	}
	if subject != "" {
		req.Header.Set(hmac.HeaderSubject, subject)
	}
	res, err := c.client.Do(req)
	if err != nil {
		if cerr, ok := coach.ContextError(ctx.Err()); ok {
			return cerr
		}
		return coach.WrapError(coach.EUNAVAILABLE, err, "core is unreachable")
	}
	defer res.Body.Close()
	raw, err := io.ReadAll(io.LimitReader(res.Body, maxCoreAnswer))
	if err != nil {
		return coach.WrapError(coach.EUNAVAILABLE, err, "core's answer was cut short")
	}
	if res.StatusCode == http.StatusUnauthorized && strings.Contains(string(raw), `"reason"`) {
		return coach.Errorf(coach.EINTERNAL, "core refused web's signature on %s %s", method, clipPath(path))
	}
	if res.StatusCode >= 300 {
		var b httpjson.Body
		if json.Unmarshal(raw, &b) != nil || b.Code == "" {
			return coach.Errorf(coach.EINTERNAL, "core answered %d to %s %s", res.StatusCode, method, clipPath(path))
		}
		if len(b.Fields) > 0 {
			return httpjson.FieldErrors(b.Fields)
		}
		return &coach.Error{Code: b.Code, Message: b.Message}
	}
	if out != nil && len(raw) > 0 {
		if err := json.Unmarshal(raw, out); err != nil {
			return errors.Wrapf(err, "web: decode core's answer to %s %s", method, clipPath(path))
		}
	}
	return nil
}

// clipPath keeps a path short for an error message and drops its query.
func clipPath(p string) string {
	p, _, _ = strings.Cut(p, "?")
	if len(p) > 64 {
		return p[:64] + "…"
	}
	return p
}
