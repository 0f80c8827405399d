package coinbase_test

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/json"
	"slices"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/tradecoach/coach"
	"github.com/tradecoach/coach/broker"
	"github.com/tradecoach/coach/broker/brokertest"
	"github.com/tradecoach/coach/broker/coinbase"
	"github.com/tradecoach/coach/broker/seal"
	"github.com/tradecoach/coach/storage"
	"github.com/tradecoach/coach/storage/memory"
	"golang.org/x/oauth2"
)

// importRig is a Coinbase connection stored with sealed tokens in a store (memory unless said
// otherwise), a client whose TokenStore is that connection, and an importer over the same store.
type importRig struct {
	fake   *brokertest.Coinbase
	store  storage.Store
	sealer *seal.Sealer
	conn   coach.BrokerConnection
	client *coinbase.Client
	tokens *coinbase.StoredTokens
	imp    *broker.Importer
	from   time.Time
}

func newImportRig(t *testing.T, fills int) *importRig {
	t.Helper()
	return newImportRigOn(t, fills, func(t *testing.T, clock coach.Clock) storage.Store {
		store := memory.New(memory.WithClock(clock))
		t.Cleanup(func() { store.Close() })
		return store
	})
}

// newImportRigOn is newImportRig on the store newStore makes, with the user stored.
func newImportRigOn(t *testing.T, fills int, newStore func(*testing.T, coach.Clock) storage.Store) *importRig {
	t.Helper()
	ctx := context.Background()
	clock := coach.NewManualClock(time.Date(2024, 2, 1, 0, 0, 0, 0, time.UTC))
	from := time.Date(2024, 1, 1, 0, 0, 0, 0, time.UTC)
	fake := brokertest.NewCoinbase(brokertest.CoinbaseConfig{Clock: clock, FillsFrom: from, FillsTo: from.Add(30 * 24 * time.Hour), Seed: 3})
	t.Cleanup(fake.Close)
	fake.AddFills(fills)
	store := newStore(t, clock)
	key := make([]byte, seal.KeySize)
	if _, err := rand.Read(key); err != nil {
		t.Fatal(err)
	}
	kek, err := seal.NewLocalKEK(key)
	if err != nil {
		t.Fatal(err)
	}
	sealer, err := seal.New(seal.Config{KEK: kek})
	if err != nil {
		t.Fatal(err)
	}
	conn := coach.BrokerConnection{ID: coach.NewID(), UserID: coach.NewID(), Broker: coach.BrokerCoinbase,
		Status: coach.ConnectionActive, CreatedAt: from}
	if conn, err = coinbase.SealTokens(ctx, sealer, conn, fake.Grant()); err != nil {
		t.Fatal(err)
	}
	if err := store.Users().Create(ctx, coach.User{ID: conn.UserID, Email: conn.UserID + "@example.com", CreatedAt: from}); err != nil {
		t.Fatal(err)
	}
	if err := store.Connections().Create(ctx, conn); err != nil {
		t.Fatal(err)
	}
	tokens := &coinbase.StoredTokens{Store: store, Sealer: sealer, UserID: conn.UserID, ConnectionID: conn.ID}
	client, err := coinbase.New(coinbase.Config{
		BaseURL: fake.URL(), AuthURL: fake.AuthURL(), TokenURL: fake.TokenURL(), RevokeURL: fake.RevokeURL(),
		ClientID: fake.Config().ClientID, ClientSecret: seal.NewToken(fake.Config().ClientSecret),
		Tokens: tokens, Clock: clock, Window: 24 * time.Hour,
		Sleep: func(ctx context.Context, _ time.Duration) error { return ctx.Err() },
	})
	if err != nil {
		t.Fatal(err)
	}
	return &importRig{fake: fake, store: store, sealer: sealer, conn: conn, client: client, tokens: tokens,
		imp: mustImporter(t, broker.ImporterConfig{Store: store, Clock: clock, Window: 31 * 24 * time.Hour}), from: from}
}

func (r *importRig) stored(t *testing.T) []coach.Trade {
	t.Helper()
	ts, err := r.store.Trades().List(context.Background(), r.conn.UserID, storage.TradeFilter{Limit: storage.MaxLimit})
	if err != nil {
		t.Fatal(err)
	}
	return ts
}

func (r *importRig) lastProgress(t *testing.T) coach.ImportProgressPayload {
	t.Helper()
	var last coach.ImportProgressPayload
	after := ""
	for {
		evs, err := r.store.Events().Since(context.Background(), r.conn.UserID, after, 1000)
		if err != nil {
			t.Fatal(err)
		}
		if len(evs) == 0 {
			return last
		}
		if err := json.Unmarshal(evs[len(evs)-1].Payload, &last); err != nil {
			t.Fatal(err)
		}
		after = evs[len(evs)-1].ID
	}
}

func sortedExtIDs(ts []coach.Trade) []string {
	out := make([]string, len(ts))
	for i, tr := range ts {
		out[i] = tr.ExtID
	}
	slices.Sort(out)
	return out
}

// TestImportThroughTheClient runs the Coinbase client under the importer against the fake: 30
// days of fills with a rate limit and an access-token expiry (so a refresh-token rotation) in the
// middle, the rotation persisted sealed in the stored connection; a full re-sync that adds no
// duplicate and revives no deleted trade; then a refused refresh token, which revokes the
// connection with a failed import.progress event and a broker_revoked audit row.
func TestImportThroughTheClient(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	r := newImportRig(t, 2500)
	r.fake.RateLimitAfter(15, 2, "1")
	r.fake.ExpireAccessTokensAfter(30)

	sum, err := r.imp.Import(ctx, r.conn.UserID, r.conn, r.client)
	if err != nil {
		t.Fatalf("import: %v", err)
	}
	want := r.fake.Trades()
	if sum.Inserted != len(want) || sum.Duplicates != 0 || sum.Rejected != 0 {
		t.Errorf("import summary %+v, want %d inserted", sum, len(want))
	}
	if diff := cmp.Diff(sortedExtIDs(want), sortedExtIDs(r.stored(t))); diff != "" {
		t.Fatalf("stored trades (-fake +stored):\n%s", diff)
	}
	if r.fake.Refreshes() != 1 {
		t.Errorf("%d refreshes, want 1", r.fake.Refreshes())
	}
	// The rotation is stored, sealed: the connection opens to the pair the fake issued last, and
	// its bytes hold neither token in the clear.
	stored, err := r.store.Connections().Get(ctx, r.conn.UserID, r.conn.ID)
	if err != nil {
		t.Fatal(err)
	}
	tok, err := r.tokens.Token(ctx)
	if err != nil {
		t.Fatal(err)
	}
	last := r.fake.LastIssued()
	if tok.AccessToken != last.AccessToken || tok.RefreshToken != last.RefreshToken {
		t.Error("the stored connection does not hold the rotated tokens")
	}
	for _, secret := range []string{last.AccessToken, last.RefreshToken} {
		if bytes.Contains(stored.AccessEnc, []byte(secret)) || bytes.Contains(stored.RefreshEnc, []byte(secret)) {
			t.Error("a token is stored in the clear")
		}
	}

	// The user deletes a trade; a full re-sync (checkpoint back at the start) stores nothing new.
	victim := r.stored(t)[100]
	if err := r.store.Trades().Delete(ctx, r.conn.UserID, victim.ID); err != nil {
		t.Fatal(err)
	}
	if err := r.store.Checkpoints().Put(ctx, r.conn.UserID, r.conn.ID, coinbase.Scope, r.from.Format(time.RFC3339Nano)); err != nil {
		t.Fatal(err)
	}
	again, err := r.imp.Import(ctx, r.conn.UserID, r.conn, r.client)
	if err != nil {
		t.Fatalf("re-import: %v", err)
	}
	if again.Inserted != 0 || again.Skipped != 1 || again.Duplicates != len(want)-1 {
		t.Errorf("re-import summary %+v, want 0 inserted, 1 skipped, %d duplicates", again, len(want)-1)
	}
	after := r.stored(t)
	if len(after) != len(want)-1 || slices.ContainsFunc(after, func(tr coach.Trade) bool { return tr.ExtID == victim.ExtID }) {
		t.Errorf("after re-import: %d trades (want %d), deleted %s revived: %v", len(after), len(want)-1, victim.ExtID,
			slices.ContainsFunc(after, func(tr coach.Trade) bool { return tr.ExtID == victim.ExtID }))
	}

	// The refresh token dies (expired at Coinbase) while the access token expires: the next
	// import revokes the connection.
	r.fake.ExpireRefreshTokens()
	r.fake.ExpireAccessTokensAfter(0)
	_, err = r.imp.Import(ctx, r.conn.UserID, r.conn, r.client)
	if coach.ErrorCode(err) != coach.EUNAUTHORIZED {
		t.Fatalf("import with a dead refresh token: %v, want EUNAUTHORIZED", err)
	}
	got, err := r.store.Connections().Get(ctx, r.conn.UserID, r.conn.ID)
	if err != nil {
		t.Fatal(err)
	}
	if got.Status != coach.ConnectionRevoked {
		t.Errorf("connection status %q, want revoked", got.Status)
	}
	p := r.lastProgress(t)
	if p.Phase != coach.ImportPhaseFailed || p.Error == nil || p.Error.Code != string(coach.EUNAUTHORIZED) || p.Error.Message != coach.ErrorMessage(coinbase.ErrRevoked) {
		t.Errorf("last import.progress %+v, want failed with the re-link message", p)
	}
	audit, err := r.store.Audit().List(ctx, r.conn.UserID, 3)
	if err != nil {
		t.Fatal(err)
	}
	var actions []string
	for _, a := range audit {
		actions = append(actions, a.Action)
	}
	if diff := cmp.Diff([]string{coach.AuditImportDone, coach.AuditBrokerRevoked, coach.AuditImportStart}, actions); diff != "" {
		t.Errorf("latest audit rows, newest first (-want +got):\n%s", diff)
	}
	if _, err := r.tokens.Token(ctx); err != coinbase.ErrRevoked {
		t.Errorf("Token of the revoked connection: %v, want ErrRevoked", err)
	}
}

// TestStoredTokensSaveIsCompareAndSwap: a Save whose prev is not the stored pair is ECONFLICT and
// changes nothing; one whose prev is stored replaces the pair whole.
func TestStoredTokensSaveIsCompareAndSwap(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	r := newImportRig(t, 0)
	cur, err := r.tokens.Token(ctx)
	if err != nil {
		t.Fatal(err)
	}
	next := &oauth2.Token{AccessToken: "at-2", RefreshToken: "rt-2", Expiry: time.Date(2024, 2, 1, 2, 0, 0, 0, time.UTC)}
	stale := &oauth2.Token{AccessToken: cur.AccessToken, RefreshToken: "rt-spent"}
	if err := r.tokens.Save(ctx, stale, next); coach.ErrorCode(err) != coach.ECONFLICT {
		t.Fatalf("Save over a stale prev: %v, want ECONFLICT", err)
	}
	if got, _ := r.tokens.Token(ctx); got.RefreshToken != cur.RefreshToken || got.AccessToken != cur.AccessToken {
		t.Fatal("a refused Save changed the stored tokens")
	}
	if err := r.tokens.Save(ctx, cur, next); err != nil {
		t.Fatal(err)
	}
	got, err := r.tokens.Token(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(next, got, cmp.Comparer(func(a, b *oauth2.Token) bool {
		return a.AccessToken == b.AccessToken && a.RefreshToken == b.RefreshToken && a.Expiry.Equal(b.Expiry)
	})); diff != "" {
		t.Errorf("stored tokens after Save (-want +got):\n%s", diff)
	}
	// Sealed for this connection: the envelopes do not open as another connection's.
	c, _ := r.store.Connections().Get(ctx, r.conn.UserID, r.conn.ID)
	other := c
	other.ID = coach.NewID()
	if _, err := r.sealer.Open(ctx, seal.For(other, seal.PurposeRefresh), seal.SealedOf(c.RefreshEnc)); err == nil {
		t.Error("the refresh token opens under another connection")
	}
	if _, err := r.sealer.Open(ctx, seal.For(c, seal.PurposeAccess), seal.SealedOf(c.RefreshEnc)); err == nil {
		t.Error("the refresh token opens as the access token")
	}
}

// mustImporter returns broker.NewImporter(cfg) or fails the test.
func mustImporter(t testing.TB, cfg broker.ImporterConfig) *broker.Importer {
	t.Helper()
	imp, err := broker.NewImporter(cfg)
	if err != nil {
		t.Fatal(err)
	}
	return imp
}
