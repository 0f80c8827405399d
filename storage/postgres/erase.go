package postgres

import (
	"context"
	"encoding/json"

	"github.com/jackc/pgx/v5"
	"github.com/pkg/errors"
	"github.com/tradecoach/coach"
	"github.com/tradecoach/coach/storage"
)

// erasures is storage.Erasures.
type erasures struct{ s *scope }

// Erasures returns the erasure repository.
func (r repos) Erasures() storage.Erasures { return erasures(r) }

// eraseSteps are the statements of Erase, in order, each deleting one kind of the user's rows
// ($1 is the user id), each one statement over the user's index of its table. The rows that hang
// off a trade have no foreign key to it (migration 00012: row-by-row cascades from 100,000 trades
// took seconds), so they are deleted here by user; the user row goes last (and takes with it,
// by cascade, the rows of any table not named here).
var eraseSteps = []struct{ kind, sql string }{
	{"tradeNotes", `DELETE FROM {schema}.trade_notes WHERE user_id = $1`},
	{"questions", `DELETE FROM {schema}.coach_questions WHERE user_id = $1`},
	{"tagDisputes", `DELETE FROM {schema}.tag_disputes WHERE user_id = $1`},
	{"tagRevisions", `DELETE FROM {schema}.bias_tag_revisions WHERE user_id = $1`},
	{"tags", `DELETE FROM {schema}.bias_tags WHERE user_id = $1`},
	{"trades", `DELETE FROM {schema}.trades WHERE user_id = $1`},
	{"tombstones", `DELETE FROM {schema}.trade_tombstones WHERE user_id = $1`},
	{"checkpoints", `DELETE FROM {schema}.checkpoints WHERE user_id = $1`},
	{"sessions", `DELETE FROM {schema}.sessions WHERE user_id = $1`},
	{"connections", `DELETE FROM {schema}.broker_connections WHERE user_id = $1`},
	{"rules", `DELETE FROM {schema}.rules WHERE user_id = $1`},
	{"digests", `DELETE FROM {schema}.digests WHERE user_id = $1`},
	{"audit", `DELETE FROM {schema}.audit WHERE user_id = $1`},
	{"events", `DELETE FROM {schema}.event_outbox WHERE user_id = $1`},
	{"eventStreams", `DELETE FROM {schema}.event_streams WHERE user_id = $1`},
	{"simulationRuns", `DELETE FROM {schema}.simulation_runs WHERE user_id = $1`},
	{"exports", `DELETE FROM {schema}.exports WHERE user_id = $1`},
	{"webhookDeliveries", `DELETE FROM {schema}.webhook_deliveries WHERE user_id = $1`},
	{"webhookEndpoints", `DELETE FROM {schema}.webhook_endpoints WHERE user_id = $1`},
	{"ruleBreaks", `DELETE FROM {schema}.rule_breaks WHERE user_id = $1`},
	{"dataKeys", `DELETE FROM {schema}.data_keys WHERE user_id = $1`},
	{"deadLetters", `DELETE FROM {schema}.dead_letters WHERE user_id = $1`},
	{"users", `DELETE FROM {schema}.users WHERE id = $1`},
}

// Erase deletes the user's rows table by table in one transaction, after locking the user's row
// (FOR UPDATE), so that a write of the user that commits meanwhile waits and then finds no user.
func (r erasures) Erase(ctx context.Context, userID string) (map[string]int, error) {
	if !textOK(userID) || userID == "" {
		return map[string]int{}, nil
	}
	counts := map[string]int{}
	err := r.s.write(ctx, func(q querier) error {
		clear(counts)
		b := &pgx.Batch{}
		b.Queue(`SELECT id FROM {schema}.users WHERE id = $1 FOR UPDATE`, userID)
		for _, st := range eraseSteps {
			b.Queue(st.sql, userID)
		}
		res := q.SendBatch(ctx, b)
		if _, err := res.Exec(); err != nil {
			_ = res.Close()
			return err
		}
		for _, st := range eraseSteps {
			tag, err := res.Exec()
			if err != nil {
				_ = res.Close()
				return err
			}
			if n := int(tag.RowsAffected()); n > 0 {
				counts[st.kind] = n
			}
		}
		return res.Close()
	})
	if err != nil {
		return nil, err
	}
	return counts, nil
}

// checkErasure rejects a record that cannot be stored.
func checkErasure(e storage.Erasure) error {
	switch {
	case e.ID == "" || len(e.ID) > 256 || !textOK(e.ID):
		return coach.Errorf(coach.EINVALID, "erasure: id: want 1 to 256 bytes of text")
	case e.Subject == "" || len(e.Subject) > 128 || !textOK(e.Subject):
		return coach.Errorf(coach.EINVALID, "erasure: subject: want 1 to 128 bytes of text")
	case e.ErasedAt.IsZero():
		return coach.Errorf(coach.EINVALID, "erasure: erasedAt: required")
	}
	return nil
}

// Record stores e.
func (r erasures) Record(ctx context.Context, e storage.Erasure) error {
	if err := checkErasure(e); err != nil {
		return err
	}
	counts := e.Counts
	if counts == nil {
		counts = map[string]int{}
	}
	doc, err := json.Marshal(counts)
	if err != nil {
		return errors.Wrap(err, "postgres: erasure counts")
	}
	return r.s.write(ctx, func(q querier) error {
		_, err := q.Exec(ctx, `INSERT INTO {schema}.erasures (id, subject, erased_at, counts) VALUES ($1, $2, $3, $4)`,
			e.ID, e.Subject, e.ErasedAt, doc)
		return err
	})
}

// BySubject returns the records of subject, oldest first.
func (r erasures) BySubject(ctx context.Context, subject string) ([]storage.Erasure, error) {
	if !textOK(subject) {
		return nil, nil
	}
	var out []storage.Erasure
	err := r.s.read(ctx, func(q querier) error {
		rows, err := q.Query(ctx, `SELECT id, subject, erased_at, counts FROM {schema}.erasures WHERE subject = $1 ORDER BY erased_at, id`, subject)
		if err != nil {
			return err
		}
		out, err = collect(rows, func(row pgx.Row) (storage.Erasure, error) {
			var (
				e   storage.Erasure
				doc []byte
			)
			if err := row.Scan(&e.ID, &e.Subject, &e.ErasedAt, &doc); err != nil {
				return e, err
			}
			e.ErasedAt = e.ErasedAt.UTC()
			if err := json.Unmarshal(doc, &e.Counts); err != nil {
				return e, errors.Wrap(err, "postgres: erasure counts")
			}
			return e, nil
		})
		return err
	})
	return out, err
}
