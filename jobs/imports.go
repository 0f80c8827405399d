package jobs

import (
	"context"

	"github.com/tradecoach/coach"
	"github.com/tradecoach/coach/storage"
	"github.com/tradecoach/coach/transport"
)

// ImportTrades is the handler of import.trades: it imports the fills of the payload's connection
// in its window (broker.Importer.ImportWindow, which resumes after the last page stored), then
// enqueues score.bias for that window with the Scorer's definition version, so that what the
// import touched is scored. The score job is enqueued whenever the window holds stored trades,
// new or not — a retry after a failed enqueue resumes the import past every page stored and
// fetches nothing, and must still ask for it (its id dedupes) —, and not for an empty window.
//
// A connection that is gone (ENOTFOUND), paused or revoked is skipped, as is one whose broker
// rejects the credentials (the importer then revokes it and records why); other errors are
// classified as Classify says.
func (h *Handlers) ImportTrades(ctx context.Context, j transport.Job) error {
	if !h.constructed() {
		return errNotConstructed
	}
	if h.importer == nil {
		return unavailable(transport.JobImportTrades, "Importer")
	}
	p, err := ParseImport(j.Payload)
	if err != nil {
		return err
	}
	conn, err := h.store.Connections().Get(ctx, p.UserID, p.ConnectionID)
	if err != nil {
		return h.settle(ctx, j, err)
	}
	if conn.Status != coach.ConnectionActive {
		h.skip(ctx, j, string(coach.ECONFLICT), "the connection is "+conn.Status)
		return nil
	}
	src, err := h.brokers.Broker(ctx, conn)
	if err != nil {
		return h.settle(ctx, j, err)
	}
	if _, err := h.importer.ImportWindow(ctx, p.UserID, conn, src, p.WindowStart, p.WindowEnd, p.Symbols...); err != nil {
		return h.settle(ctx, j, err)
	}
	// Whether this run stored the trades or an earlier one did (a resumed import fetches only
	// what is new), a window that holds trades is scored.
	held, err := h.store.Trades().List(ctx, p.UserID, storage.TradeFilter{From: p.WindowStart, To: p.WindowEnd, Limit: 1})
	if err != nil || len(held) == 0 {
		return h.settle(ctx, j, err)
	}
	score, err := ScoreJob(ScorePayload{UserID: p.UserID, From: p.WindowStart, To: p.WindowEnd, DefinitionVersion: h.version})
	if err != nil {
		return err
	}
	_, err = h.queue.Enqueue(ctx, score)
	return err
}
