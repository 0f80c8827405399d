package load

import (
	"context"
	"encoding/json"
	"io"
	"net"
	"net/http"
	"net/url"
	"sync"
	"time"

	"github.com/tradecoach/coach"
	"github.com/tradecoach/coach/transport/httpjson"
)

// maxAnswerBytes bounds an answer a run decodes.
const maxAnswerBytes = 1 << 20

// newTransport keeps enough idle connections for every read in flight to reuse one.
func newTransport() *http.Transport {
	return &http.Transport{MaxIdleConns: 4096, MaxIdleConnsPerHost: 4096, IdleConnTimeout: 90 * time.Second}
}

// CheckLoopback returns EINVALID unless raw is an http(s) URL whose host is a loopback address
// or "localhost": a load run never leaves the machine.
func CheckLoopback(raw string) error {
	u, err := url.Parse(raw)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return coach.Errorf(coach.EINVALID, "load: want an http(s) URL on loopback, got %q", raw)
	}
	host := u.Hostname()
	if host == "localhost" {
		return nil
	}
	if ip := net.ParseIP(host); ip != nil && ip.IsLoopback() {
		return nil
	}
	return coach.Errorf(coach.EINVALID, "load: %s is not on loopback: a load run only targets this machine", host)
}

// decodeAnswer closes res after decoding its JSON body into out (when out is not nil), or
// describes an answer of another status than want by its code and message.
func decodeAnswer(res *http.Response, method, path string, want int, out any) error {
	defer res.Body.Close()
	body, err := io.ReadAll(io.LimitReader(res.Body, maxAnswerBytes))
	if err != nil {
		return coach.Errorf(coach.EUNAVAILABLE, "load: %s %s: reading the answer: %v", method, path, err)
	}
	if res.StatusCode != want {
		var e httpjson.Body
		if json.Unmarshal(body, &e) != nil || e.Code == "" {
			e.Code = coach.EINTERNAL
		}
		return coach.Errorf(e.Code, "load: %s %s: status %d, want %d: %s", method, path, res.StatusCode, want, e.Message)
	}
	if out == nil {
		return nil
	}
	if err := json.Unmarshal(body, out); err != nil {
		return coach.Errorf(coach.EINTERNAL, "load: %s %s: decoding the answer: %v", method, path, err)
	}
	return nil
}

// connection is a user's demo broker connection: none until the first act.
type connection struct {
	mu sync.Mutex
	id string
}

// act connects the demo broker the first time and asks for a sync now after that, through call
// (method, path, the status wanted, where to decode the answer).
func (c *connection) act(ctx context.Context, call func(method, path string, want int, out any) error) error {
	c.mu.Lock()
	defer c.mu.Unlock()
	if ctx.Err() != nil {
		return nil
	}
	if c.id == "" {
		var conn coach.BrokerConnection
		if err := call(http.MethodPost, "/brokers/demo", http.StatusCreated, &conn); err != nil {
			return err
		}
		c.id = conn.ID
		return nil
	}
	return call(http.MethodPost, "/brokers/connections/"+c.id+"/sync", http.StatusAccepted, nil)
}
