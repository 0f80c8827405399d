package bias_test

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"io"
	"reflect"
	"slices"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/tradecoach/coach"
	"github.com/tradecoach/coach/bias"
	"github.com/tradecoach/coach/storage"
	"github.com/tradecoach/coach/storage/memory"
	"github.com/tradecoach/coach/storage/postgres/postgrestest"
)

// reproEnv is a user with the fixture's trades in a store, a blob store, and the candles the
// market-data source served.
type reproEnv struct {
	store  storage.Store
	blobs  *memory.Blobs
	user   string
	clock  *coach.ManualClock
	served []coach.Candle
	fx     *fixture
}

// eachStore runs test on the memory store and on a Postgres schema of its own (skipped without
// the test server, failed under COACH_REQUIRE_SERVICES=1).
func eachStore(t *testing.T, test func(t *testing.T, env *reproEnv)) {
	for _, tc := range []struct {
		name string
		open func(*testing.T, coach.Clock) storage.Store
	}{
		{"Memory", func(t *testing.T, c coach.Clock) storage.Store { return memory.New(memory.WithClock(c)) }},
		{"Postgres", func(t *testing.T, _ coach.Clock) storage.Store { return postgrestest.MustOpenTestDB(t) }},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			clock := coach.NewManualClock(time.Date(2024, 4, 15, 12, 0, 0, 0, time.UTC))
			store := tc.open(t, clock)
			t.Cleanup(func() { store.Close() })
			env := &reproEnv{store: store, blobs: memory.NewBlobs(), user: coach.NewID(), clock: clock, fx: newFixture()}
			ctx := context.Background()
			if err := store.Users().Create(ctx, coach.User{ID: env.user, Email: env.user + "@example.com", CreatedAt: clock.Now()}); err != nil {
				t.Fatal(err)
			}
			trades := slices.Clone(env.fx.trades)
			for i := range trades {
				trades[i].ID, trades[i].UserID = "", ""
			}
			if _, err := store.Trades().Upsert(ctx, env.user, trades); err != nil {
				t.Fatal(err)
			}
			test(t, env)
		})
	}
}

// service returns a Service over env's stores with the default definitions under version, whose
// market data is the fixture's (recorded in env.served), or, with offline, a source that fails
// the test when asked.
func (env *reproEnv) service(t *testing.T, version string, offline bool) *bias.Service {
	t.Helper()
	var calls []string
	src := seriesSource(env.fx.candles, &calls)
	inner := src.CandlesFunc
	src.CandlesFunc = func(ctx context.Context, sym coach.Symbol, iv coach.Interval, from, to time.Time) ([]coach.Candle, error) {
		if offline {
			t.Errorf("the market data was asked for %s: Rescore must read the blob store alone", sym)
			return nil, coach.Errorf(coach.EUNAVAILABLE, "offline")
		}
		cs, err := inner(ctx, sym, iv, from, to)
		env.served = append(env.served, cs...)
		return cs, err
	}
	cfg := bias.DefaultConfig()
	cfg.Version = version
	svc, err := bias.New(bias.ServiceConfig{Store: env.store, Candles: src, Blobs: env.blobs, Config: cfg, Clock: env.clock})
	if err != nil {
		t.Fatal(err)
	}
	return svc
}

func (env *reproEnv) tags(t *testing.T) []coach.BiasTag {
	t.Helper()
	tags, err := env.store.Tags().List(context.Background(), env.user, storage.TagFilter{})
	if err != nil {
		t.Fatal(err)
	}
	if len(tags) == 0 {
		t.Fatal("the fixture has no tags")
	}
	return tags
}

func (env *reproEnv) revisions(t *testing.T, tagID string) []coach.BiasTag {
	t.Helper()
	revs, err := env.store.Tags().Revisions(context.Background(), env.user, tagID)
	if err != nil {
		t.Fatal(err)
	}
	return revs
}

func (env *reproEnv) events(t *testing.T) ([]coach.ReflectPayload, []coach.TagRevisedPayload) {
	t.Helper()
	return allEvents(t, env.store, env.user)
}

// TestTagsRecordVersionAndSnapshot (acceptance 1 and 2): every tag's features carry the
// definition version and the SHA-256 of the candle snapshot it was scored on; the blob store holds
// that snapshot under its hash, and it is the candles the market data served.
func TestTagsRecordVersionAndSnapshot(t *testing.T) {
	eachStore(t, func(t *testing.T, env *reproEnv) {
		ctx := context.Background()
		rep, err := env.service(t, bias.DefinitionVersion, false).ScoreUser(ctx, env.user, time.Time{}, time.Time{})
		if err != nil {
			t.Fatal(err)
		}
		if !coach.ValidSHA256(rep.CandlesSHA256) {
			t.Fatalf("report names snapshot %q", rep.CandlesSHA256)
		}
		first := env.fx.trades[0].TS
		for _, tr := range env.fx.trades {
			first = minTime(first, tr.TS)
		}
		labels := map[string]int{}
		for _, g := range env.tags(t) {
			labels[g.Label]++
			var doc struct {
				V     string `json:"v"`
				Input struct {
					CandlesSHA256 string `json:"candlesSha256"`
					LabelFrom     string `json:"labelFrom"`
				} `json:"input"`
			}
			if err := json.Unmarshal(g.Features, &doc); err != nil {
				t.Fatal(err)
			}
			if doc.V != bias.DefinitionVersion || doc.Input.CandlesSHA256 != rep.CandlesSHA256 || doc.Input.LabelFrom != first.Format(time.RFC3339Nano) {
				t.Errorf("%s tag of %s: v %q, input %+v; want %s, %s from %s", g.Label, g.TradeID, doc.V, doc.Input, bias.DefinitionVersion, rep.CandlesSHA256, first)
			}
			if in, ok := bias.InputOf(g.Features); !ok || in.CandlesSHA256 != rep.CandlesSHA256 || !in.LabelFrom.Equal(first) {
				t.Errorf("InputOf = %+v, %v", in, ok)
			}
			if g.Revision != 1 {
				t.Errorf("a first score gives revision %d", g.Revision)
			}
		}
		t.Logf("labels scored: %v", labels)
		if len(labels) < 3 {
			t.Errorf("only %d labels: the test covers too little", len(labels))
		}

		rc, info, err := env.blobs.Get(ctx, storage.SnapshotKey(rep.CandlesSHA256))
		if err != nil {
			t.Fatalf("the snapshot is not in the blob store: %v", err)
		}
		b, err := io.ReadAll(rc)
		rc.Close()
		if err != nil {
			t.Fatal(err)
		}
		sum := sha256.Sum256(b)
		if hex.EncodeToString(sum[:]) != rep.CandlesSHA256 || info.SHA256 != rep.CandlesSHA256 {
			t.Errorf("the blob hashes to %x (store says %s), the tags record %s", sum, info.SHA256, rep.CandlesSHA256)
		}
		snap, err := coach.DecodeCandleSnapshot(b)
		if err != nil {
			t.Fatal(err)
		}
		if want := coach.NewCandleSnapshot(env.served).Candles; len(want) == 0 || !reflect.DeepEqual(snap.Candles, want) {
			t.Errorf("the snapshot holds %d candles, the source served %d others", len(snap.Candles), len(want))
		}
	})
}

// TestRescoreIsBitIdentical (acceptance 3): score, store, then rescore every tag from the blob
// store alone — a Service whose market data fails when asked — and compare bytes. Nothing is
// written.
func TestRescoreIsBitIdentical(t *testing.T) {
	eachStore(t, func(t *testing.T, env *reproEnv) {
		ctx := context.Background()
		if _, err := env.service(t, bias.DefinitionVersion, false).ScoreUser(ctx, env.user, time.Time{}, time.Time{}); err != nil {
			t.Fatal(err)
		}
		stored := env.tags(t)
		reflect0, revised0 := env.events(t)
		offline := env.service(t, bias.DefinitionVersion, true)
		for _, g := range stored {
			got, err := offline.Rescore(ctx, env.user, g.ID)
			if err != nil {
				t.Fatalf("Rescore %s tag of %s: %v", g.Label, g.TradeID, err)
			}
			if !got.Identical || got.Revised || got.Withdrawn || got.Skip != nil {
				t.Errorf("Rescore %s tag of %s: %+v", g.Label, g.TradeID, got)
			}
			if !bytes.Equal(got.Tag.Features, g.Features) || got.Tag.Confidence != g.Confidence {
				t.Errorf("%s tag of %s rescored as\n%s (%v)\nstored\n%s (%v)", g.Label, g.TradeID, got.Tag.Features, got.Tag.Confidence, g.Features, g.Confidence)
			}
			if diff := cmp.Diff(g, got.Stored); diff != "" {
				t.Errorf("Stored (-listed +rescored):\n%s", diff)
			}
		}
		if diff := cmp.Diff(stored, env.tags(t)); diff != "" {
			t.Errorf("Rescore changed the tags (-before +after):\n%s", diff)
		}
		if r, v := env.events(t); len(r) != len(reflect0) || len(v) != len(revised0) {
			t.Errorf("Rescore appended events: %d → %d reflect, %d → %d revised", len(reflect0), len(r), len(revised0), len(v))
		}
	})
}

// TestSameVersionWritesNoRevision (acceptance 5): scoring again with the same version and data
// keeps every stored revision as it is and emits nothing; so does a wider run over the same
// trades, whose snapshot has other candles but gives the same evidence.
func TestSameVersionWritesNoRevision(t *testing.T) {
	eachStore(t, func(t *testing.T, env *reproEnv) {
		ctx := context.Background()
		svc := env.service(t, bias.DefinitionVersion, false)
		first, err := svc.ScoreUser(ctx, env.user, time.Time{}, time.Time{})
		if err != nil {
			t.Fatal(err)
		}
		stored := env.tags(t)
		reflect0, _ := env.events(t)
		env.clock.Advance(time.Hour)
		rep, err := svc.ScoreUser(ctx, env.user, time.Time{}, time.Time{})
		if err != nil {
			t.Fatal(err)
		}
		if rep.New+rep.Revised+rep.Removed != 0 || rep.CandlesSHA256 != first.CandlesSHA256 || rep.Tags != len(stored) {
			t.Errorf("second run: %d new, %d revised, %d removed, snapshot %s; want nothing changed on %s",
				rep.New, rep.Revised, rep.Removed, rep.CandlesSHA256, first.CandlesSHA256)
		}
		if diff := cmp.Diff(stored, env.tags(t)); diff != "" {
			t.Errorf("second run changed the tags (-first +second):\n%s", diff)
		}
		for _, g := range stored {
			if n := len(env.revisions(t, g.ID)); n != 1 {
				t.Errorf("%s tag of %s has %d revisions, want 1", g.Label, g.TradeID, n)
			}
		}
		if r, v := env.events(t); len(r) != len(reflect0) || len(v) != 0 {
			t.Errorf("second run: %d reflect events (was %d), %d tag.revised", len(r), len(reflect0), len(v))
		}
	})
}

// TestVersionChangeRevisesTags (acceptance 4): a changed Config.Version gives every tag a new
// revision under the same id with a tag.revised event; the old revision keeps its version and
// stays listable; reads return the new one, which rescores bit for bit under the new version.
func TestVersionChangeRevisesTags(t *testing.T) {
	const v2 = bias.DefinitionVersion + "-rescore"
	eachStore(t, func(t *testing.T, env *reproEnv) {
		ctx := context.Background()
		if _, err := env.service(t, bias.DefinitionVersion, false).ScoreUser(ctx, env.user, time.Time{}, time.Time{}); err != nil {
			t.Fatal(err)
		}
		old := env.tags(t)
		reflect0, _ := env.events(t)
		env.clock.Advance(time.Hour)
		rep, err := env.service(t, v2, false).ScoreUser(ctx, env.user, time.Time{}, time.Time{})
		if err != nil {
			t.Fatal(err)
		}
		if rep.Revised != len(old) || rep.New != 0 || rep.Removed != 0 {
			t.Errorf("report: %d revised, %d new, %d removed; want all %d revised", rep.Revised, rep.New, rep.Removed, len(old))
		}
		now := env.tags(t)
		if len(now) != len(old) {
			t.Fatalf("%d tags after the version change, %d before", len(now), len(old))
		}
		reflect1, revised := env.events(t)
		if len(reflect1) != len(reflect0) || len(revised) != len(old) {
			t.Errorf("events: %d → %d reflect, %d tag.revised; want none new and %d", len(reflect0), len(reflect1), len(revised), len(old))
		}
		byTag := map[string]coach.TagRevisedPayload{}
		for _, e := range revised {
			byTag[e.TagID] = e
		}
		for i, g := range now {
			p := old[i]
			if g.ID != p.ID || g.Revision != 2 || !g.CreatedAt.Equal(env.clock.Now()) {
				t.Errorf("%s tag of %s: id %s revision %d at %v; want %s revision 2 at %v", g.Label, g.TradeID, g.ID, g.Revision, g.CreatedAt, p.ID, env.clock.Now())
			}
			if in, ok := bias.InputOf(g.Features); !ok || !bytes.Contains(g.Features, []byte(`"v":"`+v2+`"`)) || in != mustInput(t, p) {
				t.Errorf("%s tag of %s: features %s, want v %s and the input of revision 1", g.Label, g.TradeID, g.Features, v2)
			}
			if diff := cmp.Diff([]coach.BiasTag{p, g}, env.revisions(t, g.ID)); diff != "" {
				t.Errorf("revisions of %s (-want +got):\n%s", g.ID, diff)
			}
			want := coach.TagRevisedPayload{TagID: g.ID, TradeID: g.TradeID, Label: g.Label, Revision: 2, Version: v2,
				PreviousVersion: bias.DefinitionVersion, Confidence: g.Confidence, PreviousConfidence: p.Confidence, Reason: coach.TagRevisedVersion}
			if diff := cmp.Diff(want, byTag[g.ID]); diff != "" {
				t.Errorf("tag.revised of %s (-want +got):\n%s", g.ID, diff)
			}
		}
		offline := env.service(t, v2, true)
		for _, g := range now[:min(len(now), 5)] {
			if got, err := offline.Rescore(ctx, env.user, g.ID); err != nil || !got.Identical || !bytes.Equal(got.Tag.Features, g.Features) {
				t.Errorf("Rescore of revision 2 under %s: %+v, %v; want identical", v2, got, err)
			}
		}
	})
}

// TestRescoreUnderANewVersion: Rescore of one tag under another version stores its next revision
// with its event, from the snapshot alone, and leaves the trade's other tags as they are.
func TestRescoreUnderANewVersion(t *testing.T) {
	eachStore(t, func(t *testing.T, env *reproEnv) {
		ctx := context.Background()
		if _, err := env.service(t, bias.DefinitionVersion, false).ScoreUser(ctx, env.user, time.Time{}, time.Time{}); err != nil {
			t.Fatal(err)
		}
		before := env.tags(t)
		g := before[len(before)/2]
		env.clock.Advance(time.Hour)
		got, err := env.service(t, "v-next", true).Rescore(ctx, env.user, g.ID)
		if err != nil {
			t.Fatal(err)
		}
		if !got.Revised || got.Identical || got.Tag.ID != g.ID || got.Tag.Revision != 2 || !bytes.Contains(got.Tag.Features, []byte(`"v":"v-next"`)) {
			t.Fatalf("Rescore under v-next: %+v", got)
		}
		if diff := cmp.Diff([]coach.BiasTag{g, got.Tag}, env.revisions(t, g.ID)); diff != "" {
			t.Errorf("revisions (-want +got):\n%s", diff)
		}
		after := env.tags(t)
		for i := range before {
			if before[i].ID != g.ID && !cmp.Equal(before[i], after[i]) {
				t.Errorf("Rescore of %s changed tag %s", g.ID, before[i].ID)
			}
		}
		_, revised := env.events(t)
		if len(revised) != 1 || revised[0].TagID != g.ID || revised[0].Version != "v-next" || revised[0].Reason != coach.TagRevisedVersion {
			t.Errorf("tag.revised events: %+v", revised)
		}
	})
}

// TestRevisionAndEventCommitTogether (acceptance 4, the transaction): when the tag.revised events
// cannot be appended, neither ScoreUser nor Rescore stores a revision.
func TestRevisionAndEventCommitTogether(t *testing.T) {
	eachStore(t, func(t *testing.T, env *reproEnv) {
		ctx := context.Background()
		if _, err := env.service(t, bias.DefinitionVersion, false).ScoreUser(ctx, env.user, time.Time{}, time.Time{}); err != nil {
			t.Fatal(err)
		}
		before := env.tags(t)
		cfg := bias.DefaultConfig()
		cfg.Version = "v2"
		failing, err := bias.New(bias.ServiceConfig{Store: failingEvents{env.store}, Candles: seriesSource(env.fx.candles, new([]string)),
			Blobs: env.blobs, Config: cfg, Clock: env.clock})
		if err != nil {
			t.Fatal(err)
		}
		if _, err := failing.ScoreUser(ctx, env.user, time.Time{}, time.Time{}); !errors.Is(err, errAppend) {
			t.Fatalf("ScoreUser = %v, want the append error", err)
		}
		if _, err := failing.Rescore(ctx, env.user, before[0].ID); !errors.Is(err, errAppend) {
			t.Fatalf("Rescore = %v, want the append error", err)
		}
		if diff := cmp.Diff(before, env.tags(t)); diff != "" {
			t.Errorf("tags changed without their events (-before +after):\n%s", diff)
		}
		for _, g := range before {
			if n := len(env.revisions(t, g.ID)); n != 1 {
				t.Errorf("tag %s: %d revisions stored without their events", g.ID, n)
			}
		}
	})
}

// TestRescoreAfterTheHistoryChanged: a trade deleted before tagged ones changes what scoring
// says about some of them; Rescore then revises or withdraws those, with reason evidence, and
// reproduces the others.
func TestRescoreAfterTheHistoryChanged(t *testing.T) {
	eachStore(t, func(t *testing.T, env *reproEnv) {
		ctx := context.Background()
		if _, err := env.service(t, bias.DefinitionVersion, false).ScoreUser(ctx, env.user, time.Time{}, time.Time{}); err != nil {
			t.Fatal(err)
		}
		tags := env.tags(t)
		// Delete the trade before the revenge buy: the loss it answers.
		all, err := storage.ListAll(ctx, env.store.Trades(), env.user, storage.TradeFilter{})
		if err != nil {
			t.Fatal(err)
		}
		var panicSell coach.Trade
		for _, tr := range all {
			if tr.ExtID == "x"+env.fx.role["panic"][1:] {
				panicSell = tr
			}
		}
		if err := env.store.Trades().Delete(ctx, env.user, panicSell.ID); err != nil {
			t.Fatal(err)
		}
		offline := env.service(t, bias.DefinitionVersion, true)
		changed := 0
		for _, g := range tags {
			if g.TradeID == panicSell.ID {
				continue // gone with its trade
			}
			got, err := offline.Rescore(ctx, env.user, g.ID)
			if err != nil {
				t.Fatal(err)
			}
			switch {
			case got.Identical:
			case got.Revised || got.Withdrawn:
				changed++
			default:
				t.Errorf("Rescore of %s tag of %s: %+v", g.Label, g.TradeID, got)
			}
		}
		if changed == 0 {
			t.Fatal("deleting the panic sell changed no later tag")
		}
		_, revised := env.events(t)
		if len(revised) != changed {
			t.Errorf("%d tags changed, %d tag.revised events", changed, len(revised))
		}
		for _, e := range revised {
			if e.Reason != coach.TagRevisedEvidence || e.Version != bias.DefinitionVersion {
				t.Errorf("tag.revised %+v: want reason evidence under the same version", e)
			}
		}
	})
}

func TestRescoreErrors(t *testing.T) {
	t.Parallel()
	env := &reproEnv{store: memory.New(), blobs: memory.NewBlobs(), user: coach.NewID(), fx: newFixture(),
		clock: coach.NewManualClock(time.Date(2024, 4, 15, 12, 0, 0, 0, time.UTC))}
	ctx := context.Background()
	if err := env.store.Users().Create(ctx, coach.User{ID: env.user, Email: "e@example.com", CreatedAt: env.clock.Now()}); err != nil {
		t.Fatal(err)
	}
	trades := slices.Clone(env.fx.trades)
	for i := range trades {
		trades[i].ID, trades[i].UserID = "", ""
	}
	if _, err := env.store.Trades().Upsert(ctx, env.user, trades); err != nil {
		t.Fatal(err)
	}
	svc := env.service(t, bias.DefinitionVersion, false)
	rep, err := svc.ScoreUser(ctx, env.user, time.Time{}, time.Time{})
	if err != nil {
		t.Fatal(err)
	}
	g := env.tags(t)[0]

	noBlobs, err := bias.New(bias.ServiceConfig{Store: env.store, Candles: &CandleSource{}})
	if err != nil {
		t.Fatal(err)
	}
	for name, tc := range map[string]struct {
		svc         *bias.Service
		user, tagID string
		want        coach.Code
	}{
		"no Blobs":        {noBlobs, env.user, g.ID, coach.EINVALID},
		"not constructed": {&bias.Service{}, env.user, g.ID, coach.EINVALID},
		"empty user":      {svc, "", g.ID, coach.EINVALID},
		"empty tag":       {svc, env.user, "", coach.EINVALID},
		"unknown tag":     {svc, env.user, coach.NewID(), coach.ENOTFOUND},
		"another user":    {svc, coach.NewID(), g.ID, coach.ENOTFOUND},
	} {
		if _, err := tc.svc.Rescore(ctx, tc.user, tc.tagID); coach.ErrorCode(err) != tc.want {
			t.Errorf("%s: %v, want %s", name, err, tc.want)
		}
	}

	// A tag stored without an input (before snapshots were kept) cannot be rescored.
	legacy := coach.BiasTag{ID: coach.NewID(), UserID: env.user, TradeID: g.TradeID, Label: "LEGACY", Confidence: 0.5,
		Features: json.RawMessage(`{"v":"2025.9"}`), CreatedAt: env.clock.Now(), Revision: 1}
	cur, err := env.store.Tags().ByTrades(ctx, env.user, []string{g.TradeID})
	if err != nil {
		t.Fatal(err)
	}
	if err := env.store.Tags().Replace(ctx, env.user, []string{g.TradeID}, append(cur, legacy)); err != nil {
		t.Fatal(err)
	}
	if _, err := svc.Rescore(ctx, env.user, legacy.ID); coach.ErrorCode(err) != coach.EINVALID {
		t.Errorf("legacy tag: %v, want EINVALID", err)
	}
	// A snapshot tampered with is corruption; one deleted is not found.
	key := storage.SnapshotKey(rep.CandlesSHA256)
	if _, err := env.blobs.Put(ctx, key, bytes.NewReader([]byte("tradecoach/sim candles v1\n")), ""); err != nil {
		t.Fatal(err)
	}
	if _, err := svc.Rescore(ctx, env.user, g.ID); coach.ErrorCode(err) != coach.EINTERNAL {
		t.Errorf("tampered snapshot: %v, want EINTERNAL", err)
	}
	if err := env.blobs.Delete(ctx, key); err != nil {
		t.Fatal(err)
	}
	if _, err := svc.Rescore(ctx, env.user, g.ID); coach.ErrorCode(err) != coach.ENOTFOUND {
		t.Errorf("deleted snapshot: %v, want ENOTFOUND", err)
	}
}

// mustInput returns the Input g's features record.
func mustInput(t *testing.T, g coach.BiasTag) bias.Input {
	t.Helper()
	in, ok := bias.InputOf(g.Features)
	if !ok {
		t.Fatalf("tag %s records no input: %s", g.ID, g.Features)
	}
	return in
}
