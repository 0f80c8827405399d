package binance

import (
	"context"
	"net/http"
	"strconv"
	"strings"
	"time"
)

// awaitWeight reserves cost in the current minute's request weight, first waiting for the next
// minute when the reservation would pass WeightLimit × SlowdownAt.
func (c *Client) awaitWeight(ctx context.Context, cost int) error {
	c.wmu.Lock()
	now := c.now()
	m := now.Truncate(time.Minute)
	if m.After(c.minute) {
		c.minute, c.used = m, 0
	}
	if float64(c.used+cost) <= float64(c.cfg.WeightLimit)*c.cfg.SlowdownAt {
		c.used += cost
		c.wmu.Unlock()
		return nil
	}
	wait := c.minute.Add(time.Minute).Sub(now)
	c.minute, c.used = c.minute.Add(time.Minute), cost
	c.wmu.Unlock()
	return c.cfg.Sleep(ctx, wait)
}

// noteWeight records the weight Binance reports as used this minute (X-MBX-USED-WEIGHT-1M, or
// the legacy X-MBX-USED-WEIGHT).
func (c *Client) noteWeight(h http.Header) {
	v := h.Get("X-MBX-USED-WEIGHT-1M")
	if v == "" {
		v = h.Get("X-MBX-USED-WEIGHT")
	}
	n, err := strconv.Atoi(strings.TrimSpace(v))
	if err != nil || n < 0 {
		return
	}
	c.wmu.Lock()
	defer c.wmu.Unlock()
	if m := c.now().Truncate(time.Minute); !m.Before(c.minute) {
		c.minute, c.used = m, n
	}
}

// UsedWeight returns the request weight used in the current minute, as Binance last reported it
// plus what the client has reserved since.
func (c *Client) UsedWeight() int {
	if !c.constructed() {
		return 0
	}
	c.wmu.Lock()
	defer c.wmu.Unlock()
	if c.now().Truncate(time.Minute).After(c.minute) {
		return 0
	}
	return c.used
}
