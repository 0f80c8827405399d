package aicoach

import (
	"net/http"

	"github.com/tradecoach/coach"
	"github.com/tradecoach/coach/bias"
)

// score adds a page to its run, and scores the run at its last page.
func (h *Handler) score(w http.ResponseWriter, r *http.Request, keyID string, body []byte) {
	var p ScorePage
	if err := decodeStrict(body, &p, func() int { return p.V }); err != nil {
		h.fail(w, r, err)
		return
	}
	switch {
	case !runID.MatchString(p.Run):
		h.fail(w, r, coach.Errorf(coach.EINVALID, "run: want 16-64 characters of [A-Za-z0-9_-]"))
		return
	case p.Page < 0:
		h.fail(w, r, coach.Errorf(coach.EINVALID, "page: must not be negative"))
		return
	case p.Page == 0 && p.Config == nil:
		h.fail(w, r, coach.Errorf(coach.EINVALID, "config: required on page 0"))
		return
	case p.Page > 0 && (p.Config != nil || p.Since != nil):
		h.fail(w, r, coach.Errorf(coach.EINVALID, "config and since: page 0 only"))
		return
	}
	key := keyID + "\x00" + p.Run
	run, err := h.runs.take(key, p.Page, int64(len(body)), h.clock.Now())
	if err != nil {
		h.fail(w, r, err)
		return
	}
	if err := addPage(run, &p); err != nil {
		h.fail(w, r, err) // the run is dropped: its client must start again
		return
	}
	if !p.Last {
		h.runs.put(key, run)
		writeJSON(w, http.StatusAccepted, ScoreResponse{V: Version, Run: p.Run, Received: run.next})
		return
	}
	if len(run.verdicts) > 0 {
		vs := run.verdicts
		run.req.Config.Rules = func(t coach.Trade) bias.Verdict { return vs[t.Ref()] }
	}
	res, err := h.ai.Score(r.Context(), run.req)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	out, err := encodeResult(res)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, ScoreResponse{V: Version, Run: p.Run, Received: run.next, Result: out})
}

// addPage appends p's content to run.
func addPage(run *run, p *ScorePage) error {
	if p.Page == 0 {
		if err := decodeExact(p.Config, &run.req.Config); err != nil {
			return coach.Errorf(coach.EINVALID, "config: %s", coach.ErrorMessage(err))
		}
		if p.Since != nil {
			run.req.Since = *p.Since
		}
	}
	run.req.Trades = append(run.req.Trades, p.Trades...)
	for ref, v := range p.Verdicts {
		if run.verdicts == nil {
			run.verdicts = map[string]bias.Verdict{}
		}
		if _, dup := run.verdicts[ref]; dup {
			return coach.Errorf(coach.EINVALID, "verdicts: trade %q given twice", clip(ref))
		}
		run.verdicts[ref] = bias.Verdict{Checked: v.Checked, Broken: v.Broken}
	}
	for _, b := range p.Candles {
		cs := run.req.Candles[b.Symbol]
		if cs == nil {
			cs = make([]coach.Candle, 0, len(b.Bars))
		}
		for _, bar := range b.Bars {
			cs = append(cs, candleOf(bar))
		}
		run.req.Candles[b.Symbol] = cs
	}
	return nil
}

// indicators answers an IndicatorsRequest.
func (h *Handler) indicators(w http.ResponseWriter, r *http.Request, _ string, body []byte) {
	var q IndicatorsRequest
	if err := decodeStrict(body, &q, func() int { return q.V }); err != nil {
		h.fail(w, r, err)
		return
	}
	res, err := h.ai.Indicators(r.Context(), bias.IndicatorRequest{Name: q.Name, Params: floats(q.Params),
		Close: floats(q.Close), High: floats(q.High), Low: floats(q.Low)})
	if err != nil {
		h.fail(w, r, err)
		return
	}
	out := IndicatorsResponse{V: Version, Series: make(map[string][]Num, len(res.Series))}
	for k, xs := range res.Series {
		out.Series[k] = nums(xs)
	}
	writeJSON(w, http.StatusOK, out)
}

// reflect answers a ReflectRequest.
func (h *Handler) reflect(w http.ResponseWriter, r *http.Request, _ string, body []byte) {
	var q ReflectRequest
	if err := decodeStrict(body, &q, func() int { return q.V }); err != nil {
		h.fail(w, r, err)
		return
	}
	if len(q.Tags) > MaxReflectTags {
		h.fail(w, r, coach.Errorf(coach.EINVALID, "tags: at most %d", MaxReflectTags))
		return
	}
	texts, err := h.ai.Reflect(r.Context(), q.Tags)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, ReflectResponse{V: Version, Texts: texts})
}
