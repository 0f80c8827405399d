package sim

import (
	"crypto/sha256"
	"encoding/binary"
	"encoding/hex"
	"encoding/json"

	"github.com/pkg/errors"
	"github.com/shopspring/decimal"

	"github.com/tradecoach/coach"
	"github.com/tradecoach/coach/rules"
)

// selection is what a scenario acts on, decided before the simulation proper.
type selection struct {
	labelled []bool       // by fill: carries the label and is of the side the scenario changes
	rules    []rules.Rule // followRule: the rules followed
	stopPct  float64      // followRule: the stop loss applied, 0 for none
	tpPct    float64      // followRule: the take profit applied, 0 for none
	ruleJSON [][]byte     // the canonical parameters of rules, for the hash
	// stopFactor and tpFactor are 1 − stopPct/100 and 1 + tpPct/100.
	stopFactor, tpFactor decimal.Decimal
}

// selectScenario marks the labelled trades (label scenarios) or parses the rules followed
// (followRule).
func (r *run) selectScenario() error {
	r.sel = selection{}
	switch r.sc.Kind {
	case KindSkipLabel, KindNoRevenge, KindHoldInstead:
		label := r.sc.label()
		wantBuy := r.sc.Kind != KindHoldInstead
		r.sel.labelled = make([]bool, len(r.fills))
		for i := range r.in.Tags {
			g := &r.in.Tags[i]
			if g.Label != label {
				continue
			}
			if k, ok := r.byKey[g.TradeID]; ok && r.fills[k].buy == wantBuy {
				r.sel.labelled[k] = true
			}
		}
		return nil
	case KindFollowRule:
		return r.selectRules()
	}
	return nil
}

// selectRules parses the rules the scenario follows: those named by RuleIDs (an inactive one
// included), or every active rule.
func (r *run) selectRules() error {
	byID := make(map[string]int, len(r.in.Rules))
	for i := range r.in.Rules {
		byID[r.in.Rules[i].ID] = i
	}
	var chosen []coach.Rule
	if len(r.sc.RuleIDs) > 0 {
		for _, id := range r.sc.RuleIDs {
			i, ok := byID[id]
			if !ok {
				return coach.Errorf(coach.ENOTFOUND, "scenario.ruleIds: no rule %s", clip(id, 64))
			}
			c := r.in.Rules[i]
			c.Active = true
			chosen = append(chosen, c)
		}
	} else {
		for _, c := range r.in.Rules {
			if c.Active {
				chosen = append(chosen, c)
			}
		}
	}
	r.sel.stopPct, r.sel.tpPct = r.sc.StopLossPct, r.sc.TakeProfitPct
	ruleStop := 0.0
	for _, c := range chosen {
		p, err := rules.Parse(c)
		if err != nil {
			return coach.Errorf(coach.EINVALID, "rule %s: %s", clip(c.ID, 64), coach.ErrorMessage(err))
		}
		b, err := json.Marshal(p.Params)
		if err != nil {
			return errors.Wrap(err, "sim: marshal rule params")
		}
		r.sel.rules = append(r.sel.rules, p)
		r.sel.ruleJSON = append(r.sel.ruleJSON, b)
		if sl, ok := p.Params.(rules.StopLossPct); ok && (ruleStop == 0 || sl.Pct < ruleStop) {
			ruleStop = sl.Pct
		}
	}
	if r.sel.stopPct == 0 {
		r.sel.stopPct = ruleStop
	}
	return nil
}

// hashTrades returns the hex SHA-256 of what the simulation reads besides candles: the trades of
// the window in trade order, the keys of the labelled trades, the rules followed and the time
// zone.
func (r *run) hashTrades() string {
	h := sha256.New()
	buf := make([]byte, 0, 32<<10)
	buf = append(buf, "tradecoach/sim trades v1\n"...)
	for i := range r.fills {
		if len(buf) > cap(buf)-2048 {
			buf = flush(h, buf)
		}
		t := r.fills[i].t
		buf = appendField(buf, t.ID)
		buf = appendField(buf, t.Broker)
		buf = appendField(buf, t.ExtID)
		buf = appendField(buf, string(t.Symbol))
		buf = appendField(buf, string(t.Side))
		buf = appendDecimal(buf, t.Qty)
		buf = appendDecimal(buf, t.Price)
		if t.Fee.Valid {
			buf = append(buf, 1)
			buf = appendDecimal(buf, t.Fee.Decimal)
		} else {
			buf = append(buf, 0)
		}
		buf = appendField(buf, t.FeeAsset)
		buf = binary.BigEndian.AppendUint64(buf, uint64(r.fills[i].ts))
	}
	buf = append(buf, "labelled\n"...)
	for k, on := range r.sel.labelled {
		if on {
			buf = binary.BigEndian.AppendUint32(buf, uint32(k))
		}
	}
	buf = append(buf, "rules\n"...)
	for i, p := range r.sel.rules {
		buf = appendField(buf, p.ID)
		buf = appendField(buf, p.Kind())
		buf = appendField(buf, string(r.sel.ruleJSON[i]))
	}
	if r.sc.Kind == KindFollowRule && r.in.Location != nil {
		buf = appendField(buf, r.in.Location.String())
	}
	flush(h, buf)
	return hex.EncodeToString(h.Sum(nil))
}

// appendField appends s with its length, so that no two sequences of fields encode alike.
func appendField(buf []byte, s string) []byte {
	buf = binary.AppendUvarint(buf, uint64(len(s)))
	return append(buf, s...)
}

// appendDecimal appends d normalized (trailing zeros of the coefficient removed), so that 1.50
// and 1.5 encode alike.
func appendDecimal(buf []byte, d decimal.Decimal) []byte {
	if d.NumDigits() <= 18 {
		m, e := d.CoefficientInt64(), d.Exponent()
		for m != 0 && m%10 == 0 {
			m /= 10
			e++
		}
		if m == 0 {
			e = 0
		}
		buf = append(buf, 'i')
		buf = binary.AppendVarint(buf, m)
		return binary.AppendVarint(buf, int64(e))
	}
	return appendField(append(buf, 's'), d.String())
}
