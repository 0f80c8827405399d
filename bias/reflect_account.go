package bias

import (
	"hash/fnv"
	"time"

	"github.com/tradecoach/coach"
)

// WindowReflection is the coach's short text on an account effect of one window.
type WindowReflection struct {
	// Label is coach.LabelDisposition or coach.LabelLossChasing.
	Label string `json:"label"`
	// Text is at most MaxReflection characters, written to the wording guide of DEFINITIONS.md.
	Text string `json:"text"`
}

// ReflectWindow returns the coach's reflections on the account effects of w that Shows under
// cfg (its MinEffect, MinT and MinEvents, and TimeZone for the month's name), DISPOSITION before
// LOSS_CHASING, and none for an effect that is undefined, too small, or not clear once the
// positions are clustered: the coach never speaks of a pattern the window does not show. The
// texts state the window's own counts and proportions; the wording is chosen among several by an
// FNV-1a hash of the label and the window's start, so the same window always reads the same.
func ReflectWindow(w AccountWindow, cfg Config) []WindowReflection {
	loc, err := time.LoadLocation(cfg.TimeZone)
	if err != nil {
		loc = time.UTC
	}
	month := w.From.In(loc).Format("January 2006")
	var out []WindowReflection
	if d := w.Disposition; d.Shows(cfg) {
		rates := "you sold " + pct(d.PGR) + " of the gains you held at a decision point and " + pct(d.PLR) +
			" of the losses (" + itoa(d.Moments) + " decision points, " + itoa(d.Clustered.Clusters) + " positions)"
		text := choose(windowPick(coach.LabelDisposition, w.From),
			"In "+month+", "+rates+". How do you choose which holding to sell?",
			"A look back at "+month+": "+rates+". What goes into deciding what to sell first?",
			"Your "+month+" in counts: "+rates+". What did you have in mind for the holdings you kept?",
		)
		out = append(out, WindowReflection{Label: coach.LabelDisposition, Text: fit(text)})
	}
	if l := w.LossChasing; l.Shows(cfg) {
		rates := "your first entry after a loss was above your median size " + pct(l.PLoss) + " of the time, and after a gain " +
			pct(l.PGain) + " (" + itoa(l.AfterLoss) + " and " + itoa(l.AfterGain) + " entries)"
		text := choose(windowPick(coach.LabelLossChasing, w.From),
			"In "+month+", "+rates+". How do you set the size of the trade after a result?",
			"Sizing in "+month+": "+rates+". What decides the size of your next entry?",
			"A look back at "+month+": "+rates+". Is the size of each entry set before you place it?",
		)
		out = append(out, WindowReflection{Label: coach.LabelLossChasing, Text: fit(text)})
	}
	return out
}

// windowPick picks a window reflection's wording: FNV-1a of the label and the window's start.
func windowPick(label string, from time.Time) uint64 {
	h := fnv.New64a()
	_, _ = h.Write([]byte(label))
	_, _ = h.Write([]byte(from.UTC().Format(time.RFC3339)))
	return h.Sum64()
}
