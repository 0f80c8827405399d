package aicoach_test

import (
	"bytes"
	"encoding/json"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/tradecoach/coach"
	"github.com/tradecoach/coach/bias"
	"github.com/tradecoach/coach/bias/aicoach"
	"github.com/tradecoach/coach/transport/hmac"
)

// fixedClock is a coach.Clock stuck at one instant.
type fixedClock time.Time

func (c fixedClock) Now() time.Time { return time.Time(c) }

// TestSignatureRefused: a request whose body was changed after signing, one sent again, one
// signed too long ago and one not signed at all are each refused with EUNAUTHORIZED, and the
// answer names the failed check.
func TestSignatureRefused(t *testing.T) {
	t.Parallel()
	srv := server(t, aicoach.HandlerConfig{}, nil)
	tags := []coach.BiasTag{{ID: "g1", TradeID: "t1", Label: coach.LabelFOMO, Confidence: 0.7, Features: json.RawMessage(`{}`)}}
	base := srv.Client().Transport

	tamper := roundTripFunc(func(r *http.Request) (*http.Response, error) {
		body, _ := io.ReadAll(r.Body)
		body = bytes.Replace(body, []byte(`{"v":1`), []byte(`{"v": 1`), 1) // same meaning, other bytes
		r.Body, r.ContentLength = io.NopCloser(bytes.NewReader(body)), int64(len(body))
		return base.RoundTrip(r)
	})
	replay := roundTripFunc(func(r *http.Request) (*http.Response, error) {
		body, _ := io.ReadAll(r.Body)
		again := r.Clone(r.Context())
		r.Body = io.NopCloser(bytes.NewReader(body))
		again.Body = io.NopCloser(bytes.NewReader(body))
		first, err := base.RoundTrip(r)
		if err != nil {
			return nil, err
		}
		first.Body.Close()
		if first.StatusCode != http.StatusOK {
			t.Errorf("the first sending answered %d, want 200", first.StatusCode)
		}
		return base.RoundTrip(again)
	})
	for _, tc := range []struct {
		name   string
		next   http.RoundTripper
		clock  coach.Clock
		reason string
	}{
		{"tampered", tamper, nil, hmac.ReasonBadSignature},
		{"replayed", replay, nil, hmac.ReasonReplayedNonce},
		{"expired", nil, fixedClock(time.Now().Add(-hmac.DefaultMaxSkew - time.Minute)), hmac.ReasonStaleTimestamp},
	} {
		t.Run(tc.name, func(t *testing.T) {
			c := client(t, srv, 0, nil, tc.next, tc.clock)
			_, err := c.Reflect(bg, tags)
			if coach.ErrorCode(err) != coach.EUNAUTHORIZED {
				t.Fatalf("got %v, want EUNAUTHORIZED", err)
			}
			if !strings.Contains(coach.ErrorMessage(err), tc.reason) {
				t.Errorf("message %q does not name %s", coach.ErrorMessage(err), tc.reason)
			}
			_, err = c.Score(bg, bias.ScoreRequest{Config: bias.DefaultConfig()})
			if coach.ErrorCode(err) != coach.EUNAUTHORIZED {
				t.Errorf("score: got %v, want EUNAUTHORIZED", err)
			}
		})
	}

	t.Run("unsigned", func(t *testing.T) {
		resp, err := srv.Client().Post(srv.URL+aicoach.PathReflect, "application/json", strings.NewReader(`{"v":1,"tags":[]}`))
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		var eb aicoach.ErrorBody
		if err := json.NewDecoder(resp.Body).Decode(&eb); err != nil {
			t.Fatal(err)
		}
		if resp.StatusCode != http.StatusUnauthorized || eb.Code != coach.EUNAUTHORIZED || eb.Reason != hmac.ReasonMissingHeaders {
			t.Errorf("got %d %+v, want 401 unauthorized %s", resp.StatusCode, eb, hmac.ReasonMissingHeaders)
		}
	})
}
