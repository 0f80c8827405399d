package digest_test

import (
	"context"
	"encoding/json"
	"io"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/tradecoach/coach"
	"github.com/tradecoach/coach/digest"
	"github.com/tradecoach/coach/rules"
	"github.com/tradecoach/coach/storage"
	"github.com/tradecoach/coach/storage/memory"
)

// seeded returns a memory store with the Berlin trader: the Berlin week's trades and tags and a
// rule of at most one trade a day.
func seeded(t *testing.T) *memory.Store {
	t.Helper()
	ctx := context.Background()
	clock := coach.NewManualClock(time.Date(2026, 3, 9, 6, 0, 0, 0, time.UTC))
	st := memory.New(memory.WithClock(clock))
	t.Cleanup(func() { st.Close() })
	if err := st.Users().Create(ctx, coach.User{ID: testUser, Email: "t@example.com", TimeZone: "Europe/Berlin", CreatedAt: clock.Now()}); err != nil {
		t.Fatal(err)
	}
	trades, tags := berlinWeek(t)
	if _, err := st.Trades().Upsert(ctx, testUser, trades); err != nil {
		t.Fatal(err)
	}
	ids := make([]string, len(trades))
	for i := range trades {
		ids[i] = trades[i].ID
	}
	known := tags[:0:0]
	for _, g := range tags {
		if g.TradeID != "nope" {
			known = append(known, g)
		}
	}
	if err := st.Tags().Replace(ctx, testUser, ids, known); err != nil {
		t.Fatal(err)
	}
	if err := st.Rules().Create(ctx, coach.Rule{ID: "r1", UserID: testUser, Kind: rules.KindMaxTradesPerDay,
		Params: json.RawMessage(`{"n":1}`), Active: true, CreatedAt: clock.Now()}); err != nil {
		t.Fatal(err)
	}
	return st
}

// digestEvents returns the user's digest.ready payloads.
func digestEvents(t *testing.T, st storage.Store) []coach.DigestReadyPayload {
	t.Helper()
	evs, err := st.Events().Since(context.Background(), testUser, "", 100)
	if err != nil {
		t.Fatal(err)
	}
	var out []coach.DigestReadyPayload
	for _, e := range evs {
		if e.Type != coach.EventDigestReady || e.V != 1 {
			continue
		}
		var p coach.DigestReadyPayload
		if err := json.Unmarshal(e.Payload, &p); err != nil {
			t.Fatal(err)
		}
		out = append(out, p)
	}
	return out
}

func TestServiceWeekly(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	st := seeded(t)
	blobs := memory.NewBlobs()
	svc := mustNew(t, digest.ServiceConfig{Store: st, Blobs: blobs, Clock: coach.NewManualClock(time.Date(2026, 3, 9, 6, 0, 0, 0, time.UTC))})

	d, err := svc.Weekly(ctx, testUser, w10)
	if err != nil {
		t.Fatal(err)
	}
	if d.PeriodStart != date("2026-03-02") || d.PeriodEnd != date("2026-03-08") || d.UserID != testUser {
		t.Errorf("digest %s: %s to %s of %s", d.ID, d.PeriodStart, d.PeriodEnd, d.UserID)
	}
	p, err := digest.ParsePayload(d.Payload)
	if err != nil {
		t.Fatal(err)
	}
	// The stored payload is Build's over the stored data; n1 (next week) is not loaded.
	if p.TradeCount != 7 || !p.Realized.Equal(dec("22.747")) || p.VsPreviousWeek == nil || p.VsPreviousWeek.TradeCount != 6 {
		t.Errorf("payload: tradeCount %d, realized %s, vsPreviousWeek %+v", p.TradeCount, p.Realized, p.VsPreviousWeek)
	}
	// maxTradesPerDay n=1, evaluated by package rules: every fill judged, Monday's second broken.
	wantV := []digest.Violation{{RuleID: "r1", Kind: rules.KindMaxTradesPerDay, Count: 1, Checked: 7}}
	if diff := cmp.Diff(wantV, p.RuleViolations); diff != "" {
		t.Errorf("ruleViolations (-want +got):\n%s", diff)
	}
	if p.Streaks == nil || p.Streaks.Overall.CurrentTrades != 5 || p.Streaks.Overall.BestTrades != 5 {
		t.Errorf("streaks = %+v, want 5 trades since Monday's break", p.Streaks)
	}
	want := []coach.DigestReadyPayload{{DigestID: d.ID, PeriodStart: d.PeriodStart, PeriodEnd: d.PeriodEnd}}
	if diff := cmp.Diff(want, digestEvents(t, st)); diff != "" {
		t.Errorf("events (-want +got):\n%s", diff)
	}
	// The report is archived.
	rc, info, err := blobs.Get(ctx, digest.ReportKey(testUser, d.PeriodStart))
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(rc)
	rc.Close()
	html, err := digest.RenderHTML(p)
	if err != nil {
		t.Fatal(err)
	}
	if string(body) != string(html) || info.ContentType != "text/html; charset=utf-8" || info.Key != "users/u1/digests/2026-03-02.html" {
		t.Errorf("archived %s (%s, %d bytes), want the rendered report", info.Key, info.ContentType, len(body))
	}

	// Again on the same data: the same digest, no new event.
	again, err := svc.Weekly(ctx, testUser, w10)
	if err != nil {
		t.Fatal(err)
	}
	if again.ID != d.ID {
		t.Errorf("second run: digest %s, want %s", again.ID, d.ID)
	}
	if n := len(digestEvents(t, st)); n != 1 {
		t.Errorf("second run on unchanged data: %d events, want 1", n)
	}

	// A new trade in the week changes the payload: same digest, one more event.
	if _, err := st.Trades().Upsert(ctx, testUser, []coach.Trade{fill(t, "late", "2026-03-07T10:00:00Z", "BTC-USDT", coach.Sell, "0.1", "125", "0")}); err != nil {
		t.Fatal(err)
	}
	changed, err := svc.Weekly(ctx, testUser, w10)
	if err != nil {
		t.Fatal(err)
	}
	p2, err := digest.ParsePayload(changed.Payload)
	if err != nil {
		t.Fatal(err)
	}
	if changed.ID != d.ID || p2.TradeCount != 8 {
		t.Errorf("after a new trade: digest %s with %d trades, want %s with 8", changed.ID, p2.TradeCount, d.ID)
	}
	evs := digestEvents(t, st)
	if len(evs) != 2 || evs[1].DigestID != d.ID {
		t.Errorf("after a new trade: events %+v, want a second one for %s", evs, d.ID)
	}
	list, err := st.Digests().List(ctx, testUser, 10)
	if err != nil || len(list) != 1 {
		t.Errorf("digests stored: %d (%v), want 1", len(list), err)
	}
}

// TestServiceWeeklyOlderWeek: rebuilding a week older than the latest digest finds its digest.
func TestServiceWeeklyOlderWeek(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	st := seeded(t)
	svc := mustNew(t, digest.ServiceConfig{Store: st})
	first, err := svc.Weekly(ctx, testUser, w10)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := svc.Weekly(ctx, testUser, w10.Next()); err != nil {
		t.Fatal(err)
	}
	again, err := svc.Weekly(ctx, testUser, w10)
	if err != nil {
		t.Fatal(err)
	}
	if again.ID != first.ID || len(digestEvents(t, st)) != 2 {
		t.Errorf("rebuilt %s (want %s), %d events (want 2)", again.ID, first.ID, len(digestEvents(t, st)))
	}
}

// failingEvents is a store whose event outbox refuses every append inside a transaction.
type failingEvents struct{ storage.Store }

func (s failingEvents) InTx(ctx context.Context, fn func(tx storage.Tx) error) error {
	return s.Store.InTx(ctx, func(tx storage.Tx) error { return fn(failingTx{tx}) })
}

type failingTx struct{ storage.Tx }

func (t failingTx) Events() storage.Events { return refusingEvents{t.Tx.Events()} }

type refusingEvents struct{ storage.Events }

func (refusingEvents) Append(context.Context, ...coach.Event) ([]coach.Event, error) {
	return nil, coach.Errorf(coach.EUNAVAILABLE, "outbox down")
}

// TestServiceWeeklyAtomic: when the event cannot be written, neither is the digest (nor the report).
func TestServiceWeeklyAtomic(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	st := seeded(t)
	blobs := memory.NewBlobs()
	svc := mustNew(t, digest.ServiceConfig{Store: failingEvents{st}, Blobs: blobs})
	if _, err := svc.Weekly(ctx, testUser, w10); coach.ErrorCode(err) != coach.EUNAVAILABLE {
		t.Fatalf("Weekly: %v, want the outbox's error", err)
	}
	if _, err := st.Digests().Latest(ctx, testUser); coach.ErrorCode(err) != coach.ENOTFOUND {
		t.Errorf("digest stored without its event: %v", err)
	}
	if list, _ := blobs.List(ctx, "users/"); len(list) != 0 {
		t.Errorf("report archived without a digest: %v", list)
	}
}

// sims is a digest.SimSource whose behaviour each test sets.
type sims struct {
	OutcomesFunc func(ctx context.Context, userID string, from, to time.Time) ([]digest.SimOutcome, error)
}

func (s sims) Outcomes(ctx context.Context, userID string, from, to time.Time) ([]digest.SimOutcome, error) {
	return s.OutcomesFunc(ctx, userID, from, to)
}

func TestServiceWeeklySimulations(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	st := seeded(t)
	var gotFrom, gotTo time.Time
	svc := mustNew(t, digest.ServiceConfig{Store: st, Sims: sims{func(_ context.Context, userID string, from, to time.Time) ([]digest.SimOutcome, error) {
		gotFrom, gotTo = from, to
		return []digest.SimOutcome{{Scenario: "skipLabel", Label: coach.LabelRevenge, Delta: dec("2.5")}}, nil
	}}})
	d, err := svc.Weekly(ctx, testUser, w10)
	if err != nil {
		t.Fatal(err)
	}
	p, _ := digest.ParsePayload(d.Payload)
	if p.Suggestion.Label != coach.LabelRevenge || p.Suggestion.SimulationDelta == nil || !p.Suggestion.SimulationDelta.Equal(dec("2.5")) {
		t.Errorf("suggestion = %+v, want REVENGE with the simulation", p.Suggestion)
	}
	if !gotFrom.Equal(time.Date(2026, 3, 1, 23, 0, 0, 0, time.UTC)) || !gotTo.Equal(time.Date(2026, 3, 8, 23, 0, 0, 0, time.UTC)) {
		t.Errorf("asked for simulations of [%s, %s), want the local week", gotFrom, gotTo)
	}

	failing := mustNew(t, digest.ServiceConfig{Store: st, Sims: sims{func(context.Context, string, time.Time, time.Time) ([]digest.SimOutcome, error) {
		return nil, coach.Errorf(coach.EUNAVAILABLE, "sim down")
	}}})
	if _, err := failing.Weekly(ctx, testUser, w10.Next()); coach.ErrorCode(err) != coach.EUNAVAILABLE {
		t.Errorf("Weekly with a failing SimSource: %v", err)
	}
}

func TestServiceWeeklyErrors(t *testing.T) {
	t.Parallel()
	st := seeded(t)
	svc := mustNew(t, digest.ServiceConfig{Store: st})
	for _, tc := range []struct {
		name, user string
		week       digest.Week
		code       coach.Code
	}{
		{"bad user id", "", w10, coach.EINVALID},
		{"unknown user", "nobody", w10, coach.ENOTFOUND},
		{"bad week", testUser, digest.Week{Year: 2026, Week: 54}, coach.EINVALID},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if _, err := svc.Weekly(context.Background(), tc.user, tc.week); coach.ErrorCode(err) != tc.code {
				t.Errorf("Weekly: %v, want %s", err, tc.code)
			}
		})
	}
}

// flatMarket is a coach.CandleSource of hourly bars at a constant price.
type flatMarket struct{ asked *int }

func (m flatMarket) Candles(_ context.Context, sym coach.Symbol, iv coach.Interval, from, to time.Time) ([]coach.Candle, error) {
	*m.asked++
	var out []coach.Candle
	for at := from.Truncate(iv.Duration()); at.Before(to); at = at.Add(iv.Duration()) {
		if !at.Before(from) {
			out = append(out, coach.Candle{Symbol: sym, Interval: iv, OpenTime: at, Open: 100, High: 100, Low: 100, Close: 100, Volume: 1})
		}
	}
	return out, nil
}

// TestServiceWeeklyCandles: a rule that reads the market is decided with the Candles given, and
// undecided without them.
func TestServiceWeeklyCandles(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	spike := func(t *testing.T, svc *digest.Service) digest.Violation {
		t.Helper()
		d, err := svc.Weekly(ctx, testUser, w10)
		if err != nil {
			t.Fatal(err)
		}
		p, err := digest.ParsePayload(d.Payload)
		if err != nil {
			t.Fatal(err)
		}
		for _, v := range p.RuleViolations {
			if v.Kind == rules.KindAvoidSpikeOverPct {
				return v
			}
		}
		t.Fatalf("no avoidSpikeOverPct in %+v", p.RuleViolations)
		return digest.Violation{}
	}
	seed := func(t *testing.T) *memory.Store {
		st := seeded(t)
		if err := st.Rules().Create(ctx, coach.Rule{ID: "r2", UserID: testUser, Kind: rules.KindAvoidSpikeOverPct,
			Params: json.RawMessage(`{"pct":5,"lookbackHours":24}`), Active: true, CreatedAt: time.Now()}); err != nil {
			t.Fatal(err)
		}
		return st
	}
	// The week's buys: m0, b1, e1 and x1 (Monday to Thursday).
	asked := 0
	with := spike(t, mustNew(t, digest.ServiceConfig{Store: seed(t), Candles: flatMarket{&asked}}))
	if want := (digest.Violation{RuleID: "r2", Kind: rules.KindAvoidSpikeOverPct, Checked: 4}); with != want {
		t.Errorf("with candles: %+v, want %+v", with, want)
	}
	if asked == 0 {
		t.Error("the candle source was not asked")
	}
	without := spike(t, mustNew(t, digest.ServiceConfig{Store: seed(t)}))
	if want := (digest.Violation{RuleID: "r2", Kind: rules.KindAvoidSpikeOverPct, Undecided: 4}); without != want {
		t.Errorf("without candles: %+v, want %+v", without, want)
	}
}

// mustNew returns digest.New(cfg) or fails the test.
func mustNew(t *testing.T, cfg digest.ServiceConfig) *digest.Service {
	t.Helper()
	svc, err := digest.New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	return svc
}
