package web

import (
	"sync"
	"time"

	"github.com/tradecoach/coach"
)

// A webhook's signing secret is shown once, right after it is made (create or rotate). The form
// that makes it is answered with a redirect (POST-redirect-GET), so the secret waits here, in
// this process's memory only, under a random token the redirect carries; the page that follows
// takes it (once) and shows it. It is never written to a log, a URL or a store. A token not taken
// within revealTTL is forgotten: the secret can then only be rotated again.

// revealTTL is how long a secret waits to be shown.
const revealTTL = 5 * time.Minute

// maxReveals bounds the secrets waiting at once; beyond it the oldest are dropped.
const maxReveals = 1024

type revealed struct {
	user, endpoint, secret string
	at                     time.Time
}

// reveals keeps secrets to show once.
type reveals struct {
	mu    sync.Mutex
	clock coach.Clock
	m     map[string]revealed
}

func newReveals(clock coach.Clock) *reveals {
	return &reveals{clock: clock, m: map[string]revealed{}}
}

// put keeps secret of the user's endpoint and returns the token that takes it.
func (r *reveals) put(user, endpoint, secret string) string {
	r.mu.Lock()
	defer r.mu.Unlock()
	now := r.clock.Now()
	for k, v := range r.m {
		if now.Sub(v.at) > revealTTL {
			delete(r.m, k)
		}
	}
	for len(r.m) >= maxReveals {
		var oldest string
		for k, v := range r.m {
			if oldest == "" || v.at.Before(r.m[oldest].at) {
				oldest = k
			}
		}
		delete(r.m, oldest)
	}
	token := coach.NewID()
	r.m[token] = revealed{user: user, endpoint: endpoint, secret: secret, at: now}
	return token
}

// take returns the secret under token for user (and forgets it), or false.
func (r *reveals) take(user, token string) (endpoint, secret string, ok bool) {
	r.mu.Lock()
	defer r.mu.Unlock()
	v, found := r.m[token]
	if !found || v.user != user {
		return "", "", false
	}
	delete(r.m, token)
	if r.clock.Now().Sub(v.at) > revealTTL {
		return "", "", false
	}
	return v.endpoint, v.secret, true
}
