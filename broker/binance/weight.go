package binance

import (
	"context"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/tradecoach/coach/storage"
)

// budgetLimit is the weight a minute the client lets itself and its peers use.
func (c *Client) budgetLimit() storage.WeightLimit {
	return storage.WeightLimit{Weight: max(int(float64(c.cfg.WeightLimit)*c.cfg.SlowdownAt), 1), Window: time.Minute}
}

// awaitWeight reserves cost in the current minute's request weight, first waiting for the next
// minute when the reservation would pass WeightLimit × SlowdownAt, and, with a shared Budget, for
// the end of a pause.
func (c *Client) awaitWeight(ctx context.Context, cost int) error {
	if c.cfg.Budget != nil {
		return c.awaitBudget(ctx, cost)
	}
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

// awaitBudget takes cost from the shared Budget, waiting as long as it says until it grants it.
func (c *Client) awaitBudget(ctx context.Context, cost int) error {
	limit := c.budgetLimit()
	cost = min(cost, limit.Weight)
	for {
		g, err := c.cfg.Budget.Take(ctx, c.cfg.BudgetKey, cost, c.now(), limit)
		if err != nil {
			return err
		}
		if g.Granted {
			return nil
		}
		if err := c.cfg.Sleep(ctx, max(g.Wait, time.Millisecond)); err != nil {
			return err
		}
	}
}

// pauseBudget pauses the shared Budget for wait, so that every client drawing from it stops, not
// only this one. It reports whether there is a Budget to wait on.
func (c *Client) pauseBudget(ctx context.Context, wait time.Duration) (bool, error) {
	if c.cfg.Budget == nil {
		return false, nil
	}
	return true, c.cfg.Budget.Pause(ctx, c.cfg.BudgetKey, c.now().Add(wait))
}

// noteWeight records the weight Binance reports as used this minute (X-MBX-USED-WEIGHT-1M, or
// the legacy X-MBX-USED-WEIGHT): in the shared Budget when there is one (a failure to record it
// is ignored: the budget's own count still holds), else in the client's count.
func (c *Client) noteWeight(ctx context.Context, h http.Header) {
	v := h.Get("X-MBX-USED-WEIGHT-1M")
	if v == "" {
		v = h.Get("X-MBX-USED-WEIGHT")
	}
	n, err := strconv.Atoi(strings.TrimSpace(v))
	if err != nil || n < 0 {
		return
	}
	if c.cfg.Budget != nil {
		_ = c.cfg.Budget.Observe(ctx, c.cfg.BudgetKey, n, c.now(), c.budgetLimit())
		return
	}
	c.wmu.Lock()
	defer c.wmu.Unlock()
	if m := c.now().Truncate(time.Minute); !m.Before(c.minute) {
		c.minute, c.used = m, n
	}
}

// UsedWeight returns the request weight used in the current minute, as Binance last reported it
// plus what the client has reserved since. With a shared Budget the client keeps no count, and
// UsedWeight is 0.
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
