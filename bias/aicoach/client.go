package aicoach

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/base64"
	"encoding/json"
	"io"
	"net/http"
	"net/url"
	"strings"

	"github.com/pkg/errors"

	"github.com/tradecoach/coach"
	"github.com/tradecoach/coach/bias"
	"github.com/tradecoach/coach/transport/hmac"
)

// Client defaults.
const (
	DefaultPageBytes        = 256 << 10
	MinPageBytes            = 4 << 10
	DefaultMaxResponseBytes = 64 << 20
)

// ClientConfig is what a Client needs.
type ClientConfig struct {
	// BaseURL is the AI-coach service's root, http or https (a path prefix is kept). Required.
	BaseURL string
	// Key signs every request. Required (see hmac.SignerConfig).
	Key hmac.Key
	// Transport sends the signed requests; http.DefaultTransport when nil.
	Transport http.RoundTripper
	// Clock stamps the signatures; coach.SystemClock when nil.
	Clock coach.Clock
	// PageBytes is the target size of a scoring page's body (DefaultPageBytes when 0, at least
	// MinPageBytes). A page is never larger, unless one trade or bar alone is.
	PageBytes int
	// MaxResponseBytes bounds an answer's body (DefaultMaxResponseBytes when 0).
	MaxResponseBytes int64
}

// Client is a bias.Coach that calls the AI-coach service: every request signed with Key, a
// scoring run sent in pages of about PageBytes, tags sent for reflection in pages of at most
// MaxReflectTags and about PageBytes. Build it with NewClient; a Client not built that way
// returns EINVALID from every method.
type Client struct {
	base      *url.URL
	http      *http.Client
	pageBytes int
	maxResp   int64
}

var _ bias.Coach = (*Client)(nil)

// NewClient returns a Client, or an EINVALID error naming the first missing or invalid field.
func NewClient(cfg ClientConfig) (*Client, error) {
	u, err := url.Parse(cfg.BaseURL)
	switch {
	case cfg.BaseURL == "":
		return nil, coach.Errorf(coach.EINVALID, "aicoach: ClientConfig.BaseURL is required")
	case err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" || u.RawQuery != "" || u.Fragment != "":
		return nil, coach.Errorf(coach.EINVALID, "aicoach: ClientConfig.BaseURL: want an http(s) URL without query")
	case cfg.PageBytes != 0 && cfg.PageBytes < MinPageBytes:
		return nil, coach.Errorf(coach.EINVALID, "aicoach: ClientConfig.PageBytes: at least %d", MinPageBytes)
	case cfg.MaxResponseBytes < 0:
		return nil, coach.Errorf(coach.EINVALID, "aicoach: ClientConfig.MaxResponseBytes must not be negative")
	}
	signer, err := hmac.NewSigner(hmac.SignerConfig{Key: cfg.Key, Next: cfg.Transport, Clock: cfg.Clock})
	if err != nil {
		return nil, coach.Errorf(coach.EINVALID, "aicoach: ClientConfig.Key: %s", coach.ErrorMessage(err))
	}
	c := &Client{base: u, http: &http.Client{Transport: signer}, pageBytes: cfg.PageBytes, maxResp: cfg.MaxResponseBytes}
	if c.pageBytes == 0 {
		c.pageBytes = DefaultPageBytes
	}
	if c.maxResp == 0 {
		c.maxResp = DefaultMaxResponseBytes
	}
	return c, nil
}

var errClientNotConstructed = coach.Errorf(coach.EINVALID, "aicoach: Client not constructed; use aicoach.NewClient")

func (c *Client) constructed() bool { return c != nil && c.http != nil }

// Indicators sends req in one request: a series longer than bias.MaxIndicatorPoints is EINVALID
// before anything is sent.
func (c *Client) Indicators(ctx context.Context, req bias.IndicatorRequest) (bias.IndicatorResult, error) {
	if !c.constructed() {
		return bias.IndicatorResult{}, errClientNotConstructed
	}
	if len(req.Close) > bias.MaxIndicatorPoints || len(req.High) > bias.MaxIndicatorPoints || len(req.Low) > bias.MaxIndicatorPoints {
		return bias.IndicatorResult{}, coach.Errorf(coach.EINVALID, "indicator %s: at most %d points", clip(req.Name), bias.MaxIndicatorPoints)
	}
	var out IndicatorsResponse
	q := IndicatorsRequest{V: Version, Name: req.Name, Params: nums(req.Params), Close: nums(req.Close), High: nums(req.High), Low: nums(req.Low)}
	if q.Close == nil {
		q.Close = []Num{}
	}
	if q.Params == nil {
		q.Params = []Num{}
	}
	if err := c.post(ctx, PathIndicators, q, &out); err != nil {
		return bias.IndicatorResult{}, err
	}
	res := bias.IndicatorResult{Series: make(map[string][]float64, len(out.Series))}
	for k, ns := range out.Series {
		res.Series[k] = floats(ns)
	}
	return res, nil
}

// Reflect sends tags in pages of at most MaxReflectTags and about PageBytes, and returns the
// texts in the order of tags.
func (c *Client) Reflect(ctx context.Context, tags []coach.BiasTag) ([]string, error) {
	if !c.constructed() {
		return nil, errClientNotConstructed
	}
	texts := make([]string, 0, len(tags))
	for start := 0; start < len(tags); {
		end, size := start, 0
		for end < len(tags) && end-start < MaxReflectTags {
			b, err := json.Marshal(tags[end])
			if err != nil {
				return nil, coach.Errorf(coach.EINVALID, "aicoach: tag %d: %s", end, err)
			}
			if end > start && size+len(b)+1 > c.pageBytes {
				break
			}
			size += len(b) + 1
			end++
		}
		var out ReflectResponse
		if err := c.post(ctx, PathReflect, ReflectRequest{V: Version, Tags: tags[start:end]}, &out); err != nil {
			return nil, err
		}
		if len(out.Texts) != end-start {
			return nil, coach.Errorf(coach.EINTERNAL, "aicoach: reflect answered %d texts for %d tags", len(out.Texts), end-start)
		}
		texts = append(texts, out.Texts...)
		start = end
	}
	return texts, nil
}

// post sends in as JSON to path and reads the answer into out; a refusal becomes the coach.Error
// its body names (by status when the body says nothing).
func (c *Client) post(ctx context.Context, path string, in, out any) error {
	_, err := c.postStatus(ctx, path, in, out)
	return err
}

func (c *Client) postStatus(ctx context.Context, path string, in, out any) (int, error) {
	if ctx == nil {
		ctx = context.Background()
	}
	body, err := json.Marshal(in)
	if err != nil {
		return 0, coach.Errorf(coach.EINVALID, "aicoach: encode request: %s", err)
	}
	u := *c.base
	u.Path = strings.TrimSuffix(u.Path, "/") + path
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, u.String(), bytes.NewReader(body))
	if err != nil {
		return 0, errors.Wrap(err, "aicoach: build request")
	}
	req.Header.Set("Content-Type", "application/json")
	resp, err := c.http.Do(req)
	if err != nil {
		if cerr, ok := coach.ContextError(ctx.Err()); ok {
			return 0, cerr
		}
		return 0, coach.WrapError(coach.EUNAVAILABLE, err, "the AI-coach service did not answer")
	}
	defer resp.Body.Close()
	raw, err := io.ReadAll(io.LimitReader(resp.Body, c.maxResp+1))
	if err != nil {
		return 0, coach.WrapError(coach.EUNAVAILABLE, err, "the AI-coach service's answer broke off")
	}
	if int64(len(raw)) > c.maxResp {
		return 0, coach.Errorf(coach.EINTERNAL, "aicoach: answer larger than %d bytes", c.maxResp)
	}
	if resp.StatusCode >= 300 {
		var eb ErrorBody
		if json.Unmarshal(raw, &eb) != nil || eb.Code == "" {
			eb = ErrorBody{Code: codeOf(resp.StatusCode), Message: "the AI-coach service answered " + resp.Status}
		}
		if eb.Reason != "" {
			eb.Message += " (" + eb.Reason + ")"
		}
		return resp.StatusCode, coach.Errorf(eb.Code, "%s", eb.Message)
	}
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.DisallowUnknownFields()
	if err := dec.Decode(out); err != nil {
		return 0, errors.Wrap(err, "aicoach: decode answer")
	}
	return resp.StatusCode, nil
}

// newRunID returns 16 random bytes, base64url.
func newRunID() (string, error) {
	var b [16]byte
	if _, err := rand.Read(b[:]); err != nil {
		return "", errors.Wrap(err, "aicoach: run id")
	}
	return base64.RawURLEncoding.EncodeToString(b[:]), nil
}
