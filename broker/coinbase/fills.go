package coinbase

import (
	"context"
	"encoding/json"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"time"

	"github.com/tradecoach/coach"
	"github.com/tradecoach/coach/broker"
	"github.com/tradecoach/coach/internal/wire"
)

// Scope is the checkpoint scope of a Coinbase connection's fills: one stream per connection.
const Scope = "fills"

// windowMargin widens each window's query on both sides: Coinbase filters on a sequence
// timestamp that may differ slightly from trade_time, and does not say whether its bounds are
// inclusive. Fills outside the window are dropped locally.
const windowMargin = time.Minute

// Fills pages through the connection's fills with trade time in [req.From, req.To), restricted
// to req.Symbols when given. Each window of Config.Window is paged to its end by cursor, sorted
// by (TS, ExtID) and emitted oldest first in pages of Config.PageSize, each with the Checkpoint
// "the TS of its last trade" (RFC 3339). A request whose Checkpoints[Scope] is set resumes at that
// time: trades at exactly that instant may be emitted again, which an idempotent store ignores.
func (c *Client) Fills(ctx context.Context, req broker.FillsRequest, emit func(broker.FillPage) error) error {
	if !c.constructed() {
		return errNotConstructed
	}
	if !req.From.Before(req.To) {
		return coach.Errorf(coach.EINVALID, "coinbase fills: From must be before To")
	}
	for _, s := range req.Symbols {
		if !s.Valid() {
			return coach.Errorf(coach.EINVALID, "coinbase fills: symbol %q is not BASE-QUOTE", wire.Clip(string(s)))
		}
	}
	start := req.From.UTC()
	if cp := req.Checkpoints[Scope]; cp != "" {
		t, err := time.Parse(time.RFC3339Nano, cp)
		if err != nil {
			return coach.Errorf(coach.EINVALID, "coinbase fills: checkpoint %q is not an RFC 3339 time", wire.Clip(cp))
		}
		if t.After(start) {
			start = t.UTC()
		}
	}
	sides := map[string]coach.Side{}
	for ws := start; ws.Before(req.To); {
		we := earlier(ws.Add(c.cfg.Window), req.To)
		trades, err := c.fillWindow(ctx, ws, we, req.Symbols, sides)
		if err != nil {
			return err
		}
		for i := 0; i < len(trades); i += c.cfg.PageSize {
			page := trades[i:min(i+c.cfg.PageSize, len(trades))]
			err := emit(broker.FillPage{
				Trades:     page,
				Scope:      Scope,
				Checkpoint: page[len(page)-1].TS.Format(time.RFC3339Nano),
			})
			if err != nil {
				return err
			}
		}
		ws = we
	}
	return nil
}

// fillWindow returns the trades with TS in [ws, we), sorted by (TS, ExtID), without duplicates.
func (c *Client) fillWindow(ctx context.Context, ws, we time.Time, symbols []coach.Symbol, sides map[string]coach.Side) ([]coach.Trade, error) {
	q := url.Values{}
	q.Set("start_sequence_timestamp", ws.Add(-windowMargin).Format(time.RFC3339Nano))
	q.Set("end_sequence_timestamp", we.Add(windowMargin).Format(time.RFC3339Nano))
	q.Set("limit", strconv.Itoa(c.cfg.PageSize))
	for _, s := range symbols {
		q.Add("product_ids", string(s))
	}
	seen := map[string]bool{}
	cursors := map[string]bool{}
	var out []coach.Trade
	for {
		var page fillsPage
		err := c.do(ctx, call{method: http.MethodGet, url: c.apiURL("/orders/historical/fills", q), auth: true,
			decode: func(b []byte) (err error) { page, err = decodeFills(b); return err }})
		if err != nil {
			return nil, err
		}
		for _, f := range page.Fills {
			if !f.isTrade() || seen[f.extID()] {
				continue
			}
			ts, err := time.Parse(time.RFC3339Nano, f.TradeTime)
			if err == nil && (ts.Before(ws) || !ts.Before(we)) {
				continue
			}
			side := f.side()
			if side == "" && err == nil {
				if side, err = c.orderSide(ctx, f, sides); err != nil {
					return nil, err
				}
			}
			t, err := f.trade(side)
			if err != nil {
				return nil, err
			}
			seen[t.ExtID] = true
			out = append(out, t)
		}
		if page.Cursor == "" || len(page.Fills) == 0 {
			break
		}
		if cursors[page.Cursor] {
			return nil, coach.Errorf(coach.EUNAVAILABLE, "coinbase fills: the cursor did not advance")
		}
		cursors[page.Cursor] = true
		q.Set("cursor", page.Cursor)
	}
	slices.SortFunc(out, func(a, b coach.Trade) int {
		if c := a.TS.Compare(b.TS); c != 0 {
			return c
		}
		return compareStrings(a.ExtID, b.ExtID)
	})
	return out, nil
}

func compareStrings(a, b string) int {
	switch {
	case a < b:
		return -1
	case a > b:
		return 1
	}
	return 0
}

// orderSide returns the side of f's order, for a fill that reports none, from Get Order, cached
// in sides by order id.
func (c *Client) orderSide(ctx context.Context, f fill, sides map[string]coach.Side) (coach.Side, error) {
	if f.OrderID == "" {
		return "", coach.Errorf(coach.EINVALID, "coinbase fill %s: no side and no order id", wire.Clip(f.extID()))
	}
	if s, ok := sides[f.OrderID]; ok {
		return s, nil
	}
	var body struct {
		Order struct {
			Side string `json:"side"`
		} `json:"order"`
	}
	err := c.do(ctx, call{method: http.MethodGet, url: c.apiURL("/orders/historical/"+url.PathEscape(f.OrderID), nil), auth: true,
		decode: func(b []byte) error {
			if json.Unmarshal(b, &body) != nil {
				return malformed("order")
			}
			return nil
		}})
	if coach.ErrorCode(err) == coach.ENOTFOUND {
		return "", coach.Errorf(coach.EINVALID, "coinbase fill %s: no side, and its order is unknown", wire.Clip(f.extID()))
	}
	if err != nil {
		return "", err
	}
	s := fill{Side: body.Order.Side}.side()
	if s == "" {
		return "", coach.Errorf(coach.EINVALID, "coinbase fill %s: neither the fill nor its order has a side", wire.Clip(f.extID()))
	}
	sides[f.OrderID] = s
	return s, nil
}

// earlier returns the earlier of a and b.
func earlier(a, b time.Time) time.Time {
	if a.Before(b) {
		return a
	}
	return b
}
