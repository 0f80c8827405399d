package coach

import "time"

// Dispute reasons: why the trader says a label does not fit their trade (TagDispute.Reason).
const (
	// DisputePlan: the trade followed the trader's own plan ("this was my plan").
	DisputePlan = "plan"
	// DisputeData: the evidence is wrong — the fill, its price or the market data the label read.
	DisputeData = "data"
	// DisputeOther: another reason, told in the note.
	DisputeOther = "other"
)

// MaxDisputeNote is the most characters (Unicode code points) of TagDispute.Note.
const MaxDisputeNote = 500

// TagDispute is the trader answering back to a bias label: they say the label does not fit the
// trade, why (Reason, one of the Dispute* constants, and a Note in their own words), and whether
// the weekly digest should leave the trade out of that label's P/L attribution
// (ExcludeFromAttribution; without it the dispute is recorded and shown, and the figures stay as
// scored).
//
// A dispute is about a label on a trade: (TradeID, Label) is what it disputes and its key — a
// trade carries at most one dispute per label. TagID and TagRevision record the tag and its
// revision the trader disputed. A re-score that writes a new revision of the same label on the
// same trade keeps the dispute, which is then shown with the new revision; a re-score that drops
// the label (the tag withdrawn) leaves the dispute stored but attached to no tag until the label
// comes back, under the same or a new tag id. When the
// trade is deleted its disputes go with it. UserID scopes it to its owner, as every row.
//
// Writing a dispute emits no event: it is the trader's own synchronous write, and the answer to
// that write carries the stored dispute; other open clients see it on their next read. The
// figures it changes (a digest's attribution) are announced by digest.ready when the digest is
// rebuilt.
type TagDispute struct {
	ID      string `json:"id"`
	UserID  string `json:"userId"`
	TradeID string `json:"tradeId"`
	Label   string `json:"label"`
	TagID   string `json:"tagId"`
	// TagRevision is the revision of that tag (BiasTag.Revision) when the dispute was last
	// written. The store sets it from the tag (a value given is ignored), so a reader can tell
	// that the label has been revised since the trader disputed it.
	TagRevision int    `json:"tagRevision"`
	Reason      string `json:"reason"`
	// Note is free text, at most MaxDisputeNote characters; "" for none.
	Note string `json:"note"`
	// ExcludeFromAttribution asks the digest to leave this trade out of Label's P/L attribution.
	ExcludeFromAttribution bool      `json:"excludeFromAttribution"`
	CreatedAt              time.Time `json:"createdAt"`
	UpdatedAt              time.Time `json:"updatedAt"`
}

// Validate reports the first invalid field of d. CreatedAt and UpdatedAt may be zero (the store
// sets them); when both are set UpdatedAt must not be before CreatedAt.
func (d TagDispute) Validate() error {
	switch {
	case !ValidID(d.ID):
		return Errorf(EINVALID, "id: required")
	case !ValidID(d.UserID):
		return Errorf(EINVALID, "userId: required")
	case !ValidID(d.TradeID):
		return Errorf(EINVALID, "tradeId: required")
	case !validLabel(d.Label):
		return Errorf(EINVALID, "label: want 1-32 upper-case letters or '_'")
	case !ValidID(d.TagID):
		return Errorf(EINVALID, "tagId: required")
	case !ValidDisputeReason(d.Reason):
		return Errorf(EINVALID, "reason: want %s, %s or %s", DisputePlan, DisputeData, DisputeOther)
	}
	if err := checkFreeText("note", d.Note, MaxDisputeNote, true); err != nil {
		return err
	}
	if !d.CreatedAt.IsZero() && !d.UpdatedAt.IsZero() && d.UpdatedAt.Before(d.CreatedAt) {
		return Errorf(EINVALID, "updatedAt: before createdAt")
	}
	return nil
}

// ValidDisputeReason reports whether r is one of the Dispute* reasons.
func ValidDisputeReason(r string) bool {
	return r == DisputePlan || r == DisputeData || r == DisputeOther
}

// TagWithDispute is a bias tag as the trader sees it: the tag and, when they disputed its label
// on its trade, their dispute (nil otherwise). In JSON the tag's fields sit at the top level
// beside "dispute".
type TagWithDispute struct {
	BiasTag
	Dispute *TagDispute `json:"dispute"`
}
