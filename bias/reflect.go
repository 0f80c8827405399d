package bias

import (
	"encoding/json"
	"hash/fnv"
	"math"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/tradecoach/coach"
)

// MaxReflection is the most characters (runes) a reflection has.
const MaxReflection = 280

// MinTrendEvents is the fewest events in each group that Reflect speaks of as a pattern. An
// account-level tag resting on fewer (a Config with a lower MinEvents, or a hand-made tag) gets
// a reflection that says it is too early to call, and why.
const MinTrendEvents = 5

// Reflect returns the coach's short reflection on tag: at most MaxReflection characters, curious
// rather than judging (the wording guide of DEFINITIONS.md), stating only what the evidence in
// tag.Features shows and asking about the trader's plan. The same tag always gives the same
// text; the wording is chosen among several variants by a hash of the tag's ID, TradeID and Label,
// so that a run of tags of one label does not read the same. Features it cannot read give a plain
// sentence that names the label and claims nothing.
func Reflect(tag coach.BiasTag) string {
	var ev features
	if err := json.Unmarshal(tag.Features, &ev); err != nil {
		return fit(plain(tag.Label))
	}
	pick := variant(tag)
	var text string
	switch tag.Label {
	case coach.LabelFOMO:
		text = reflectFOMO(&ev, pick)
	case coach.LabelPanic:
		text = reflectPanic(&ev, pick)
	case coach.LabelRevenge:
		text = reflectRevenge(&ev, pick)
	case coach.LabelDiscipline:
		text = reflectDiscipline(&ev, pick)
	case coach.LabelDisposition:
		text = reflectDisposition(&ev, pick)
	case coach.LabelOvertrading:
		text = reflectOvertrading(&ev, pick)
	case coach.LabelLossChasing:
		text = reflectLossChasing(&ev, pick)
	case coach.LabelHoldingLosers:
		text = reflectHoldingLosers(&ev, pick)
	}
	if text == "" {
		text = plain(tag.Label)
	}
	return fit(text)
}

// features is what Reflect reads of a tag's Features. Pointers are nil for absent or null numbers.
type features struct {
	Symbol  string   `json:"symbol"`
	Side    string   `json:"side"`
	Signals []string `json:"signals"`
	Ev      struct {
		RangePos         *float64 `json:"rangePos"`
		PriorReturn      *float64 `json:"priorReturn"`
		AbnormalVolume   *float64 `json:"abnormalVolume"`
		BandZ            *float64 `json:"bandZ"`
		RSI              *float64 `json:"rsi"`
		LossPct          *float64 `json:"lossPct"`
		Drawdown         *float64 `json:"drawdown"`
		VolRatio         *float64 `json:"volRatio"`
		SizeRatio        *float64 `json:"sizeRatio"`
		BaselineN        *int     `json:"baselineN"`
		MinutesAfterLoss *float64 `json:"minutesAfterLoss"`
		LossSymbol       string   `json:"lossSymbol"`
		RulesChecked     *int     `json:"rulesChecked"`
		ClearOf          []string `json:"clearOf"`
		GainPct          *float64 `json:"gainPct"`
		PaperLoser       string   `json:"paperLoser"`
		PaperLoserPct    *float64 `json:"paperLoserPct"`
		Moments          *int     `json:"moments"`
		RG               *int     `json:"rg"`
		PG               *int     `json:"pg"`
		RL               *int     `json:"rl"`
		PL               *int     `json:"pl"`
		PGR              *float64 `json:"pgr"`
		PLR              *float64 `json:"plr"`
		T                *float64 `json:"t"`
		Day              string   `json:"day"`
		DayTrades        *int     `json:"dayTrades"`
		WindowTrades     *int     `json:"windowTrades"`
		WindowHours      *float64 `json:"windowHours"`
		BaselineMedian   *float64 `json:"baselineMedian"`
		BaselineDays     *int     `json:"baselineDays"`
		Ratio            *float64 `json:"ratio"`
		AfterLoss        *int     `json:"afterLoss"`
		AfterGain        *int     `json:"afterGain"`
		PLoss            *float64 `json:"pLoss"`
		PGain            *float64 `json:"pGain"`
		HoldHours        *float64 `json:"holdHours"`
		MeanWinnerHold   *float64 `json:"meanWinnerHoldHours"`
		Winners          *int     `json:"winners"`
		Losers           *int     `json:"losers"`
		TradeRatio       *float64 `json:"tradeRatio"`
	} `json:"ev"`
	Th struct {
		RangeBars  *int     `json:"rangeBars"`
		ReturnBars *int     `json:"returnBars"`
		MinEvents  *int     `json:"minEvents"`
		MinDays    *int     `json:"minBaselineDays"`
		BandK      *float64 `json:"bandK"`
	} `json:"th"`
	Conv struct {
		Interval string `json:"interval"`
	} `json:"conv"`
}

// variant returns a number that picks the wording: FNV-1a of the tag's ID, TradeID and Label.
func variant(tag coach.BiasTag) uint64 {
	h := fnv.New64a()
	// A hash.Hash's Write never fails.
	_, _ = h.Write([]byte(tag.ID))
	_, _ = h.Write([]byte{0})
	_, _ = h.Write([]byte(tag.TradeID))
	_, _ = h.Write([]byte{0})
	_, _ = h.Write([]byte(tag.Label))
	return h.Sum64()
}

// choose returns one of the variants by pick.
func choose(pick uint64, variants ...string) string { return variants[pick%uint64(len(variants))] }

func plain(label string) string {
	return "I tagged this trade " + label + ". The numbers behind it are in the tag's evidence."
}

// fit returns text cut to MaxReflection characters at a word boundary, with an ellipsis.
func fit(text string) string {
	if utf8.RuneCountInString(text) <= MaxReflection {
		return text
	}
	runes := []rune(text)[:MaxReflection-1]
	cut := string(runes)
	if i := strings.LastIndexByte(cut, ' '); i > 0 {
		cut = cut[:i]
	}
	return strings.TrimRight(cut, " ,;:") + "…"
}

// Number formats, all with fixed precision so that texts are deterministic.
func pct(x float64) string    { return strconv.FormatFloat(math.Abs(x)*100, 'f', 1, 64) + "%" }
func signed(x float64) string { return sign(x) + pct(x) }
func num0(x float64) string   { return strconv.FormatFloat(x, 'f', 0, 64) }
func num1(x float64) string   { return strconv.FormatFloat(x, 'f', 1, 64) }

func sign(x float64) string {
	if x < 0 {
		return "−"
	}
	return "+"
}

// has reports whether signal name is among the signals that held.
func (f *features) has(name string) bool {
	for _, s := range f.Signals {
		if s == name {
			return true
		}
	}
	return false
}

// list joins phrases as "a, b and c".
func list(ps []string) string {
	switch len(ps) {
	case 0:
		return ""
	case 1:
		return ps[0]
	}
	return strings.Join(ps[:len(ps)-1], ", ") + " and " + ps[len(ps)-1]
}

func intOr(p *int, d int) int {
	if p == nil {
		return d
	}
	return *p
}

// tooEarly is the reflection for an account-level tag resting on fewer than the minimum events.
func tooEarly(what string, counts string, need int, pick uint64) string {
	return choose(pick,
		"Too early to say anything about "+what+": so far "+counts+". I'd want at least "+itoa(need)+" of each before reading anything into it.",
		"Not enough history yet to say much about "+what+": "+counts+" so far, and I look for at least "+itoa(need)+" of each.",
	)
}

// minEvents is the count below which Reflect does not speak of a pattern.
func (f *features) minEvents() int { return max(MinTrendEvents, intOr(f.Th.MinEvents, 0)) }
