package storage

import (
	"context"
	"time"

	"github.com/tradecoach/coach"
)

// AnswerPos is a position in the order of Disputes.List and Notes.List: rows sort by (CreatedAt,
// ID), oldest first — an order that an update (which keeps CreatedAt) never changes, so paging
// through it while the trader keeps writing misses nothing that was there when paging began.
type AnswerPos struct {
	CreatedAt time.Time
	ID        string
}

// Less reports whether p sorts before q.
func (p AnswerPos) Less(q AnswerPos) bool {
	if !p.CreatedAt.Equal(q.CreatedAt) {
		return p.CreatedAt.Before(q.CreatedAt)
	}
	return p.ID < q.ID
}

// DisputePos returns the position of d in the order of Disputes.List.
func DisputePos(d coach.TagDispute) AnswerPos { return AnswerPos{CreatedAt: d.CreatedAt, ID: d.ID} }

// NotePos returns the position of n in the order of Notes.List.
func NotePos(n coach.TradeNote) AnswerPos { return AnswerPos{CreatedAt: n.CreatedAt, ID: n.ID} }

// AnswerPage asks Disputes.List or Notes.List for one page.
type AnswerPage struct {
	// After, when set, continues a listing after that position (keyset paging).
	After *AnswerPos
	// Limit caps the rows returned (see Clamp).
	Limit int
}

// Disputes stores the trader's disputes of bias labels (coach.TagDispute). A dispute is keyed by
// the label on a trade, (tradeId, label), not by a tag id: tags are replaced when a trade is
// re-scored (Tags.Replace) and the dispute stays, shown with whatever revision of the label the
// trade carries now. When a trade is deleted (Trades.Delete) its disputes are deleted with it;
// when a user is deleted, all of theirs.
//
// Every method but PooledLabelCounts is scoped to one user: another user's dispute, trade or tag
// is never returned, changed or counted, and naming one gives ENOTFOUND. Writing a dispute
// appends no event (see coach.TagDispute): a caller that wants one appends it in the same InTx.
type Disputes interface {
	// Put stores d, which must be valid (coach.TagDispute.Validate), as the user d.UserID's
	// dispute of d.Label on trade d.TradeID. d.TagID must name one of the user's tags with that
	// trade and label; otherwise — a tag, trade or label the user does not have — Put gives
	// ENOTFOUND. TagRevision is set to that tag's current revision. If the trade already has a
	// dispute of that label, Put replaces its TagID, TagRevision, Reason, Note,
	// ExcludeFromAttribution and UpdatedAt and keeps its ID and CreatedAt (d.ID is then unused). A zero CreatedAt or UpdatedAt is the store's clock; an UpdatedAt before the stored
	// CreatedAt is taken as CreatedAt. A new dispute whose ID another dispute has is ECONFLICT
	// (the tag is checked first).
	// Put returns the dispute as stored. Nothing changes on error.
	Put(ctx context.Context, d coach.TagDispute) (coach.TagDispute, error)

	// Get returns the user's dispute of label on trade tradeID, or ENOTFOUND.
	Get(ctx context.Context, userID, tradeID, label string) (coach.TagDispute, error)

	// Delete withdraws the user's dispute of label on trade tradeID, or gives ENOTFOUND.
	Delete(ctx context.Context, userID, tradeID, label string) error

	// ByTrades returns the user's disputes of the trades tradeIDs (unknown ids are ignored),
	// ordered by trade id then label, including disputes whose label no tag carries now.
	ByTrades(ctx context.Context, userID string, tradeIDs []string) ([]coach.TagDispute, error)

	// Tagged returns the tags of the user's trades tradeIDs (unknown ids are ignored), each with
	// the dispute of its trade and label or a nil Dispute, ordered as Tags.ByTrades: by trade id,
	// then label. It is Tags.ByTrades joined with the disputes, in one read.
	Tagged(ctx context.Context, userID string, tradeIDs []string) ([]coach.TagWithDispute, error)

	// List returns the user's disputes in (CreatedAt, ID) order (see AnswerPos), after p.After
	// when set, at most Clamp(p.Limit): the listing an export pages through.
	List(ctx context.Context, userID string, p AnswerPage) ([]coach.TagDispute, error)

	// LabelCounts counts the user's tags and disputed tags per label, as coach.CountDisputes does
	// over the user's tags and disputes: one entry per label the user has tags of, in label order.
	LabelCounts(ctx context.Context, userID string) ([]coach.LabelDisputes, error)

	// PooledLabelCounts is LabelCounts over every user of the store together: the real-world
	// precision signal a validation report cites. It reads every tag of the store, so it is for
	// reports, not for requests; it returns counts only, never a user's rows.
	PooledLabelCounts(ctx context.Context) ([]coach.LabelDisputes, error)
}

// ListAllDisputes pages through every dispute of the user, in the order of Disputes.List, with
// keyset paging of MaxLimit rows.
func ListAllDisputes(ctx context.Context, disputes Disputes, userID string) ([]coach.TagDispute, error) {
	var out []coach.TagDispute
	p := AnswerPage{Limit: MaxLimit}
	for {
		page, err := disputes.List(ctx, userID, p)
		if err != nil {
			return nil, err
		}
		out = append(out, page...)
		if len(page) < MaxLimit {
			return out, nil
		}
		after := DisputePos(page[len(page)-1])
		p.After = &after
	}
}
