package aicoach

import (
	"sync"
	"time"

	"github.com/tradecoach/coach"
	"github.com/tradecoach/coach/bias"
)

// run is a scoring run whose last page has not come yet.
type run struct {
	next     int // the page expected next
	bytes    int64
	expires  time.Time
	req      bias.ScoreRequest
	verdicts map[string]bias.Verdict
}

// runs holds the pending runs of a Handler, bounded in number, bytes and age.
type runs struct {
	mu       sync.Mutex
	m        map[string]*run
	max      int
	maxBytes int64
	ttl      time.Duration
}

// take returns the run key is at for page, after checking the page's number and size, and
// removes it while the caller adds the page (put puts it back). Page 0 starts a run.
func (rs *runs) take(key string, page int, size int64, now time.Time) (*run, error) {
	rs.mu.Lock()
	defer rs.mu.Unlock()
	for k, r := range rs.m {
		if now.After(r.expires) {
			delete(rs.m, k)
		}
	}
	r, ok := rs.m[key]
	switch {
	case page == 0 && ok:
		return nil, coach.Errorf(coach.ECONFLICT, "score: run already started")
	case page == 0 && len(rs.m) >= rs.max:
		return nil, coach.Errorf(coach.ERATELIMITED, "score: too many runs in progress; try again later")
	case page == 0:
		r = &run{req: bias.ScoreRequest{Candles: bias.CandleSeries{}}}
	case !ok:
		return nil, coach.Errorf(coach.ENOTFOUND, "score: no run in progress with this id (expired, finished or never started)")
	case page != r.next:
		return nil, coach.Errorf(coach.ECONFLICT, "score: page %d out of order, want %d", page, r.next)
	}
	if r.bytes+size > rs.maxBytes {
		delete(rs.m, key)
		return nil, coach.Errorf(coach.EINVALID, "score: run larger than %d bytes", rs.maxBytes)
	}
	r.bytes += size
	r.next++
	r.expires = now.Add(rs.ttl)
	delete(rs.m, key) // a concurrent page of the same run now finds nothing, not half a page
	return r, nil
}

// put keeps r for its next page.
func (rs *runs) put(key string, r *run) {
	rs.mu.Lock()
	defer rs.mu.Unlock()
	rs.m[key] = r
}
