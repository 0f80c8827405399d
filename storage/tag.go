package storage

import (
	"context"
	"time"

	"github.com/tradecoach/coach"
)

// TagFilter selects tags for Tags.List by the time of their trade.
type TagFilter struct {
	// From and To bound the trade's TS to [From, To); a zero bound is open.
	From, To time.Time
	// Label, when set, keeps only that label.
	Label string
}

// Tags stores bias tags. A trade has at most one tag per label. Scoped to the user like Trades.
type Tags interface {
	// Replace makes tags the complete set of tags of the trades tradeIDs: the tags those trades
	// had are removed and tags are stored, in one step. Every tag must be valid, belong to userID
	// and name a trade in tradeIDs; a trade in tradeIDs that the user does not have is ENOTFOUND,
	// and two tags with the same (tradeId, label) are ECONFLICT. Nothing changes on error.
	Replace(ctx context.Context, userID string, tradeIDs []string, tags []coach.BiasTag) error

	// ByTrades returns the tags of the user's trades tradeIDs (unknown ids are ignored), ordered by
	// trade id then label.
	ByTrades(ctx context.Context, userID string, tradeIDs []string) ([]coach.BiasTag, error)

	// List returns the user's tags whose trade matches f, ordered by the trade's position in the
	// trade order, then label.
	List(ctx context.Context, userID string, f TagFilter) ([]coach.BiasTag, error)
}

// Rules stores a user's own rules.
type Rules interface {
	// Create stores r, which must be valid (coach.Rule.Validate). An ID already used is ECONFLICT.
	Create(ctx context.Context, r coach.Rule) error

	// Get returns the user's rule id, or ENOTFOUND.
	Get(ctx context.Context, userID, id string) (coach.Rule, error)

	// List returns the user's rules, oldest first.
	List(ctx context.Context, userID string) ([]coach.Rule, error)

	// Update replaces kind, params and active of the rule (r.UserID, r.ID), or gives ENOTFOUND.
	Update(ctx context.Context, r coach.Rule) error

	// Delete removes the user's rule, or gives ENOTFOUND.
	Delete(ctx context.Context, userID, id string) error
}

// Digests stores weekly digests, at most one per user and PeriodStart.
type Digests interface {
	// Put stores d, replacing the payload of the user's digest for the same PeriodStart if there
	// is one (that digest keeps its ID, CreatedAt and DeliveredAt), and returns the stored digest.
	Put(ctx context.Context, d coach.Digest) (coach.Digest, error)

	// Get returns the user's digest id, or ENOTFOUND.
	Get(ctx context.Context, userID, id string) (coach.Digest, error)

	// Latest returns the user's digest with the latest PeriodEnd, or ENOTFOUND if there is none.
	Latest(ctx context.Context, userID string) (coach.Digest, error)

	// List returns the user's digests, latest PeriodEnd first, at most Clamp(limit).
	List(ctx context.Context, userID string, limit int) ([]coach.Digest, error)

	// MarkDelivered sets DeliveredAt of the user's digest id, or gives ENOTFOUND.
	MarkDelivered(ctx context.Context, userID, id string, at time.Time) error

	// DeleteEndedBefore removes every user's digests whose PeriodEnd is before day (retention; the
	// caller archives them first) and returns how many.
	DeleteEndedBefore(ctx context.Context, day coach.Date) (int, error)
}

// AuditLog stores audit rows.
type AuditLog interface {
	// Append stores a, which must be valid.
	Append(ctx context.Context, a coach.Audit) error

	// List returns the user's audit rows, newest first, at most Clamp(limit).
	List(ctx context.Context, userID string, limit int) ([]coach.Audit, error)
}
