// Command demo runs tradecoach end to end in one process on a demo trader: it imports 45 days of
// a deterministic persona's fills from the demo broker into the in-memory store, scores them for
// behavioural biases against the market data around each fill, and prints what the coach would
// say — the reflections, the account-level metrics, how the trader stands against their own
// rules, what skipping the FOMO buys would have changed, and the weekly digest.
//
//	go run ./examples/demo            # the default persona (seed 42)
//	go run ./examples/demo -seed 7    # another persona, same behaviours
package main

import (
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"os"
	"slices"
	"strings"
	"time"

	"github.com/tradecoach/coach"
	"github.com/tradecoach/coach/bias"
	"github.com/tradecoach/coach/broker"
	"github.com/tradecoach/coach/broker/brokertest"
	"github.com/tradecoach/coach/digest"
	"github.com/tradecoach/coach/rules"
	"github.com/tradecoach/coach/sim"
	"github.com/tradecoach/coach/storage"
	"github.com/tradecoach/coach/storage/memory"
)

func main() {
	seed := flag.Int64("seed", 42, "demo persona seed")
	reflections := flag.Int("reflections", 8, "how many coach reflections to print")
	flag.Parse()
	if err := run(context.Background(), os.Stdout, *seed, *reflections); err != nil {
		fmt.Fprintln(os.Stderr, "demo:", coach.ErrorMessage(err))
		os.Exit(1)
	}
}

func run(ctx context.Context, out io.Writer, seed int64, reflections int) error {
	demo, err := brokertest.NewDemo(seed, brokertest.DemoOptions{})
	if err != nil {
		return err
	}
	clock := coach.NewManualClock(demo.End())
	store := memory.New(memory.WithClock(clock))
	user := coach.User{ID: coach.NewID(), Email: "demo@example.com", CreatedAt: demo.Start(), TimeZone: "Europe/Berlin"}
	// A connection that is not revoked holds its sealed access token. The demo broker needs no
	// credential; a real host seals the broker's token (seal.Sealer) and stores the envelope here.
	conn := coach.BrokerConnection{ID: coach.NewID(), UserID: user.ID, Broker: coach.BrokerDemo,
		Status: coach.ConnectionActive, Scope: "read", AccessEnc: []byte("demo: no credential"), CreatedAt: demo.Start()}
	if err := store.Users().Create(ctx, user); err != nil {
		return err
	}
	if err := store.Connections().Create(ctx, conn); err != nil {
		return err
	}

	importer, err := broker.NewImporter(broker.ImporterConfig{Store: store, Clock: clock, Window: demo.End().Sub(demo.Start())})
	if err != nil {
		return err
	}
	sum, err := importer.Import(ctx, user.ID, conn, demo)
	if err != nil {
		return err
	}
	fmt.Fprintf(out, "Imported %d fills from the demo broker (%s to %s): %d new, %d duplicates.\n\n",
		sum.Fetched, sum.WindowStart.Format(time.DateOnly), sum.WindowEnd.Format(time.DateOnly), sum.Inserted, sum.Duplicates)

	// The trader's own rules and written plan: DISCIPLINE is "kept every rule that applied, and
	// the position closed at the plan's stop or target" (bias.PlanOf reads the stop).
	ruleSvc, err := rules.New(rules.ServiceConfig{Store: store, Candles: demo, Clock: clock})
	if err != nil {
		return err
	}
	written := []coach.Rule{
		{Kind: "avoidSpikeOverPct", Params: json.RawMessage(`{"pct": 8, "lookbackHours": 24}`), Active: true},
		{Kind: "maxTradesPerDay", Params: json.RawMessage(`{"n": 12}`), Active: true},
		{Kind: "cooldownAfterLoss", Params: json.RawMessage(`{"minutes": 60}`), Active: true},
		{Kind: "stopLossPct", Params: json.RawMessage(`{"pct": 1.2}`), Active: true},
	}
	for _, r := range written {
		if _, err := ruleSvc.Create(ctx, user.ID, r); err != nil {
			return err
		}
	}
	verdicts, err := ruleSvc.EvaluateUser(ctx, user.ID, time.Time{}, time.Time{})
	if err != nil {
		return err
	}
	cfg := bias.DefaultConfig()
	cfg.Rules = func(t coach.Trade) bias.Verdict {
		n, broken := verdicts.Evaluation.Check(t)
		return bias.Verdict{Checked: n, Broken: broken}
	}
	// The plan's target is a kind package rules does not check; the definitions read it all the
	// same.
	cfg.Plan = bias.PlanOf(append(written, coach.Rule{Kind: bias.RuleTakeProfitPct, Params: json.RawMessage(`{"pct": 2.4}`), Active: true}))

	scorer, err := bias.New(bias.ServiceConfig{Store: store, Candles: demo, Config: cfg, Clock: clock})
	if err != nil {
		return err
	}
	rep, err := scorer.ScoreUser(ctx, user.ID, time.Time{}, time.Time{})
	if err != nil {
		return err
	}
	tags, err := store.Tags().List(ctx, user.ID, storage.TagFilter{})
	if err != nil {
		return err
	}
	fmt.Fprintf(out, "Scored %d trades with definitions %s: %d tags (%d trades lacked data for some label).\n",
		rep.Trades, bias.DefinitionVersion, rep.Tags, countTrades(rep.Skipped))
	printCounts(out, tags)
	if err := printReflections(ctx, out, store, user.ID, reflections); err != nil {
		return err
	}
	printAccount(out, rep.Account, user.Location())
	printStreaks(out, verdicts.Streaks)

	// What-if: the same question a trader asks in the UI, through the service that caches it.
	simulator, err := sim.New(sim.ServiceConfig{Store: store, Candles: demo, Cache: memory.NewCache(clock)})
	if err != nil {
		return err
	}
	req := sim.Request{Scenario: sim.Scenario{Kind: sim.KindSkipLabel, Label: coach.LabelFOMO},
		Params: sim.Params{From: demo.Start(), To: demo.End(), Interval: coach.Hour1}}
	whatIf, err := simulator.Simulate(ctx, user.ID, req)
	if err != nil {
		return err
	}
	fmt.Fprintln(out, "\nWhat if you had skipped your FOMO buys?")
	for _, p := range whatIf.PnL {
		fmt.Fprintf(out, "  %s: actual %s, without them %s, difference %s (%d trades changed)\n", p.Quote,
			p.Actual.Total.StringFixed(2), p.Counterfactual.Total.StringFixed(2), p.Delta.Total.StringFixed(2), len(whatIf.Changes))
	}

	// The weekly digest of the last full week, stored with its digest.ready event and archived.
	blobs := memory.NewBlobs()
	digester, err := digest.New(digest.ServiceConfig{Store: store, Blobs: blobs, Clock: clock, Candles: demo, Account: scorer})
	if err != nil {
		return err
	}
	week := digest.LastFullWeek(demo.End(), user.Location())
	d, err := digester.Weekly(ctx, user.ID, week)
	if err != nil {
		return err
	}
	payload, err := digest.ParsePayload(d.Payload)
	if err != nil {
		return err
	}
	fmt.Fprintf(out, "\nWeekly digest %s (%s to %s): %d trades on %d days, realized %s %s.\n",
		week, d.PeriodStart, d.PeriodEnd, payload.TradeCount, payload.ActiveDays, payload.Realized.StringFixed(2), payload.Quote)
	fmt.Fprintf(out, "  Suggestion: %s\n", payload.Suggestion.Text)
	if a := payload.Account; a != nil {
		fmt.Fprintf(out, "  Account effects of %s: %d shown%s\n", a.From.In(user.Location()).Format("January 2006"), len(a.Shows), labelsOf(a.Shows))
		for _, r := range a.Reflections {
			fmt.Fprintf(out, "    [%s] %s\n", r.Label, r.Text)
		}
	}
	report, err := blobs.List(ctx, storage.UserBlobKey(user.ID, "digests")+"/")
	if err != nil {
		return err
	}
	for _, b := range report {
		fmt.Fprintf(out, "  Report archived as %s (%d bytes).\n", strings.TrimPrefix(b.Key, storage.UserBlobKey(user.ID, "digests")+"/"), b.Size)
	}
	return nil
}

func printStreaks(out io.Writer, s rules.StreakReport) {
	fmt.Fprintln(out, "\nYour rules:")
	for _, r := range s.Rules {
		fmt.Fprintf(out, "  %-18s followed %3d, broken %3d; streak now %d trades (best %d), %d days (best %d)\n",
			r.Kind, r.Followed, r.Broken, r.Trades.Current, r.Trades.Best, r.Days.Current, r.Days.Best)
	}
	o := s.Overall
	fmt.Fprintf(out, "  %-18s streak now %d trades (best %d), %d days (best %d)\n", "all rules",
		o.Trades.Current, o.Trades.Best, o.Days.Current, o.Days.Best)
}

func countTrades(skips []bias.Skip) int {
	seen := map[string]bool{}
	for _, s := range skips {
		seen[s.TradeID] = true
	}
	return len(seen)
}

func printCounts(out io.Writer, tags []coach.BiasTag) {
	counts := map[string]int{}
	for _, t := range tags {
		counts[t.Label]++
	}
	labels := make([]string, 0, len(counts))
	for l := range counts {
		labels = append(labels, l)
	}
	slices.Sort(labels)
	fmt.Fprintln(out, "\nTags by label:")
	for _, l := range labels {
		fmt.Fprintf(out, "  %-15s %4d  %s\n", l, counts[l], strings.Repeat("█", min(counts[l], 60)))
	}
}

// printReflections prints the first n coach.reflect events, as the chat would show them.
func printReflections(ctx context.Context, out io.Writer, store storage.Store, userID string, n int) error {
	fmt.Fprintln(out, "\nThe coach says:")
	after, shown := "", 0
	for shown < n {
		events, err := store.Events().Since(ctx, userID, after, 500)
		if err != nil {
			return err
		}
		if len(events) == 0 {
			break
		}
		for _, e := range events {
			after = e.ID
			if e.Type != coach.EventCoachReflect || shown >= n {
				continue
			}
			var p coach.ReflectPayload
			if err := json.Unmarshal(e.Payload, &p); err != nil {
				return err
			}
			fmt.Fprintf(out, "  [%s %.2f] %s\n", p.Label, p.Confidence, p.Text)
			shown++
		}
	}
	return nil
}

func printAccount(out io.Writer, a bias.Account, loc *time.Location) {
	fmt.Fprintln(out, "\nAccount-level metrics:")
	d := a.Disposition
	fmt.Fprintf(out, "  Disposition effect (Odean 1998): PGR %s, PLR %s, DE %s (t = %s; clustered by position %s over %d positions) over %d decision moments%s\n",
		num(d.PGR), num(d.PLR), num(d.DE), num(d.T), num(d.Clustered.T), d.Clustered.Clusters, d.Moments, why(d.Insufficient))
	o := a.Overtrading
	fmt.Fprintf(out, "  Overtrading (Barber & Odean 2000): %d trades on %d active days, %s a day (median %s), %d overtraded days%s\n",
		o.Trades, o.ActiveDays, num(o.TradesPerActiveDay), num(o.MedianTradesPerDay), o.OvertradedDays, why(o.Insufficient))
	l := a.LossChasing
	fmt.Fprintf(out, "  Loss chasing (Coval & Shumway 2005): difference %s (t = %s; clustered %s)%s\n", num(l.Diff), num(l.T), num(l.Clustered.T), why(l.Insufficient))
	h := a.HoldingLosers
	fmt.Fprintf(out, "  Holding losers: losers held %s times as long as winners%s\n", num(h.Ratio), why(h.Insufficient))
	for _, w := range a.Windows {
		fmt.Fprintf(out, "  %s: DISPOSITION DE %s (clustered t = %s, %d positions); LOSS_CHASING difference %s (clustered t = %s)\n",
			w.From.In(loc).Format("2006-01"), num(w.Disposition.DE), num(w.Disposition.Clustered.T), w.Disposition.Clustered.Clusters,
			num(w.LossChasing.Diff), num(w.LossChasing.Clustered.T))
	}
}

// labelsOf writes labels as " (A, B)", or "" for none.
func labelsOf(ls []string) string {
	if len(ls) == 0 {
		return ""
	}
	return " (" + strings.Join(ls, ", ") + ")"
}

func num(f float64) string {
	if f != f {
		return "n/a"
	}
	return fmt.Sprintf("%.3g", f)
}

func why(reason string) string {
	if reason == "" {
		return ""
	}
	return " — " + reason
}
