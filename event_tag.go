package coach

// EventTagRevised is the event type of a stored bias tag that scoring changed: it got a new
// revision, or its label no longer holds (TagRevisedPayload). It is written in the same
// transaction as the revision. A new tag is announced by EventCoachReflect instead.
const EventTagRevised = "tag.revised"

// Reasons of a TagRevisedPayload.
const (
	// TagRevisedVersion: the trade was scored under another definition version.
	TagRevisedVersion = "version"
	// TagRevisedEvidence: the same definitions gave other evidence (other candles, an earlier
	// trade added or removed, another start of labelling, the trader's time zone or rules).
	TagRevisedEvidence = "evidence"
)

// TagRevisedPayload is the v1 payload of tag.revised.
type TagRevisedPayload struct {
	TagID   string `json:"tagId"`
	TradeID string `json:"tradeId"`
	Label   string `json:"label"`
	// Revision is the new revision's number; for a withdrawn tag, the number of its last revision,
	// which stays stored.
	Revision int `json:"revision"`
	// Version is the definition version the trade was scored under now; PreviousVersion that of
	// the tag's revision before ("" when its features carry none).
	Version         string `json:"version"`
	PreviousVersion string `json:"previousVersion"`
	// Confidence is the new revision's (0 for a withdrawn tag); PreviousConfidence the revision's
	// before.
	Confidence         float64 `json:"confidence"`
	PreviousConfidence float64 `json:"previousConfidence"`
	// Reason is TagRevisedVersion or TagRevisedEvidence.
	Reason string `json:"reason"`
	// Withdrawn reports that the label no longer holds on the trade: the tag has no current
	// revision, and reads no longer return it.
	Withdrawn bool `json:"withdrawn"`
}
