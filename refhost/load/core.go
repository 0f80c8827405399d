package load

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"time"

	"github.com/tradecoach/coach"
	"github.com/tradecoach/coach/transport/hmac"
)

// placeholderHash is an Argon2id PHC string core accepts for a user who never signs in with a
// password: a run straight to core has no edge to check one.
const placeholderHash = "$argon2id$v=19$m=19456,t=2,p=1$bG9hZHRlc3RzYWx0$bG9hZHRlc3RoYXNobG9hZHRlc3RoYXNo"

// CoreConfig is a target straight to core.
type CoreConfig struct {
	// URL is core's base URL, on loopback. Required.
	URL string
	// Key is the internal key core verifies signatures with, and KeyID its id. Required.
	Key   []byte
	KeyID string
	// Run names the run: users are signed up as load-{Run}-{i}@example.com, so that runs against
	// one host do not collide. Required.
	Run string
	// Timeout bounds one request (default 10 s).
	Timeout time.Duration
}

// Core is a Target that calls core's internal API with signed requests, as the edge does for a
// signed-in user: it measures core alone.
type Core struct {
	cfg    CoreConfig
	client *http.Client // signs every request
}

// NewCore returns a Core target, or EINVALID naming a missing field or a URL off loopback.
func NewCore(cfg CoreConfig) (*Core, error) {
	if cfg.Run == "" || cfg.KeyID == "" {
		return nil, coach.Errorf(coach.EINVALID, "load: CoreConfig.Run and CoreConfig.KeyID: required")
	}
	if err := CheckLoopback(cfg.URL); err != nil {
		return nil, err
	}
	if cfg.Timeout <= 0 {
		cfg.Timeout = 10 * time.Second
	}
	s, err := hmac.NewSigner(hmac.SignerConfig{Key: hmac.NewKey(cfg.KeyID, cfg.Key), Next: newTransport()})
	if err != nil {
		return nil, err
	}
	return &Core{cfg: cfg, client: &http.Client{Transport: s, Timeout: cfg.Timeout}}, nil
}

// Name is "core".
func (c *Core) Name() string { return "core" }

// SignUp creates user i through core's internal users route and connects the demo broker.
func (c *Core) SignUp(ctx context.Context, i int) (User, error) {
	if c == nil || c.client == nil {
		return nil, coach.Errorf(coach.EINVALID, "load: Core not constructed; use NewCore")
	}
	var u coach.User
	body := fmt.Sprintf(`{"email":"load-%s-%d@example.com","passwordHash":%q}`, c.cfg.Run, i, placeholderHash)
	if err := c.call(ctx, "", http.MethodPost, "/internal/users", body, http.StatusCreated, &u); err != nil {
		return nil, err
	}
	if err := c.call(ctx, u.ID, http.MethodPost, "/brokers/demo", "", http.StatusCreated, nil); err != nil {
		return nil, err
	}
	return &coreUser{core: c, id: u.ID}, nil
}

// call sends one signed request as subject and decodes a JSON answer of status want into out.
func (c *Core) call(ctx context.Context, subject, method, path, body string, want int, out any) error {
	req, err := http.NewRequestWithContext(ctx, method, c.cfg.URL+path, bytes.NewBufferString(body))
	if err != nil {
		return coach.Errorf(coach.EINVALID, "load: %s %s: %v", method, path, err)
	}
	if body != "" {
		req.Header.Set("Content-Type", "application/json")
	}
	if subject != "" {
		req.Header.Set(hmac.HeaderSubject, subject)
	}
	res, err := c.client.Do(req)
	if err != nil {
		return noAnswer(method, path, err)
	}
	return decodeAnswer(res, method, path, want, out)
}

// coreUser is one user of a Core target.
type coreUser struct {
	core *Core
	id   string
}

func (u *coreUser) Act(ctx context.Context) error {
	return ask(func(method, path string, body any, want int) error {
		b, _ := json.Marshal(body)
		return u.core.call(ctx, u.id, method, path, string(b), want, nil)
	})
}

func (u *coreUser) Get(ctx context.Context, path string) (int, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, u.core.cfg.URL+path, nil)
	if err != nil {
		return 0, coach.Errorf(coach.EINVALID, "load: GET %s: %v", path, err)
	}
	req.Header.Set(hmac.HeaderSubject, u.id)
	res, err := u.core.client.Do(req)
	if err != nil {
		return 0, noAnswer(http.MethodGet, path, err)
	}
	_, _ = io.Copy(io.Discard, res.Body)
	return res.StatusCode, res.Body.Close()
}

// Listen returns ErrNoStream: core serves /events for replay, not a live stream.
func (u *coreUser) Listen(context.Context, func(), func(coach.Envelope, time.Time)) error {
	return ErrNoStream
}
