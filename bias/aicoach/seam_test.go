package aicoach_test

import (
	"bytes"
	"encoding/json"
	"math"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"

	"github.com/tradecoach/coach"
	"github.com/tradecoach/coach/bias"
	"github.com/tradecoach/coach/bias/aicoach"
)

// TestScoreThroughHandlerMatchesInProcess scores one history in process and through the Client
// against the Handler, sent in many bounded pages, and gets the same tags, byte for byte, and
// the same Result in every field (NaN metrics included).
func TestScoreThroughHandlerMatchesInProcess(t *testing.T) {
	t.Parallel()
	trades, cs := history(1500, 24*120)
	cfg := bias.DefaultConfig()
	followed := map[string]bool{}
	for i := range trades {
		if i%7 == 0 {
			followed[trades[i].ID] = i%14 == 0
		}
	}
	cfg.Rules = bias.VerdictMap(followed)
	// Looser FOMO and PANIC than the published definitions, so that the random history shows
	// more kinds of tags to carry over the wire.
	cfg.NearHigh, cfg.FOMOReturn, cfg.PanicDrawdown, cfg.PanicMinLoss, cfg.PanicNearLow = 0.02, 0.01, 0.01, 0.005, 0.02
	req := bias.ScoreRequest{Trades: trades, Candles: cs, Config: cfg, Since: trades[300].TS}

	want, err := bias.InProcess{}.Score(bg, req)
	if err != nil {
		t.Fatal(err)
	}
	labels := map[string]int{}
	for _, g := range want.Tags {
		labels[g.Label]++
	}
	if len(labels) < 3 {
		t.Fatalf("the fixture should show several labels, got %v", labels)
	}

	const pageBytes = 64 << 10
	var w wire
	srv := server(t, aicoach.HandlerConfig{MaxBodyBytes: pageBytes}, nil)
	got, err := client(t, srv, pageBytes, &w, nil, nil).Score(bg, req)
	if err != nil {
		t.Fatal(err)
	}
	wantTags, _ := json.Marshal(want.Tags)
	gotTags, _ := json.Marshal(got.Tags)
	if !bytes.Equal(wantTags, gotTags) {
		t.Errorf("tags differ:\n%s", cmp.Diff(string(wantTags), string(gotTags)))
	}
	if diff := cmp.Diff(want, got, cmpopts.EquateNaNs()); diff != "" {
		t.Errorf("result (-in process +through the handler):\n%s", diff)
	}

	t.Logf("%d tags %v; %d pages, the largest %d bytes", len(want.Tags), labels, len(w.requests), largest(w.requests))
	if len(w.requests) < 10 {
		t.Errorf("a history of %d trades and %d candles went in %d pages; want it split in many", len(trades), 2*len(cs[btc]), len(w.requests))
	}
	for i, b := range w.requests {
		if len(b) > pageBytes {
			t.Errorf("page %d is %d bytes, over the %d asked for", i, len(b), pageBytes)
		}
		want := 202
		if i == len(w.requests)-1 {
			want = 200
		}
		if w.statuses[i] != want {
			t.Errorf("page %d answered %d, want %d", i, w.statuses[i], want)
		}
	}
}

// TestIndicatorsAndReflectThroughHandler checks the other two routes against InProcess,
// undefined values (NaN warm-up) and reflections paged by count included.
func TestIndicatorsAndReflectThroughHandler(t *testing.T) {
	t.Parallel()
	trades, cs := history(3000, 24*60)
	res, err := bias.Score(trades, cs, bias.DefaultConfig())
	if err != nil {
		t.Fatal(err)
	}
	var w wire
	srv := server(t, aicoach.HandlerConfig{}, nil)
	c := client(t, srv, aicoach.MinPageBytes, &w, nil, nil)

	tags := res.Tags
	for i := range tags {
		tags[i].ID = "tag" + tags[i].TradeID + tags[i].Label
	}
	want, _ := bias.InProcess{}.Reflect(bg, tags)
	got, err := c.Reflect(bg, tags)
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("reflections (-in process +through the handler):\n%s", diff)
	}
	if pages := len(w.requests); pages < 2 || len(tags) < 10 {
		t.Errorf("%d tags went in %d requests; want several bounded ones", len(tags), pages)
	}

	var closes, highs, lows []float64
	for _, cd := range cs[btc] {
		closes, highs, lows = append(closes, cd.Close), append(highs, cd.High), append(lows, cd.Low)
	}
	closes[100] = math.NaN() // a gap
	for _, q := range []bias.IndicatorRequest{
		{Name: bias.IndicatorSMA, Params: []float64{20}, Close: closes},
		{Name: bias.IndicatorRSI, Params: []float64{14}, Close: closes},
		{Name: bias.IndicatorATR, Params: []float64{14}, Close: closes, High: highs, Low: lows},
		{Name: bias.IndicatorBollinger, Params: []float64{20, 2}, Close: closes},
		{Name: bias.IndicatorMACD, Params: []float64{12, 26, 9}, Close: closes},
	} {
		want, err := bias.InProcess{}.Indicators(bg, q)
		if err != nil {
			t.Fatal(err)
		}
		got, err := c.Indicators(bg, q)
		if err != nil {
			t.Fatalf("%s: %v", q.Name, err)
		}
		if diff := cmp.Diff(want, got, cmpopts.EquateNaNs()); diff != "" {
			t.Errorf("%s (-in process +through the handler):\n%s", q.Name, diff)
		}
	}
	_, err = c.Indicators(bg, bias.IndicatorRequest{Name: "vwap", Params: []float64{3}, Close: closes})
	if coach.ErrorCode(err) != coach.EINVALID {
		t.Errorf("unknown indicator: got %v, want EINVALID", err)
	}
}

func largest(bs [][]byte) int {
	n := 0
	for _, b := range bs {
		n = max(n, len(b))
	}
	return n
}
