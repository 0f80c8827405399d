package web

import (
	"context"
	"io"
	"net/http"

	"github.com/tradecoach/coach"
	"github.com/tradecoach/coach/refhost/coreclient"
	"github.com/tradecoach/coach/transport/hmac"
)

// maxCoreAnswer bounds an answer of core that web reads (a dashboard of many trades is the
// largest).
const maxCoreAnswer = 32 << 20

// coreClient calls core with requests signed by the internal key, as a user.
type coreClient struct{ *coreclient.Client }

// newCoreClient signs with the wall clock (core checks timestamps against its own).
func newCoreClient(base string, key []byte, rt http.RoundTripper) (*coreClient, error) {
	c, err := coreclient.New(coreclient.Config{BaseURL: base, Key: hmac.NewKey(KeyID, key), Transport: rt, Caller: "web",
		MaxAnswerBytes: maxCoreAnswer})
	if err != nil {
		return nil, coach.Errorf(coach.EINVALID, "web: Config.CoreURL: %s", coach.ErrorMessage(err))
	}
	return &coreClient{c}, nil
}

// callJSON sends in (when not nil) as JSON; see call.
func (c *coreClient) callJSON(ctx context.Context, subject, method, path string, in, out any) error {
	return c.Call(ctx, subject, method, path, in, out)
}

// call sends a signed request acting for subject and decodes a 2xx answer into out (when not
// nil); see coreclient.Client.Send for the errors (field errors as httpjson.FieldErrors).
func (c *coreClient) call(ctx context.Context, subject, method, path, contentType string, body io.Reader, out any) error {
	return c.Send(ctx, subject, method, path, contentType, body, out)
}
