package bias

import (
	"math"
	"time"

	"github.com/tradecoach/coach"
)

// holdState sums the holding periods of winning and losing closing sells.
type holdState struct {
	winners, losers int
	winSum, lossSum float64 // seconds
}

// holdingLosers counts the closing sell f and tags it HOLDING_LOSERS when it realized a loss after
// being held at least HoldRatio times as long as the mean winner, and losers so far have been held
// at least HoldRatio times as long as winners on average, on at least MinEvents of each
// (DEFINITIONS.md).
func (s *scorer) holdingLosers(f *fill, sl sale) {
	h, cfg := &s.hold, s.cfg
	switch {
	case !sl.known || sl.pnl == 0:
		return
	case sl.pnl > 0:
		h.winners++
		h.winSum += sl.hold
		return
	}
	h.losers++
	h.lossSum += sl.hold
	m := h.metric(cfg)
	if m.Insufficient != "" || !(m.Ratio >= cfg.HoldRatio) || !(sl.hold >= float64(cfg.HoldRatio*m.MeanWinnerHold.Seconds())) {
		return
	}
	tradeRatio := sl.hold / m.MeanWinnerHold.Seconds()
	o := s.features(f)
	o.begin("ev")
	o.num("holdHours", sl.hold/3600)
	o.num("pnl", sl.pnl)
	o.int("winners", m.Winners)
	o.int("losers", m.Losers)
	o.num("meanWinnerHoldHours", m.MeanWinnerHold.Hours())
	o.num("meanLoserHoldHours", m.MeanLoserHold.Hours())
	o.num("ratio", m.Ratio)
	o.num("tradeRatio", tradeRatio)
	o.end()
	conf := Confidence(cfg.ConfidenceSlope,
		margin(m.Ratio, cfg.HoldRatio, cfg.HoldRatio),
		margin(tradeRatio, cfg.HoldRatio, cfg.HoldRatio))
	s.tag(f, coach.LabelHoldingLosers, conf, s.done(&o, s.m.consts.holding))
}

// metric returns the account-level statistic so far.
func (h *holdState) metric(cfg *Config) HoldingLosers {
	m := HoldingLosers{Winners: h.winners, Losers: h.losers, Ratio: math.NaN()}
	if h.winners > 0 {
		m.MeanWinnerHold = seconds(h.winSum / float64(h.winners))
	}
	if h.losers > 0 {
		m.MeanLoserHold = seconds(h.lossSum / float64(h.losers))
	}
	switch {
	case h.winners < cfg.MinEvents || h.losers < cfg.MinEvents:
		m.Insufficient = "insufficient data: " + itoa(h.winners) + " winning and " + itoa(h.losers) +
			" losing round trips, need at least " + itoa(cfg.MinEvents) + " of each"
	case !(h.winSum > 0):
		m.Insufficient = "undefined: the winning round trips were held for no time"
	default:
		m.Ratio = (h.lossSum / float64(h.losers)) / (h.winSum / float64(h.winners))
	}
	return m
}

// seconds converts seconds to a Duration, rounded to the nanosecond.
func seconds(s float64) time.Duration { return time.Duration(math.Round(s * 1e9)) }
