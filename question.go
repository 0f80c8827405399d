package coach

import "time"

// EventCoachAnswer is the event type of the coach's answer to a trader's question, appended in
// the same transaction as the stored Question, once, after the answer passed the grounding
// check. Its v1 payload is AnswerPayload.
const EventCoachAnswer = "coach.answer"

// Sources of an answer (Question.Source).
const (
	// AnswerModel: the configured model's answer, which passed the grounding check.
	AnswerModel = "model"
	// AnswerDeterministic: the deterministic coach's answer, because no model is configured or
	// the model's answers failed the check (twice) or the model could not answer.
	AnswerDeterministic = "deterministic"
)

// Bounds of a stored Question.
const (
	// MaxQuestionText is the most characters (code points) of Question.Text.
	MaxQuestionText = 1000
	// MaxAnswerText is the most characters of Question.Answer.
	MaxAnswerText = 2000
	// MaxAnswerEvidence is the most evidence ids an answer carries, each at most
	// MaxEvidenceID bytes.
	MaxAnswerEvidence = 64
	MaxEvidenceID     = 128
)

// Question is a trader's free question to the coach and the answer they were shown (an addition
// to the seed). Answer passed the grounding check against the evidence ids it carries; Source
// says whether a model or the deterministic coach wrote it, and Rejected how many of the
// model's answers the checker refused first. Versions name the prompt and checker rules it was
// produced under. Questions are part of the user's export and go with the user at erase.
type Question struct {
	ID          string    `json:"id"`
	UserID      string    `json:"userId"`
	Text        string    `json:"text"`
	Answer      string    `json:"answer"`
	Source      string    `json:"source"`
	EvidenceIDs []string  `json:"evidenceIds"`
	Rejected    int       `json:"rejected"`
	Versions    string    `json:"versions"`
	CreatedAt   time.Time `json:"createdAt"`
}

// Validate reports the first invalid field of q. CreatedAt may be zero (the store sets it).
func (q Question) Validate() error {
	switch {
	case !ValidID(q.ID):
		return Errorf(EINVALID, "id: required")
	case !ValidID(q.UserID):
		return Errorf(EINVALID, "userId: required")
	}
	if err := checkFreeText("text", q.Text, MaxQuestionText, false); err != nil {
		return err
	}
	if err := checkFreeText("answer", q.Answer, MaxAnswerText, false); err != nil {
		return err
	}
	switch {
	case q.Source != AnswerModel && q.Source != AnswerDeterministic:
		return Errorf(EINVALID, "source: want %q or %q", AnswerModel, AnswerDeterministic)
	case len(q.EvidenceIDs) > MaxAnswerEvidence:
		return Errorf(EINVALID, "evidenceIds: more than %d", MaxAnswerEvidence)
	case q.Rejected < 0 || q.Rejected > 100:
		return Errorf(EINVALID, "rejected: want 0 to 100")
	case len(q.Versions) > 200:
		return Errorf(EINVALID, "versions: longer than 200 bytes")
	}
	for _, id := range q.EvidenceIDs {
		if id == "" || len(id) > MaxEvidenceID {
			return Errorf(EINVALID, "evidenceIds: each 1 to %d bytes", MaxEvidenceID)
		}
		if err := checkFreeText("evidenceIds", id, MaxEvidenceID, false); err != nil {
			return err
		}
	}
	return nil
}

// AnswerPayload is the v1 payload of coach.answer: the checked answer to a question, with the
// evidence ids it rests on (for "why?" links).
type AnswerPayload struct {
	QuestionID  string   `json:"questionId"`
	Text        string   `json:"text"`
	Source      string   `json:"source"`
	EvidenceIDs []string `json:"evidenceIds"`
}
