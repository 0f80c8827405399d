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

// Tags stores bias tags and every revision of them. A trade has at most one current tag per
// label. A tag (its ID) has revisions 1, 2, … (coach.BiasTag.Revision) that never change once
// stored: scoring a trade again under other definitions or on other evidence stores a new
// revision under the same ID, and a label that no longer holds withdraws its tag, whose revisions
// stay listable. ByTrades and List return the newest revision of each current tag; Revisions
// returns them all. Features are kept byte for byte. Scoped to the user like Trades; a trade's
// tags and all their revisions go with the trade.
type Tags interface {
	// Replace makes tags the complete set of current tags of the trades tradeIDs, in one step,
	// keeping every revision ever stored. Each tag of tags is, by its ID and Revision (0 is read
	// as 1):
	//   - an ID not stored: stored as revision 1 (its Revision must be 1);
	//   - the ID of a current tag of the same trade and label, with that tag's newest Revision:
	//     that revision, kept as stored (its Confidence and Features must be the stored ones, byte
	//     for byte; its CreatedAt is not compared);
	//   - the same with the newest Revision + 1: stored as the tag's newest revision, the one
	//     before staying listable by Revisions.
	// A current tag of those trades whose ID tags leaves out is withdrawn: reads no longer return
	// it, and its revisions stay listable. Every tag must be valid, belong to userID and name a
	// trade in tradeIDs (EINVALID); a trade in tradeIDs that the user does not have is
	// ENOTFOUND. ECONFLICT for two tags with the same (tradeId, label) or ID, an ID used by
	// another user, trade or label or by a withdrawn tag, a Revision that does not follow the
	// stored ones (another writer revised the tag first), and a kept revision whose content
	// differs. Nothing changes on error.
	Replace(ctx context.Context, userID string, tradeIDs []string, tags []coach.BiasTag) error

	// ByTrades returns the current tags of the user's trades tradeIDs (unknown ids are ignored),
	// each at its newest revision, ordered by trade id then label.
	ByTrades(ctx context.Context, userID string, tradeIDs []string) ([]coach.BiasTag, error)

	// List returns the user's current tags whose trade matches f, each at its newest revision,
	// ordered by the trade's position in the trade order, then label.
	List(ctx context.Context, userID string, f TagFilter) ([]coach.BiasTag, error)

	// Revisions returns every stored revision of the user's tag tagID, oldest first. The last one
	// is what ByTrades and List return, unless the tag was withdrawn. ENOTFOUND for a tag the user
	// does not have (another user's included).
	Revisions(ctx context.Context, userID, tagID string) ([]coach.BiasTag, error)

	// RevisionsByTrades returns every stored revision of every tag, current or withdrawn, of the
	// user's trades tradeIDs (unknown ids are ignored), ordered by trade id, tag id, then
	// revision: Revisions for a page of trades in one read, the listing an export pages through.
	RevisionsByTrades(ctx context.Context, userID string, tradeIDs []string) ([]coach.BiasTag, error)
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

	// MarkBroken records that the user's trades broke rules and returns those of breaks not
	// recorded before, in the order given: the caller appends one rule.broken event for each, in
	// the same transaction, so that a rule broken by a trade is told once however often the rules
	// are evaluated. A break names a rule id and a trade id (the rule need not exist any more);
	// EINVALID for an empty one. Records go with the user.
	MarkBroken(ctx context.Context, userID string, breaks []RuleBreak) ([]RuleBreak, error)
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

	// EndedBefore returns every user's digests whose PeriodEnd is before day, in ID order, with ID
	// greater than afterID (keyset paging: pass the last ID of the previous page, "" to start), at
	// most Clamp(limit). Retention reads them to archive them before deleting them one by one.
	EndedBefore(ctx context.Context, day coach.Date, afterID string, limit int) ([]coach.Digest, error)

	// DeleteArchived removes the digest (d.UserID, d.ID) if it is still as d — the same PeriodEnd,
	// Payload (as JSON) and DeliveredAt, the version the caller archived — so that retention
	// deletes only what it archived. ECONFLICT, deleting nothing, if it changed since;
	// ENOTFOUND if there is no such digest of the user.
	DeleteArchived(ctx context.Context, d coach.Digest) error
}

// AuditLog stores audit rows.
type AuditLog interface {
	// Append stores a, which must be valid.
	Append(ctx context.Context, a coach.Audit) error

	// List returns the user's audit rows, newest first, at most Clamp(limit).
	List(ctx context.Context, userID string, limit int) ([]coach.Audit, error)

	// Since returns the user's audit rows in (CreatedAt, ID) order, oldest first, after the
	// position after when set, at most Clamp(limit): keyset paging through the whole log, however
	// long (List stops at MaxLimit rows). A row stored with a position before a page already read
	// is not seen by the later pages.
	Since(ctx context.Context, userID string, after *AuditPos, limit int) ([]coach.Audit, error)
}

// AuditPos is a position in the order of AuditLog.Since: (CreatedAt, ID), oldest first.
type AuditPos struct {
	CreatedAt time.Time
	ID        string
}

// PosOfAudit returns the position of a in the order of AuditLog.Since.
func PosOfAudit(a coach.Audit) AuditPos { return AuditPos{CreatedAt: a.CreatedAt, ID: a.ID} }

// Less reports whether p sorts before q.
func (p AuditPos) Less(q AuditPos) bool {
	if !p.CreatedAt.Equal(q.CreatedAt) {
		return p.CreatedAt.Before(q.CreatedAt)
	}
	return p.ID < q.ID
}
