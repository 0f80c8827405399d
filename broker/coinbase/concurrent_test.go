package coinbase_test

import (
	"context"
	"crypto/rand"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/tradecoach/coach"
	"github.com/tradecoach/coach/broker/coinbase"
	"github.com/tradecoach/coach/broker/seal"
	"github.com/tradecoach/coach/storage"
	"github.com/tradecoach/coach/storage/memory"
	"github.com/tradecoach/coach/storage/postgres/postgrestest"
	"golang.org/x/oauth2"
)

// TestStoredTokensConcurrentSavesOneWins is issue 12 point 2: two processes that refreshed from
// the same refresh token both call Save(prev, next) at once. On every adapter exactly one of each
// pair succeeds, the other gets ECONFLICT, and the stored refresh token is the winner's — none is
// silently lost.
func TestStoredTokensConcurrentSavesOneWins(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name  string
		store func(t *testing.T) storage.Store
	}{
		{"memory", func(t *testing.T) storage.Store { s := memory.New(); t.Cleanup(func() { s.Close() }); return s }},
		{"postgres", func(t *testing.T) storage.Store { return postgrestest.MustOpenTestDB(t) }},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			ctx := context.Background()
			store := tc.store(t)
			sealer := newSealer(t)
			user := coach.User{ID: coach.NewID(), Email: coach.NewID() + "@example.com", CreatedAt: time.Now().UTC()}
			if err := store.Users().Create(ctx, user); err != nil {
				t.Fatal(err)
			}
			conn := coach.BrokerConnection{ID: coach.NewID(), UserID: user.ID, Broker: coach.BrokerCoinbase,
				Status: coach.ConnectionActive, CreatedAt: time.Now().UTC()}
			conn, err := coinbase.SealTokens(ctx, sealer, conn, &oauth2.Token{AccessToken: "at-0", RefreshToken: "rt-0"})
			if err != nil {
				t.Fatal(err)
			}
			if err := store.Connections().Create(ctx, conn); err != nil {
				t.Fatal(err)
			}
			tokens := &coinbase.StoredTokens{Store: store, Sealer: sealer, UserID: user.ID, ConnectionID: conn.ID}
			const pairs = 30
			for i := range pairs {
				prev, err := tokens.Token(ctx)
				if err != nil {
					t.Fatal(err)
				}
				next := [2]*oauth2.Token{
					{AccessToken: fmt.Sprintf("at-%d-a", i), RefreshToken: fmt.Sprintf("rt-%d-a", i)},
					{AccessToken: fmt.Sprintf("at-%d-b", i), RefreshToken: fmt.Sprintf("rt-%d-b", i)},
				}
				var errs [2]error
				var wg sync.WaitGroup
				start := make(chan struct{})
				for k := range 2 {
					wg.Go(func() {
						<-start
						errs[k] = tokens.Save(ctx, prev, next[k])
					})
				}
				close(start)
				wg.Wait()
				winner := -1
				for k, err := range errs {
					switch coach.ErrorCode(err) {
					case "":
						if winner >= 0 {
							t.Fatalf("pair %d: both Saves from the same prev succeeded; one rotation is lost", i)
						}
						winner = k
					case coach.ECONFLICT:
					default:
						t.Fatalf("pair %d: Save %d: %v, want success or ECONFLICT", i, k, err)
					}
				}
				if winner < 0 {
					t.Fatalf("pair %d: neither Save succeeded (%v, %v)", i, errs[0], errs[1])
				}
				got, err := tokens.Token(ctx)
				if err != nil {
					t.Fatal(err)
				}
				if got.RefreshToken != next[winner].RefreshToken || got.AccessToken != next[winner].AccessToken {
					t.Fatalf("pair %d: stored tokens are not the winner's", i)
				}
			}
		})
	}
}

func newSealer(t *testing.T) *seal.Sealer {
	t.Helper()
	key := make([]byte, seal.KeySize)
	if _, err := rand.Read(key); err != nil {
		t.Fatal(err)
	}
	kek, err := seal.NewLocalKEK(key)
	if err != nil {
		t.Fatal(err)
	}
	s, err := seal.New(seal.Config{KEK: kek})
	if err != nil {
		t.Fatal(err)
	}
	return s
}
