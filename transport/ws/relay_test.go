package ws_test

import (
	"context"
	"errors"
	"net/http"
	"slices"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/coder/websocket"
	"github.com/google/go-cmp/cmp"
	"github.com/tradecoach/coach"
	"github.com/tradecoach/coach/internal/servicetest"
	"github.com/tradecoach/coach/storage"
	"github.com/tradecoach/coach/storage/memory"
	"github.com/tradecoach/coach/storage/postgres/postgrestest"
	"github.com/tradecoach/coach/storage/redis/redistest"
	"github.com/tradecoach/coach/transport"
	transportmem "github.com/tradecoach/coach/transport/memory"
	"github.com/tradecoach/coach/transport/redis"
	"github.com/tradecoach/coach/transport/ws"
)

func TestClientResumesAfterDisconnectWithEveryEventOnceInOrder(t *testing.T) {
	t.Parallel()
	e := newEnv(t, nil, nil)
	_, srv := e.relay(t, ws.RelayConfig{})
	user := coach.NewID()
	col := newCollector()
	onReady, ready := signal()
	cl := newClient(t, ws.ClientConfig{URL: wsURL(srv), Header: authHeader(user), OnReady: onReady})

	r := run(cl, col.handle)
	waitSignal(t, ready, "first connection")
	e.appendEvents(t, user, 0, 5, 0)
	col.waitFor(t, 5)
	r.stop(t)

	e.appendEvents(t, user, 5, 1000, 0) // while the client is away
	r = run(cl, col.handle)
	e.appendEvents(t, user, 1005, 200, 0) // while it replays and after
	col.waitFor(t, 1205)
	r.stop(t)

	got, payloads, bad := col.snapshot()
	if len(bad) > 0 {
		t.Fatalf("out of order or repeated: %v", bad)
	}
	if diff := cmp.Diff(e.stored(t, user), got); diff != "" {
		t.Fatalf("delivered ids (-stored +got):\n%s", diff)
	}
	for i, p := range payloads {
		if p.Seq != i {
			t.Fatalf("event %d carries seq %d", i, p.Seq)
		}
	}
	if cl.LastEventID() != got[len(got)-1] {
		t.Fatalf("LastEventID %s, want %s", cl.LastEventID(), got[len(got)-1])
	}
}

// A resume whose replay overlaps live traffic (events committed between replay pages, and the
// bus repeating old events) sends each event exactly once, in order: checked on the wire, where
// no client-side dedupe hides a relay mistake.
func TestReplayThenLiveHasNoGapAndNoDuplicateOnTheWire(t *testing.T) {
	t.Parallel()
	e := newEnv(t, nil, nil)
	user := coach.NewID()
	before := e.appendEvents(t, user, 0, 300, 0)
	// Published before the connection subscribes: only the 100 below may flood its queue.
	waitUntil(t, "the dispatcher published the first events", func() bool {
		evs, err := e.store.Events().Undelivered(context.Background(), 1)
		return err == nil && len(evs) == 0
	})

	var once sync.Once
	replayer := ws.ReplayerFuncs{SinceFunc: func(ctx context.Context, userID, after string, limit int) ([]coach.Event, error) {
		page, err := e.store.Events().Since(ctx, userID, after, limit)
		once.Do(func() {
			// The connection is subscribed: these reach it live and in later replay pages.
			e.appendEvents(t, user, 300, 100, 0)
			for deadline := time.Now().Add(hang); time.Now().Before(deadline); time.Sleep(time.Millisecond) {
				if evs, _ := e.store.Events().Undelivered(ctx, 1); len(evs) == 0 {
					break // the dispatcher published them
				}
			}
			old, _ := e.store.Events().Since(ctx, user, "", 5)
			for _, ev := range old { // at-least-once repeats of long-delivered events
				e.bus.Publish(ctx, ev)
			}
		})
		return page, err
	}, NewestFunc: e.store.Events().Newest}
	_, srv := e.relay(t, ws.RelayConfig{Replayer: replayer, PageSize: 50})

	c := mustDialRaw(t, srv, user, before[9])
	replayed, cursor := readUntilReady(t, c)
	after := e.appendEvents(t, user, 400, 20, 0)
	live := readEvents(t, c, len(after))
	expectNothingMore(t, c)

	all := e.stored(t, user)
	if diff := cmp.Diff(all[10:], append(replayed, live...)); diff != "" {
		t.Fatalf("ids on the wire (-want +got):\n%s", diff)
	}
	if cursor != replayed[len(replayed)-1] {
		t.Fatalf("ready cursor %s, want the last replayed id %s", cursor, replayed[len(replayed)-1])
	}
}

// The relay subscribes before it replays: an event committed and published while the replay
// reads its last, empty page is in no replay page, and would be in no live feed either had the
// relay subscribed after replaying. It arrives live.
func TestEventPublishedAsTheReplayEndsArrivesLive(t *testing.T) {
	t.Parallel()
	e := newEnv(t, nil, nil)
	user := coach.NewID()
	first := e.appendEvents(t, user, 0, 3, 0)
	late := make(chan []string, 1)
	var once sync.Once
	replayer := ws.ReplayerFuncs{SinceFunc: func(ctx context.Context, userID, after string, limit int) ([]coach.Event, error) {
		page, err := e.store.Events().Since(ctx, userID, after, limit)
		if err == nil && len(page) == 0 {
			once.Do(func() {
				late <- e.appendEvents(t, user, 3, 1, 0)
				for deadline := time.Now().Add(hang); time.Now().Before(deadline); time.Sleep(time.Millisecond) {
					if evs, _ := e.store.Events().Undelivered(ctx, 1); len(evs) == 0 {
						break // the dispatcher published it
					}
				}
			})
		}
		return page, err
	}, NewestFunc: e.store.Events().Newest}
	_, srv := e.relay(t, ws.RelayConfig{Replayer: replayer})

	c := mustDialRaw(t, srv, user, first[0])
	replayed, _ := readUntilReady(t, c)
	if diff := cmp.Diff(first[1:], replayed); diff != "" {
		t.Fatalf("replayed (-want +got):\n%s", diff)
	}
	want := <-late
	if diff := cmp.Diff(want, readEvents(t, c, 1)); diff != "" {
		t.Fatalf("live (-want +got):\n%s", diff)
	}
	expectNothingMore(t, c)
}

// A Replayer whose since is inclusive (it returns the cursor's own event again) still ends the
// replay: the relay stops at a page with nothing new instead of asking again forever.
func TestReplayerThatRepeatsTheCursorStillEnds(t *testing.T) {
	t.Parallel()
	e := newEnv(t, nil, nil)
	user := coach.NewID()
	ids := e.appendEvents(t, user, 0, 5, 0)
	var calls atomic.Int64
	inclusive := ws.ReplayerFuncs{SinceFunc: func(ctx context.Context, userID, after string, limit int) ([]coach.Event, error) {
		if calls.Add(1) > 100 {
			return nil, coach.Errorf(coach.EINTERNAL, "the relay keeps asking")
		}
		all, err := e.store.Events().Since(ctx, userID, "", storage.MaxLimit)
		i := slices.IndexFunc(all, func(ev coach.Event) bool { return ev.ID >= after })
		if i < 0 {
			i = len(all)
		}
		return all[i:min(len(all), i+limit)], err
	}, NewestFunc: e.store.Events().Newest}
	_, srv := e.relay(t, ws.RelayConfig{Replayer: inclusive, PageSize: 2})
	c := mustDialRaw(t, srv, user, ids[0])
	replayed, _ := readUntilReady(t, c)
	if diff := cmp.Diff(ids[1:], replayed); diff != "" {
		t.Fatalf("replayed (-want +got):\n%s", diff)
	}
}

func TestTwoRelaysOnOneBusEachDeliverToTheirOwnClients(t *testing.T) {
	t.Parallel()
	e := newEnv(t, nil, nil)
	testTwoRelays(t, e, e.bus, e.bus)
}

// Two edge processes, each with its own Redis bus client, and the dispatcher publishing through a
// third: what refhost runs with several edge instances.
func TestTwoRelaysOverRedisEachDeliverToTheirOwnClients(t *testing.T) {
	t.Parallel()
	prefix := redistest.RandomPrefix()
	newBus := func() transport.Bus {
		b, err := redis.NewBus(redistest.MustOpenClient(t), redis.BusConfig{Prefix: prefix})
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { b.Close() })
		return b
	}
	e := newEnv(t, nil, newBus())
	testTwoRelays(t, e, newBus(), newBus())
}

// testTwoRelays runs a relay on each bus and checks that every client, whichever relay it is on,
// gets exactly its user's events in order.
func testTwoRelays(t *testing.T, e *env, bus1, bus2 transport.Bus) {
	_, srv1 := e.relay(t, ws.RelayConfig{Bus: bus1})
	_, srv2 := e.relay(t, ws.RelayConfig{Bus: bus2})
	alice, bob := coach.NewID(), coach.NewID()

	type sub struct {
		srv  string
		user string
		col  *collector
	}
	subs := []sub{{wsURL(srv1), alice, newCollector()}, {wsURL(srv2), alice, newCollector()}, {wsURL(srv2), bob, newCollector()}}
	for _, s := range subs {
		onReady, ready := signal()
		r := run(newClient(t, ws.ClientConfig{URL: s.srv, Header: authHeader(s.user), OnReady: onReady}), s.col.handle)
		t.Cleanup(func() { r.stop(t) })
		waitSignal(t, ready, "connection to "+s.srv)
	}
	var wg sync.WaitGroup
	wg.Go(func() { e.appendEvents(t, alice, 0, 300, 0) })
	wg.Go(func() { e.appendEvents(t, bob, 0, 200, 0) })
	wg.Wait()
	want := map[string][]string{alice: e.stored(t, alice), bob: e.stored(t, bob)}
	for _, s := range subs {
		s.col.waitFor(t, len(want[s.user]))
		got, _, _ := s.col.snapshot()
		if diff := cmp.Diff(want[s.user], got); diff != "" {
			t.Errorf("%s's client on %s (-want +got):\n%s", s.user, s.srv, diff)
		}
	}
}

// The concurrent-commit test through the dispatcher and the relay: writers append for one user in
// concurrent transactions, one of which rolls back, while a client is connected. The client ends
// with every committed event, in order, and none of the rolled-back ones.
func TestConcurrentCommitsReachTheClientInCommitOrder(t *testing.T) {
	t.Parallel()
	t.Run("Memory", func(t *testing.T) {
		t.Parallel()
		testConcurrentCommits(t, memory.New())
	})
	t.Run("Postgres", func(t *testing.T) {
		t.Parallel()
		testConcurrentCommits(t, postgrestest.MustOpenTestDB(t))
	})
}

func testConcurrentCommits(t *testing.T, store storage.Store) {
	e := newEnv(t, store, nil)
	_, srv := e.relay(t, ws.RelayConfig{})
	user := coach.NewID()
	if err := store.Users().Create(context.Background(), coach.User{ID: user, Email: user + "@example.com", CreatedAt: time.Now().UTC()}); err != nil {
		t.Fatal(err)
	}
	// One client stays connected; the other drops out part way and resumes (replaying from the
	// store) while the writers go on.
	steady, resumer := newCollector(), newCollector()
	cols := []*collector{steady, resumer}
	clients := make([]*ws.Client, len(cols))
	for i, col := range cols {
		onReady, ready := signal()
		clients[i] = newClient(t, ws.ClientConfig{URL: wsURL(srv), Header: authHeader(user), OnReady: onReady})
		r := run(clients[i], col.handle)
		if i == 0 {
			defer r.stop(t)
		} else {
			resumed := make(chan *running, 1)
			go func() { // no t.Fatal off the test's goroutine: a stuck resumer fails the final check
				resumer.reached(30, hang)
				r.cancel()
				<-r.done
				resumed <- run(clients[1], resumer.handle)
			}()
			defer func() { (<-resumed).stop(t) }()
		}
		waitSignal(t, ready, "connection")
	}

	const writers, txs, perTx = 6, 15, 3
	errRollback := coach.Errorf(coach.ECONFLICT, "rolled back on purpose")
	var wg sync.WaitGroup
	for w := range writers {
		wg.Go(func() {
			for tx := range txs {
				rollback := w == 2 && tx == 7
				err := e.store.InTx(context.Background(), func(txn storage.Tx) error {
					for k := range perTx {
						ev, _ := coach.NewEvent(user, coach.EventCoachReflect, 1,
							payload{Seq: tx*perTx + k, Writer: w, RolledBack: rollback})
						if _, err := txn.Events().Append(context.Background(), ev); err != nil {
							return err
						}
					}
					if rollback {
						return errRollback
					}
					return nil
				})
				if err != nil && err != errRollback {
					t.Error(err)
				}
				e.disp.Notify()
			}
		})
	}
	wg.Wait()
	committed := e.stored(t, user)
	if len(committed) != (writers*txs-1)*perTx {
		t.Fatalf("stored %d events, want %d", len(committed), (writers*txs-1)*perTx)
	}
	for i, col := range cols {
		col.waitFor(t, len(committed))
		got, payloads, bad := col.snapshot()
		if len(bad) > 0 {
			t.Fatalf("client %d: out of order or repeated: %v", i, bad)
		}
		if diff := cmp.Diff(committed, got); diff != "" {
			t.Fatalf("client %d delivered (-committed +got):\n%s", i, diff)
		}
		if j := slices.IndexFunc(payloads, func(p payload) bool { return p.RolledBack }); j >= 0 {
			t.Fatalf("client %d delivered a rolled-back event: %+v", i, payloads[j])
		}
	}
}

func TestSlowConsumerIsClosedWithTooSlowAndResumesWithoutLoss(t *testing.T) {
	t.Parallel()
	e := newEnv(t, nil, nil)
	user := coach.NewID()
	tooSlow := make(chan struct{})
	var closeOnce sync.Once
	_, srv := e.relayOn(t, ws.RelayConfig{QueueSize: 16, OnClose: func(u string, code int, _ string) {
		if u == user && code == ws.CloseTooSlow {
			closeOnce.Do(func() { close(tooSlow) })
		}
	}}, smallSendBuffers)

	var mu sync.Mutex
	var codes []int
	onReady, ready := signal()
	cl := newClient(t, ws.ClientConfig{
		URL: wsURL(srv), Header: authHeader(user), OnReady: onReady,
		OnDisconnect: func(code int, _ error) {
			mu.Lock()
			codes = append(codes, code)
			mu.Unlock()
		},
	})
	col := newCollector()
	blocked := false
	r := run(cl, func(ctx context.Context, ev coach.Envelope) error {
		if !blocked { // a consumer that stalls on its first event until the relay gives up on it
			blocked = true
			select {
			case <-tooSlow:
			case <-time.After(hang):
				return errors.New("the relay never closed the slow consumer")
			}
		}
		return col.handle(ctx, ev)
	})
	defer r.stop(t)
	waitSignal(t, ready, "connection")

	e.appendEvents(t, user, 0, 400, 4<<10) // 1.6 MB: more than the socket buffers hold
	col.waitFor(t, 400)
	got, _, bad := col.snapshot()
	if len(bad) > 0 {
		t.Fatalf("out of order or repeated: %v", bad)
	}
	if diff := cmp.Diff(e.stored(t, user), got); diff != "" {
		t.Fatalf("delivered (-stored +got):\n%s", diff)
	}
	mu.Lock()
	defer mu.Unlock()
	if !slices.Contains(codes, ws.CloseTooSlow) {
		t.Fatalf("client disconnect codes %v, want %d among them", codes, ws.CloseTooSlow)
	}
}

func TestPerUserCapRefusesTheNextConnection(t *testing.T) {
	t.Parallel()
	e := newEnv(t, nil, nil)
	rec := &servicetest.Metrics{}
	relay, srv := e.relay(t, ws.RelayConfig{MaxConnsPerUser: 2, Metrics: rec})
	user := coach.NewID()
	c1, c2 := mustDialRaw(t, srv, user, ""), mustDialRaw(t, srv, user, "")
	readUntilReady(t, c1)
	readUntilReady(t, c2)

	c3 := mustDialRaw(t, srv, user, "")
	if code := closeCode(t, c3); code != ws.CloseTooMany {
		t.Fatalf("third connection closed with %d, want %d", code, ws.CloseTooMany)
	}
	if n := rec.Counted(coach.MetricRelayDrops, "reason", "per_user_cap"); n != 1 {
		t.Errorf("per-user cap drops = %d, want 1", n)
	}
	if n := rec.Counted(coach.MetricRelayConnsOpened); n != 3 {
		t.Errorf("connections opened = %d, want 3", n)
	}
	readUntilReady(t, mustDialRaw(t, srv, coach.NewID(), "")) // another user is not capped

	c1.Close(websocket.StatusNormalClosure, "")
	waitUntil(t, "the relay let go of two connections", func() bool { return relay.Conns() == 2 })
	if n := rec.Counted(coach.MetricRelayConnsClosed); n != 2 {
		t.Errorf("connections closed = %d, want 2 (the capped one and c1)", n)
	}
	readUntilReady(t, mustDialRaw(t, srv, user, "")) // a slot is free again

	// The Go client treats the cap as a reason to back off and retry, not to give up.
	var mu sync.Mutex
	var codes []int
	cl := newClient(t, ws.ClientConfig{URL: wsURL(srv), Header: authHeader(user), OnDisconnect: func(code int, err error) {
		mu.Lock()
		codes = append(codes, code)
		mu.Unlock()
	}})
	r := run(cl, newCollector().handle)
	waitUntil(t, "the client was refused twice", func() bool {
		mu.Lock()
		defer mu.Unlock()
		return len(codes) >= 2
	})
	r.stop(t)
	if codes[0] != ws.CloseTooMany {
		t.Fatalf("client saw %v, want %d", codes, ws.CloseTooMany)
	}
}

func TestHandshakeRefusals(t *testing.T) {
	t.Parallel()
	e := newEnv(t, nil, nil)
	var mu sync.Mutex
	authCalls := 0
	_, srv := e.relay(t, ws.RelayConfig{
		OriginPatterns: []string{"app.example.com", "https://*.coach.example"},
		Authenticate: func(r *http.Request) (string, error) {
			mu.Lock()
			authCalls++
			mu.Unlock()
			switch r.Header.Get("X-Test") {
			case "forbidden":
				return "", coach.Errorf(coach.EFORBIDDEN, "suspended")
			case "down":
				return "", coach.Errorf(coach.EUNAVAILABLE, "session store down")
			case "bad-id":
				return "not a valid id!", nil
			}
			return bearer(r)
		},
	})
	user := coach.NewID()
	for _, tc := range []struct {
		name   string
		header http.Header
		last   string
		status int // 0: upgraded
		auth   bool
	}{
		{"NoOrigin", nil, "", 0, true},
		{"SameHost", http.Header{"Origin": {srv.URL}}, "", 0, true},
		{"AllowedHost", http.Header{"Origin": {"https://app.example.com"}}, "", 0, true},
		{"AllowedSchemeAndHost", http.Header{"Origin": {"https://eu.coach.example"}}, "", 0, true},
		{"OtherHost", http.Header{"Origin": {"https://evil.example"}}, "", http.StatusForbidden, false},
		{"WrongScheme", http.Header{"Origin": {"http://eu.coach.example"}}, "", http.StatusForbidden, false},
		{"OpaqueOrigin", http.Header{"Origin": {"null"}}, "", http.StatusForbidden, false},
		{"Unauthenticated", http.Header{"Authorization": nil}, "", http.StatusUnauthorized, true},
		{"Forbidden", http.Header{"X-Test": {"forbidden"}}, "", http.StatusForbidden, true},
		{"AuthDown", http.Header{"X-Test": {"down"}}, "", http.StatusServiceUnavailable, true},
		{"AuthReturnsBadID", http.Header{"X-Test": {"bad-id"}}, "", http.StatusInternalServerError, true},
		{"BadLastEventID", nil, "nope", http.StatusBadRequest, true},
		{"FutureLastEventID", nil, coach.EventIDAt(time.Now().Add(time.Hour)), http.StatusBadRequest, true},
		{"RecentLastEventID", nil, coach.EventIDAt(time.Now().Add(-time.Hour)), 0, true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			h := authHeader(user)
			for k, v := range tc.header {
				if v == nil {
					h.Del(k)
				} else {
					h[k] = v
				}
			}
			mu.Lock()
			calls := authCalls
			mu.Unlock()
			c, resp, err := dialRaw(t, srv, user, tc.last, h)
			if tc.status == 0 {
				if err != nil {
					t.Fatalf("dial: %v", err)
				}
				readUntilReady(t, c)
				c.Close(websocket.StatusNormalClosure, "")
			} else if resp == nil || resp.StatusCode != tc.status {
				t.Fatalf("got %v (%v), want status %d", resp, err, tc.status)
			}
			mu.Lock()
			called := authCalls > calls
			mu.Unlock()
			if called != tc.auth {
				t.Fatalf("authenticate called: %v, want %v", called, tc.auth)
			}
		})
	}

	t.Run("ClientGivesUp", func(t *testing.T) {
		for _, tc := range []struct {
			header http.Header
			want   coach.Code
		}{
			{http.Header{}, coach.EUNAUTHORIZED},
			{http.Header{"Authorization": {"Bearer " + user}, "Origin": {"https://evil.example"}}, coach.EFORBIDDEN},
		} {
			cl := newClient(t, ws.ClientConfig{URL: wsURL(srv), Header: tc.header})
			if err := run(cl, newCollector().handle).wait(t); coach.ErrorCode(err) != tc.want {
				t.Errorf("Run with %v = %v, want %s", tc.header, err, tc.want)
			}
		}
	})
}

func TestResumeFromBeforeRetentionIsToldToReload(t *testing.T) {
	t.Parallel()
	clock := coach.NewManualClock(time.Now().Add(-100 * 24 * time.Hour))
	store := memory.New(memory.WithClock(clock))
	e := newEnv(t, store, nil)
	_, srv := e.relay(t, ws.RelayConfig{Clock: clock})
	user := coach.NewID()
	old := e.appendEvents(t, user, 0, 5, 0)
	clock.Set(time.Now())
	recent := e.appendEvents(t, user, 5, 3, 0)
	if _, err := store.Events().Prune(context.Background(), clock.Now().Add(-90*24*time.Hour)); err != nil {
		t.Fatal(err)
	}

	c := mustDialRaw(t, srv, user, old[2])
	f, err := readFrame(t, c)
	if err != nil || f.Type != ws.FrameGone || f.Reason != ws.ReasonReload {
		t.Fatalf("first frame %+v, %v; want a gone frame asking to reload", f, err)
	}
	if code := closeCode(t, c); code != ws.CloseGone {
		t.Fatalf("closed with %d, want %d", code, ws.CloseGone)
	}

	delivered := 0
	cl := newClient(t, ws.ClientConfig{URL: wsURL(srv), Header: authHeader(user), LastEventID: old[2]})
	err = run(cl, func(context.Context, coach.Envelope) error { delivered++; return nil }).wait(t)
	if coach.ErrorCode(err) != coach.EGONE || delivered != 0 {
		t.Fatalf("Run = %v after %d events, want EGONE before any", err, delivered)
	}

	c = mustDialRaw(t, srv, user, recent[0]) // a recent cursor still resumes
	if ids, _ := readUntilReady(t, c); !cmp.Equal(ids, recent[1:]) {
		t.Fatalf("resumed %v, want %v", ids, recent[1:])
	}
}

func TestClientFramesAreValidated(t *testing.T) {
	t.Parallel()
	e := newEnv(t, nil, nil)
	_, srv := e.relay(t, ws.RelayConfig{})
	for _, tc := range []struct {
		name  string
		typ   websocket.MessageType
		frame string
		want  websocket.StatusCode // 0: the connection stays open
	}{
		{"Ping", websocket.MessageText, `{"type":"ping"}`, 0},
		{"UnknownTypeIsIgnored", websocket.MessageText, `{"type":"hello","x":[1,2]}`, 0},
		{"Binary", websocket.MessageBinary, `{"type":"ping"}`, websocket.StatusPolicyViolation},
		{"NotJSON", websocket.MessageText, `ping`, websocket.StatusPolicyViolation},
		{"NotAnObject", websocket.MessageText, `["ping"]`, websocket.StatusPolicyViolation},
		{"NoType", websocket.MessageText, `{"kind":"ping"}`, websocket.StatusPolicyViolation},
		{"TypeNotAString", websocket.MessageText, `{"type":7}`, websocket.StatusPolicyViolation},
		{"TrailingData", websocket.MessageText, `{"type":"ping"}{}`, websocket.StatusPolicyViolation},
		{"TooBig", websocket.MessageText, `{"type":"ping","pad":"` + string(make([]byte, 5000)) + `"}`, websocket.StatusMessageTooBig},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			c := mustDialRaw(t, srv, coach.NewID(), "")
			readUntilReady(t, c)
			if err := c.Write(context.Background(), tc.typ, []byte(tc.frame)); err != nil {
				t.Fatal(err)
			}
			if tc.want == 0 {
				expectNothingMore(t, c) // answered the next ping: still open
				return
			}
			if code := closeCode(t, c); code != tc.want {
				t.Fatalf("closed with %d, want %d", code, tc.want)
			}
		})
	}
}

func TestShutdownClosesEveryConnectionWithGoingAway(t *testing.T) {
	t.Parallel()
	e := newEnv(t, nil, nil)
	relay, srv := e.relay(t, ws.RelayConfig{})
	conns := make([]*websocket.Conn, 3)
	for i := range conns {
		conns[i] = mustDialRaw(t, srv, coach.NewID(), "")
		readUntilReady(t, conns[i])
	}
	shut := make(chan error, 1)
	go func() {
		ctx, cancel := context.WithTimeout(context.Background(), hang)
		defer cancel()
		shut <- relay.Shutdown(ctx)
	}()
	for i, c := range conns {
		if code := closeCode(t, c); code != websocket.StatusGoingAway {
			t.Errorf("connection %d closed with %d, want 1001", i, code)
		}
	}
	if err := <-shut; err != nil {
		t.Fatalf("Shutdown: %v", err)
	}
	if n := relay.Conns(); n != 0 {
		t.Fatalf("%d connections left", n)
	}
	if _, resp, err := dialRaw(t, srv, coach.NewID(), "", nil); resp == nil || resp.StatusCode != http.StatusServiceUnavailable {
		t.Fatalf("dial after shutdown: %v, %v; want 503", resp, err)
	}
}

func TestPeerThatStopsAnsweringPingsIsDropped(t *testing.T) {
	t.Parallel()
	e := newEnv(t, nil, nil)
	dropped := make(chan string, 1)
	relay, srv := e.relay(t, ws.RelayConfig{PingInterval: 20 * time.Millisecond, PingTimeout: 50 * time.Millisecond,
		OnClose: func(_ string, code int, reason string) {
			if code == 0 {
				select {
				case dropped <- reason:
				default:
				}
			}
		}})
	c := mustDialRaw(t, srv, coach.NewID(), "")
	readUntilReady(t, c) // and read no more: pings go unanswered
	select {
	case reason := <-dropped:
		if reason != "ping timeout" {
			t.Fatalf("dropped for %q", reason)
		}
	case <-time.After(hang):
		t.Fatal("the silent peer was never dropped")
	}
	waitUntil(t, "the relay let go", func() bool { return relay.Conns() == 0 })
}

// failingBus refuses to subscribe.
type failingBus struct {
	transport.Bus
	err error
}

func (b failingBus) Subscribe(context.Context, string) (transport.Subscription, error) {
	return nil, b.err
}

func TestDependencyFailuresCloseWithARetryableCode(t *testing.T) {
	t.Parallel()
	e := newEnv(t, nil, nil)
	user := coach.NewID()
	ids := e.appendEvents(t, user, 0, 2, 0)
	for _, tc := range []struct {
		name string
		cfg  ws.RelayConfig
		want websocket.StatusCode
	}{
		{"BusDown", ws.RelayConfig{Bus: failingBus{e.bus, coach.Errorf(coach.EUNAVAILABLE, "redis down")}}, websocket.StatusTryAgainLater},
		{"BusFault", ws.RelayConfig{Bus: failingBus{e.bus, coach.Errorf(coach.EINTERNAL, "boom")}}, websocket.StatusInternalError},
		{"ReplayDown", ws.RelayConfig{Replayer: ws.ReplayerFuncs{SinceFunc: func(context.Context, string, string, int) ([]coach.Event, error) {
			return nil, coach.Errorf(coach.EUNAVAILABLE, "core down")
		}, NewestFunc: e.store.Events().Newest}}, websocket.StatusTryAgainLater},
		{"ReplayLostARace", ws.RelayConfig{Replayer: ws.ReplayerFuncs{SinceFunc: func(context.Context, string, string, int) ([]coach.Event, error) {
			return nil, coach.Errorf(coach.ERETRYABLE, "serialization failure")
		}, NewestFunc: e.store.Events().Newest}}, websocket.StatusTryAgainLater},
		{"ReplayTimedOut", ws.RelayConfig{Replayer: ws.ReplayerFuncs{SinceFunc: func(context.Context, string, string, int) ([]coach.Event, error) {
			ce, _ := coach.ContextError(context.DeadlineExceeded)
			return nil, ce
		}, NewestFunc: e.store.Events().Newest}}, websocket.StatusTryAgainLater},
		{"ReplayRefusesCursor", ws.RelayConfig{Replayer: ws.ReplayerFuncs{SinceFunc: func(context.Context, string, string, int) ([]coach.Event, error) {
			return nil, coach.Errorf(coach.EINVALID, "bad cursor")
		}, NewestFunc: e.store.Events().Newest}}, websocket.StatusPolicyViolation},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			_, srv := e.relay(t, tc.cfg)
			c := mustDialRaw(t, srv, user, ids[0])
			if code := closeCode(t, c); code != tc.want {
				t.Fatalf("closed with %d, want %d", code, tc.want)
			}
		})
	}
}

// A connection whose queue overflows (here: while its replay stalls) is closed with
// CloseTooSlow, and so is one whose bus subscription ends under it.
func TestFallingBehindClosesWithTooSlow(t *testing.T) {
	t.Parallel()
	t.Run("QueueOverflows", func(t *testing.T) {
		t.Parallel()
		e := newEnv(t, nil, nil)
		user := coach.NewID()
		started, release := make(chan struct{}), make(chan struct{})
		replayer := ws.ReplayerFuncs{SinceFunc: func(ctx context.Context, userID, after string, limit int) ([]coach.Event, error) {
			select {
			case <-started:
			default:
				close(started)
				<-release
			}
			return e.store.Events().Since(ctx, userID, after, limit)
		}, NewestFunc: e.store.Events().Newest}
		rec := &servicetest.Metrics{}
		_, srv := e.relay(t, ws.RelayConfig{Replayer: replayer, QueueSize: 16, Metrics: rec})
		first := e.appendEvents(t, user, 0, 1, 0)
		c := mustDialRaw(t, srv, user, first[0])
		waitSignal(t, started, "the replay")
		e.appendEvents(t, user, 1, 17, 0)
		code := closeCode(t, c)
		close(release)
		if code != ws.CloseTooSlow {
			t.Fatalf("closed with %d, want %d", code, ws.CloseTooSlow)
		}
		if n := rec.Counted(coach.MetricRelayDrops, "reason", "slow_consumer"); n != 1 {
			t.Errorf("slow-consumer drops = %d, want 1", n)
		}
	})
	t.Run("BusEndsTheSubscription", func(t *testing.T) {
		t.Parallel()
		bus := transportmem.NewBus(0)
		e := newEnv(t, nil, bus)
		_, srv := e.relay(t, ws.RelayConfig{})
		c := mustDialRaw(t, srv, coach.NewID(), "")
		readUntilReady(t, c)
		bus.Close()
		if code := closeCode(t, c); code != ws.CloseTooSlow {
			t.Fatalf("closed with %d, want %d", code, ws.CloseTooSlow)
		}
	})
}

func TestConstructors(t *testing.T) {
	t.Parallel()
	bus := transportmem.NewBus(0)
	replayer := memory.New().Events()
	ok := ws.RelayConfig{Bus: bus, Replayer: replayer, Authenticate: bearer}
	for field, mod := range map[string]func(*ws.RelayConfig){
		"RelayConfig.Bus":             func(c *ws.RelayConfig) { c.Bus = nil },
		"RelayConfig.Replayer":        func(c *ws.RelayConfig) { c.Replayer = nil },
		"RelayConfig.Authenticate":    func(c *ws.RelayConfig) { c.Authenticate = nil },
		"RelayConfig.QueueSize":       func(c *ws.RelayConfig) { c.QueueSize = -1 },
		"RelayConfig.PingInterval":    func(c *ws.RelayConfig) { c.PingInterval = -time.Second },
		"RelayConfig.OriginPatterns":  func(c *ws.RelayConfig) { c.OriginPatterns = []string{"[app.example.com"} },
		"RelayConfig.MaxConnsPerUser": func(c *ws.RelayConfig) { c.MaxConnsPerUser = -1 },
		"RelayConfig.ReadLimit":       func(c *ws.RelayConfig) { c.ReadLimit = -1 },
	} {
		t.Run(field, func(t *testing.T) {
			cfg := ok
			mod(&cfg)
			_, err := ws.NewRelay(cfg)
			servicetest.RefusesField(t, err, field)
		})
	}
	if _, err := ws.NewRelay(ok); err != nil {
		t.Errorf("NewRelay(valid) = %v", err)
	}
	for field, cfg := range map[string]ws.ClientConfig{
		"ClientConfig.URL":         {URL: "/ws/coach"},
		"ClientConfig.LastEventID": {URL: "ws://example.com/ws/coach", LastEventID: "x"},
		"ClientConfig.MaxBackoff":  {URL: "ws://example.com/ws/coach", MinBackoff: time.Second, MaxBackoff: time.Millisecond},
		"ClientConfig.ReadLimit":   {URL: "ws://example.com/ws/coach", ReadLimit: -1},
	} {
		t.Run(field, func(t *testing.T) {
			_, err := ws.NewClient(cfg)
			servicetest.RefusesField(t, err, field)
		})
	}
}

func TestZeroValuesDoNotPanic(t *testing.T) {
	t.Parallel()
	servicetest.ZeroValues(t, []any{(*ws.Relay)(nil), (*ws.Client)(nil)})
}

func TestConfigIsChecked(t *testing.T) {
	t.Parallel()
	for name, cfg := range map[string]ws.ClientConfig{
		"NoURL":          {},
		"RelativeURL":    {URL: "/ws/coach"},
		"FTP":            {URL: "ftp://example.com/ws/coach"},
		"BadLastEventID": {URL: "ws://example.com/ws/coach", LastEventID: "x"},
		"MaxBelowMin":    {URL: "ws://example.com/ws/coach", MinBackoff: time.Second, MaxBackoff: time.Millisecond},
		"NegativeLimit":  {URL: "ws://example.com/ws/coach", ReadLimit: -1},
	} {
		if _, err := ws.NewClient(cfg); coach.ErrorCode(err) != coach.EINVALID {
			t.Errorf("%s: NewClient = %v, want EINVALID", name, err)
		}
	}
}
