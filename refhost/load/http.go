package load

import (
	"encoding/json"
	"io"
	"net"
	"net/http"
	"net/url"
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

// question is what every user asks the coach once a run: the answer is checked, stored and
// published as a coach.answer event in core's transaction, so the event's delay from commit to
// arrival is the relay's, not a background job's.
const question = "What stood out in my trading this week?"

// ask asks the coach question through call.
func ask(call func(method, path string, body any, want int) error) error {
	return call(http.MethodPost, "/coach/questions", map[string]string{"question": question}, http.StatusCreated)
}

// noAnswer is the error of a request that got no answer: EUNAVAILABLE saying why (the client's
// timeout, a refused connection), where a bare transport error would read "internal error".
func noAnswer(method, path string, err error) error {
	return coach.WrapError(coach.EUNAVAILABLE, err, "load: %s %s: no answer: %v", method, path, err)
}
