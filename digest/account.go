package digest

import (
	"context"
	"time"

	"github.com/tradecoach/coach"
	"github.com/tradecoach/coach/bias"
)

// AccountSource gives a user's account windows (bias.AccountWindow) from their trades before to;
// bias.Service.AccountWindows satisfies it.
type AccountSource interface {
	AccountWindows(ctx context.Context, userID string, to time.Time) ([]bias.AccountWindow, error)
}

// AccountMonth is what the digest says of the account effects, the disposition effect and loss
// chasing: those of the last calendar month (in the user's zone) that ended at or before the end
// of the week. A month is fixed once it has ended, so every digest of the weeks that follow it
// reports the same figures until the next month ends: the test is run once per month, never
// re-run week after week.
type AccountMonth struct {
	// From is the start of the month and To the start of the next, as instants (UTC).
	From time.Time `json:"from"`
	To   time.Time `json:"to"`
	// Disposition and LossChasing are the month's statistics, with their counts and their
	// standard errors clustered by position.
	Disposition bias.Disposition `json:"disposition"`
	LossChasing bias.LossChasing `json:"lossChasing"`
	// Shows lists the effects the month shows under bias.DefaultConfig (Disposition.Shows,
	// LossChasing.Shows): "DISPOSITION" then "LOSS_CHASING", [] for none.
	Shows []string `json:"shows"`
	// Reflections are the coach's words on those effects (bias.ReflectWindow), [] for none.
	Reflections []bias.WindowReflection `json:"reflections"`
}

// retired reports whether label is an account effect whose per-trade tags are retired: the
// digest reads it from Input.Windows, never from tags.
func retired(label string) bool {
	return label == coach.LabelDisposition || label == coach.LabelLossChasing
}

// accountMonth returns the last window of ws that ended at or before end, or nil.
func accountMonth(ws []bias.AccountWindow, end time.Time, tz string) *AccountMonth {
	var last *bias.AccountWindow
	for i := range ws {
		if w := &ws[i]; !w.To.After(end) && (last == nil || w.To.After(last.To)) {
			last = w
		}
	}
	if last == nil {
		return nil
	}
	cfg := bias.DefaultConfig()
	cfg.TimeZone = tz
	m := &AccountMonth{From: last.From.UTC(), To: last.To.UTC(), Disposition: last.Disposition, LossChasing: last.LossChasing,
		Shows: []string{}, Reflections: bias.ReflectWindow(*last, cfg)}
	if m.Reflections == nil {
		m.Reflections = []bias.WindowReflection{}
	}
	if last.Disposition.Shows(cfg) {
		m.Shows = append(m.Shows, coach.LabelDisposition)
	}
	if last.LossChasing.Shows(cfg) {
		m.Shows = append(m.Shows, coach.LabelLossChasing)
	}
	return m
}
