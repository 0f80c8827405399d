package aicoach_test

import (
	"context"
	"encoding/json"
	"slices"
	"testing"
	"time"

	"github.com/tradecoach/coach"
	"github.com/tradecoach/coach/bias"
	"github.com/tradecoach/coach/bias/aicoach"
	"github.com/tradecoach/coach/storage"
	"github.com/tradecoach/coach/storage/memory"
)

// source serves candles of a series in [from, to), ENOTFOUND for another symbol.
type source bias.CandleSeries

func (s source) Candles(_ context.Context, sym coach.Symbol, _ coach.Interval, from, to time.Time) ([]coach.Candle, error) {
	bars, ok := s[sym]
	if !ok {
		return nil, coach.Errorf(coach.ENOTFOUND, "no such symbol")
	}
	var out []coach.Candle
	for _, b := range bars {
		if !b.OpenTime.Before(from) && b.OpenTime.Before(to) {
			out = append(out, b)
		}
	}
	return out, nil
}

// failingReflect is InProcess whose reflections fail.
type failingReflect struct{ bias.InProcess }

func (failingReflect) Reflect(context.Context, []coach.BiasTag) ([]string, error) {
	return nil, coach.Errorf(coach.EUNAVAILABLE, "the AI-coach service did not answer")
}

// scoreStored stores trades for a new user, scores them with a Service using ai, and returns
// the stored tags by trade ExtID and label, the coach.reflect payloads and the store.
func scoreStored(t *testing.T, trades []coach.Trade, cs bias.CandleSeries, ai bias.Coach) (map[string]coach.BiasTag, []coach.ReflectPayload, error) {
	t.Helper()
	ctx := context.Background()
	store := memory.New()
	t.Cleanup(func() { store.Close() })
	user := coach.NewID()
	if err := store.Users().Create(ctx, coach.User{ID: user, Email: "trader@example.com"}); err != nil {
		t.Fatal(err)
	}
	trades = slices.Clone(trades)
	for i := range trades {
		trades[i].ID, trades[i].UserID = "", ""
	}
	if _, err := store.Trades().Upsert(ctx, user, trades); err != nil {
		t.Fatal(err)
	}
	svc, err := bias.New(bias.ServiceConfig{Store: store, Candles: source(cs), Coach: ai})
	if err != nil {
		t.Fatal(err)
	}
	_, scoreErr := svc.ScoreUser(ctx, user, time.Time{}, time.Time{})
	stored, err := storage.ListAll(ctx, store.Trades(), user, storage.TradeFilter{})
	if err != nil {
		t.Fatal(err)
	}
	ext := map[string]string{}
	for _, tr := range stored {
		ext[tr.ID] = tr.ExtID
	}
	tags, err := store.Tags().List(ctx, user, storage.TagFilter{})
	if err != nil {
		t.Fatal(err)
	}
	out := map[string]coach.BiasTag{}
	for _, g := range tags {
		out[ext[g.TradeID]+"/"+g.Label] = g
	}
	evs, err := store.Events().Since(ctx, user, "", storage.MaxLimit)
	if err != nil {
		t.Fatal(err)
	}
	var payloads []coach.ReflectPayload
	for _, e := range evs {
		var p coach.ReflectPayload
		if e.Type != coach.EventCoachReflect || json.Unmarshal(e.Payload, &p) != nil {
			t.Fatalf("unexpected event %s", e.Type)
		}
		payloads = append(payloads, p)
	}
	return out, payloads, scoreErr
}

// TestServiceScoresThroughTheSeam: a bias.Service whose Coach is the Client stores the same
// tags as one scoring in process, and a coach.reflect event per tag whose text is the
// reflection of that stored tag; a Coach that fails leaves neither tags nor events (one
// transaction).
func TestServiceScoresThroughTheSeam(t *testing.T) {
	t.Parallel()
	trades, cs := history(800, 24*60)
	srv := server(t, aicoach.HandlerConfig{}, nil)
	c := client(t, srv, 32<<10, nil, nil, nil)

	want, _, err := scoreStored(t, trades, cs, nil)
	if err != nil {
		t.Fatal(err)
	}
	got, events, err := scoreStored(t, trades, cs, c)
	if err != nil {
		t.Fatal(err)
	}
	if len(want) == 0 || len(got) != len(want) {
		t.Fatalf("%d tags through the client, %d in process", len(got), len(want))
	}
	for k, w := range want {
		g, ok := got[k]
		if !ok || g.Confidence != w.Confidence || string(g.Features) != string(w.Features) {
			t.Errorf("tag %s: through the client %+v, in process %+v", k, g, w)
		}
	}
	if len(events) != len(got) {
		t.Errorf("%d coach.reflect events for %d new tags", len(events), len(got))
	}
	byID := map[string]coach.BiasTag{}
	for _, g := range got {
		byID[g.ID] = g
	}
	for _, p := range events {
		if g, ok := byID[p.TagID]; !ok || p.Text != bias.Reflect(g) {
			t.Errorf("event of tag %s: text %q is not the stored tag's reflection", p.TagID, p.Text)
		}
	}

	tags, events, err := scoreStored(t, trades, cs, failingReflect{})
	if coach.ErrorCode(err) != coach.EUNAVAILABLE || len(tags) != 0 || len(events) != 0 {
		t.Errorf("a failing Coach: err %v, %d tags and %d events stored; want EUNAVAILABLE and nothing", err, len(tags), len(events))
	}
}
