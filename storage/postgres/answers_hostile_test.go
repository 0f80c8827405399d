package postgres

import (
	"context"
	"strings"
	"testing"

	"github.com/tradecoach/coach"
	"github.com/tradecoach/coach/storage"
)

// TestHostileAnswersAreRejectedBeforeSQL is TestHostileInputIsRejectedBeforeSQL for disputes and
// notes: on a closed store, text PostgreSQL would refuse (NUL, bad UTF-8) or that is out of range
// gives EINVALID, which only validation can answer; and reads naming ids PostgreSQL could not hold
// answer "not found" or nothing, without a query.
func TestHostileAnswersAreRejectedBeforeSQL(t *testing.T) {
	t.Parallel()
	db := MustOpenTestDB(t)
	ctx := context.Background()
	u := newUser(t, db)
	must(t, db.Close(), "close")

	id := coach.NewID()
	d := coach.TagDispute{ID: id, UserID: u.ID, TradeID: id, Label: coach.LabelPanic, TagID: id, Reason: coach.DisputePlan}
	n := coach.TradeNote{ID: id, UserID: u.ID, TradeID: id, Text: "ok"}
	for _, tc := range []struct {
		name string
		call func() error
	}{
		{"dispute note with NUL", func() error { x := d; x.Note = "a\x00b"; _, err := db.Disputes().Put(ctx, x); return err }},
		{"dispute note not UTF-8", func() error { x := d; x.Note = "a\xffb"; _, err := db.Disputes().Put(ctx, x); return err }},
		{"dispute note too long", func() error {
			x := d
			x.Note = strings.Repeat("a", coach.MaxDisputeNote+1)
			_, err := db.Disputes().Put(ctx, x)
			return err
		}},
		{"dispute tag id with NUL", func() error { x := d; x.TagID = "a\x00"; _, err := db.Disputes().Put(ctx, x); return err }},
		{"dispute reason unknown", func() error { x := d; x.Reason = "whatever"; _, err := db.Disputes().Put(ctx, x); return err }},
		{"note text with NUL", func() error { x := n; x.Text = "a\x00b"; _, err := db.Notes().Add(ctx, x); return err }},
		{"note text not UTF-8", func() error { x := n; x.Text = "\xc3"; _, err := db.Notes().Add(ctx, x); return err }},
		{"note update to blank", func() error { x := n; x.Text = " "; _, err := db.Notes().Update(ctx, x); return err }},
	} {
		t.Run(tc.name, func(t *testing.T) { wantCode(t, tc.call(), coach.EINVALID, tc.name) })
	}

	nul := "x\x00"
	_, err := db.Disputes().Get(ctx, u.ID, nul, coach.LabelPanic)
	wantCode(t, err, coach.ENOTFOUND, "Disputes.Get of a trade id with NUL")
	wantCode(t, db.Disputes().Delete(ctx, u.ID, id, nul), coach.ENOTFOUND, "Disputes.Delete of a label with NUL")
	wantCode(t, db.Notes().Delete(ctx, u.ID, nul), coach.ENOTFOUND, "Notes.Delete of an id with NUL")
	for name, call := range map[string]func() (int, error){
		"Disputes.ByTrades": func() (int, error) {
			got, err := db.Disputes().ByTrades(ctx, u.ID, []string{nul})
			return len(got), err
		},
		"Disputes.Tagged": func() (int, error) { got, err := db.Disputes().Tagged(ctx, u.ID, []string{nul}); return len(got), err },
		"Notes.ByTrades":  func() (int, error) { got, err := db.Notes().ByTrades(ctx, u.ID, []string{nul}); return len(got), err },
		"Disputes.List": func() (int, error) {
			got, err := db.Disputes().List(ctx, u.ID, storage.AnswerPage{After: &storage.AnswerPos{ID: nul}})
			return len(got), err
		},
		"Notes.List": func() (int, error) {
			got, err := db.Notes().List(ctx, nul, storage.AnswerPage{})
			return len(got), err
		},
	} {
		if n, err := call(); n != 0 || err != nil {
			t.Errorf("%s of a NUL id: %d rows, %v; want none and no error", name, n, err)
		}
	}
}
