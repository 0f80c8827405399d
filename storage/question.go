package storage

import (
	"context"
	"time"

	"github.com/tradecoach/coach"
)

// Questions stores the trader's questions to the coach with the answers they were shown
// (coach.Question). A stored question never changes; questions go with the user.
//
// Every method is scoped to one user: another user's question is never returned or counted.
type Questions interface {
	// Add stores q, which must be valid (coach.Question.Validate), as a new question of the user
	// q.UserID: ENOTFOUND if there is no such user, ECONFLICT if q.ID is taken. A zero CreatedAt
	// is the store's clock. Add returns the question as stored.
	Add(ctx context.Context, q coach.Question) (coach.Question, error)

	// List returns the user's questions in (CreatedAt, ID) order (see AnswerPos), after p.After
	// when set, at most Clamp(p.Limit): the listing an export pages through.
	List(ctx context.Context, userID string, p AnswerPage) ([]coach.Question, error)

	// Recent returns the user's latest questions, newest first, at most Clamp(limit).
	Recent(ctx context.Context, userID string, limit int) ([]coach.Question, error)

	// CountSince counts the user's questions with CreatedAt at or after since: what a daily
	// budget reads.
	CountSince(ctx context.Context, userID string, since time.Time) (int, error)
}

// QuestionPos returns the position of q in the order of Questions.List.
func QuestionPos(q coach.Question) AnswerPos { return AnswerPos{CreatedAt: q.CreatedAt, ID: q.ID} }
