package binance

import (
	"context"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/tradecoach/coach"
	"github.com/tradecoach/coach/broker"
	"github.com/tradecoach/coach/internal/wire"
)

// myTradesWeight is what GET /api/v3/myTrades costs without orderId.
const myTradesWeight = 20

// Fills pages through the account's trades of each symbol with time in [req.From, req.To). The
// symbols are req.Symbols; else Config.Symbols; else (or also, with Config.Discover) the pairs
// DiscoverSymbols finds plus those with a checkpoint in req.Checkpoints that Binance still lists,
// in sorted order. Per symbol, pages come oldest first, one per request, with Scope the canonical
// symbol ("BTC-USDT") and Checkpoint "id:<last trade id>:<sides of it emitted>"; a request whose
// Checkpoints carry a symbol's scope resumes right after it. EINVALID when no symbol is given,
// configured or discovered.
func (c *Client) Fills(ctx context.Context, req broker.FillsRequest, emit func(broker.FillPage) error) error {
	if !c.constructed() {
		return errNotConstructed
	}
	if !req.From.Before(req.To) {
		return coach.Errorf(coach.EINVALID, "binance fills: From must be before To")
	}
	symbols := req.Symbols
	if len(symbols) == 0 {
		var err error
		if symbols, err = c.importSymbols(ctx, req.Checkpoints); err != nil {
			return err
		}
	}
	for i, s := range symbols {
		if !s.Valid() {
			return coach.Errorf(coach.EINVALID, "binance fills: symbol %q is not BASE-QUOTE", wire.Clip(string(s)))
		}
		if slices.Contains(symbols[:i], s) {
			continue
		}
		if err := c.symbolFills(ctx, s, req, emit); err != nil {
			return err
		}
	}
	return nil
}

// symbolFills imports one symbol: it finds the first trade at or after From with time windows
// (unless a checkpoint says where to resume), then pages by fromId until To. Each next page starts
// at the last trade id seen, not after it, because both sides of a self-trade share one id and a
// page may end between them; rows already emitted are skipped by the cursor.
func (c *Client) symbolFills(ctx context.Context, sym coach.Symbol, req broker.FillsRequest, emit func(broker.FillPage) error) error {
	scope := string(sym)
	from, to := req.From.UTC(), req.To.UTC()
	var cur cursor
	known := false // whether cur locates the next trade
	if cp := req.Checkpoints[scope]; cp != "" {
		var err error
		if cur, err = parseCheckpoint(cp); err != nil {
			return err
		}
		known = true
	}
	for ws := from; !known && ws.Before(to); {
		we := earlier(ws.Add(c.cfg.Window), to)
		rows, err := c.myTrades(ctx, sym,
			param{"startTime", strconv.FormatInt(ws.UnixMilli(), 10)},
			param{"endTime", strconv.FormatInt(we.UnixMilli()-1, 10)})
		if err != nil {
			return err
		}
		next, done, err := c.emitPage(sym, rows, cur, from, to, emit)
		if err != nil || done {
			return err
		}
		cur, known = next, len(rows) > 0
		ws = we
	}
	fromID := cur.id
	for known {
		rows, err := c.myTrades(ctx, sym, param{"fromId", strconv.FormatInt(fromID, 10)})
		if err != nil {
			return err
		}
		next, done, err := c.emitPage(sym, rows, cur, from, to, emit)
		if err != nil || done || len(rows) < c.cfg.PageSize {
			return err
		}
		switch {
		case next.id > fromID:
			fromID = next.id
		case rows[len(rows)-1].ID >= fromID:
			fromID++ // a full page of one id (PageSize ≤ 2): step over it
		default:
			return coach.Errorf(coach.EUNAVAILABLE, "binance myTrades: fromId paging did not advance")
		}
		cur = next
	}
	return nil
}

// cursor is where a symbol's import stands: the last trade id emitted, and which of its sides
// ("B", "S" or both) were emitted.
type cursor struct {
	id    int64
	sides string
}

// seen reports whether r was emitted before (or precedes the cursor).
func (cu cursor) seen(r myTrade) bool {
	return r.ID < cu.id || r.ID == cu.id && strings.Contains(cu.sides, sideLetter(r))
}

// after returns the cursor once r is emitted.
func (cu cursor) after(r myTrade) cursor {
	if r.ID == cu.id {
		return cursor{id: cu.id, sides: cu.sides + sideLetter(r)}
	}
	return cursor{id: r.ID, sides: sideLetter(r)}
}

// String renders the cursor as a checkpoint, "id:<trade id>:<sides>".
func (cu cursor) String() string { return "id:" + strconv.FormatInt(cu.id, 10) + ":" + cu.sides }

func sideLetter(r myTrade) string {
	if r.IsBuyer {
		return "B"
	}
	return "S"
}

// emitPage normalizes the rows the cursor has not seen and emits those with time in [from, to)
// as one page. It returns the cursor after the page; done is true when a row reached to, after
// which nothing belongs to the request.
func (c *Client) emitPage(sym coach.Symbol, rows []myTrade, cur cursor, from, to time.Time, emit func(broker.FillPage) error) (next cursor, done bool, err error) {
	next = cur
	trades := make([]coach.Trade, 0, len(rows))
	for _, r := range rows {
		if next.seen(r) {
			continue
		}
		t, err := r.trade(sym)
		if err != nil {
			return cur, false, err
		}
		if !t.TS.Before(to) {
			done = true
			break
		}
		next = next.after(r)
		if !t.TS.Before(from) {
			trades = append(trades, t)
		}
	}
	if len(trades) == 0 {
		return next, done, nil
	}
	return next, done, emit(broker.FillPage{Trades: trades, Scope: string(sym), Checkpoint: next.String()})
}

// myTrades asks for one page of sym's trades with extra parameters (a time window or fromId).
func (c *Client) myTrades(ctx context.Context, sym coach.Symbol, extra ...param) ([]myTrade, error) {
	params := append([]param{{"symbol", sym.Concat()}}, extra...)
	params = append(params, param{"limit", strconv.Itoa(c.cfg.PageSize)})
	var rows []myTrade
	err := c.do(ctx, request{path: "/api/v3/myTrades", params: params, signed: true, weight: myTradesWeight,
		decode: func(b []byte) (err error) { rows, err = decodeTrades(b); return err }})
	return rows, err
}

// parseCheckpoint reads "id:<trade id>:<sides>", or "id:<trade id>" meaning both sides done.
func parseCheckpoint(cp string) (cursor, error) {
	bad := coach.Errorf(coach.EINVALID, "binance fills: checkpoint %q is not id:<trade id>:<sides>", wire.Clip(cp))
	rest, ok := strings.CutPrefix(cp, "id:")
	if !ok {
		return cursor{}, bad
	}
	num, sides, hasSides := strings.Cut(rest, ":")
	id, err := strconv.ParseInt(num, 10, 64)
	if err != nil || id < 0 {
		return cursor{}, bad
	}
	if !hasSides {
		sides = "BS"
	}
	for _, r := range sides {
		if r != 'B' && r != 'S' || len(sides) > 2 {
			return cursor{}, bad
		}
	}
	return cursor{id: id, sides: sides}, nil
}

// earlier returns the earlier of a and b.
func earlier(a, b time.Time) time.Time {
	if a.Before(b) {
		return a
	}
	return b
}
