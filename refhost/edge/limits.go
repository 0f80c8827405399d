package edge

import (
	"context"
	"net/http"
	"time"

	"github.com/tradecoach/coach"
	"github.com/tradecoach/coach/storage"
	"github.com/tradecoach/coach/transport/httpjson"
)

// Limits are the edge's rate limits. A zero Limit takes DefaultLimits' value.
type Limits struct {
	// IP counts every request of a client address; User every request of a signed-in user.
	IP, User storage.Limit
	// LoginIP counts login attempts of a client address; LoginAccount those naming one email
	// (known or not), so a password cannot be guessed faster by spreading attempts over
	// addresses.
	LoginIP, LoginAccount storage.Limit
	// Account counts sign-ups, reset requests and confirmations of a client address, and password
	// changes of a user.
	Account storage.Limit
}

// DefaultLimits are the limits of a production edge.
func DefaultLimits() Limits {
	return Limits{
		IP:           storage.Limit{Rate: 600, Burst: 120, Period: time.Minute},
		User:         storage.Limit{Rate: 600, Burst: 120, Period: time.Minute},
		LoginIP:      storage.Limit{Rate: 30, Burst: 10, Period: time.Minute},
		LoginAccount: storage.Limit{Rate: 10, Burst: 5, Period: time.Hour},
		Account:      storage.Limit{Rate: 20, Burst: 10, Period: time.Hour},
	}
}

// Scaled returns l with every limit's rate and burst multiplied by f (at least 1): the same
// periods, f times the requests. A load run from one address uses it; a deployment does not.
func (l Limits) Scaled(f int) Limits {
	f = max(f, 1)
	for _, lim := range []*storage.Limit{&l.IP, &l.User, &l.LoginIP, &l.LoginAccount, &l.Account} {
		lim.Rate *= f
		lim.Burst *= f
	}
	return l
}

func (l Limits) withDefaults() Limits {
	d := DefaultLimits()
	for _, p := range []struct{ got, def *storage.Limit }{{&l.IP, &d.IP}, {&l.User, &d.User}, {&l.LoginIP, &d.LoginIP},
		{&l.LoginAccount, &d.LoginAccount}, {&l.Account, &d.Account}} {
		if *p.got == (storage.Limit{}) {
			*p.got = *p.def
		}
	}
	return l
}

func (l Limits) validate() error {
	for _, lim := range []storage.Limit{l.IP, l.User, l.LoginIP, l.LoginAccount, l.Account} {
		if err := lim.Validate(); err != nil {
			return coach.Errorf(coach.EINVALID, "edge: Config.Limits: %s", coach.ErrorMessage(err))
		}
	}
	return nil
}

// allow counts one event under key; ERATELIMITED (429 with Retry-After) when over the limit. A
// limiter that fails lets the request through: limits protect, they must not take the site down.
func (e *Edge) allow(ctx context.Context, key string, lim storage.Limit, what string) error {
	d, err := e.cfg.Limiter.Allow(ctx, key, lim)
	if err != nil {
		e.cfg.Logger.WarnContext(ctx, "rate limiter failed; request let through", "err", err)
		return nil
	}
	if !d.Allowed {
		return httpjson.RateLimited(d.RetryAfter, "too many %s; try again later", what)
	}
	return nil
}

// limitIP applies the per-address limit to every request.
func (e *Edge) limitIP(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if err := e.allow(r.Context(), "edge:rate:ip:"+e.pepper("ip", clientIP(r)), e.limits.IP, "requests"); err != nil {
			httpjson.WriteError(w, r, nil, err)
			return
		}
		next.ServeHTTP(w, r)
	})
}

// limitUser applies the per-user limit to a signed-in request.
func (e *Edge) limitUser(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if s, ok := sessionOf(r.Context()); ok {
			if err := e.allow(r.Context(), storage.UserKey(s.UserID, "edge", "rate"), e.limits.User, "requests"); err != nil {
				httpjson.WriteError(w, r, nil, err)
				return
			}
		}
		next.ServeHTTP(w, r)
	})
}
