package aicoach

import (
	"context"
	"encoding/json"
	"slices"

	"github.com/tradecoach/coach"
	"github.com/tradecoach/coach/bias"
)

// pageOverhead is what a ScorePage's fields but its trades, verdicts and candles take, rounded up.
const pageOverhead = 256

// Score sends req as a run of pages of about PageBytes — the trades (each with its rule verdict,
// when Config.Rules gives one) in order, then each symbol's candles in order — and returns the
// Result the last page's answer carries. A failed page ends the run (the service drops it).
func (c *Client) Score(ctx context.Context, req bias.ScoreRequest) (bias.Result, error) {
	if !c.constructed() {
		return bias.Result{}, errClientNotConstructed
	}
	cfg, err := encodeExact(req.Config)
	if err != nil {
		return bias.Result{}, err
	}
	run, err := newRunID()
	if err != nil {
		return bias.Result{}, err
	}
	p := &pager{c: c, ctx: ctx, page: ScorePage{V: Version, Run: run, Config: cfg, Trades: []coach.Trade{}, Candles: []Bars{}}}
	if !req.Since.IsZero() {
		since := req.Since
		p.page.Since = &since
	}
	p.size = pageOverhead + len(cfg)
	for i := range req.Trades {
		t := &req.Trades[i]
		b, err := json.Marshal(t)
		if err != nil {
			return bias.Result{}, coach.Errorf(coach.EINVALID, "aicoach: trade %d: %s", i, err)
		}
		var v *Verdict
		n := len(b) + 1
		if req.Config.Rules != nil {
			if got := req.Config.Rules(*t); got.Checked > 0 || len(got.Broken) > 0 {
				v = &Verdict{Checked: got.Checked, Broken: got.Broken}
				vb, _ := json.Marshal(v) // a struct of an int and strings always encodes
				n += len(vb) + len(t.Ref()) + 4
			}
		}
		if err := p.room(n); err != nil {
			return bias.Result{}, err
		}
		p.page.Trades = append(p.page.Trades, *t)
		if v != nil {
			if p.page.Verdicts == nil {
				p.page.Verdicts = map[string]Verdict{}
			}
			p.page.Verdicts[t.Ref()] = *v
		}
		p.size += n
	}
	syms := make([]coach.Symbol, 0, len(req.Candles))
	for s := range req.Candles {
		syms = append(syms, s)
	}
	slices.Sort(syms)
	for _, s := range syms {
		head := len(s) + 32
		if err := p.room(head); err != nil {
			return bias.Result{}, err
		}
		p.page.Candles = append(p.page.Candles, Bars{Symbol: s, Bars: []Bar{}})
		p.size += head
		for _, cd := range req.Candles[s] {
			bar := barOf(cd)
			b, err := json.Marshal(bar)
			if err != nil {
				return bias.Result{}, coach.Errorf(coach.EINVALID, "aicoach: candle of %s: %s", s, err)
			}
			n := len(b) + 1
			if p.size+n > c.pageBytes && p.items() > 0 {
				if err := p.flush(); err != nil {
					return bias.Result{}, err
				}
				p.page.Candles = append(p.page.Candles, Bars{Symbol: s, Bars: []Bar{}})
				p.size += head
			}
			last := &p.page.Candles[len(p.page.Candles)-1]
			last.Bars = append(last.Bars, bar)
			p.size += n
		}
	}
	p.page.Last = true
	var out ScoreResponse
	if err := c.post(ctx, PathScore, p.page, &out); err != nil {
		return bias.Result{}, err
	}
	if out.Result == nil || out.Run != run {
		return bias.Result{}, coach.Errorf(coach.EINTERNAL, "aicoach: the last page's answer carries no result of this run")
	}
	return decodeResult(out.Result)
}

// pager builds and sends the pages of one run.
type pager struct {
	c    *Client
	ctx  context.Context
	page ScorePage
	size int // the encoded size of page, estimated from above
}

// items counts what the page carries.
func (p *pager) items() int {
	n := len(p.page.Trades)
	for _, b := range p.page.Candles {
		n += 1 + len(b.Bars)
	}
	return n
}

// room sends the page first when n more bytes would take it past PageBytes.
func (p *pager) room(n int) error {
	if p.size+n > p.c.pageBytes && p.items() > 0 {
		return p.flush()
	}
	return nil
}

// flush sends the page (not the last) and starts the next one.
func (p *pager) flush() error {
	var out ScoreResponse
	if err := p.c.post(p.ctx, PathScore, p.page, &out); err != nil {
		return err
	}
	if out.Run != p.page.Run || out.Received != p.page.Page+1 || out.Result != nil {
		return coach.Errorf(coach.EINTERNAL, "aicoach: page %d answered for run %q, %d pages received", p.page.Page, clip(out.Run), out.Received)
	}
	p.page = ScorePage{V: Version, Run: p.page.Run, Page: p.page.Page + 1, Trades: []coach.Trade{}, Candles: []Bars{}}
	p.size = pageOverhead
	return nil
}
