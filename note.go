package coach

import (
	"strings"
	"time"
	"unicode"
	"unicode/utf8"
)

// MaxNoteText is the most characters (Unicode code points) of TradeNote.Text.
const MaxNoteText = 2000

// TradeNote is the trader's own note on one of their trades, in their own words: why they took
// it, what they saw, what they would do again. A trade may carry any number of notes; they go
// with the trade when it is deleted. UserID scopes a note to its owner, as every row.
//
// Writing a note emits no event, for the reason TagDispute gives: it is the trader's own
// synchronous write.
type TradeNote struct {
	ID      string `json:"id"`
	UserID  string `json:"userId"`
	TradeID string `json:"tradeId"`
	// Text is 1 to MaxNoteText characters, not only white space.
	Text      string    `json:"text"`
	CreatedAt time.Time `json:"createdAt"`
	UpdatedAt time.Time `json:"updatedAt"`
}

// Validate reports the first invalid field of n. CreatedAt and UpdatedAt may be zero (the store
// sets them); when both are set UpdatedAt must not be before CreatedAt.
func (n TradeNote) Validate() error {
	switch {
	case !ValidID(n.ID):
		return Errorf(EINVALID, "id: required")
	case !ValidID(n.UserID):
		return Errorf(EINVALID, "userId: required")
	case !ValidID(n.TradeID):
		return Errorf(EINVALID, "tradeId: required")
	}
	if err := checkFreeText("text", n.Text, MaxNoteText, false); err != nil {
		return err
	}
	if !n.CreatedAt.IsZero() && !n.UpdatedAt.IsZero() && n.UpdatedAt.Before(n.CreatedAt) {
		return Errorf(EINVALID, "updatedAt: before createdAt")
	}
	return nil
}

// checkFreeText gives EINVALID, naming field, unless s is text a trader may write: valid UTF-8
// of at most limit code points, with no control character but tab, line feed and carriage return
// (a browser's text area sends CR LF), and — unless empty is allowed — not empty or only white
// space. Such text is stored as it is (PostgreSQL text takes it: it has no NUL byte).
func checkFreeText(field, s string, limit int, empty bool) error {
	switch {
	case !utf8.ValidString(s):
		return Errorf(EINVALID, "%s: must be UTF-8 text", field)
	case utf8.RuneCountInString(s) > limit:
		return Errorf(EINVALID, "%s: longer than %d characters", field, limit)
	case !empty && strings.TrimSpace(s) == "":
		return Errorf(EINVALID, "%s: required", field)
	}
	for _, r := range s {
		if unicode.IsControl(r) && r != '\t' && r != '\n' && r != '\r' {
			return Errorf(EINVALID, "%s: control characters other than tab and line breaks are not allowed", field)
		}
	}
	return nil
}
