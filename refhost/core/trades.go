package core

import (
	"net/http"
	"time"

	"github.com/tradecoach/coach"
	"github.com/tradecoach/coach/bias"
	"github.com/tradecoach/coach/storage"
	"github.com/tradecoach/coach/transport/httpjson"
)

// tradePage is a page of the user's trades and the cursor of the next ("" at the end).
type tradePage struct {
	Trades []coach.Trade `json:"trades"`
	Next   string        `json:"next,omitempty"`
}

// cursorPos is a trade position as a page cursor carries it.
type cursorPos struct {
	TS     time.Time `json:"ts"`
	Broker string    `json:"broker"`
	ExtID  string    `json:"extId"`
}

// listTrades answers a page of the user's trades, oldest first. Query: from, to (RFC 3339),
// symbol, limit (1–storage.MaxLimit, 100 by default), after (the cursor of the previous page).
func (a *API) listTrades(r *http.Request, userID string) (int, any, error) {
	q := newQuery(r)
	f := storage.TradeFilter{From: q.time("from"), To: q.time("to"), Limit: q.limit(100)}
	if s := q.str("symbol"); s != "" {
		sym, err := coach.ParseSymbol(s)
		if err != nil {
			q.errs = append(q.errs, httpjson.FieldError{Field: "symbol", Message: "want a pair such as BTC-USDT"})
		}
		f.Symbol = sym
	}
	var after cursorPos
	if q.cursor("after", &after) {
		f.After = &storage.TradePos{TS: after.TS, Broker: after.Broker, ExtID: after.ExtID}
	}
	if err := q.err(); err != nil {
		return fail(err)
	}
	ts, err := a.store.Trades().List(r.Context(), userID, f)
	if err != nil {
		return fail(err)
	}
	page := tradePage{Trades: nonNil(ts)}
	if len(ts) == f.Limit {
		last := ts[len(ts)-1]
		page.Next = encodeCursor(cursorPos{TS: last.TS, Broker: last.Broker, ExtID: last.ExtID})
	}
	return ok(page)
}

// tradeDetail is one trade with what the coach and the trader said about it.
type tradeDetail struct {
	Trade coach.Trade `json:"trade"`
	// Order is every fill of the trade's order (the trade included), oldest first.
	Order []coach.Trade `json:"order"`
	// Tags carry their evidence (features) and the trader's dispute, if any.
	Tags  []coach.TagWithDispute `json:"tags"`
	Notes []coach.TradeNote      `json:"notes"`
	// Candles are the market around the trade: 5-minute bars from 6 hours before to 6 hours after.
	Candles []coach.Candle `json:"candles"`
}

// tradeDetail answers a trade, its order's fills, its tags with evidence and disputes, its notes
// and the candles around it.
func (a *API) tradeDetail(r *http.Request, userID string) (int, any, error) {
	ctx := r.Context()
	t, err := a.store.Trades().Get(ctx, userID, r.PathValue("id"))
	if err != nil {
		return fail(err)
	}
	around, err := a.store.Trades().List(ctx, userID, storage.TradeFilter{Symbol: t.Symbol, From: t.TS.Add(-24 * time.Hour),
		To: t.TS.Add(24 * time.Hour), Limit: storage.MaxLimit})
	if err != nil {
		return fail(err)
	}
	d := tradeDetail{Trade: t}
	order := bias.OrderKey(t)
	ids := []string{}
	for _, o := range around {
		if bias.OrderKey(o) == order {
			d.Order = append(d.Order, o)
			ids = append(ids, o.ID)
		}
	}
	if d.Tags, err = a.store.Disputes().Tagged(ctx, userID, ids); err != nil {
		return fail(err)
	}
	if d.Notes, err = a.store.Notes().ByTrades(ctx, userID, []string{t.ID}); err != nil {
		return fail(err)
	}
	cs, err := a.svc.Candles.Candles(ctx, t.Symbol, coach.Minute5, t.TS.Add(-6*time.Hour), t.TS.Add(6*time.Hour))
	if err != nil && coach.ErrorCode(err) != coach.EUNAVAILABLE && coach.ErrorCode(err) != coach.ENOTFOUND {
		return fail(err)
	}
	d.Candles = cs
	d.Tags, d.Notes, d.Candles = nonNil(d.Tags), nonNil(d.Notes), nonNil(d.Candles)
	return ok(d)
}

// deleteTrade deletes a trade for good: a tombstone keeps any source from bringing it back.
func (a *API) deleteTrade(r *http.Request, userID string) (int, any, error) {
	id := r.PathValue("id")
	err := a.store.InTx(r.Context(), func(tx storage.Tx) error {
		if err := tx.Trades().Delete(r.Context(), userID, id); err != nil {
			return err
		}
		return a.audit(r, tx, userID, coach.AuditTradeDeleted, "tradeId", id)
	})
	if err != nil {
		return fail(err)
	}
	return noContent()
}

type noteRequest struct {
	Text string `json:"text"`
}

// addNote adds the trader's note to a trade.
func (a *API) addNote(r *http.Request, userID string) (int, any, error) {
	var in noteRequest
	if err := httpjson.Decode(r, maxBodyBytes, &in); err != nil {
		return fail(err)
	}
	n, err := a.store.Notes().Add(r.Context(), coach.TradeNote{ID: coach.NewID(), UserID: userID, TradeID: r.PathValue("id"), Text: in.Text})
	if err != nil {
		return fail(err)
	}
	return http.StatusCreated, n, nil
}

type disputeRequest struct {
	Reason                 string `json:"reason"`
	Note                   string `json:"note"`
	ExcludeFromAttribution bool   `json:"excludeFromAttribution"`
}

// dispute records (or replaces) the trader's answer to a label on a trade.
func (a *API) dispute(r *http.Request, userID string) (int, any, error) {
	var in disputeRequest
	if err := httpjson.Decode(r, maxBodyBytes, &in); err != nil {
		return fail(err)
	}
	tradeID, label := r.PathValue("id"), r.PathValue("label")
	tags, err := a.store.Tags().ByTrades(r.Context(), userID, []string{tradeID})
	if err != nil {
		return fail(err)
	}
	tagID := ""
	for _, t := range tags {
		if t.Label == label {
			tagID = t.ID
		}
	}
	if tagID == "" {
		return fail(coach.Errorf(coach.ENOTFOUND, "trade %s carries no %s label", clip(tradeID), clip(label)))
	}
	d, err := a.store.Disputes().Put(r.Context(), coach.TagDispute{ID: coach.NewID(), UserID: userID, TradeID: tradeID,
		Label: label, TagID: tagID, Reason: in.Reason, Note: in.Note, ExcludeFromAttribution: in.ExcludeFromAttribution})
	if err != nil {
		return fail(err)
	}
	return ok(d)
}

// withdrawDispute removes the trader's answer to a label.
func (a *API) withdrawDispute(r *http.Request, userID string) (int, any, error) {
	if err := a.store.Disputes().Delete(r.Context(), userID, r.PathValue("id"), r.PathValue("label")); err != nil {
		return fail(err)
	}
	return noContent()
}
