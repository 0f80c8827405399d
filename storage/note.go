package storage

import (
	"context"

	"github.com/tradecoach/coach"
)

// Notes stores the trader's notes on their trades (coach.TradeNote). A trade may carry any
// number of notes; they are deleted with the trade (Trades.Delete) and with the user.
//
// Every method is scoped to one user: another user's note or trade is never returned or changed,
// and naming one gives ENOTFOUND. Writing a note appends no event (see coach.TradeNote).
type Notes interface {
	// Add stores n, which must be valid (coach.TradeNote.Validate), as a new note of the user
	// n.UserID on their trade n.TradeID: ENOTFOUND if the user has no such trade, ECONFLICT if
	// n.ID is taken. A zero CreatedAt or UpdatedAt is the store's clock. Add returns the note as
	// stored.
	Add(ctx context.Context, n coach.TradeNote) (coach.TradeNote, error)

	// Update replaces the text of the user's note (n.UserID, n.ID) and sets its UpdatedAt (the
	// store's clock when zero; not before the stored CreatedAt). n must be valid; its TradeID and
	// CreatedAt are not used: the note stays on its trade. ENOTFOUND if there is no such note.
	// Update returns the note as stored.
	Update(ctx context.Context, n coach.TradeNote) (coach.TradeNote, error)

	// Delete removes the user's note id, or gives ENOTFOUND.
	Delete(ctx context.Context, userID, id string) error

	// ByTrades returns the user's notes on the trades tradeIDs (unknown ids are ignored), ordered
	// by trade id, then (CreatedAt, ID).
	ByTrades(ctx context.Context, userID string, tradeIDs []string) ([]coach.TradeNote, error)

	// List returns the user's notes in (CreatedAt, ID) order (see AnswerPos), after p.After when
	// set, at most Clamp(p.Limit): the listing an export pages through.
	List(ctx context.Context, userID string, p AnswerPage) ([]coach.TradeNote, error)
}
