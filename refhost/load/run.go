package load

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"time"

	"golang.org/x/sync/errgroup"
	"golang.org/x/time/rate"

	"github.com/tradecoach/coach"
)

// signUpConcurrency bounds the sign-ups in flight: each hashes a password and starts an import.
const signUpConcurrency = 8

// Run signs up cfg.Users users, opens their event streams when cfg.Streams is set, and reads
// cfg.Routes in turn for cfg.Duration: at cfg.Rate reads a second, with latency counted from the
// moment each read was due (so a saturated target shows its queueing), or with cfg.Rate 0 as fast
// as cfg.Concurrency reads in flight allow (closed loop, latency counted from the send). It
// returns EINVALID for a bad Config and the first sign-up failure; failed reads are counted in
// the report, not returned.
func Run(ctx context.Context, cfg Config) (Report, error) {
	if err := cfg.validate(); err != nil {
		return Report{}, err
	}
	rep := Report{Target: cfg.Target.Name(), Users: cfg.Users, Rate: cfg.Rate}
	users := cfg.Ready
	if users == nil {
		start := cfg.Clock.Now()
		var err error
		if users, err = SignUp(ctx, cfg.Target, cfg.Users); err != nil {
			return rep, err
		}
		rep.SignUp = cfg.Clock.Now().Sub(start)
	}

	runCtx, stop := context.WithCancel(ctx)
	defer stop()
	events := newEventLog()
	var listening sync.WaitGroup
	if cfg.Streams {
		var live sync.WaitGroup
		live.Add(len(users))
		for _, u := range users {
			listening.Go(func() {
				once := sync.OnceFunc(live.Done)
				defer once() // a stream that ends before it is live is not waited for
				events.ended(u.Listen(runCtx, once, events.got))
			})
		}
		waitAtMost(&live, streamsLiveTimeout)
	}
	// Every user acts once (asks the coach a question), so events flow while the reads go on: the
	// users in turn, evenly over the first half of the run (a steady trickle, as traders ask, not
	// one burst of every user at the same instant), leaving the second half for the last answers
	// to arrive.
	acts := newActLog()
	var acting sync.WaitGroup
	for i, u := range users {
		at := time.Duration(i) * (cfg.Duration / 2) / time.Duration(len(users))
		acting.Go(func() {
			timer := time.NewTimer(at)
			defer timer.Stop()
			select {
			case <-timer.C:
				acts.add(u.Act(runCtx))
			case <-runCtx.Done():
				acts.add(coach.Errorf(coach.ECANCELED, "load: the run ended before this user asked"))
			}
		})
	}
	routes := newRouteLog(cfg.Routes)
	began := cfg.Clock.Now()
	read(runCtx, cfg, users, routes)
	rep.Elapsed = cfg.Clock.Now().Sub(began)
	acting.Wait()
	rep.Actions, rep.ActionErrors, rep.FirstActionError = len(users), acts.failed, acts.first
	stop()
	listening.Wait()
	rep.Routes = routes.report(rep.Elapsed)
	rep.Events = events.report(cfg.Streams)
	return rep, nil
}

// streamsLiveTimeout bounds the wait for every user's stream to be live before the run acts.
const streamsLiveTimeout = 30 * time.Second

func waitAtMost(wg *sync.WaitGroup, d time.Duration) {
	done := make(chan struct{})
	go func() { wg.Wait(); close(done) }()
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-done:
	case <-t.C:
	}
}

// SignUp makes n users of target ready, a few at a time, for runs that share them (Config.Ready).
// It returns the first failure.
func SignUp(ctx context.Context, target Target, n int) ([]User, error) {
	if target == nil || n < 1 || n > MaxUsers {
		return nil, coach.Errorf(coach.EINVALID, "load: SignUp: want a target and 1 to %d users", MaxUsers)
	}
	users := make([]User, n)
	g, gctx := errgroup.WithContext(ctx)
	g.SetLimit(signUpConcurrency)
	for i := range users {
		g.Go(func() error {
			u, err := target.SignUp(gctx, i)
			if err != nil {
				return fmt.Errorf("load: sign up user %d on %s: %w", i, target.Name(), err)
			}
			users[i] = u
			return nil
		})
	}
	if err := g.Wait(); err != nil {
		return nil, err
	}
	return users, nil
}

// read makes the reads for cfg.Duration, then lets the reads in flight finish (they count, and
// none is cut off half-way): the n-th read is user n mod Users reading route n mod len(Routes),
// so every user reads every route.
func read(ctx context.Context, cfg Config, users []User, log *routeLog) {
	type due struct {
		n  int
		at time.Time
	}
	work := make(chan due)
	var wg sync.WaitGroup
	for range cfg.Concurrency {
		wg.Go(func() {
			for d := range work {
				u, route := users[d.n%len(users)], d.n%len(cfg.Routes)
				at := d.at
				if at.IsZero() {
					at = cfg.Clock.Now()
				}
				status, err := u.Get(ctx, cfg.Routes[route])
				if ctx.Err() != nil {
					continue // the caller gave up: neither a success nor a failure
				}
				log.add(route, cfg.Clock.Now().Sub(at), status, err)
			}
		})
	}
	dispatch, cancel := context.WithTimeout(ctx, cfg.Duration)
	defer cancel()
	var limiter *rate.Limiter
	if cfg.Rate > 0 {
		limiter = rate.NewLimiter(rate.Limit(cfg.Rate), 1)
	}
	for n := 0; ; n++ {
		var d due
		d.n = n
		if limiter != nil {
			if limiter.Wait(dispatch) != nil {
				break
			}
			d.at = cfg.Clock.Now()
		}
		select {
		case work <- d:
			continue
		case <-dispatch.Done():
		}
		break
	}
	close(work)
	wg.Wait()
}

// actLog counts the users' actions that failed.
type actLog struct {
	mu     sync.Mutex
	failed int
	first  string
}

func newActLog() *actLog { return &actLog{} }

func (l *actLog) add(err error) {
	if err == nil {
		return
	}
	l.mu.Lock()
	defer l.mu.Unlock()
	l.failed++
	if l.first == "" {
		l.first = coach.ErrorMessage(err)
	}
}

// eventLog collects event arrivals of every user's stream.
type eventLog struct {
	mu       sync.Mutex
	seen     map[string]bool
	delays   []time.Duration
	repeated int
	err      error
}

func newEventLog() *eventLog { return &eventLog{seen: map[string]bool{}} }

func (l *eventLog) got(e coach.Envelope, arrived time.Time) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.seen[e.EventID] {
		l.repeated++
		return
	}
	l.seen[e.EventID] = true
	l.delays = append(l.delays, max(arrived.Sub(e.TS), 0))
}

func (l *eventLog) ended(err error) {
	if err == nil {
		return
	}
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.err == nil || errors.Is(l.err, ErrNoStream) && !errors.Is(err, ErrNoStream) {
		l.err = err
	}
}

func (l *eventLog) report(measured bool) EventReport {
	l.mu.Lock()
	defer l.mu.Unlock()
	r := EventReport{Measured: measured && !errors.Is(l.err, ErrNoStream), Events: len(l.delays), Repeated: l.repeated}
	if l.err != nil && !errors.Is(l.err, ErrNoStream) {
		r.Error = coach.ErrorMessage(l.err)
	}
	r.P50, r.P99, r.Max = percentile(l.delays, 50), percentile(l.delays, 99), percentile(l.delays, 100)
	return r
}

// routeLog collects read latencies per route.
type routeLog struct {
	mu     sync.Mutex
	routes []string
	lat    [][]time.Duration
	errs   []int
	sample []string
}

func newRouteLog(routes []string) *routeLog {
	return &routeLog{routes: routes, lat: make([][]time.Duration, len(routes)), errs: make([]int, len(routes)),
		sample: make([]string, len(routes))}
}

func (l *routeLog) add(route int, d time.Duration, status int, err error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if err != nil || status < 200 || status > 299 {
		l.errs[route]++
		if l.sample[route] == "" {
			l.sample[route] = fmt.Sprintf("status %d", status)
			if err != nil {
				l.sample[route] = coach.ErrorMessage(err)
			}
		}
		return
	}
	l.lat[route] = append(l.lat[route], d)
}

func (l *routeLog) report(elapsed time.Duration) []RouteReport {
	l.mu.Lock()
	defer l.mu.Unlock()
	var all []time.Duration
	var out []RouteReport
	total := RouteReport{Route: "all"}
	for i, r := range l.routes {
		rr := routeReport(r, l.lat[i], l.errs[i], elapsed)
		rr.FirstError = l.sample[i]
		out = append(out, rr)
		all = append(all, l.lat[i]...)
		total.Errors += l.errs[i]
		if total.FirstError == "" {
			total.FirstError = l.sample[i]
		}
	}
	t := routeReport("all", all, total.Errors, elapsed)
	t.FirstError = total.FirstError
	return append(out, t)
}

func routeReport(route string, lat []time.Duration, errs int, elapsed time.Duration) RouteReport {
	r := RouteReport{Route: route, Requests: len(lat) + errs, Errors: errs,
		P50: percentile(lat, 50), P90: percentile(lat, 90), P99: percentile(lat, 99), Max: percentile(lat, 100)}
	if elapsed > 0 {
		r.PerSecond = float64(len(lat)) / elapsed.Seconds()
	}
	return r
}
