package postgres

import (
	"context"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/tradecoach/coach"
	"github.com/tradecoach/coach/storage"
)

// questions is storage.Questions on the table coach_questions (migration 00019).
type questions struct{ s *scope }

// Questions returns the repository of the trader's questions to the coach.
func (r repos) Questions() storage.Questions { return questions(r) }

const questionCols = `c.id, c.user_id, c.text, c.answer, c.source, c.evidence_ids, c.rejected, c.versions, c.created_at`

func scanQuestion(row pgx.Row) (coach.Question, error) {
	var q coach.Question
	err := row.Scan(&q.ID, &q.UserID, &q.Text, &q.Answer, &q.Source, &q.EvidenceIDs, &q.Rejected, &q.Versions, &q.CreatedAt)
	q.CreatedAt = q.CreatedAt.UTC()
	if q.EvidenceIDs == nil {
		q.EvidenceIDs = []string{}
	}
	return q, err
}

// Add stores a new question of the user. The user's existence is checked in the INSERT itself
// and a taken id does nothing (ON CONFLICT DO NOTHING), so inside InTx the transaction stays
// usable after either failure.
func (r questions) Add(ctx context.Context, in coach.Question) (coach.Question, error) {
	if err := in.Validate(); err != nil {
		return coach.Question{}, err
	}
	ids := in.EvidenceIDs
	if ids == nil {
		ids = []string{}
	}
	created := orNow(in.CreatedAt, r.s.db.clock.Now())
	var out coach.Question
	err := r.s.write(ctx, func(q querier) error {
		var err error
		out, err = scanQuestion(q.QueryRow(ctx, `INSERT INTO {schema}.coach_questions AS c (id, user_id, text, answer, source, evidence_ids, rejected, versions, created_at)
			SELECT $1, u.id, $3, $4, $5, $6, $7, $8, $9 FROM {schema}.users u WHERE u.id = $2 FOR KEY SHARE OF u
			ON CONFLICT DO NOTHING
			RETURNING `+questionCols, in.ID, in.UserID, in.Text, in.Answer, in.Source, ids, in.Rejected, in.Versions, created))
		if coach.ErrorCode(formatError(err)) != coach.ENOTFOUND {
			return err
		}
		var has bool
		if err := q.QueryRow(ctx, `SELECT EXISTS (SELECT 1 FROM {schema}.users WHERE id = $1)`, in.UserID).Scan(&has); err != nil {
			return err
		}
		if has {
			return coach.Errorf(coach.ECONFLICT, "a question with this id already exists")
		}
		return coach.Errorf(coach.ENOTFOUND, "user %s not found", in.UserID)
	})
	return out, err
}

// List returns the user's questions in (created_at, id) order after p.After.
func (r questions) List(ctx context.Context, userID string, p storage.AnswerPage) ([]coach.Question, error) {
	if !textOK(userID) || p.After != nil && !textOK(p.After.ID) {
		return nil, nil
	}
	sql, args := answerPage(`SELECT `+questionCols+` FROM {schema}.coach_questions c WHERE c.user_id = $1`, "c", userID, p)
	return r.query(ctx, sql, args...)
}

// Recent returns the user's latest questions, newest first.
func (r questions) Recent(ctx context.Context, userID string, limit int) ([]coach.Question, error) {
	if !textOK(userID) {
		return nil, nil
	}
	return r.query(ctx, `SELECT `+questionCols+` FROM {schema}.coach_questions c WHERE c.user_id = $1
		ORDER BY c.created_at DESC, c.id DESC LIMIT $2`, userID, storage.Clamp(limit))
}

// CountSince counts the user's questions created at or after since.
func (r questions) CountSince(ctx context.Context, userID string, since time.Time) (int, error) {
	if !textOK(userID) {
		return 0, nil
	}
	var n int
	err := r.s.read(ctx, func(q querier) error {
		return q.QueryRow(ctx, `SELECT count(*) FROM {schema}.coach_questions WHERE user_id = $1 AND created_at >= $2`, userID, since).Scan(&n)
	})
	return n, err
}

func (r questions) query(ctx context.Context, sql string, args ...any) ([]coach.Question, error) {
	var out []coach.Question
	err := r.s.read(ctx, func(q querier) error {
		rows, err := q.Query(ctx, sql, args...)
		if err != nil {
			return err
		}
		out, err = collect(rows, scanQuestion)
		return err
	})
	return out, err
}
