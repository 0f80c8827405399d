package memory_test

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/shopspring/decimal"
	"github.com/tradecoach/coach"
	"github.com/tradecoach/coach/storage"
	"github.com/tradecoach/coach/storage/memory"
)

func mustT(t *testing.T, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}

func newUser(t *testing.T, s *memory.Store) coach.User {
	t.Helper()
	u := coach.User{ID: coach.NewID(), Email: coach.NewID() + "@example.com", CreatedAt: epoch}
	mustT(t, s.Users().Create(context.Background(), u))
	return u
}

func validTrade(extID string, ts time.Time) coach.Trade {
	return coach.Trade{Broker: "binance", ExtID: extID, Symbol: "BTC-USDT", Side: coach.Buy,
		Qty: decimal.RequireFromString("1"), Price: decimal.RequireFromString("100"), TS: ts}
}

// TestEventIDsOnAStoppedClock: with the clock standing still, ids still increase (last+1), TS
// is the clock's millisecond, and Prune works on the clock's times.
func TestEventIDsOnAStoppedClock(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	clock := coach.NewManualClock(epoch.Add(123456789 * time.Nanosecond))
	s := memory.New(memory.WithClock(clock))
	u := newUser(t, s)
	ev := coach.Event{UserID: u.ID, Type: coach.EventCoachReflect, V: 1, Payload: json.RawMessage(`{}`)}
	first, err := s.Events().Append(ctx, ev, ev, ev)
	mustT(t, err)
	for i, e := range first {
		if !e.TS.Equal(epoch.Add(123 * time.Millisecond)) {
			t.Errorf("event %d TS = %s, want the clock's millisecond", i, e.TS)
		}
		if i > 0 && e.ID <= first[i-1].ID {
			t.Errorf("ids not increasing: %s after %s", e.ID, first[i-1].ID)
		}
	}
	clock.Advance(time.Hour)
	second, err := s.Events().Append(ctx, ev)
	mustT(t, err)
	n, err := s.Events().Prune(ctx, clock.Now().Add(-30*time.Minute))
	mustT(t, err)
	if n != 3 {
		t.Errorf("Prune = %d, want 3", n)
	}
	if _, err := s.Events().Since(ctx, u.ID, first[2].ID, 10); coach.ErrorCode(err) != coach.EGONE {
		t.Errorf("Since a pruned id: %v, want gone", err)
	}
	// A Prune with an earlier cutoff does not move the horizon back.
	if _, err := s.Events().Prune(ctx, epoch); err != nil {
		t.Fatal(err)
	}
	if _, err := s.Events().Since(ctx, u.ID, first[2].ID, 10); coach.ErrorCode(err) != coach.EGONE {
		t.Errorf("Since a pruned id after an earlier Prune: %v, want gone", err)
	}
	got, err := s.Events().Since(ctx, u.ID, "", 10)
	mustT(t, err)
	if diff := cmp.Diff(second, got); diff != "" {
		t.Errorf("retained (-want +got):\n%s", diff)
	}
}

func TestCreatedAtDefaultsToTheClock(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	clock := coach.NewManualClock(epoch)
	s := memory.New(memory.WithClock(clock))
	u := coach.User{ID: coach.NewID(), Email: "x@example.com"}
	mustT(t, s.Users().Create(ctx, u))
	got, err := s.Users().ByID(ctx, u.ID)
	mustT(t, err)
	if !got.CreatedAt.Equal(epoch) {
		t.Errorf("CreatedAt = %s, want the clock's %s", got.CreatedAt, epoch)
	}
}

func TestTxIsUnusableAfterInTx(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	s := memory.New()
	var leaked storage.Tx
	mustT(t, s.InTx(ctx, func(tx storage.Tx) error { leaked = tx; return nil }))
	if _, err := leaked.Users().ByID(ctx, "x"); coach.ErrorCode(err) != coach.EINTERNAL {
		t.Errorf("read through an ended Tx: %v, want internal", err)
	}
	if err := leaked.Rules().Create(ctx, coach.Rule{ID: "r", UserID: "u", Kind: "k", Params: json.RawMessage(`{}`)}); coach.ErrorCode(err) != coach.EINTERNAL {
		t.Errorf("write through an ended Tx: %v, want internal", err)
	}
	if _, err := s.Rules().Get(ctx, "u", "r"); coach.ErrorCode(err) != coach.ENOTFOUND {
		t.Errorf("the ended Tx's write is visible: %v", err)
	}
}

func TestClosedStoreRefusesCalls(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	s := memory.New()
	u := newUser(t, s)
	mustT(t, s.Close())
	if _, err := s.Users().ByID(ctx, u.ID); coach.ErrorCode(err) != coach.EINTERNAL {
		t.Errorf("ByID after Close: %v, want internal", err)
	}
	if err := s.InTx(ctx, func(storage.Tx) error { return nil }); coach.ErrorCode(err) != coach.EINTERNAL {
		t.Errorf("InTx after Close: %v, want internal", err)
	}
}

// TestFailedCallInsideTxIsAtomic: a call that fails inside a transaction reverts its own partial
// work at once, and the transaction can go on and commit the rest.
func TestFailedCallInsideTxIsAtomic(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	s := memory.New()
	u := newUser(t, s)
	_, err := s.Trades().Upsert(ctx, u.ID, []coach.Trade{validTrade("a", epoch), validTrade("b", epoch)})
	mustT(t, err)
	list, err := s.Trades().List(ctx, u.ID, storage.TradeFilter{})
	mustT(t, err)
	a, b := list[0], list[1]
	tag := func(id, tradeID string) coach.BiasTag {
		return coach.BiasTag{ID: id, UserID: u.ID, TradeID: tradeID, Label: coach.LabelFOMO, Confidence: 0.5, Features: json.RawMessage(`{}`), CreatedAt: epoch}
	}
	mustT(t, s.Tags().Replace(ctx, u.ID, []string{a.ID}, []coach.BiasTag{tag("tag-a", a.ID)}))
	mustT(t, s.Tags().Replace(ctx, u.ID, []string{b.ID}, []coach.BiasTag{tag("tag-b", b.ID)}))
	err = s.InTx(ctx, func(tx storage.Tx) error {
		if _, err := tx.Trades().Upsert(ctx, u.ID, []coach.Trade{validTrade("c", epoch)}); err != nil {
			return err
		}
		// Replacing a's tags with one reusing b's tag id fails after a's old tags were dropped.
		err := tx.Tags().Replace(ctx, u.ID, []string{a.ID}, []coach.BiasTag{tag("tag-b", a.ID)})
		if coach.ErrorCode(err) != coach.ECONFLICT {
			t.Errorf("Replace reusing a tag id: %v, want conflict", err)
		}
		return nil
	})
	mustT(t, err)
	tags, err := s.Tags().ByTrades(ctx, u.ID, []string{a.ID, b.ID})
	mustT(t, err)
	if len(tags) != 2 {
		t.Errorf("tags after the failed Replace: %+v, want a's and b's", tags)
	}
	if n, _ := s.Trades().Count(ctx, u.ID); n != 3 {
		t.Errorf("Count = %d, want 3 (the transaction's upsert committed)", n)
	}
}

// TestCopiesInAndOut: mutating what was passed in or handed out never changes stored state.
func TestCopiesInAndOut(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	s := memory.New()
	u := newUser(t, s)
	raw := func() json.RawMessage { return json.RawMessage(`{"a":1}`) }
	scribble := func(b []byte) {
		for i := range b {
			b[i] = 'X'
		}
	}

	params := raw()
	r := coach.Rule{ID: coach.NewID(), UserID: u.ID, Kind: "k", Params: params, CreatedAt: epoch}
	mustT(t, s.Rules().Create(ctx, r))
	scribble(params)
	got, err := s.Rules().Get(ctx, u.ID, r.ID)
	mustT(t, err)
	scribble(got.Params)
	got, _ = s.Rules().Get(ctx, u.ID, r.ID)
	if string(got.Params) != `{"a":1}` {
		t.Errorf("rule params = %s", got.Params)
	}

	payload := raw()
	evs, err := s.Events().Append(ctx, coach.Event{UserID: u.ID, Type: "t", V: 1, Payload: payload})
	mustT(t, err)
	scribble(payload)
	scribble(evs[0].Payload)
	since, _ := s.Events().Since(ctx, u.ID, "", 0)
	scribble(since[0].Payload)
	und, _ := s.Events().Undelivered(ctx, 0)
	if string(und[0].Payload) != `{"a":1}` {
		t.Errorf("event payload = %s", und[0].Payload)
	}

	dp := raw()
	d := coach.Digest{ID: coach.NewID(), UserID: u.ID, PeriodStart: coach.DateOf(epoch), PeriodEnd: coach.DateOf(epoch), Payload: dp}
	out, err := s.Digests().Put(ctx, d)
	mustT(t, err)
	scribble(dp)
	scribble(out.Payload)
	at := epoch
	mustT(t, s.Digests().MarkDelivered(ctx, u.ID, d.ID, at))
	latest, _ := s.Digests().Latest(ctx, u.ID)
	*latest.DeliveredAt = epoch.Add(time.Hour)
	latest, _ = s.Digests().Latest(ctx, u.ID)
	if string(latest.Payload) != `{"a":1}` || !latest.DeliveredAt.Equal(epoch) {
		t.Errorf("digest = %s delivered %s", latest.Payload, latest.DeliveredAt)
	}

	meta := raw()
	mustT(t, s.Audit().Append(ctx, coach.Audit{ID: coach.NewID(), UserID: u.ID, Action: "login", Meta: meta, CreatedAt: epoch}))
	scribble(meta)
	rows, _ := s.Audit().List(ctx, u.ID, 0)
	if string(rows[0].Meta) != `{"a":1}` {
		t.Errorf("audit meta = %s", rows[0].Meta)
	}

	dlp := []byte("payload")
	mustT(t, s.DeadLetters().Add(ctx, storage.DeadLetter{ID: "d1", Queue: "q", Payload: dlp, FailedAt: epoch}))
	scribble(dlp)
	dls, _ := s.DeadLetters().List(ctx, "", 0)
	scribble(dls[0].Payload)
	dl, _ := s.DeadLetters().Take(ctx, "d1")
	if string(dl.Payload) != "payload" {
		t.Errorf("dead letter payload = %s", dl.Payload)
	}
}

// TestConcurrentUse exercises every kind of call from many goroutines at once, for the race
// detector, and checks the totals.
func TestConcurrentUse(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	s := memory.New()
	users := []coach.User{newUser(t, s), newUser(t, s)}
	var wg sync.WaitGroup
	for w := range 8 {
		u := users[w%2]
		wg.Go(func() {
			for i := range 40 {
				tr := validTrade(fmt.Sprintf("w%d-%d", w, i), epoch.Add(time.Duration(i)*time.Second))
				err := s.InTx(ctx, func(tx storage.Tx) error {
					if _, err := tx.Trades().Upsert(ctx, u.ID, []coach.Trade{tr}); err != nil {
						return err
					}
					_, err := tx.Events().Append(ctx, coach.Event{UserID: u.ID, Type: "t", V: 1, Payload: json.RawMessage(`{}`)})
					return err
				})
				if err != nil {
					t.Error(err)
					return
				}
				if _, err := s.Trades().List(ctx, u.ID, storage.TradeFilter{Limit: 10}); err != nil {
					t.Error(err)
				}
				evs, err := s.Events().Undelivered(ctx, 5)
				if err != nil {
					t.Error(err)
				}
				var ids []string
				for _, e := range evs {
					ids = append(ids, e.ID)
				}
				if err := s.Events().MarkDelivered(ctx, ids, epoch); err != nil {
					t.Error(err)
				}
			}
		})
	}
	wg.Wait()
	for _, u := range users {
		if n, _ := s.Trades().Count(ctx, u.ID); n != 160 {
			t.Errorf("user %s has %d trades, want 160", u.ID, n)
		}
		evs, _ := s.Events().Since(ctx, u.ID, "", storage.MaxLimit)
		if len(evs) != 160 {
			t.Errorf("user %s has %d events, want 160", u.ID, len(evs))
		}
	}
}

func TestSinceAcceptsLowerCaseIDs(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	s := memory.New()
	u := newUser(t, s)
	ev := coach.Event{UserID: u.ID, Type: "t", V: 1, Payload: json.RawMessage(`{}`)}
	evs, err := s.Events().Append(ctx, ev, ev, ev)
	mustT(t, err)
	got, err := s.Events().Since(ctx, u.ID, strings.ToLower(evs[0].ID), 10)
	mustT(t, err)
	if diff := cmp.Diff(evs[1:], got); diff != "" {
		t.Errorf("Since a lower-case id (-want +got):\n%s", diff)
	}
}
