package brokertest

import (
	"fmt"
	"net/http"
	"strconv"
	"time"
)

// cbGranularities are Coinbase's granularity names and widths.
var cbGranularities = map[string]time.Duration{
	"ONE_MINUTE": time.Minute, "FIVE_MINUTE": 5 * time.Minute, "FIFTEEN_MINUTE": 15 * time.Minute,
	"THIRTY_MINUTE": 30 * time.Minute, "ONE_HOUR": time.Hour, "TWO_HOUR": 2 * time.Hour,
	"FOUR_HOUR": 4 * time.Hour, "SIX_HOUR": 6 * time.Hour, "ONE_DAY": 24 * time.Hour,
}

// candles is GET /products/{product_id}/candles and its public twin under /market: start and end
// in UNIX seconds (inclusive), granularity by name, at most MaxCandles buckets, newest first.
// About one bucket in 97 is absent, as a bucket without trades is.
func (f *Coinbase) candles(w http.ResponseWriter, r *http.Request) {
	id := r.PathValue("product_id")
	known := false
	for _, p := range f.cfg.Products {
		known = known || string(p) == id
	}
	if !known {
		wireJSON(w, http.StatusNotFound, map[string]string{"error": "NOT_FOUND", "message": fmt.Sprintf("Product %s not supported", id)})
		return
	}
	q := r.URL.Query()
	start, err1 := strconv.ParseInt(q.Get("start"), 10, 64)
	end, err2 := strconv.ParseInt(q.Get("end"), 10, 64)
	g, ok := cbGranularities[q.Get("granularity")]
	switch {
	case !ok:
		cbError(w, http.StatusBadRequest, "INVALID_ARGUMENT", "granularity argument is invalid")
		return
	case err1 != nil || err2 != nil || start < 0 || end < start:
		cbError(w, http.StatusBadRequest, "INVALID_ARGUMENT", "start and end argument is invalid")
		return
	}
	gs := int64(g / time.Second)
	first, last := (start+gs-1)/gs*gs, end/gs*gs
	if n := (last-first)/gs + 1; n > int64(f.cfg.MaxCandles) {
		cbError(w, http.StatusBadRequest, "INVALID_ARGUMENT",
			fmt.Sprintf("start and end argument is invalid - number of candles requested should be less than %d", f.cfg.MaxCandles+1))
		return
	}
	rows := []map[string]string{}
	for t := last; t >= first; t -= gs {
		if wireHash(id, t, gs)%97 == 0 {
			continue
		}
		o, h, l, c, v := wireCandle(id, time.Unix(t, 0).UTC(), g)
		rows = append(rows, map[string]string{
			"start": strconv.FormatInt(t, 10), "low": wireFloat(l), "high": wireFloat(h),
			"open": wireFloat(o), "close": wireFloat(c), "volume": wireFloat(v),
		})
	}
	wireJSON(w, http.StatusOK, map[string]any{"candles": rows})
}

func wireFloat(v float64) string { return strconv.FormatFloat(v, 'f', -1, 64) }
