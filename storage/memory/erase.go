package memory

import (
	"context"
	"maps"
	"slices"

	"github.com/tradecoach/coach"
	"github.com/tradecoach/coach/storage"
)

// erasures is the storage.Erasures of a Store or transaction.
type erasures struct{ r repos }

// Erasures returns the erasure repository.
func (r repos) Erasures() storage.Erasures { return erasures{r} }

// Erasures returns the erasure repository; each call is its own transaction.
func (s *Store) Erasures() storage.Erasures { return repos{s: s}.Erasures() }

// Erase removes the user's bucket (what Users.Delete removes, and the data key kept in it) and
// the dead letters of the user, counting each kind as the PostgreSQL adapter does.
func (r erasures) Erase(ctx context.Context, userID string) (map[string]int, error) {
	counts := map[string]int{}
	err := r.r.write(ctx, func(d *data, undo *undoLog) error {
		clear(counts)
		if b, ok := d.users[userID]; ok {
			bucketCounts(b, counts)
			d.dropUser(userID, b, undo)
		}
		for id, dl := range d.deadLetters {
			if dl.UserID == userID {
				delete(d.deadLetters, id)
				undo.add(func() { d.deadLetters[id] = dl })
				counts["deadLetters"]++
			}
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	return counts, nil
}

// bucketCounts adds the rows of b, by kind, to counts (kinds with none are left out).
func bucketCounts(b *bucket, counts map[string]int) {
	add := func(kind string, n int) {
		if n > 0 {
			counts[kind] += n
		}
	}
	add("tradeNotes", len(b.answers.notes))
	add("questions", len(b.answers.questions))
	add("tagDisputes", len(b.answers.disputes))
	for _, revs := range b.tagRevs {
		for _, rs := range revs {
			add("tagRevisions", len(rs))
		}
	}
	for _, ts := range b.tags {
		add("tags", len(ts))
	}
	add("trades", len(b.trades.byID))
	add("tombstones", len(b.trades.tombs))
	for _, cs := range b.checkpoints {
		add("checkpoints", len(cs))
	}
	add("sessions", len(b.sessions))
	add("connections", len(b.connections))
	add("rules", len(b.rules))
	add("digests", len(b.digests))
	add("audit", len(b.audit))
	add("events", len(b.events))
	if b.lastEventID != "" {
		add("eventStreams", 1)
	}
	add("simulationRuns", len(b.runs))
	add("exports", len(b.exports))
	add("webhookEndpoints", len(b.hooks.endpoints))
	add("webhookDeliveries", len(b.hooks.deliveries))
	add("ruleBreaks", len(b.ruleBreaks))
	if b.dataKey != nil {
		add("dataKeys", 1)
	}
	if b.user != nil {
		add("users", 1)
	}
}

// Record stores e.
func (r erasures) Record(ctx context.Context, e storage.Erasure) error {
	switch {
	case e.ID == "" || len(e.ID) > 256:
		return coach.Errorf(coach.EINVALID, "erasure: id: want 1 to 256 bytes")
	case e.Subject == "" || len(e.Subject) > 128:
		return coach.Errorf(coach.EINVALID, "erasure: subject: want 1 to 128 bytes")
	case e.ErasedAt.IsZero():
		return coach.Errorf(coach.EINVALID, "erasure: erasedAt: required")
	}
	e.ErasedAt = e.ErasedAt.UTC()
	e.Counts = maps.Clone(e.Counts)
	if e.Counts == nil {
		e.Counts = map[string]int{}
	}
	return r.r.write(ctx, func(d *data, undo *undoLog) error {
		for _, old := range d.erasures {
			if old.ID == e.ID {
				return coach.Errorf(coach.ECONFLICT, "erasure %s: already recorded", clipKey(e.ID))
			}
		}
		d.erasures = append(d.erasures, e)
		undo.add(func() { d.erasures = d.erasures[:len(d.erasures)-1] })
		return nil
	})
}

// BySubject returns the records of subject, oldest first.
func (r erasures) BySubject(ctx context.Context, subject string) ([]storage.Erasure, error) {
	var out []storage.Erasure
	err := r.r.read(ctx, func(d *data) error {
		for _, e := range d.erasures {
			if e.Subject == subject {
				e.Counts = maps.Clone(e.Counts)
				out = append(out, e)
			}
		}
		return nil
	})
	slices.SortStableFunc(out, func(a, b storage.Erasure) int { return a.ErasedAt.Compare(b.ErasedAt) })
	return out, err
}
