package memory

import (
	"context"
	"slices"
	"time"

	"github.com/tradecoach/coach"
	"github.com/tradecoach/coach/storage"
)

// questions is the storage.Questions of a Store or transaction.
type questions struct{ r repos }

func (r questions) Add(ctx context.Context, in coach.Question) (coach.Question, error) {
	if err := in.Validate(); err != nil {
		return coach.Question{}, err
	}
	var out coach.Question
	err := r.r.write(ctx, func(d *data, undo *undoLog) error {
		b, ok := d.users[in.UserID]
		if !ok || b.user == nil {
			return notFound("user", in.UserID)
		}
		if d.taken(kindQuestion, in.ID) {
			return coach.Errorf(coach.ECONFLICT, "question %s already exists", in.ID)
		}
		q := in
		q.CreatedAt = stamp(in.CreatedAt, r.r.now())
		q.EvidenceIDs = slices.Clone(in.EvidenceIDs)
		if q.EvidenceIDs == nil {
			q.EvidenceIDs = []string{}
		}
		b.answers.ensure()
		b.answers.questions[q.ID] = &q
		d.setOwner(kindQuestion, q.ID, q.UserID, undo)
		undo.add(func() { delete(b.answers.questions, q.ID) })
		out = q
		out.EvidenceIDs = slices.Clone(q.EvidenceIDs)
		return nil
	})
	return out, err
}

func (r questions) List(ctx context.Context, userID string, p storage.AnswerPage) ([]coach.Question, error) {
	var out []coach.Question
	err := r.r.read(ctx, func(d *data) error {
		out = page(r.rows(d, userID), questionPos, p)
		return nil
	})
	return cloneQuestions(out), err
}

func (r questions) Recent(ctx context.Context, userID string, limit int) ([]coach.Question, error) {
	var out []coach.Question
	err := r.r.read(ctx, func(d *data) error {
		rows := r.rows(d, userID)
		slices.SortFunc(rows, func(a, b *coach.Question) int {
			pa, pb := questionPos(a), questionPos(b)
			switch {
			case pb.Less(pa):
				return -1
			case pa.Less(pb):
				return 1
			}
			return 0
		})
		for _, q := range rows[:min(len(rows), storage.Clamp(limit))] {
			out = append(out, *q)
		}
		return nil
	})
	return cloneQuestions(out), err
}

func (r questions) CountSince(ctx context.Context, userID string, since time.Time) (int, error) {
	n := 0
	err := r.r.read(ctx, func(d *data) error {
		for _, q := range r.rows(d, userID) {
			if !q.CreatedAt.Before(since) {
				n++
			}
		}
		return nil
	})
	return n, err
}

// rows returns the user's questions, in no order.
func (questions) rows(d *data, userID string) []*coach.Question {
	b, ok := d.users[userID]
	if !ok {
		return nil
	}
	rows := make([]*coach.Question, 0, len(b.answers.questions))
	for _, q := range b.answers.questions {
		rows = append(rows, q)
	}
	return rows
}

func questionPos(q *coach.Question) storage.AnswerPos { return storage.QuestionPos(*q) }

// cloneQuestions gives the caller its own evidence id slices.
func cloneQuestions(qs []coach.Question) []coach.Question {
	for i := range qs {
		qs[i].EvidenceIDs = slices.Clone(qs[i].EvidenceIDs)
	}
	return qs
}
