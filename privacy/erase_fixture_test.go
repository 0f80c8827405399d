package privacy_test

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/shopspring/decimal"

	"github.com/tradecoach/coach"
	"github.com/tradecoach/coach/broker"
	"github.com/tradecoach/coach/broker/brokertest"
	"github.com/tradecoach/coach/broker/coinbase"
	"github.com/tradecoach/coach/broker/seal"
	"github.com/tradecoach/coach/privacy"
	"github.com/tradecoach/coach/storage"
	"github.com/tradecoach/coach/transport"
	transportmemory "github.com/tradecoach/coach/transport/memory"
)

// rig is a deployment under test: a store, blobs, key-value stores and a queue of some adapters,
// a sealer whose per-user data keys live in the store, and a fake Coinbase whose grants the
// Eraser revokes.
type rig struct {
	ctx    context.Context
	store  storage.Store
	blobs  storage.Blobs
	kv     kvStores
	queue  *transportmemory.Queue
	sealer *seal.Sealer
	fake   *brokertest.Coinbase
	eraser *privacy.Eraser
}

// kvStores are the key-value stores the rig writes a user's keys through, and their erasers.
type kvStores struct {
	cache   storage.Cache
	idem    storage.Idempotency
	limiter storage.RateLimiter
	leases  storage.Leases
	erasers []storage.KeyEraser
}

var erasedT0 = time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC)

func newRig(t testing.TB, store storage.Store, blobs storage.Blobs, kv kvStores) *rig {
	t.Helper()
	key := make([]byte, seal.KeySize)
	if _, err := rand.Read(key); err != nil {
		t.Fatal(err)
	}
	kek, err := seal.NewLocalKEK(key)
	if err != nil {
		t.Fatal(err)
	}
	sealer, err := seal.New(seal.Config{KEK: kek, DataKeys: seal.StoredKeys{Keys: store.DataKeys()}})
	if err != nil {
		t.Fatal(err)
	}
	fake := brokertest.NewCoinbase(brokertest.CoinbaseConfig{})
	t.Cleanup(fake.Close)
	client, err := coinbase.New(coinbase.Config{BaseURL: fake.URL(), AuthURL: fake.AuthURL(), TokenURL: fake.TokenURL(),
		RevokeURL: fake.RevokeURL(), ClientID: fake.Config().ClientID, ClientSecret: seal.NewToken(fake.Config().ClientSecret)})
	if err != nil {
		t.Fatal(err)
	}
	queue, err := transportmemory.NewQueue(transportmemory.QueueConfig{DeadLetters: store.DeadLetters()})
	if err != nil {
		t.Fatal(err)
	}
	eraser, err := privacy.NewEraser(privacy.EraserConfig{
		Store: store, SubjectKey: []byte("a subject key of the test, 32 b"), Blobs: blobs, Keys: kv.erasers,
		Revokers: broker.Revokers{coach.BrokerCoinbase: coinbase.Revoker{Client: client, Sealer: sealer}},
		Jobs:     queue,
	})
	if err != nil {
		t.Fatal(err)
	}
	return &rig{ctx: context.Background(), store: store, blobs: blobs, kv: kv, queue: queue, sealer: sealer, fake: fake, eraser: eraser}
}

// person is a user the rig wrote everything for, and the strings that identify them: what the
// outside scan searches for.
type person struct {
	user    coach.User
	conns   []string // Coinbase, then Binance
	extIDs  []string
	dataKey string
}

// needles returns every string that identifies p, by name.
func (p person) needles() map[string]string {
	sum := sha256.Sum256([]byte(coach.NormalizeEmail(p.user.Email)))
	n := map[string]string{
		"userId":    p.user.ID,
		"email":     p.user.Email,
		"emailHash": hex.EncodeToString(sum[:]),
		"dataKeyId": p.dataKey,
	}
	for i, c := range p.conns {
		n[fmt.Sprintf("connectionId[%d]", i)] = c
	}
	for i, x := range p.extIDs {
		n[fmt.Sprintf("extId[%d]", i)] = x
	}
	return n
}

// must fails the test on err.
func must(t testing.TB, err error, what string) {
	t.Helper()
	if err != nil {
		t.Fatalf("%s: %v", what, err)
	}
}

// randomWord returns 12 random lower-case hex digits.
func randomWord(t testing.TB) string {
	var b [6]byte
	if _, err := rand.Read(b[:]); err != nil {
		t.Fatal(err)
	}
	return hex.EncodeToString(b[:])
}

// populate gives a new user one or more of everything a user can have, in the store, the blobs,
// the key-value stores and the queue, and returns them.
func (r *rig) populate(t testing.TB, trades int) person {
	t.Helper()
	ctx, st := r.ctx, r.store
	w := randomWord(t)
	p := person{user: coach.User{ID: coach.NewID(), Email: "trader-" + w + "@example.com",
		PasswordHash: "$argon2id$v=19$m=65536,t=3,p=2$c2FsdA$aGFzaA", CreatedAt: erasedT0, TimeZone: "America/New_York"}}
	u := p.user.ID
	must(t, st.Users().Create(ctx, p.user), "create user")
	emailHash := p.needles()["emailHash"]
	must(t, st.Sessions().Create(ctx, coach.Session{ID: coach.NewID(), UserID: u, CreatedAt: erasedT0, ExpiresAt: erasedT0.Add(24 * time.Hour),
		IPHash: "ip-" + w, UAHash: "ua-" + w, TokenHash: "tok-" + w}), "create session")

	// A Coinbase connection with sealed OAuth tokens, and a Binance one with a sealed API secret.
	cb := coach.BrokerConnection{ID: coach.NewID(), UserID: u, Broker: coach.BrokerCoinbase, Status: coach.ConnectionActive, CreatedAt: erasedT0, Label: "main"}
	cb, err := coinbase.SealTokens(ctx, r.sealer, cb, r.fake.Grant())
	must(t, err, "seal coinbase tokens")
	must(t, st.Connections().Create(ctx, cb), "create coinbase connection")
	bn := coach.BrokerConnection{ID: coach.NewID(), UserID: u, Broker: coach.BrokerBinance, Status: coach.ConnectionActive, CreatedAt: erasedT0}
	secret, err := r.sealer.Seal(ctx, seal.For(bn, seal.PurposeAPISecret), seal.NewToken("binance-secret-"+w))
	must(t, err, "seal binance secret")
	bn.AccessEnc = secret.Bytes()
	must(t, st.Connections().Create(ctx, bn), "create binance connection")
	p.conns = []string{cb.ID, bn.ID}
	dk, err := st.DataKeys().Get(ctx, u)
	must(t, err, "the user's data key")
	p.dataKey = dk.ID
	must(t, st.Checkpoints().Put(ctx, u, bn.ID, "fills:BTC-USDT", "fromId="+w), "checkpoint")

	// Trades, one deleted (a tombstone), tags in two revisions, a dispute, a note.
	batch := make([]coach.Trade, trades)
	for i := range batch {
		side := coach.Buy
		if i%2 == 1 {
			side = coach.Sell
		}
		batch[i] = coach.Trade{Broker: coach.BrokerBinance, ExtID: fmt.Sprintf("x%s-%d", w, i), Symbol: "BTC-USDT", Side: side,
			Qty: decimal.RequireFromString("0.01"), Price: decimal.NewFromInt(int64(40000 + i%1000)),
			Fee: decimal.NewNullDecimal(decimal.RequireFromString("0.00001")), FeeAsset: "BNB",
			TS: erasedT0.Add(time.Duration(i) * time.Second), ConnectionID: bn.ID}
	}
	for off := 0; off < len(batch); off += 5000 {
		_, err := st.Trades().Upsert(ctx, u, batch[off:min(off+5000, len(batch))])
		must(t, err, "upsert trades")
	}
	stored, err := st.Trades().List(ctx, u, storage.TradeFilter{Limit: storage.MaxLimit})
	must(t, err, "list trades")
	for _, tr := range stored[:min(3, len(stored))] {
		p.extIDs = append(p.extIDs, tr.ExtID)
	}
	a, b := stored[0], stored[1]
	fomo := coach.BiasTag{ID: coach.NewID(), UserID: u, TradeID: a.ID, Label: coach.LabelFOMO, Confidence: 0.7,
		Features: json.RawMessage(`{"definitionVersion":"2026.1","extId":"` + a.ExtID + `"}`), CreatedAt: erasedT0, Revision: 1}
	must(t, st.Tags().Replace(ctx, u, []string{a.ID}, []coach.BiasTag{fomo}), "tag")
	fomo2 := fomo
	fomo2.Revision, fomo2.Confidence = 2, 0.8
	must(t, st.Tags().Replace(ctx, u, []string{a.ID}, []coach.BiasTag{fomo2}), "tag revision 2")
	if len(stored) > 10 {
		// Tags on many trades: what a scored history has (and what Erase deletes in bulk).
		var ids []string
		var tags []coach.BiasTag
		for _, tr := range stored[2:] {
			ids = append(ids, tr.ID)
			tags = append(tags, coach.BiasTag{ID: coach.NewID(), UserID: u, TradeID: tr.ID, Label: coach.LabelPanic, Confidence: 0.5,
				Features: json.RawMessage(`{"definitionVersion":"2026.1"}`), CreatedAt: erasedT0, Revision: 1})
		}
		must(t, st.Tags().Replace(ctx, u, ids, tags), "tag the history")
	}
	_, err = st.Disputes().Put(ctx, coach.TagDispute{ID: coach.NewID(), UserID: u, TradeID: a.ID, Label: coach.LabelFOMO, TagID: fomo2.ID,
		TagRevision: 2, Reason: "plan", Note: "planned entry, " + p.user.Email, CreatedAt: erasedT0, UpdatedAt: erasedT0})
	must(t, err, "dispute")
	_, err = st.Notes().Add(ctx, coach.TradeNote{ID: coach.NewID(), UserID: u, TradeID: a.ID, Text: "chased " + a.ExtID, CreatedAt: erasedT0, UpdatedAt: erasedT0})
	must(t, err, "note")
	_, err = st.Questions().Add(ctx, coach.Question{ID: coach.NewID(), UserID: u, Text: "Why did I chase " + a.ExtID + "?",
		Answer: "You bought it above its 3-hour high.", Source: coach.AnswerDeterministic, CreatedAt: erasedT0})
	must(t, err, "question")
	must(t, st.Trades().Delete(ctx, u, b.ID), "delete a trade (tombstone)")

	// Rules, a simulation run, a digest and its report, audit, events, a dead letter.
	must(t, st.Rules().Create(ctx, coach.Rule{ID: coach.NewID(), UserID: u, Kind: "avoidSpikeOverPct",
		Params: json.RawMessage(`{"pct":10,"lookbackHours":24}`), Active: true, CreatedAt: erasedT0}), "rule")
	_, err = st.SimulationRuns().Create(ctx, coach.SimulationRun{ID: coach.NewID(), UserID: u, Status: coach.SimulationQueued,
		Params: json.RawMessage(`{"scenario":{"kind":"skipLabel","label":"FOMO"},"connectionId":"` + bn.ID + `"}`), CreatedAt: erasedT0})
	must(t, err, "simulation run")
	_, err = st.Exports().Create(ctx, coach.Export{ID: coach.NewID(), UserID: u, Status: coach.ExportQueued, RequestedAt: erasedT0})
	must(t, err, "export")
	start := coach.DateOf(erasedT0)
	_, err = st.Digests().Put(ctx, coach.Digest{ID: coach.NewID(), UserID: u, PeriodStart: start, PeriodEnd: start.AddDays(6),
		Payload: json.RawMessage(`{"counts":{"FOMO":1},"worst":"` + a.ExtID + `"}`), CreatedAt: erasedT0})
	must(t, err, "digest")
	must(t, st.Audit().Append(ctx, coach.Audit{ID: coach.NewID(), UserID: u, Action: "signup",
		Meta: json.RawMessage(`{"emailHash":"` + emailHash + `"}`), CreatedAt: erasedT0}), "audit")
	_, err = st.Events().Append(ctx, coach.Event{UserID: u, Type: coach.EventImportProgress, V: 1,
		Payload: json.RawMessage(`{"connectionId":"` + bn.ID + `","fetched":3}`)})
	must(t, err, "event")
	must(t, st.DeadLetters().Add(ctx, storage.DeadLetter{ID: "q_import:import:" + bn.ID, Queue: transport.QueueImport, TaskType: transport.JobImportTrades,
		TaskID: "import:" + bn.ID + ":2026-03-02T00:00:00Z", Payload: []byte(`{"userId":"` + u + `","connectionId":"` + bn.ID + `"}`),
		Error: "binance: 418", Attempts: 25, FailedAt: erasedT0}), "dead letter")

	// Blobs: the digest's report and an export under the user's prefix; a candle snapshot,
	// which is market data shared by everyone.
	_, err = r.blobs.Put(ctx, storage.UserBlobKey(u, "digests", start.String()+".html"),
		strings.NewReader("<h1>Your week, "+p.user.Email+"</h1>"), "text/html")
	must(t, err, "report blob")
	_, err = r.blobs.Put(ctx, storage.UserBlobKey(u, "exports", coach.NewID()+".zip"),
		strings.NewReader(`{"userId":"`+u+`","trades":["`+a.ExtID+`"]}`), "application/zip")
	must(t, err, "export blob")
	must(t, storage.PutSnapshot(ctx, r.blobs, coach.NewCandleSnapshot([]coach.Candle{{Symbol: "BTC-USDT", Interval: coach.Hour1,
		OpenTime: erasedT0, Open: 40000, High: 40100, Low: 39900, Close: 40050, Volume: 12}})), "snapshot")

	// Keys: the simulation cache, an idempotency record, a rate limit and the import lease.
	must(t, r.kv.cache.Set(ctx, storage.UserKey(u, "sim", w), []byte(`{"userId":"`+u+`"}`), time.Hour), "cache")
	_, err = r.kv.idem.Claim(ctx, storage.UserKey(u, "idem", w), "hash", time.Hour)
	must(t, err, "idempotency claim")
	must(t, r.kv.idem.Complete(ctx, storage.UserKey(u, "idem", w), []byte(`{"email":"`+p.user.Email+`"}`), time.Hour), "idempotency complete")
	_, err = r.kv.limiter.Allow(ctx, storage.UserKey(u, "rate", "login"), storage.Limit{Rate: 10, Burst: 10, Period: time.Minute})
	must(t, err, "rate limit")
	_, err = r.kv.leases.Acquire(ctx, broker.ImportLeaseKey(u, bn.ID), "worker-"+w, time.Hour)
	must(t, err, "lease")

	// A queued job.
	_, err = r.queue.Enqueue(ctx, transport.Job{Type: transport.JobScoreBias, ID: "score:" + u, Queue: transport.QueueScore,
		Payload: []byte(`{"userId":"` + u + `"}`), ProcessAt: erasedT0.Add(100 * 365 * 24 * time.Hour)})
	must(t, err, "enqueue")
	return p
}
