package broker

import (
	"context"

	"github.com/tradecoach/coach"
	"github.com/tradecoach/coach/storage"
)

// markSynced moves the connection's sync mark over the window an import of src covered
// (storage.Syncs.MarkSynced) when that import read the broker's fills of every pair: an import
// restricted to some symbols, or of a file (ImportCSV), leaves the other fills of its window
// unread, so the schedule must still import them. A connection the store does not hold (a host
// that keeps its own) has no mark to move.
func markSynced(ctx context.Context, tx storage.Tx, userID, connectionID string, src Broker, sum Summary, symbols []coach.Symbol) error {
	if _, file := src.(fileBroker); file || len(symbols) > 0 {
		return nil
	}
	_, err := tx.Syncs().MarkSynced(ctx, userID, connectionID, sum.WindowStart, sum.WindowEnd)
	if coach.ErrorCode(err) == coach.ENOTFOUND {
		return nil
	}
	return err
}
