package edge

import (
	"context"
	"net/http"
	"net/url"
	"strconv"

	"github.com/tradecoach/coach"
)

// coreReplayer is the relay's ws.Replayer over core's /events and /internal/events/newest,
// called for the user in the signed subject.
type coreReplayer struct{ core *coreClient }

// Since pages the user's events after afterID from core; EGONE when afterID is past retention.
func (c coreReplayer) Since(ctx context.Context, userID, afterID string, limit int) ([]coach.Event, error) {
	q := url.Values{"limit": {strconv.Itoa(limit)}}
	if afterID != "" {
		q.Set("since", afterID)
	}
	var page struct {
		Events []coach.Event `json:"events"`
	}
	if err := c.core.call(ctx, userID, http.MethodGet, "/events?"+q.Encode(), nil, &page); err != nil {
		return nil, err
	}
	return page.Events, nil
}

// Newest asks core for the id of the user's newest event; ENOTFOUND when there is none.
func (c coreReplayer) Newest(ctx context.Context, userID string) (string, error) {
	var out struct {
		EventID string `json:"eventId"`
	}
	if err := c.core.call(ctx, userID, http.MethodGet, "/internal/events/newest", nil, &out); err != nil {
		return "", err
	}
	return out.EventID, nil
}
