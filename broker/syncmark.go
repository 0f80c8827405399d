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
// that keeps its own) has no mark to move. It reports whether this was the connection's first
// mark: the import that brought in its history since the link.
func markSynced(ctx context.Context, tx storage.Tx, userID, connectionID string, src Broker, sum Summary, symbols []coach.Symbol) (first bool, _ error) {
	if _, file := src.(fileBroker); file || len(symbols) > 0 {
		return false, nil
	}
	state, err := tx.Syncs().State(ctx, userID, connectionID)
	if coach.ErrorCode(err) == coach.ENOTFOUND {
		return false, nil
	}
	if err != nil {
		return false, err
	}
	moved, err := tx.Syncs().MarkSynced(ctx, userID, connectionID, sum.WindowStart, sum.WindowEnd)
	if coach.ErrorCode(err) == coach.ENOTFOUND {
		return false, nil
	}
	return moved && state.SyncedThrough.IsZero(), err
}
