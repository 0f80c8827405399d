package web

import (
	"encoding/json"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/oklog/ulid/v2"

	"github.com/tradecoach/coach"
	"github.com/tradecoach/coach/transport/httpjson"
)

// The Coach page (/app/coach): the coach's reflections, newest first (from core's event history,
// then live from the WebSocket through static/coach.js, which adds each new one once by its
// eventId), and the question box: ask the coach about your trades and read its answers with
// the evidence they rest on.

// Bounds of the Coach page.
const (
	// maxReflections is the most reflections the page shows.
	maxReflections = 100
	// maxEventPages bounds the pages of /events read to find the newest reflections.
	maxEventPages = 10
	// maxQuestions is the most questions (with answers) the page shows.
	maxQuestions = 20
)

// reflection is one coach.reflect event as the page shows it.
type reflection struct {
	EventID    string
	TradeID    string
	Label      string
	LabelName  string
	Confidence string
	Text       string
	When       string
	ISO        string
}

// evidenceLink is one "why?" item of an answer: what the evidence is and where to read it.
type evidenceLink struct {
	Text string
	Href string
}

// answered is a question with its answer.
type answered struct {
	ID        string
	Question  string
	Answer    string
	Model     bool
	When      string
	Evidence  []evidenceLink
	Rejected  int
	MoreFacts int
}

// coachData is the Coach page's data.
type coachData struct {
	Reflections []reflection
	// Truncated says older reflections exist beyond those shown.
	Truncated bool
	Questions []answered
	// Question is what was typed in the question box (after an invalid post, or ?q=).
	Question string
	MaxLen   int
	// Asked is the id of the question just answered (?asked=), to point the reader at it.
	Asked string
}

// coachPage renders the Coach page.
func (w *Web) coachPage(rq *Request) (View, error) {
	loc, _ := rq.userLocation()
	refls, tagTrades, truncated, err := recentReflections(rq, loc)
	if err != nil {
		return View{}, err
	}
	var qs struct {
		Questions []coach.Question `json:"questions"`
	}
	if err := rq.Get("/coach/questions?limit="+strconv.Itoa(maxQuestions), &qs); err != nil {
		return View{}, err
	}
	d := coachData{Reflections: refls, Truncated: truncated, MaxLen: coach.MaxQuestionText,
		Question: rq.Form.Get("question"), Asked: rq.URL.Query().Get("asked")}
	if d.Question == "" {
		d.Question = rq.URL.Query().Get("q")
	}
	for _, q := range qs.Questions {
		links, more := evidenceLinks(q.EvidenceIDs, tagTrades)
		d.Questions = append(d.Questions, answered{ID: q.ID, Question: q.Text, Answer: q.Answer,
			Model: q.Source == coach.AnswerModel, When: stamp(q.CreatedAt, loc), Evidence: links, Rejected: q.Rejected, MoreFacts: more})
	}
	return View{Template: "coach", Data: d}, nil
}

// reflectionWindows are how far back recentReflections looks, narrowest first: it widens the
// window until it finds enough reflections, so that a busy history is not read from its start
// (an empty window start means from the oldest event kept).
var reflectionWindows = []time.Duration{3 * 24 * time.Hour, 30 * 24 * time.Hour, 0}

// recentReflections reads the user's event history and returns their newest reflections, newest
// first, with each tag's trade (for the answers' "why?" links).
func recentReflections(rq *Request, loc *time.Location) ([]reflection, map[string]string, bool, error) {
	for i, win := range reflectionWindows {
		since := ""
		if win > 0 {
			var u ulid.ULID
			if err := u.SetTime(ulid.Timestamp(rq.web.cfg.Clock.Now().Add(-win))); err != nil {
				continue
			}
			since = u.String()
		}
		out, tags, truncated, err := reflectionsSince(rq, loc, since)
		if coach.ErrorCode(err) == coach.EGONE {
			continue // the window reaches past retention: look from the oldest kept
		}
		if err != nil {
			return nil, nil, false, err
		}
		if len(out) >= maxReflections/2 || truncated || i == len(reflectionWindows)-1 {
			return out, tags, truncated || win > 0, nil
		}
	}
	return nil, map[string]string{}, false, nil
}

// reflectionsSince reads the reflections after the event id since (all when ""), at most
// maxEventPages pages of events, and keeps the newest maxReflections, newest first.
func reflectionsSince(rq *Request, loc *time.Location, since string) ([]reflection, map[string]string, bool, error) {
	var out []reflection
	tagTrades := map[string]string{}
	truncated := false
	for page := 0; ; page++ {
		var res struct {
			Events []coach.Event `json:"events"`
			Next   string        `json:"next"`
		}
		path := "/events"
		if since != "" {
			path += "?since=" + url.QueryEscape(since)
		}
		if err := rq.Get(path, &res); err != nil {
			return nil, nil, false, err
		}
		for _, e := range res.Events {
			if e.Type != coach.EventCoachReflect {
				continue
			}
			var p coach.ReflectPayload
			if json.Unmarshal(e.Payload, &p) != nil {
				continue
			}
			tagTrades[p.TagID] = p.TradeID
			out = append(out, reflection{EventID: e.ID, TradeID: p.TradeID, Label: p.Label, LabelName: biasName(p.Label),
				Confidence: percent(p.Confidence), Text: p.Text, When: stamp(e.TS, loc), ISO: e.TS.UTC().Format(time.RFC3339)})
		}
		if res.Next == "" {
			break
		}
		if page+1 == maxEventPages {
			truncated = true
			break
		}
		since = res.Next
	}
	if len(out) > maxReflections {
		out, truncated = out[len(out)-maxReflections:], true
	}
	slices.Reverse(out)
	return out, tagTrades, truncated, nil
}

// percent writes a confidence in [0, 1] as a whole percentage.
func percent(f float64) string {
	if f < 0 || f > 1 {
		return ""
	}
	return strconv.Itoa(int(f*100+0.5)) + "%"
}

// evidenceLinks groups an answer's evidence ids by what they are about, one link each: a tag's
// trade, a digest's week, a simulation, an account month. It returns at most 12 links and how
// many more sources there were.
func evidenceLinks(ids []string, tagTrades map[string]string) ([]evidenceLink, int) {
	seen := map[string]bool{}
	var out []evidenceLink
	more := 0
	for _, id := range ids {
		kind, rest, _ := strings.Cut(id, ":")
		src, _, _ := strings.Cut(rest, ":")
		key := kind + ":" + src
		if seen[key] {
			continue
		}
		seen[key] = true
		var l evidenceLink
		switch kind {
		case "tag":
			l.Text = "A label on one of your trades"
			if t, ok := tagTrades[src]; ok && coach.ValidID(t) {
				l.Text, l.Href = "The trade it is about", "/app/trades/"+url.PathEscape(t)
			}
		case "digest":
			l.Text, l.Href = "Your digest of week "+src, "/app/digests/"+url.PathEscape(src)
		case "sim":
			l.Text, l.Href = "A what-if simulation ("+src+")", "/app/simulations"
		case "window":
			l.Text = "Your account's month " + src
		default:
			l.Text = "Your trading history"
		}
		if len(out) == 12 {
			more++
			continue
		}
		out = append(out, l)
	}
	return out, more
}

// coachPost asks the coach a question (POST /coach/questions) and goes back to the page, at the
// answer. Over the budget or the rate limit, or with the coach unavailable, the box says so.
func (w *Web) coachPost(rq *Request) (string, error) {
	text := strings.TrimSpace(rq.Form.Get("question"))
	switch {
	case text == "":
		return "", httpjson.Field("question", "Write a question first, for example: why was my last buy labelled FOMO?")
	case utf8.RuneCountInString(text) > coach.MaxQuestionText:
		return "", httpjson.Field("question", "A question may be at most %d characters; this one has %d.", coach.MaxQuestionText, utf8.RuneCountInString(text))
	}
	var q coach.Question
	err := rq.Send("POST", "/coach/questions", map[string]string{"question": text}, &q)
	switch coach.ErrorCode(err) {
	case "":
		return "/app/coach?asked=" + url.QueryEscape(q.ID) + "#q-" + q.ID, nil
	case coach.ERATELIMITED:
		return "", httpjson.FieldErrors{{Field: "question", Message: sentence(coach.ErrorMessage(err))}}
	case coach.EUNAVAILABLE:
		return "", httpjson.FieldErrors{{Field: "question", Message: "The coach cannot answer right now. Your question was not lost: try again in a minute."}}
	}
	return "", formInvalid(err, map[string]string{"question": "question"})
}
