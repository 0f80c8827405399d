package web

import (
	"encoding/json"
	"sort"
	"strconv"
	"strings"

	"github.com/tradecoach/coach"
)

// labelInfo is how a page names a bias label and says, in one or two plain sentences, the
// definition it comes from (bias/DEFINITIONS.md, whose version each tag's features carry).
type labelInfo struct {
	Name       string
	Definition string
}

// labels are the labels a trade can carry, retired ones included (tags stored by earlier
// scorers keep them).
var labels = map[string]labelInfo{
	coach.LabelFOMO: {"Chasing a move (FOMO)",
		"A buy made into a rise that was still making new highs, after a run-up of at least 3.5% over the previous three hours, often with unusual volume or a stretched price."},
	coach.LabelPanic: {"Selling into a drop (panic)",
		"A sale close to the low of a sharp fall that realized a loss of at least 1.25% on the position, and was not an exit at your own stop."},
	coach.LabelRevenge: {"Sizing up after a loss (revenge)",
		"A buy at least 1.5 times your usual size within an hour after a sale that realized a loss."},
	coach.LabelDiscipline: {"Following your plan (discipline)",
		"An exit at the stop or target of your own written rules: positive evidence that the plan was followed."},
	coach.LabelOvertrading: {"A burst of orders (overtrading)",
		"An order placed in a burst: your count of orders ran at more than twice your usual pace, and at least 5."},
	coach.LabelHoldingLosers: {"Holding a loser (holding losers)",
		"A losing sale held past your plan's stop, and longer than you usually hold your winners."},
	coach.LabelDisposition: {"Selling winners, riding losers (disposition)",
		"An account effect: realizing gains more readily than losses. It is measured per month over all your trades."},
	coach.LabelLossChasing: {"Chasing losses",
		"An account effect: entering bigger positions after losses than after gains. It is measured per month over all your trades."},
}

// labelName is a label's plain name; an unknown label shows as it is.
func labelName(label string) string {
	if l, ok := labels[label]; ok {
		return l.Name
	}
	return label
}

// shortLabel is the chip text of a label: its word in capitals, as the coach says it.
func shortLabel(label string) string {
	return strings.ReplaceAll(label, "_", " ")
}

// evidence is one number of a tag's evidence, named in plain words.
type evidence struct {
	Name  string
	Value string
}

// evidenceNames name the evidence keys of bias/DEFINITIONS.md in plain words.
var evidenceNames = map[string]string{
	"belowHigh":        "Below the recent high",
	"runUp":            "Rise from the recent low",
	"priorReturn":      "Move over the previous hours",
	"abnormalVolume":   "Volume against the usual for the hour",
	"bandZ":            "Distance above the Bollinger middle (in band widths)",
	"rsi":              "RSI",
	"rangePos":         "Position in the recent range (1 = at the high)",
	"drawdown":         "Fall from the recent high",
	"lossPct":          "Loss on the position",
	"sizeRatio":        "Size against your usual",
	"baselineMedian":   "Your usual order size",
	"baselineN":        "Orders your usual size is read from",
	"minutesAfterLoss": "Minutes after the loss",
	"loss":             "The loss before it",
	"orders":           "Orders in the window",
	"usual":            "Your usual count",
	"holdRatio":        "Held, against your winners",
	"holdMinutes":      "Held (minutes)",
	"stopPct":          "Your stop",
	"targetPct":        "Your target",
}

// tagFeatures is what the pages read of a tag's features: the definition version and the
// evidence.
type tagFeatures struct {
	V  string                     `json:"v"`
	Ev map[string]json.RawMessage `json:"ev"`
}

// readEvidence lists a tag's evidence in key order, numbers as written (at most 6 significant
// digits), null values left out.
func readEvidence(raw json.RawMessage) (version string, out []evidence) {
	var f tagFeatures
	if json.Unmarshal(raw, &f) != nil {
		return "", nil
	}
	keys := make([]string, 0, len(f.Ev))
	for k := range f.Ev {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		v := strings.TrimSpace(string(f.Ev[k]))
		if v == "null" || v == "" || strings.HasPrefix(v, "{") || strings.HasPrefix(v, "[") {
			continue
		}
		if s, err := strconv.Unquote(v); err == nil {
			v = s
		} else if n, err := strconv.ParseFloat(v, 64); err == nil {
			v = strconv.FormatFloat(n, 'g', 6, 64)
		}
		name := evidenceNames[k]
		if name == "" {
			name = k
		}
		out = append(out, evidence{Name: name, Value: v})
	}
	return f.V, out
}
