package bias

import (
	"bytes"
	"context"
	"encoding/json"

	"github.com/tradecoach/coach"
	"github.com/tradecoach/coach/storage"
)

// record makes tags the current tags of the trades ids, in tx, and appends an event per change
// (see ScoreUser): a coach.reflect event per new tag of an order (one for all its fills), a
// tag.revised event per new revision and per withdrawn tag. A tag of tags with an ID is a stored
// revision passed through: it is kept as it is. put stores the candle snapshot the tags record; record calls it before writing a new
// revision, and not at all when nothing changes.
func (s *Service) record(ctx context.Context, tx storage.Tx, userID string, ids []string, tags []coach.BiasTag, put func(context.Context) error, rep *Report) error {
	prev, err := tx.Tags().ByTrades(ctx, userID, ids)
	if err != nil {
		return err
	}
	type key struct{ trade, label string }
	old := make(map[key]coach.BiasTag, len(prev))
	for _, g := range prev {
		old[key{g.TradeID, g.Label}] = g
	}
	now := s.clock.Now().UTC()
	version := s.config.Version
	out := make([]coach.BiasTag, len(tags))
	var events []coach.Event
	event := func(typ string, payload any) error {
		ev, err := coach.NewEvent(userID, typ, 1, payload)
		if err == nil {
			events = append(events, ev)
		}
		return err
	}
	revised, added := 0, 0
	var fresh, at []int // the new tags (in out) and their coach.reflect events (in events), texts to come
	reflected := map[key]bool{}
	for i, g := range tags {
		g.UserID = userID
		k := key{g.TradeID, g.Label}
		p, had := old[k]
		delete(old, k)
		switch {
		case g.ID != "" || had && sameRevision(p, g):
			if had {
				g = p // the stored revision, as stored
			}
		case had:
			g.ID, g.Revision, g.CreatedAt = p.ID, max(p.Revision, 1)+1, now
			if err := event(coach.EventTagRevised, revisedPayload(p, g, version)); err != nil {
				return err
			}
			revised++
		default:
			g.ID, g.Revision, g.CreatedAt = coach.NewID(), 1, now
			if rk := (key{orderOf(g), g.Label}); !reflected[rk] {
				// One reflection per order and label: the other fills of the order carry the
				// same tag, not another message.
				reflected[rk] = true
				fresh, at, events = append(fresh, i), append(at, len(events)), append(events, coach.Event{})
			}
			added++
		}
		out[i] = g
	}
	for _, p := range prev {
		if _, gone := old[key{p.TradeID, p.Label}]; gone {
			if err := event(coach.EventTagRevised, revisedPayload(p, coach.BiasTag{}, version)); err != nil {
				return err
			}
		}
	}
	if err := s.reflectEvents(ctx, userID, out, fresh, events, at); err != nil {
		return err
	}
	if revised+added > 0 {
		if err := put(ctx); err != nil {
			return err
		}
	}
	if err := tx.Tags().Replace(ctx, userID, ids, out); err != nil {
		return err
	}
	if len(events) > 0 {
		if _, err := tx.Events().Append(ctx, events...); err != nil {
			return err
		}
	}
	rep.Tags, rep.New, rep.Revised, rep.Removed = len(out), added, revised, len(old)
	return nil
}

// orderOf returns the trade id of the first fill of the tag's order ("orderOf" in its features,
// written for an order of several fills), or the tag's own trade id.
func orderOf(g coach.BiasTag) string {
	if !bytes.Contains(g.Features, []byte(`"orderOf"`)) {
		return g.TradeID
	}
	var doc struct {
		OrderOf string `json:"orderOf"`
	}
	if json.Unmarshal(g.Features, &doc) != nil || doc.OrderOf == "" {
		return g.TradeID
	}
	return doc.OrderOf
}

// sameRevision reports whether g, as scoring gives it now, is the stored revision p: the same
// confidence and the same features but for the Input, which may name another snapshot and start
// that gave the same evidence. A revision that records no Input is never the same: scoring it
// again records one.
func sameRevision(p, g coach.BiasTag) bool {
	ev := evidence(p.Features)
	return ev != nil && p.Confidence == g.Confidence && bytes.Equal(ev, evidence(g.Features))
}

// revisedPayload describes the change from the stored revision p to g, scored under version; a
// zero g withdraws p.
func revisedPayload(p, g coach.BiasTag, version string) coach.TagRevisedPayload {
	prevVersion := versionOf(p.Features)
	if len(prevVersion) > 64 {
		prevVersion = prevVersion[:64]
	}
	r := coach.TagRevisedPayload{
		TagID: p.ID, TradeID: p.TradeID, Label: p.Label, Revision: g.Revision, Version: version,
		PreviousVersion: prevVersion, Confidence: g.Confidence, PreviousConfidence: p.Confidence,
		Reason: coach.TagRevisedEvidence, Withdrawn: g.ID == "",
	}
	if r.Withdrawn {
		r.Revision = max(p.Revision, 1)
	}
	if prevVersion != version {
		r.Reason = coach.TagRevisedVersion
	}
	return r
}
