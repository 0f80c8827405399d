package redis

import (
	"encoding/json"

	"github.com/tradecoach/coach"
)

// encodeEvent returns the pub/sub message of e: its JSON encoding. EINVALID when the payload is
// not valid JSON.
func encodeEvent(e coach.Event) ([]byte, error) {
	b, err := json.Marshal(e)
	if err != nil {
		return nil, coach.Errorf(coach.EINVALID, "event %s: %v", e.ID, err)
	}
	return b, nil
}

// decodeEvent parses a message read from the channel of userID. It gives EINVALID for anything
// that is not a JSON-encoded event of that user with an id: a message some other publisher put
// on the channel.
func decodeEvent(payload, userID string) (coach.Event, error) {
	var e coach.Event
	if err := json.Unmarshal([]byte(payload), &e); err != nil {
		return coach.Event{}, coach.Errorf(coach.EINVALID, "event message: %v", err)
	}
	switch {
	case e.UserID != userID:
		return coach.Event{}, coach.Errorf(coach.EINVALID, "event message: userId %q on the channel of %q", e.UserID, userID)
	case e.ID == "":
		return coach.Event{}, coach.Errorf(coach.EINVALID, "event message: id required")
	}
	return e, nil
}
