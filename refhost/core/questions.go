package core

import (
	"net/http"

	"github.com/tradecoach/coach/transport/httpjson"
)

// maxQuestionBody bounds the body of POST /coach/questions: a question of at most
// coach.MaxQuestionText characters, in JSON.
const maxQuestionBody = 8 << 10

type questionRequest struct {
	Question string `json:"question"`
}

// askQuestion answers the trader's question with the coach (chat.Service.Ask): the answer passed
// the grounding check, is stored with the question and published once as coach.answer.
func (a *API) askQuestion(r *http.Request, userID string) (int, any, error) {
	var in questionRequest
	if err := httpjson.Decode(r, maxQuestionBody, &in); err != nil {
		return fail(err)
	}
	q, err := a.svc.Chat.Ask(r.Context(), userID, in.Question)
	if err != nil {
		return fail(err)
	}
	return http.StatusCreated, q, nil
}

// listQuestions returns the trader's latest questions with their answers, newest first.
func (a *API) listQuestions(r *http.Request, userID string) (int, any, error) {
	q := newQuery(r)
	limit := q.limit(20)
	if err := q.err(); err != nil {
		return fail(err)
	}
	qs, err := a.store.Questions().Recent(r.Context(), userID, limit)
	if err != nil {
		return fail(err)
	}
	return ok(map[string]any{"questions": nonNil(qs)})
}
