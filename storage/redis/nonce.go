package redis

import (
	"context"
	"time"

	goredis "github.com/redis/go-redis/v9"

	"github.com/tradecoach/coach"
	"github.com/tradecoach/coach/storage"
)

var _ storage.Nonces = (*Nonces)(nil)

// Nonces is a storage.Nonces: a used nonce is a key Prefix+"nonce:"+nonce set with SET NX PX,
// so the first Use wins atomically and the key disappears when the replay window closes.
type Nonces struct {
	client goredis.UniversalClient
	prefix string
}

// Use records nonce as used for ttl; a nonce already used within its ttl is ECONFLICT. An empty
// nonce or a ttl that is not positive is EINVALID.
func (n *Nonces) Use(ctx context.Context, nonce string, ttl time.Duration) error {
	if nonce == "" {
		return coach.Errorf(coach.EINVALID, "nonce: empty")
	}
	if ttl <= 0 {
		return coach.Errorf(coach.EINVALID, "nonce: ttl must be positive, got %s", ttl)
	}
	ok, err := n.client.SetNX(ctx, n.prefix+nonce, "1", atLeastMillisecond(ttl)).Result()
	if err != nil {
		return formatError("nonce use", err)
	}
	if !ok {
		return coach.Errorf(coach.ECONFLICT, "nonce: already used")
	}
	return nil
}
