package rules_test

import (
	"context"
	"encoding/json"
	"errors"
	"sync"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/tradecoach/coach"
	"github.com/tradecoach/coach/rules"
	"github.com/tradecoach/coach/storage/memory"
)

// candleSource is a coach.CandleSource whose behaviour each test sets; it records its calls.
type candleSource struct {
	CandlesFunc func(ctx context.Context, symbol coach.Symbol, interval coach.Interval, from, to time.Time) ([]coach.Candle, error)

	mu    sync.Mutex
	calls []string
}

func (s *candleSource) Candles(ctx context.Context, symbol coach.Symbol, interval coach.Interval, from, to time.Time) ([]coach.Candle, error) {
	s.mu.Lock()
	s.calls = append(s.calls, string(symbol)+" "+string(interval)+" "+from.Format(time.RFC3339)+" "+to.Format(time.RFC3339))
	s.mu.Unlock()
	return s.CandlesFunc(ctx, symbol, interval, from, to)
}

// fromSeries serves candles from s with OpenTime in [from, to).
func fromSeries(s rules.CandleSeries) *candleSource {
	return &candleSource{CandlesFunc: func(_ context.Context, symbol coach.Symbol, _ coach.Interval, from, to time.Time) ([]coach.Candle, error) {
		cs, ok := s[symbol]
		if !ok {
			return nil, coach.Errorf(coach.ENOTFOUND, "no symbol %s", symbol)
		}
		var out []coach.Candle
		for _, c := range cs {
			if !c.OpenTime.Before(from) && c.OpenTime.Before(to) {
				out = append(out, c)
			}
		}
		return out, nil
	}}
}

// newService returns a service on a fresh memory store with users u1 and u2 (u1 in Berlin), and
// its clock.
func newService(t *testing.T) (*rules.Service, *memory.Store, *coach.ManualClock) {
	t.Helper()
	clock := coach.NewManualClock(day0.Add(30 * 24 * time.Hour))
	store := memory.New(memory.WithClock(clock))
	t.Cleanup(func() { store.Close() })
	ctx := context.Background()
	for _, u := range []coach.User{
		{ID: "u1", Email: "one@example.com", CreatedAt: day0, TimeZone: "Europe/Berlin"},
		{ID: "u2", Email: "two@example.com", CreatedAt: day0},
	} {
		if err := store.Users().Create(ctx, u); err != nil {
			t.Fatal(err)
		}
	}
	return mustNew(t, rules.ServiceConfig{Store: store, Clock: clock}), store, clock
}

// mustNew returns rules.New(cfg) or fails the test.
func mustNew(t *testing.T, cfg rules.ServiceConfig) *rules.Service {
	t.Helper()
	svc, err := rules.New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	return svc
}

func TestServiceCRUD(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	svc, store, clock := newService(t)

	created, err := svc.Create(ctx, "u1", coach.Rule{ID: "ignored", Kind: "noTradingWindow", Active: true,
		Params: json.RawMessage(`{"weekdays":["sat","fri"], "to":"06:00", "from":"22:00"}`)})
	if err != nil {
		t.Fatalf("Create: %v", err)
	}
	if created.ID == "ignored" || !coach.ValidID(created.ID) || created.UserID != "u1" || !created.CreatedAt.Equal(clock.Now()) {
		t.Errorf("created = %+v", created)
	}
	if got := string(created.Params); got != `{"from":"22:00","to":"06:00","weekdays":["fri","sat"]}` {
		t.Errorf("stored params = %s, want the canonical form", got)
	}
	got, err := svc.Get(ctx, "u1", created.ID)
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(created, got); diff != "" {
		t.Errorf("Get (-want +got):\n%s", diff)
	}

	clock.Advance(time.Minute)
	updated, err := svc.Update(ctx, "u1", coach.Rule{ID: created.ID, Kind: "maxTradesPerDay", Params: json.RawMessage(`{"n":3}`), Active: false})
	if err != nil {
		t.Fatalf("Update: %v", err)
	}
	want := coach.Rule{ID: created.ID, UserID: "u1", Kind: "maxTradesPerDay", Params: json.RawMessage(`{"n":3}`), CreatedAt: created.CreatedAt}
	if diff := cmp.Diff(want, updated); diff != "" {
		t.Errorf("Update (-want +got):\n%s", diff)
	}
	list, err := svc.List(ctx, "u1")
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff([]coach.Rule{want}, list); diff != "" {
		t.Errorf("List (-want +got):\n%s", diff)
	}

	clock.Advance(time.Minute)
	if err := svc.Delete(ctx, "u1", created.ID); err != nil {
		t.Fatalf("Delete: %v", err)
	}
	if _, err := svc.Get(ctx, "u1", created.ID); coach.ErrorCode(err) != coach.ENOTFOUND {
		t.Errorf("Get after Delete: %v, want ENOTFOUND", err)
	}

	audit, err := store.Audit().List(ctx, "u1", 10)
	if err != nil {
		t.Fatal(err)
	}
	type entry struct{ Action, Meta string }
	var gotAudit []entry
	for _, a := range audit {
		gotAudit = append(gotAudit, entry{a.Action, string(a.Meta)})
	}
	id := created.ID
	wantAudit := []entry{
		{coach.AuditRuleDeleted, `{"ruleId":"` + id + `","kind":"maxTradesPerDay"}`},
		{coach.AuditRuleUpdated, `{"ruleId":"` + id + `","kind":"maxTradesPerDay","active":false,"params":{"n":3},` +
			`"prev":{"kind":"noTradingWindow","active":true,"params":{"from":"22:00","to":"06:00","weekdays":["fri","sat"]}}}`},
		{coach.AuditRuleCreated, `{"ruleId":"` + id + `","kind":"noTradingWindow","active":true,"params":{"from":"22:00","to":"06:00","weekdays":["fri","sat"]}}`},
	}
	if diff := cmp.Diff(wantAudit, gotAudit); diff != "" {
		t.Errorf("audit (-want +got):\n%s", diff)
	}
}

func TestServiceRejects(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	svc, store, _ := newService(t)
	r, err := svc.Create(ctx, "u1", coach.Rule{Kind: "stopLossPct", Params: json.RawMessage(`{"pct":5}`), Active: true})
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		name string
		call func() error
		code coach.Code
		msg  string
	}{
		{"create with bad params", func() error {
			_, err := svc.Create(ctx, "u1", coach.Rule{Kind: "stopLossPct", Params: json.RawMessage(`{"pct":500}`)})
			return err
		}, coach.EINVALID, "params.pct: must be in (0, 100)"},
		{"create of an unknown kind", func() error {
			_, err := svc.Create(ctx, "u1", coach.Rule{Kind: "maxRiskPerTradePct", Params: json.RawMessage(`{"pct":1}`)})
			return err
		}, coach.EINVALID, ""},
		{"create for an unknown user", func() error {
			_, err := svc.Create(ctx, "nobody", coach.Rule{Kind: "stopLossPct", Params: json.RawMessage(`{"pct":5}`)})
			return err
		}, coach.ENOTFOUND, ""},
		{"create without a user id", func() error {
			_, err := svc.Create(ctx, "", coach.Rule{Kind: "stopLossPct", Params: json.RawMessage(`{"pct":5}`)})
			return err
		}, coach.EINVALID, "userId: required"},
		{"update with bad params", func() error {
			_, err := svc.Update(ctx, "u1", coach.Rule{ID: r.ID, Kind: "stopLossPct", Params: json.RawMessage(`{"pct":5,"x":1}`)})
			return err
		}, coach.EINVALID, "params.x: unknown field"},
		{"another user's rule cannot be read", func() error {
			_, err := svc.Get(ctx, "u2", r.ID)
			return err
		}, coach.ENOTFOUND, ""},
		{"another user's rule cannot be updated", func() error {
			_, err := svc.Update(ctx, "u2", coach.Rule{ID: r.ID, Kind: "stopLossPct", Params: json.RawMessage(`{"pct":9}`)})
			return err
		}, coach.ENOTFOUND, ""},
		{"another user's rule cannot be deleted", func() error { return svc.Delete(ctx, "u2", r.ID) }, coach.ENOTFOUND, ""},
	} {
		err := tc.call()
		if coach.ErrorCode(err) != tc.code || tc.msg != "" && coach.ErrorMessage(err) != tc.msg {
			t.Errorf("%s: err = %v, want %s %q", tc.name, err, tc.code, tc.msg)
		}
	}
	// Nothing was changed or audited by the calls that failed.
	got, err := svc.Get(ctx, "u1", r.ID)
	if err != nil || string(got.Params) != `{"pct":5}` {
		t.Errorf("rule after failed calls = %+v, %v", got, err)
	}
	for user, want := range map[string]int{"u1": 1, "u2": 0} {
		audit, err := store.Audit().List(ctx, user, 10)
		if err != nil || len(audit) != want {
			t.Errorf("%s has %d audit rows (%v), want %d", user, len(audit), err, want)
		}
	}
	if list, _ := svc.List(ctx, "u2"); len(list) != 0 {
		t.Errorf("u2 sees %d rules, want none", len(list))
	}
}

func TestServiceEvaluateUser(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	svc, store, clock := newService(t)
	for _, r := range []coach.Rule{
		{Kind: "maxTradesPerDay", Params: json.RawMessage(`{"n":1}`), Active: true},
		{Kind: "stopLossPct", Params: json.RawMessage(`{"pct":5}`), Active: true},
		{Kind: "cooldownAfterLoss", Params: json.RawMessage(`{"minutes":60}`), Active: false},
	} {
		if _, err := svc.Create(ctx, "u1", r); err != nil {
			t.Fatal(err)
		}
		clock.Advance(time.Second)
	}
	// A rule stored before its kind was withdrawn: reported, not evaluated.
	if err := store.Rules().Create(ctx, coach.Rule{ID: "old", UserID: "u1", Kind: "maxRiskPerTradePct", Params: json.RawMessage(`{"pct":1}`), Active: true, CreatedAt: day0}); err != nil {
		t.Fatal(err)
	}
	// Hourly BTC bars at 100 for two days; bar 30 (Tue 06:00–07:00 UTC) dips to 90.
	market := rules.CandleSeries{"BTC-USDT": bars("BTC-USDT", coach.Hour1, day0, flat(48, 100), map[int]float64{30: 90})}
	trades := []coach.Trade{
		buy("b1", at("10h"), "BTC-USDT", "1", "100"),    // Mon 11:00 Berlin
		sell("s1", at("12h"), "BTC-USDT", "1", "100"),   // Mon 13:00: second of Monday
		buy("b2", at("23h30m"), "BTC-USDT", "1", "100"), // Tue 00:30 Berlin; held through the dip
		buy("b3", at("26h"), "SOL-USDT", "1", "100"),    // Tue 03:00 Berlin: second of Tuesday; no SOL candles
	}
	for i := range trades {
		trades[i].ID, trades[i].UserID = "", ""
	}
	if _, err := store.Trades().Upsert(ctx, "u1", trades); err != nil {
		t.Fatal(err)
	}
	stored, _ := store.Trades().List(ctx, "u1", storageAll)
	idOf := map[string]string{}
	for _, tr := range stored {
		idOf[tr.ID] = tr.ExtID
	}
	src := fromSeries(market)
	rep, err := mustNew(t, rules.ServiceConfig{Store: store, Clock: clock, Candles: src}).EvaluateUser(ctx, "u1", at("11h"), at("40h"))
	if err != nil {
		t.Fatalf("EvaluateUser: %v", err)
	}
	var got []row
	for _, r := range rowsOf(rep.Evaluation.Verdicts) {
		r.Trade, r.Rule, r.Evidence = idOf[r.Trade], kindOf(rep.Evaluation, r.Rule), ""
		got = append(got, r)
	}
	want := []row{
		// b1 (before from) has its max verdict left out; its position was sold by s1 at 12h.
		{Trade: "b1", Rule: "stopLossPct", At: "2025-03-03T12:00:00Z", Outcome: "followed"},
		{Trade: "s1", Rule: "maxTradesPerDay", At: "2025-03-03T12:00:00Z", Outcome: "broken"},
		{Trade: "s1", Rule: "stopLossPct", At: "2025-03-03T12:00:00Z", Outcome: "followed"},
		{Trade: "b2", Rule: "maxTradesPerDay", At: "2025-03-03T23:30:00Z", Outcome: "followed"},
		{Trade: "b2", Rule: "stopLossPct", At: "2025-03-04T07:00:00Z", Outcome: "broken"},
		{Trade: "b3", Rule: "maxTradesPerDay", At: "2025-03-04T02:00:00Z", Outcome: "broken"},
		{Trade: "b3", Rule: "stopLossPct", At: "2025-03-04T02:00:00Z", Outcome: "undecided", Reason: "noCandles"},
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("verdicts (-want +got):\n%s", diff)
	}
	wantInvalid := []rules.InvalidRule{{RuleID: "old", Kind: "maxRiskPerTradePct",
		Message: `kind: unknown kind "maxRiskPerTradePct"; want one of avoidSpikeOverPct, maxTradesPerDay, cooldownAfterLoss, maxNotionalPerTrade, noTradingWindow, stopLossPct`}}
	if diff := cmp.Diff(wantInvalid, rep.Invalid); diff != "" {
		t.Errorf("invalid (-want +got):\n%s", diff)
	}
	// Berlin days: Mon broken (s1), Tue broken (b3, and b2's stop at 08:00). Trades: b1 ok, s1
	// broken, b2 broken, b3 broken.
	wantOverall := rules.Standing{Trades: rules.Streak{Current: 0, Best: 1}, Days: rules.Streak{Current: 0, Best: 0}, Followed: 3, Broken: 3, Undecided: 1}
	if diff := cmp.Diff(wantOverall, rep.Streaks.Overall); diff != "" {
		t.Errorf("overall streaks (-want +got):\n%s", diff)
	}
	// Candles were fetched for the symbols traded, hourly, from before the oldest position open
	// at from (b1 at 10:00) to to.
	wantCalls := []string{
		"BTC-USDT 1h 2025-03-03T09:00:00Z 2025-03-04T16:00:00Z",
		"SOL-USDT 1h 2025-03-03T09:00:00Z 2025-03-04T16:00:00Z",
	}
	if diff := cmp.Diff(wantCalls, src.calls); diff != "" {
		t.Errorf("candle calls (-want +got):\n%s", diff)
	}

	// A failing source fails the evaluation; a nil one leaves candle verdicts undecided.
	boom := &candleSource{CandlesFunc: func(context.Context, coach.Symbol, coach.Interval, time.Time, time.Time) ([]coach.Candle, error) {
		return nil, errors.New("connection reset")
	}}
	if _, err := mustNew(t, rules.ServiceConfig{Store: store, Clock: clock, Candles: boom}).EvaluateUser(ctx, "u1", time.Time{}, time.Time{}); coach.ErrorCode(err) != coach.EINTERNAL {
		t.Errorf("with a failing source: %v, want EINTERNAL", err)
	}
	rep, err = svc.EvaluateUser(ctx, "u1", time.Time{}, time.Time{})
	if err != nil {
		t.Fatal(err)
	}
	if n := len(rep.Evaluation.Verdicts); n != 8 {
		t.Errorf("without candles: %d verdicts, want 8", n)
	}
	for _, v := range rep.Evaluation.Verdicts {
		if v.Kind == rules.KindStopLossPct && idOf[v.TradeID][0] == 'b' && v.Reason != rules.ReasonNoCandles {
			t.Errorf("without candles, %s's stop verdict = %+v", idOf[v.TradeID], v)
		}
	}
	for _, tc := range []struct {
		user     string
		from, to time.Time
		code     coach.Code
	}{
		{"nobody", time.Time{}, time.Time{}, coach.ENOTFOUND},
		{"", time.Time{}, time.Time{}, coach.EINVALID},
		{"u1", at("2h"), at("1h"), coach.EINVALID},
	} {
		if _, err := svc.EvaluateUser(ctx, tc.user, tc.from, tc.to); coach.ErrorCode(err) != tc.code {
			t.Errorf("EvaluateUser(%q, %v, %v) = %v, want %s", tc.user, tc.from, tc.to, err, tc.code)
		}
	}
}

func kindOf(ev *rules.Evaluation, ruleID string) string {
	for _, r := range ev.Rules {
		if r.ID == ruleID {
			return r.Kind
		}
	}
	return "?"
}
