package coach

import (
	"bytes"
	"encoding/json"
	"math"
	"time"
)

// Bias labels. A label goes on a BiasTag of the trade that carries its evidence.
//
// LabelDisposition and LabelLossChasing are retired as labels of trades: the disposition effect
// and loss chasing are account metrics over a window (bias.AccountWindow), and the scorer no
// longer tags a trade with them. The constants stay for the tags stored by earlier scorers, and
// name the account effects (bias.WindowReflection.Label).
const (
	LabelFOMO          = "FOMO"
	LabelPanic         = "PANIC"
	LabelRevenge       = "REVENGE"
	LabelDiscipline    = "DISCIPLINE"
	LabelOvertrading   = "OVERTRADING"
	LabelDisposition   = "DISPOSITION"
	LabelLossChasing   = "LOSS_CHASING"
	LabelHoldingLosers = "HOLDING_LOSERS"
)

// BiasTag labels one trade with one behavioural bias. A trade carries at most one tag per label.
// Features is a compact JSON object with the evidence that triggered the label, the definition
// version and the conventions used; it never holds PII. UserID is an addition to the seed so that
// every read is scoped to its owner.
//
// Revision, an addition to the seed, numbers the tag's revisions from 1. A stored revision never
// changes: a tag scored again under another definition version, or on other evidence, keeps its
// ID (and so its place in the trader's history) and gets the next revision, and the earlier ones
// stay listable (storage.Tags.Revisions). CreatedAt is when this revision was stored. A tag given
// to storage with Revision 0 is read as revision 1.
type BiasTag struct {
	ID         string          `json:"id"`
	UserID     string          `json:"userId"`
	TradeID    string          `json:"tradeId"`
	Label      string          `json:"label"`
	Confidence float64         `json:"confidence"`
	Features   json.RawMessage `json:"features"`
	CreatedAt  time.Time       `json:"createdAt"`
	Revision   int             `json:"revision"`
}

// MaxTagRevision bounds BiasTag.Revision (a SQL integer).
const MaxTagRevision = 1<<31 - 1

// maxFeaturesBytes keeps BiasTag.Features compact, as the seed asks.
const maxFeaturesBytes = 8 << 10

// Validate reports the first invalid field of g.
func (g BiasTag) Validate() error {
	switch {
	case !ValidID(g.ID):
		return Errorf(EINVALID, "id: required")
	case !ValidID(g.UserID):
		return Errorf(EINVALID, "userId: required")
	case !ValidID(g.TradeID):
		return Errorf(EINVALID, "tradeId: required")
	case !validLabel(g.Label):
		return Errorf(EINVALID, "label: want 1-32 upper-case letters or '_'")
	case math.IsNaN(g.Confidence) || g.Confidence < 0 || g.Confidence > 1:
		return Errorf(EINVALID, "confidence: want a number in [0,1]")
	case !isJSONObject(g.Features):
		return Errorf(EINVALID, "features: want a JSON object")
	case len(g.Features) > maxFeaturesBytes:
		return Errorf(EINVALID, "features: larger than %d bytes", maxFeaturesBytes)
	case g.CreatedAt.IsZero():
		return Errorf(EINVALID, "createdAt: required")
	case g.Revision < 0 || g.Revision > MaxTagRevision:
		return Errorf(EINVALID, "revision: want 1 to %d (0 for 1)", MaxTagRevision)
	}
	return nil
}

func validLabel(l string) bool {
	if len(l) == 0 || len(l) > 32 {
		return false
	}
	for i := 0; i < len(l); i++ {
		if c := l[i]; !(c >= 'A' && c <= 'Z' || c == '_') {
			return false
		}
	}
	return true
}

// isJSONObject reports whether b is a syntactically valid JSON object (what unmarshalling it
// into a map would accept, at a tenth of the cost: every event append checks its payload).
func isJSONObject(b json.RawMessage) bool {
	t := bytes.TrimLeft(b, " \t\r\n")
	return len(t) > 0 && t[0] == '{' && json.Valid(b)
}
