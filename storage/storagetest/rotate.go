package storagetest

import (
	"fmt"
	"sync"
	"testing"

	"github.com/tradecoach/coach"
	"github.com/tradecoach/coach/storage"
)

// runRotate checks Connections.Rotate, the compare-and-swap of a refresh-token rotation.
func runRotate(t *testing.T, newStore func(*testing.T) storage.Store) {
	t.Run("RotateIsCompareAndSwap", func(t *testing.T) {
		f := setup(t, newStore)
		u, other := f.user(), f.user()
		c := connection(u.ID, coach.BrokerCoinbase, base)
		must(t, f.s.Connections().Create(f.ctx, c), "Create")

		next := c
		next.AccessEnc, next.RefreshEnc = []byte("access-2"), []byte("refresh-2")
		wantCode(t, f.s.Connections().Rotate(f.ctx, next, []byte("spent")), coach.ECONFLICT, "Rotate from a stale token")
		wantCode(t, f.s.Connections().Rotate(f.ctx, next, nil), coach.ECONFLICT, "Rotate from no token")
		got, err := f.s.Connections().Get(f.ctx, u.ID, c.ID)
		must(t, err, "Get")
		diff(t, "connection after refused rotations", c, got)

		hijack := next
		hijack.UserID = other.ID
		wantCode(t, f.s.Connections().Rotate(f.ctx, hijack, c.RefreshEnc), coach.ENOTFOUND, "Rotate as another user")
		unknown := next
		unknown.ID = coach.NewID()
		wantCode(t, f.s.Connections().Rotate(f.ctx, unknown, c.RefreshEnc), coach.ENOTFOUND, "Rotate an unknown connection")
		bad := next
		bad.Status = "lost"
		wantCode(t, f.s.Connections().Rotate(f.ctx, bad, c.RefreshEnc), coach.EINVALID, "Rotate to an invalid connection")

		must(t, f.s.Connections().Rotate(f.ctx, next, c.RefreshEnc), "Rotate from the stored token")
		got, err = f.s.Connections().Get(f.ctx, u.ID, c.ID)
		must(t, err, "Get")
		diff(t, "rotated connection", next, got)

		cleared := next
		cleared.RefreshEnc = nil
		must(t, f.s.Connections().Rotate(f.ctx, cleared, next.RefreshEnc), "Rotate to no refresh token")
		again := cleared
		again.RefreshEnc = []byte("refresh-3")
		must(t, f.s.Connections().Rotate(f.ctx, again, []byte{}), "Rotate from no refresh token (empty is none)")
	})

	// Two processes that refreshed from the same token rotate at once, pair after pair, through the
	// store directly and inside InTx: exactly one of each pair wins, the other is ECONFLICT, and
	// the stored token is the winner's (issue 12 point 2).
	t.Run("ConcurrentRotationsFromOneTokenOneWins", func(t *testing.T) {
		f := setup(t, newStore)
		u := f.user()
		c := connection(u.ID, coach.BrokerCoinbase, base)
		must(t, f.s.Connections().Create(f.ctx, c), "Create")
		const pairs = 40
		for i := range pairs {
			cur, err := f.s.Connections().Get(f.ctx, u.ID, c.ID)
			must(t, err, "Get")
			var next [2]coach.BrokerConnection
			var errs [2]error
			var wg sync.WaitGroup
			start := make(chan struct{})
			for k := range 2 {
				next[k] = cur
				next[k].AccessEnc = fmt.Appendf(nil, "access-%d-%d", i, k)
				next[k].RefreshEnc = fmt.Appendf(nil, "refresh-%d-%d", i, k)
				wg.Go(func() {
					<-start
					if i%2 == 0 {
						errs[k] = f.s.Connections().Rotate(f.ctx, next[k], cur.RefreshEnc)
						return
					}
					errs[k] = f.s.InTx(f.ctx, func(tx storage.Tx) error {
						return tx.Connections().Rotate(f.ctx, next[k], cur.RefreshEnc)
					})
				})
			}
			close(start)
			wg.Wait()
			winner := -1
			for k, err := range errs {
				switch coach.ErrorCode(err) {
				case "":
					if winner >= 0 {
						t.Fatalf("pair %d: both rotations from one token succeeded; one is lost", i)
					}
					winner = k
				case coach.ECONFLICT:
				default:
					t.Fatalf("pair %d: rotation %d: %v, want success or ECONFLICT", i, k, err)
				}
			}
			if winner < 0 {
				t.Fatalf("pair %d: neither rotation succeeded (%v; %v)", i, errs[0], errs[1])
			}
			got, err := f.s.Connections().Get(f.ctx, u.ID, c.ID)
			must(t, err, "Get")
			diff(t, fmt.Sprintf("pair %d: stored connection (the winner's)", i), next[winner], got)
		}
	})
}
