package broker

import (
	"context"
	"time"

	"github.com/tradecoach/coach"
	"github.com/tradecoach/coach/storage"
)

// ImportLeaseKey is the storage.Leases key an Importer holds while it imports connectionID of
// userID: storage.UserKey(userID, "import", connectionID), so that erasing the user removes it.
func ImportLeaseKey(userID, connectionID string) string {
	return storage.UserKey(userID, "import", connectionID)
}

// lease takes the connection's import lease when the Importer has Leases, and keeps it extended
// until release is called. The returned context ends when the lease is lost (another worker may
// then run the import), so that this run stops rather than run alongside it.
func (im *Importer) lease(ctx context.Context, userID, connectionID string) (release func(), _ context.Context, _ error) {
	if im.leases == nil {
		return func() {}, ctx, nil
	}
	key := ImportLeaseKey(userID, connectionID)
	// Each run is an owner of its own: two runs of one Importer (two jobs of the same connection
	// on one worker) must exclude each other as runs on two workers do.
	owner := im.owner + ":" + coach.NewID()
	ok, err := im.leases.Acquire(ctx, key, owner, im.ttl)
	if err != nil {
		return nil, ctx, err
	}
	if !ok {
		return nil, ctx, coach.Errorf(coach.ECONFLICT, "import: an import of connection %s is already running", clip(connectionID, 64))
	}
	run, cancel := context.WithCancelCause(ctx)
	stop, done := make(chan struct{}), make(chan struct{})
	go func() {
		defer close(done)
		tick := time.NewTicker(im.ttl / 3)
		defer tick.Stop()
		for {
			select {
			case <-stop:
				return
			case <-run.Done():
				return
			case <-tick.C:
				if held, err := im.leases.Extend(run, key, owner, im.ttl); err == nil && !held {
					cancel(coach.Errorf(coach.ECONFLICT, "import: lost the lease of connection %s", clip(connectionID, 64)))
					return
				}
			}
		}
	}()
	return func() {
		close(stop)
		<-done
		cancel(nil)
		rctx, rcancel := context.WithTimeout(context.WithoutCancel(ctx), recordTimeout)
		defer rcancel()
		if err := im.leases.Release(rctx, key, owner); err != nil {
			im.log.WarnContext(ctx, "broker: releasing an import lease failed", "connectionId", connectionID, "code", coach.ErrorCode(err))
		}
	}, run, nil
}
