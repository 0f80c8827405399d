package bias

import (
	"bytes"
	"encoding/json"
	"time"

	"github.com/tradecoach/coach"
)

// Input is what a stored tag was scored on, beyond its trades and the definitions its features
// name ("v", "th", "conv"). The Service records it as the last member of every tag's Features,
// "input": {"candlesSha256": …, "labelFrom": …}, so that Service.Rescore can score the tag again
// from the blob store alone.
type Input struct {
	// CandlesSHA256 is the SHA256 of the coach.CandleSnapshot the trades were scored on: every
	// candle the run fetched, warm-up included, stored in the blob store under
	// storage.SnapshotKey(CandlesSHA256).
	CandlesSHA256 string `json:"candlesSha256"`
	// LabelFrom is the time labelling started (Market.ScoreSince): earlier trades were history.
	LabelFrom time.Time `json:"labelFrom"`
}

// inputKey is the member of Features that holds the Input.
const inputKey = "input"

// appendInput returns features (a JSON object from Score) with in as its last member, in a new
// slice.
func appendInput(features []byte, in Input) []byte {
	o := open(nil)
	o.str("candlesSha256", in.CandlesSHA256)
	o.str("labelFrom", in.LabelFrom.UTC().Format(time.RFC3339Nano))
	member := o.close()
	body := bytes.TrimSuffix(bytes.TrimSpace(features), []byte("}"))
	out := make([]byte, 0, len(body)+len(member)+12)
	out = append(out, body...)
	if !bytes.Equal(bytes.TrimSpace(body), []byte("{")) {
		out = append(out, ',')
	}
	out = appendString(out, inputKey)
	out = append(out, ':')
	out = append(out, member...)
	return append(out, '}')
}

// InputOf returns the Input recorded in a tag's features, and false when they record none (a
// tag scored before inputs were recorded, or by Score alone) or record one that is malformed.
func InputOf(features json.RawMessage) (Input, bool) {
	var doc struct {
		Input *struct {
			CandlesSHA256 string `json:"candlesSha256"`
			LabelFrom     string `json:"labelFrom"`
		} `json:"input"`
	}
	if json.Unmarshal(features, &doc) != nil || doc.Input == nil || !coach.ValidSHA256(doc.Input.CandlesSHA256) {
		return Input{}, false
	}
	from, err := time.Parse(time.RFC3339Nano, doc.Input.LabelFrom)
	if err != nil {
		return Input{}, false
	}
	return Input{CandlesSHA256: doc.Input.CandlesSHA256, LabelFrom: from.UTC()}, true
}

// evidence returns the part of stored features that scoring determines: the features without
// the Input the Service appended, or nil when they do not end with one as appendInput writes it
// (then no scoring gives these bytes again, and the tag is scored into a new revision).
func evidence(features json.RawMessage) []byte {
	in, ok := InputOf(features)
	if !ok {
		return nil
	}
	// The Input is the last member: strip exactly what appendInput wrote.
	o := open(nil)
	o.str("candlesSha256", in.CandlesSHA256)
	o.str("labelFrom", in.LabelFrom.Format(time.RFC3339Nano))
	tail := append(append(appendString([]byte{','}, inputKey), ':'), o.close()...)
	tail = append(tail, '}')
	if !bytes.HasSuffix(features, tail) {
		return nil
	}
	return append(bytes.Clone(features[:len(features)-len(tail)]), '}')
}

// versionOf returns the definition version ("v") of stored features, "" when they have none.
func versionOf(features json.RawMessage) string {
	var doc struct {
		V string `json:"v"`
	}
	_ = json.Unmarshal(features, &doc) // malformed features have no version
	return doc.V
}
