package brokertest

import (
	"encoding/json"
	"net/http"
	"net/url"
	"strconv"
	"time"
)

// bnIntervals are the kline intervals the fake serves (Binance's, less 1s, 1w and 1M).
var bnIntervals = map[string]time.Duration{
	"1m": time.Minute, "3m": 3 * time.Minute, "5m": 5 * time.Minute, "15m": 15 * time.Minute,
	"30m": 30 * time.Minute, "1h": time.Hour, "2h": 2 * time.Hour, "4h": 4 * time.Hour,
	"6h": 6 * time.Hour, "8h": 8 * time.Hour, "12h": 12 * time.Hour, "1d": 24 * time.Hour,
}

// klines is GET /api/v3/klines (weight 2): symbol, interval, optional startTime/endTime (ms) and
// limit (default 500, at most 1000), rows oldest first on the synthetic price path. Without a
// startTime it gives the most recent rows up to endTime (or now).
func (f *Binance) klines(w http.ResponseWriter, q url.Values) {
	name := q.Get("symbol")
	if name == "" {
		bnError(w, http.StatusBadRequest, -1102, "Mandatory parameter 'symbol' was not sent, was empty/null, or malformed.")
		return
	}
	if _, ok := f.symbol(name); !ok {
		bnError(w, http.StatusBadRequest, -1121, "Invalid symbol.")
		return
	}
	step, ok := bnIntervals[q.Get("interval")]
	if !ok {
		bnError(w, http.StatusBadRequest, -1120, "Invalid interval.")
		return
	}
	start, hasStart, ok1 := bnInt(q, "startTime")
	end, hasEnd, ok2 := bnInt(q, "endTime")
	limit, hasLimit, ok3 := bnInt(q, "limit")
	switch {
	case !ok1 || !ok2 || !ok3:
		bnError(w, http.StatusBadRequest, -1100, "Illegal characters found in a parameter.")
		return
	case hasLimit && (limit < 1 || limit > 1000):
		bnError(w, http.StatusBadRequest, -1100, "Illegal characters found in parameter 'limit'; legal range is '1' to '1000'.")
		return
	}
	if !hasLimit {
		limit = 500
	}
	ms := step.Milliseconds()
	if !hasEnd {
		f.mu.Lock()
		end = f.serverNowLocked().UnixMilli()
		f.mu.Unlock()
	}
	last := end / ms * ms
	first := last - (limit-1)*ms
	if hasStart {
		first = (start + ms - 1) / ms * ms
		last = min(last, first+(limit-1)*ms)
	}
	rows := []json.RawMessage{}
	for t := max(first, 0); t <= last; t += ms {
		open := time.UnixMilli(t).UTC()
		o, h, l, c, v := wireCandle(name, open, step)
		trades := 1 + wireHash(name, t)%500
		row, _ := json.Marshal([]any{t, bnNum(o), bnNum(h), bnNum(l), bnNum(c), bnNum(v), t + ms - 1,
			bnNum(v * c), trades, bnNum(v / 2), bnNum(v * c / 2), "0"})
		rows = append(rows, row)
	}
	wireJSON(w, http.StatusOK, rows)
}

// bnNum renders a price or volume as Binance does: a string with 8 decimals.
func bnNum(v float64) string { return strconv.FormatFloat(v, 'f', 8, 64) }
