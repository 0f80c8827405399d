package bias_test

import (
	"context"
	"encoding/json"
	"errors"
	"slices"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/tradecoach/coach"
	"github.com/tradecoach/coach/bias"
	"github.com/tradecoach/coach/storage"
	"github.com/tradecoach/coach/storage/memory"
)

// CandleSource is a coach.CandleSource whose behaviour each test sets.
type CandleSource struct {
	CandlesFunc func(ctx context.Context, symbol coach.Symbol, interval coach.Interval, from, to time.Time) ([]coach.Candle, error)
}

func (s *CandleSource) Candles(ctx context.Context, symbol coach.Symbol, interval coach.Interval, from, to time.Time) ([]coach.Candle, error) {
	return s.CandlesFunc(ctx, symbol, interval, from, to)
}

// seriesSource serves candles from a series, as a market-data source would: [from, to), in order,
// ENOTFOUND for a symbol it does not have.
func seriesSource(cs bias.CandleSeries, calls *[]string) *CandleSource {
	return &CandleSource{CandlesFunc: func(_ context.Context, sym coach.Symbol, iv coach.Interval, from, to time.Time) ([]coach.Candle, error) {
		*calls = append(*calls, string(sym)+" "+from.Format(time.RFC3339)+" "+to.Format(time.RFC3339))
		bars, ok := cs[sym]
		if !ok || iv != coach.Hour1 {
			return nil, coach.Errorf(coach.ENOTFOUND, "no such symbol")
		}
		var out []coach.Candle
		for _, b := range bars {
			if !b.OpenTime.Before(from) && b.OpenTime.Before(to) {
				out = append(out, b)
			}
		}
		return out, nil
	}}
}

// configured is a ServiceConfig a test may change between calls: ScoreUser builds the Service
// from it with bias.New each time.
type configured struct{ bias.ServiceConfig }

func (c *configured) ScoreUser(ctx context.Context, userID string, from, to time.Time) (bias.Report, error) {
	svc, err := bias.New(c.ServiceConfig)
	if err != nil {
		return bias.Report{}, err
	}
	return svc.ScoreUser(ctx, userID, from, to)
}

// newService returns a service on a fresh memory store holding the fixture's trades for a user.
func newService(t *testing.T, fx *fixture, calls *[]string) (*configured, string, *coach.ManualClock) {
	t.Helper()
	ctx := context.Background()
	clock := coach.NewManualClock(time.Date(2024, 4, 15, 12, 0, 0, 0, time.UTC))
	store := memory.New(memory.WithClock(clock))
	t.Cleanup(func() { store.Close() })
	user := coach.NewID()
	if err := store.Users().Create(ctx, coach.User{ID: user, Email: "trader@example.com"}); err != nil {
		t.Fatal(err)
	}
	trades := slices.Clone(fx.trades)
	for i := range trades {
		trades[i].ID, trades[i].UserID = "", ""
	}
	if _, err := store.Trades().Upsert(ctx, user, trades); err != nil {
		t.Fatal(err)
	}
	return &configured{bias.ServiceConfig{Store: store, Candles: seriesSource(fx.candles, calls), Config: bias.DefaultConfig(), Clock: clock}}, user, clock
}

// events returns the user's coach.reflect payloads.
func events(t *testing.T, store storage.Store, user string) []coach.ReflectPayload {
	t.Helper()
	reflect, _ := allEvents(t, store, user)
	return reflect
}

// allEvents returns the user's coach.reflect and tag.revised payloads, failing on any other event.
func allEvents(t *testing.T, store storage.Store, user string) ([]coach.ReflectPayload, []coach.TagRevisedPayload) {
	t.Helper()
	evs, err := store.Events().Since(context.Background(), user, "", storage.MaxLimit)
	if err != nil {
		t.Fatal(err)
	}
	var reflect []coach.ReflectPayload
	var revised []coach.TagRevisedPayload
	for _, e := range evs {
		var err error
		switch {
		case e.Type == coach.EventCoachReflect && e.V == 1:
			var p coach.ReflectPayload
			err = json.Unmarshal(e.Payload, &p)
			reflect = append(reflect, p)
		case e.Type == coach.EventTagRevised && e.V == 1:
			var p coach.TagRevisedPayload
			err = json.Unmarshal(e.Payload, &p)
			revised = append(revised, p)
		default:
			t.Fatalf("event %s v%d", e.Type, e.V)
		}
		if err != nil {
			t.Fatal(err)
		}
	}
	return reflect, revised
}

func allTags(t *testing.T, store storage.Store, user string) []coach.BiasTag {
	t.Helper()
	tags, err := store.Tags().List(context.Background(), user, storage.TagFilter{})
	if err != nil {
		t.Fatal(err)
	}
	return tags
}

func TestServiceScoreUser(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	fx := newFixture()
	var calls []string
	svc, user, clock := newService(t, fx, &calls)

	rep, err := svc.ScoreUser(ctx, user, time.Time{}, time.Time{})
	if err != nil {
		t.Fatal(err)
	}
	want := mustScore(t, fx.trades, fx.candles, bias.DefaultConfig())
	if rep.Trades != len(fx.trades) || rep.Tags != len(want.Tags) || rep.New != len(want.Tags) || rep.Removed != 0 {
		t.Fatalf("report = %d trades, %d tags, %d new, %d removed; want %d, %d, %d, 0",
			rep.Trades, rep.Tags, rep.New, rep.Removed, len(fx.trades), len(want.Tags), len(want.Tags))
	}
	// Candles were fetched per symbol with the warm-up (309 bars) before the first trade.
	first, last := fx.trades[0].TS, fx.trades[0].TS
	for _, tr := range fx.trades {
		first, last = minTime(first, tr.TS), maxTime(last, tr.TS)
	}
	from, to := first.Truncate(time.Hour).Add(-309*time.Hour), last.Truncate(time.Hour).Add(time.Hour)
	if len(calls) != len(fx.candles) || calls[0] != "BTC-USDT "+from.Format(time.RFC3339)+" "+to.Format(time.RFC3339) {
		t.Errorf("candle calls = %q", calls)
	}

	tags := allTags(t, svc.Store, user)
	evs := events(t, svc.Store, user)
	if len(tags) != len(want.Tags) || len(evs) != len(tags) {
		t.Fatalf("%d tags stored and %d events, want %d of each", len(tags), len(evs), len(want.Tags))
	}
	byID := map[string]coach.BiasTag{}
	for _, g := range tags {
		if err := g.Validate(); err != nil {
			t.Errorf("stored tag: %v", err)
		}
		if !g.CreatedAt.Equal(clock.Now()) {
			t.Errorf("tag createdAt %v, want the clock's %v", g.CreatedAt, clock.Now())
		}
		byID[g.ID] = g
	}
	for _, e := range evs {
		g, ok := byID[e.TagID]
		if !ok || e.TradeID != g.TradeID || e.Label != g.Label || e.Confidence != g.Confidence || e.Text != bias.Reflect(g) {
			t.Errorf("event %+v does not describe its tag %+v", e, g)
		}
	}

	// Scoring again changes nothing: same tags (ids, times, features), no new event.
	clock.Advance(time.Hour)
	rep, err = svc.ScoreUser(ctx, user, time.Time{}, time.Time{})
	if err != nil {
		t.Fatal(err)
	}
	if rep.New != 0 || rep.Removed != 0 {
		t.Errorf("second run: %d new, %d removed, want none", rep.New, rep.Removed)
	}
	if diff := cmp.Diff(tags, allTags(t, svc.Store, user)); diff != "" {
		t.Errorf("second run changed the tags (-first +second):\n%s", diff)
	}
	if n := len(events(t, svc.Store, user)); n != len(evs) {
		t.Errorf("second run: %d events, want still %d", n, len(evs))
	}
}

func TestServiceRescoringAWindowReplacesOnlyItsTags(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	fx := newFixture()
	var calls []string
	svc, user, _ := newService(t, fx, &calls)
	if _, err := svc.ScoreUser(ctx, user, time.Time{}, time.Time{}); err != nil {
		t.Fatal(err)
	}
	before := allTags(t, svc.Store, user)
	nEvents := len(events(t, svc.Store, user))

	// A stricter definition over the second half: tags there are scored again, never duplicated,
	// earlier ones are untouched, only tags that did not exist before get a coach.reflect event,
	// and a tag there that existed keeps its id and gets its next revision, under the new
	// version, with a tag.revised event; so does a tag that no longer holds, withdrawn.
	from, to := t0.Add(20*24*time.Hour), t0.Add(41*24*time.Hour)
	svc.Config.FOMOMinSignals = 3
	svc.Config.Version = "strict"
	svc.Config.RevengeSizeMultiple = 1.2
	rep, err := svc.ScoreUser(ctx, user, from, to)
	if err != nil {
		t.Fatal(err)
	}
	after := allTags(t, svc.Store, user)
	type key struct{ trade, label string }
	old := map[key]coach.BiasTag{}
	for _, g := range before {
		old[key{g.TradeID, g.Label}] = g
	}
	seen := map[key]bool{}
	newTags, revisedTags := 0, 0
	for _, g := range after {
		k := key{g.TradeID, g.Label}
		if seen[k] {
			t.Errorf("tag %v stored twice", k)
		}
		seen[k] = true
		tr, err := svc.Store.Trades().Get(ctx, user, g.TradeID)
		if err != nil {
			t.Fatal(err)
		}
		inWindow := !tr.TS.Before(from) && tr.TS.Before(to)
		var v struct{ V string }
		_ = json.Unmarshal(g.Features, &v)
		switch p, existed := old[k]; {
		case !inWindow && (!existed || !cmp.Equal(p, g)):
			t.Errorf("tag %v outside the window changed", k)
		case inWindow && v.V != "strict":
			t.Errorf("tag %v in the window was not rescored: v = %q", k, v.V)
		case inWindow && existed && (p.ID != g.ID || g.Revision != p.Revision+1):
			t.Errorf("tag %v kept its label but is %s revision %d, after %s revision %d", k, g.ID, g.Revision, p.ID, p.Revision)
		case inWindow && existed:
			revisedTags++
			revs, err := svc.Store.Tags().Revisions(ctx, user, g.ID)
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff([]coach.BiasTag{p, g}, revs); diff != "" {
				t.Errorf("revisions of %v (-want +got):\n%s", k, diff)
			}
		case inWindow:
			newTags++
		}
	}
	reflect, revised := allEvents(t, svc.Store, user)
	if rep.New != newTags || len(reflect) != nEvents+newTags {
		t.Errorf("report says %d new, %d tags are new, coach.reflect events went %d → %d", rep.New, newTags, nEvents, len(reflect))
	}
	if rep.Revised != revisedTags || rep.Revised == 0 || len(revised) != rep.Revised+rep.Removed {
		t.Errorf("report says %d revised and %d removed, %d tags were revised, %d tag.revised events", rep.Revised, rep.Removed, revisedTags, len(revised))
	}
	withdrawn := 0
	for _, e := range revised {
		if e.Version != "strict" || e.PreviousVersion != bias.DefinitionVersion || e.Reason != coach.TagRevisedVersion {
			t.Errorf("tag.revised %+v: want version strict after %s, reason version", e, bias.DefinitionVersion)
		}
		if e.Withdrawn {
			withdrawn++
			if revs, err := svc.Store.Tags().Revisions(ctx, user, e.TagID); err != nil || len(revs) != 1 || revs[0].Label != e.Label {
				t.Errorf("withdrawn tag %s: revisions %v, %v; want its one revision kept", e.TagID, revs, err)
			}
		}
	}
	if rep.Removed == 0 || withdrawn != rep.Removed {
		t.Errorf("the stricter FOMO definition withdrew %d tags, %d events say so", rep.Removed, withdrawn)
	}
}

func TestServiceZeroConfigKeepsRules(t *testing.T) {
	t.Parallel()
	fx := newFixture()
	var calls []string
	svc, user, _ := newService(t, fx, &calls)
	svc.Config = bias.Config{Rules: func(coach.Trade) bias.Verdict { return bias.Verdict{Checked: 1} }, Plan: fixturePlan}
	if _, err := svc.ScoreUser(context.Background(), user, time.Time{}, time.Time{}); err != nil {
		t.Fatal(err)
	}
	n := 0
	for _, g := range allTags(t, svc.Store, user) {
		if g.Label == coach.LabelDiscipline {
			n++
		}
	}
	if n == 0 {
		t.Error("the default definitions dropped the Rules and Plan they were given")
	}
}

func TestServiceErrors(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	fx := newFixture()
	var calls []string
	svc, user, _ := newService(t, fx, &calls)

	if _, err := svc.ScoreUser(ctx, "", time.Time{}, time.Time{}); coach.ErrorCode(err) != coach.EINVALID {
		t.Errorf("empty user: %v, want EINVALID", err)
	}
	if _, err := svc.ScoreUser(ctx, user, t0.Add(time.Hour), t0); coach.ErrorCode(err) != coach.EINVALID {
		t.Errorf("from after to: %v, want EINVALID", err)
	}
	if _, err := svc.ScoreUser(ctx, "nobody", time.Time{}, time.Time{}); coach.ErrorCode(err) != coach.ENOTFOUND {
		t.Errorf("unknown user: %v, want ENOTFOUND", err)
	}
	// A source that is down fails the run and writes nothing.
	down := coach.Errorf(coach.EUNAVAILABLE, "market data is down")
	svc.Candles = &CandleSource{CandlesFunc: func(context.Context, coach.Symbol, coach.Interval, time.Time, time.Time) ([]coach.Candle, error) {
		return nil, down
	}}
	if _, err := svc.ScoreUser(ctx, user, time.Time{}, time.Time{}); !errors.Is(err, down) {
		t.Errorf("source down: %v, want its error", err)
	}
	if n := len(allTags(t, svc.Store, user)); n != 0 {
		t.Errorf("%d tags written by a failed run", n)
	}
	// A symbol the source does not know leaves its trades skipped, not the run failed.
	svc.Candles = &CandleSource{CandlesFunc: func(context.Context, coach.Symbol, coach.Interval, time.Time, time.Time) ([]coach.Candle, error) {
		return nil, coach.Errorf(coach.ENOTFOUND, "unknown symbol")
	}}
	rep, err := svc.ScoreUser(ctx, user, time.Time{}, time.Time{})
	if err != nil {
		t.Fatal(err)
	}
	if len(rep.Skipped) == 0 || rep.Skipped[0].Cause != bias.CauseNoCandles {
		t.Errorf("skips = %v, want no_candles", rep.Skipped)
	}
}

// failingEvents is a store whose transactions cannot append events.
type failingEvents struct{ storage.Store }

type failingEventsTx struct{ storage.Tx }

type noEvents struct{ storage.Events }

var errAppend = errors.New("outbox is full")

func (noEvents) Append(context.Context, ...coach.Event) ([]coach.Event, error) { return nil, errAppend }

func (tx failingEventsTx) Events() storage.Events { return noEvents{tx.Tx.Events()} }

func (s failingEvents) InTx(ctx context.Context, fn func(storage.Tx) error) error {
	return s.Store.InTx(ctx, func(tx storage.Tx) error { return fn(failingEventsTx{tx}) })
}

// TestServiceTagsAndEventsCommitTogether checks the unit of work: when the coach.reflect events
// cannot be appended, no tag is stored either.
func TestServiceTagsAndEventsCommitTogether(t *testing.T) {
	t.Parallel()
	fx := newFixture()
	var calls []string
	svc, user, _ := newService(t, fx, &calls)
	inner := svc.Store
	svc.Store = failingEvents{inner}
	if _, err := svc.ScoreUser(context.Background(), user, time.Time{}, time.Time{}); !errors.Is(err, errAppend) {
		t.Fatalf("ScoreUser = %v, want the append error", err)
	}
	if n := len(allTags(t, inner, user)); n != 0 {
		t.Errorf("%d tags stored without their events", n)
	}
	if n := len(events(t, inner, user)); n != 0 {
		t.Errorf("%d events stored by a failed run", n)
	}
}

func minTime(a, b time.Time) time.Time {
	if b.Before(a) {
		return b
	}
	return a
}

func maxTime(a, b time.Time) time.Time {
	if b.After(a) {
		return b
	}
	return a
}

// TestServiceReadsThePlanFromTheUsersRules: with Rules but no Plan in its Config, the Service
// reads each user's plan from their stored rules (bias.PlanOf), so DISCIPLINE and the stop
// exemption of PANIC follow the trader's own stop and target; a user without them gets none.
func TestServiceReadsThePlanFromTheUsersRules(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	count := func(withPlan bool) int {
		fx := newFixture()
		var calls []string
		svc, user, _ := newService(t, fx, &calls)
		svc.Config.Rules = func(coach.Trade) bias.Verdict { return bias.Verdict{Checked: 1} }
		if withPlan {
			for i, r := range []struct{ kind, params string }{
				{bias.RuleStopLossPct, `{"pct":2.5}`}, {bias.RuleTakeProfitPct, `{"pct":4}`}, {"maxTradesPerDay", `{"n":9}`},
			} {
				rule := coach.Rule{ID: coach.NewID(), UserID: user, Kind: r.kind, Params: json.RawMessage(r.params), Active: true,
					CreatedAt: time.Date(2024, 1, 1, 0, 0, i, 0, time.UTC)}
				if err := svc.Store.Rules().Create(ctx, rule); err != nil {
					t.Fatal(err)
				}
			}
		}
		if _, err := svc.ScoreUser(ctx, user, time.Time{}, time.Time{}); err != nil {
			t.Fatal(err)
		}
		n := 0
		for _, g := range allTags(t, svc.Store, user) {
			if g.Label == coach.LabelDiscipline {
				n++
			}
		}
		return n
	}
	if n := count(true); n < 3 {
		t.Errorf("%d DISCIPLINE tags with the plan in the user's rules, want the planned positions' orders", n)
	}
	if n := count(false); n != 0 {
		t.Errorf("%d DISCIPLINE tags for a user with no written plan, want none", n)
	}
}

// TestServicePraisesAnEntryScoredInAnEarlierWindow: the import scores the window of new fills
// only; a planned position bought in one window and closed at its target in the next still gets
// DISCIPLINE on its entry, because the Service scores a position open at the window's start from
// its opening.
func TestServicePraisesAnEntryScoredInAnEarlierWindow(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	fx := newFixture()
	var calls []string
	svc, user, _ := newService(t, fx, &calls)
	svc.Config.Rules = func(coach.Trade) bias.Verdict { return bias.Verdict{Checked: 1} }
	svc.Config.Plan = fixturePlan
	var entry, exit coach.Trade
	for _, tr := range fx.trades {
		switch tr.ID {
		case fx.role["planBuy1"]:
			entry = tr
		case fx.role["planTarget"]:
			exit = tr
		}
	}
	if _, err := svc.ScoreUser(ctx, user, time.Time{}, exit.TS); err != nil { // up to the exit, not including it
		t.Fatal(err)
	}
	if _, err := svc.ScoreUser(ctx, user, exit.TS, time.Time{}); err != nil { // the exit's window
		t.Fatal(err)
	}
	stored, err := storage.ListAll(ctx, svc.Store.Trades(), user, storage.TradeFilter{})
	if err != nil {
		t.Fatal(err)
	}
	var entryID string
	for _, tr := range stored {
		if tr.ExtID == entry.ExtID {
			entryID = tr.ID
		}
	}
	for _, g := range allTags(t, svc.Store, user) {
		if g.TradeID == entryID && g.Label == coach.LabelDiscipline {
			return
		}
	}
	t.Errorf("the entry %s, scored in the window before its exit at the target, never got DISCIPLINE", entry.ExtID)
}
