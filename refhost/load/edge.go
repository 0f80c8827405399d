package load

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strings"
	"sync"
	"time"

	"github.com/tradecoach/coach"
	"github.com/tradecoach/coach/refhost/edge"
	"github.com/tradecoach/coach/transport/ws"
)

// EdgeConfig is a target through the edge, as a browser reaches it.
type EdgeConfig struct {
	// URL is the edge's base URL, on loopback; it is also the Origin the run's requests carry.
	// Required.
	URL string
	// Run names the run: users are load-{Run}-{i}@example.com. Required.
	Run string
	// Confirm returns the token of the sign-up link the edge mailed to email. When it is set, users
	// sign up through the edge (sign-up, the emailed link, login); when it is nil they are created
	// through core's internal API (CoreURL, Key and KeyID) with an Argon2id hash of their password,
	// then log in through the edge — for a host whose mail the run cannot read.
	Confirm func(ctx context.Context, email string) (string, error)
	CoreURL string
	Key     []byte
	KeyID   string
	// Timeout bounds one request (default 10 s).
	Timeout time.Duration
}

// Edge is a Target that goes through the edge with a session cookie, CSRF token and idempotency
// keys, and follows each user's events over /ws/coach: it measures the edge and core together.
type Edge struct {
	cfg    EdgeConfig
	client *http.Client
	core   *Core // creates users when cfg.Confirm is nil
}

// NewEdge returns an Edge target, or EINVALID naming a missing field or a URL off loopback.
func NewEdge(cfg EdgeConfig) (*Edge, error) {
	if cfg.Run == "" {
		return nil, coach.Errorf(coach.EINVALID, "load: EdgeConfig.Run: required")
	}
	if err := CheckLoopback(cfg.URL); err != nil {
		return nil, err
	}
	cfg.URL = strings.TrimSuffix(cfg.URL, "/")
	if cfg.Timeout <= 0 {
		cfg.Timeout = 10 * time.Second
	}
	e := &Edge{cfg: cfg, client: &http.Client{Transport: newTransport(), Timeout: cfg.Timeout,
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}}
	if cfg.Confirm == nil {
		core, err := NewCore(CoreConfig{URL: cfg.CoreURL, Key: cfg.Key, KeyID: cfg.KeyID, Run: cfg.Run, Timeout: cfg.Timeout})
		if err != nil {
			return nil, coach.Errorf(coach.EINVALID, "load: EdgeConfig: without Confirm, users are made through core: %s", coach.ErrorMessage(err))
		}
		e.core = core
	}
	return e, nil
}

// Name is "edge".
func (e *Edge) Name() string { return "edge" }

// SignUp signs user i up (through the edge's emailed link, or through core), logs them in
// through the edge and connects the demo broker.
func (e *Edge) SignUp(ctx context.Context, i int) (User, error) {
	if e == nil || e.client == nil {
		return nil, coach.Errorf(coach.EINVALID, "load: Edge not constructed; use NewEdge")
	}
	u := &edgeUser{edge: e, cookies: map[string]string{}}
	email, password := fmt.Sprintf("load-%s-%d@example.com", e.cfg.Run, i), "load run password "+coach.NewID()
	creds := map[string]string{"email": email, "password": password}
	if err := u.do(ctx, http.MethodGet, "/auth/csrf", nil, http.StatusOK, nil); err != nil {
		return nil, err
	}
	if e.cfg.Confirm != nil {
		if err := u.do(ctx, http.MethodPost, "/auth/signup", creds, http.StatusAccepted, nil); err != nil {
			return nil, err
		}
		token, err := e.cfg.Confirm(ctx, email)
		if err != nil {
			return nil, err
		}
		if err := u.do(ctx, http.MethodPost, "/auth/signup/confirm", map[string]string{"token": token}, http.StatusNoContent, nil); err != nil {
			return nil, err
		}
	} else {
		body, _ := json.Marshal(map[string]string{"email": email, "passwordHash": edge.HashPassword(password, edge.OWASPParams())})
		if err := e.core.call(ctx, "", http.MethodPost, "/internal/users", string(body), http.StatusCreated, nil); err != nil {
			return nil, err
		}
	}
	if err := u.do(ctx, http.MethodPost, "/auth/login", creds, http.StatusOK, nil); err != nil {
		return nil, err
	}
	if err := u.do(ctx, http.MethodPost, "/brokers/demo", nil, http.StatusCreated, nil); err != nil {
		return nil, err
	}
	return u, nil
}

// edgeUser is a signed-in user of an Edge target: the cookies and CSRF token the edge gave.
type edgeUser struct {
	edge *Edge

	mu      sync.Mutex
	cookies map[string]string
	csrf    string
}

func (u *edgeUser) Act(ctx context.Context) error {
	return ask(func(method, path string, body any, want int) error { return u.do(ctx, method, path, body, want, nil) })
}

// header returns the Cookie header and, for an unsafe method, the CSRF token and an
// idempotency key, with the edge's own origin.
func (u *edgeUser) header(method string) http.Header {
	u.mu.Lock()
	defer u.mu.Unlock()
	h := http.Header{"Origin": {u.edge.cfg.URL}}
	var jar []string
	for k, v := range u.cookies {
		jar = append(jar, k+"="+v)
	}
	if len(jar) > 0 {
		h.Set("Cookie", strings.Join(jar, "; "))
	}
	if method != http.MethodGet && u.csrf != "" {
		h.Set("X-CSRF-Token", u.csrf)
	}
	if method == http.MethodPost {
		h.Set("Idempotency-Key", coach.NewID())
	}
	return h
}

// keep remembers the cookies and CSRF token of an answer.
func (u *edgeUser) keep(res *http.Response) {
	u.mu.Lock()
	defer u.mu.Unlock()
	for _, c := range res.Cookies() {
		if c.MaxAge < 0 || c.Value == "" {
			delete(u.cookies, c.Name)
		} else {
			u.cookies[c.Name] = c.Value
		}
	}
	if tok := res.Header.Get("X-CSRF-Token"); tok != "" {
		u.csrf = tok
	}
}

func (u *edgeUser) send(ctx context.Context, method, path string, body any) (*http.Response, error) {
	var rd io.Reader
	if body != nil {
		b, _ := json.Marshal(body)
		rd = bytes.NewReader(b)
	}
	req, err := http.NewRequestWithContext(ctx, method, u.edge.cfg.URL+path, rd)
	if err != nil {
		return nil, coach.Errorf(coach.EINVALID, "load: %s %s: %v", method, path, err)
	}
	req.Header = u.header(method)
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	res, err := u.edge.client.Do(req)
	if err != nil {
		return nil, noAnswer(method, path, err)
	}
	u.keep(res)
	return res, nil
}

func (u *edgeUser) do(ctx context.Context, method, path string, body any, want int, out any) error {
	res, err := u.send(ctx, method, path, body)
	if err != nil {
		return err
	}
	return decodeAnswer(res, method, path, want, out)
}

func (u *edgeUser) Get(ctx context.Context, path string) (int, error) {
	res, err := u.send(ctx, http.MethodGet, path, nil)
	if err != nil {
		return 0, err
	}
	_, _ = io.Copy(io.Discard, res.Body)
	return res.StatusCode, res.Body.Close()
}

// Listen follows the user's live events over /ws/coach (with the transport/ws client, which
// resumes after a dropped connection) until ctx ends.
func (u *edgeUser) Listen(ctx context.Context, ready func(), got func(coach.Envelope, time.Time)) error {
	h := u.header(http.MethodGet)
	c, err := ws.NewClient(ws.ClientConfig{URL: u.edge.cfg.URL + "/ws/coach", Header: h, OnReady: ready})
	if err != nil {
		return err
	}
	err = c.Run(ctx, func(_ context.Context, e coach.Envelope) error {
		got(e, time.Now())
		return nil
	})
	if ctx.Err() != nil && (err == nil || errors.Is(err, ctx.Err()) || coach.ErrorCode(err) == coach.ECANCELED) {
		return nil
	}
	return err
}
