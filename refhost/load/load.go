// Package load is the reference host's load generator (`refhost load`): it signs up users,
// connects the demo broker for each, keeps their event streams open and reads their dashboards at
// a set rate for a set time, then reports throughput and latency percentiles per route and the
// delay from an event's commit to its arrival.
//
// It is bounded (users, rate and duration have ceilings) and talks to loopback only, so it cannot
// be turned on someone else's host. A Target decides how requests travel: through the edge as a
// browser would, or to core directly with signed internal calls.
package load

import (
	"context"
	"errors"
	"time"

	"github.com/tradecoach/coach"
)

// Ceilings of a run.
const (
	MaxUsers    = 2000
	MaxRate     = 20000 // requests per second, all users together
	MaxDuration = 10 * time.Minute
)

// DefaultRoutes are what a trader's dashboard reads, in the order a run cycles through them.
var DefaultRoutes = []string{"/dashboard", "/trades?limit=50", "/digests/weekly", "/rules", "/me"}

// ErrNoStream is what User.Listen returns for a target that has no live event stream (core
// serves /events for replay; the WebSocket is the edge's).
var ErrNoStream = errors.New("load: this target has no live event stream")

// Target is what a run talks to.
type Target interface {
	// Name names the target in reports ("edge", "core").
	Name() string
	// SignUp makes user i of the run ready: signed up, signed in, the demo broker connected (its
	// import then runs in the background).
	SignUp(ctx context.Context, i int) (User, error)
}

// User is one signed-in trader of a run. Its methods are safe for concurrent use.
type User interface {
	// Get reads path (with its query) as the user, drains the answer and returns its status; an
	// error means no answer came.
	Get(ctx context.Context, path string) (int, error)
	// Act makes the host publish an event for the user: it asks the coach a question, whose
	// checked answer core publishes as coach.answer.
	Act(ctx context.Context) error
	// Listen keeps the user's live event stream open until ctx ends, calling ready once it is
	// live and got with each event and the time it arrived. It returns ErrNoStream when the
	// target has none, and nil when ctx ended.
	Listen(ctx context.Context, ready func(), got func(e coach.Envelope, arrived time.Time)) error
}

// Config is one run.
type Config struct {
	// Target is who the run talks to. Required.
	Target Target
	// Users is how many users to sign up (1 to MaxUsers), unless Ready holds users signed up
	// before (by SignUp), whom the run reads as instead; Users is then len(Ready).
	Users int
	Ready []User
	// Rate is how many reads a second the run makes, all users together (up to MaxRate); 0 reads
	// as fast as Concurrency reads in flight allow.
	Rate float64
	// Duration is how long the reads go on, after every user is ready (up to MaxDuration).
	Duration time.Duration
	// Routes are the paths read in turn (DefaultRoutes when empty); each must start with "/".
	Routes []string
	// Concurrency bounds the reads in flight (default 64).
	Concurrency int
	// Streams keeps every user's event stream open during the run to measure delivery.
	Streams bool
	// Clock times requests (coach.SystemClock when nil).
	Clock coach.Clock
}

func (c *Config) validate() error {
	if c.Ready != nil {
		c.Users = len(c.Ready)
	}
	switch {
	case c.Target == nil:
		return coach.Errorf(coach.EINVALID, "load: Config.Target: required")
	case c.Users < 1 || c.Users > MaxUsers:
		return coach.Errorf(coach.EINVALID, "load: Config.Users: want 1 to %d, got %d", MaxUsers, c.Users)
	case !(c.Rate >= 0 && c.Rate <= MaxRate):
		return coach.Errorf(coach.EINVALID, "load: Config.Rate: want 0 (closed loop) to %d a second, got %g", MaxRate, c.Rate)
	case c.Duration <= 0 || c.Duration > MaxDuration:
		return coach.Errorf(coach.EINVALID, "load: Config.Duration: want more than 0 and at most %s, got %s", MaxDuration, c.Duration)
	case c.Concurrency < 0 || c.Concurrency > 4096:
		return coach.Errorf(coach.EINVALID, "load: Config.Concurrency: want 0 (default) to 4096, got %d", c.Concurrency)
	}
	for _, r := range c.Routes {
		if len(r) == 0 || r[0] != '/' {
			return coach.Errorf(coach.EINVALID, "load: Config.Routes: %q does not start with /", r)
		}
	}
	if len(c.Routes) == 0 {
		c.Routes = DefaultRoutes
	}
	if c.Concurrency == 0 {
		c.Concurrency = 64
	}
	if c.Clock == nil {
		c.Clock = coach.SystemClock{}
	}
	return nil
}
