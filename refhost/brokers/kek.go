package brokers

import (
	"context"
	"strings"

	"github.com/tradecoach/coach"
	"github.com/tradecoach/coach/broker/seal"
	"github.com/tradecoach/coach/broker/seal/awskms"
	"github.com/tradecoach/coach/refhost/config"
)

// KEKs returns the key-encryption key that wraps new data keys and the previous ones whose
// envelopes still open: the AWS KMS key of REFHOST_KMS_KEY_ID when set (the local REFHOST_KEK and
// REFHOST_KMS_PREVIOUS_KEY_IDS then previous), else the local key, the default. EINVALID when
// neither is set or one is malformed. Building a KMS key makes no call to KMS.
func KEKs(ctx context.Context, cfg config.Config) (seal.KEK, []seal.KEK, error) {
	var local seal.KEK
	if cfg.KEK != nil {
		k, err := seal.NewLocalKEK(cfg.KEK)
		if err != nil {
			return nil, nil, coach.Errorf(coach.EINVALID, "brokers: REFHOST_KEK: want %d bytes of hex", config.KEKBytes)
		}
		local = k
	}
	if cfg.KMSKeyID == "" {
		if local == nil {
			return nil, nil, coach.Errorf(coach.EINVALID, "brokers: REFHOST_KEK or REFHOST_KMS_KEY_ID is required")
		}
		if cfg.KMSPreviousKeyIDs != "" {
			return nil, nil, coach.Errorf(coach.EINVALID, "brokers: REFHOST_KMS_PREVIOUS_KEY_IDS needs REFHOST_KMS_KEY_ID")
		}
		return local, nil, nil
	}
	open := func(keyID string) (seal.KEK, error) {
		return awskms.Open(ctx, awskms.ClientConfig{KeyID: keyID, Region: cfg.KMSRegion, Endpoint: cfg.KMSEndpoint})
	}
	current, err := open(cfg.KMSKeyID)
	if err != nil {
		return nil, nil, err
	}
	var previous []seal.KEK
	if local != nil {
		previous = append(previous, local)
	}
	for _, id := range strings.Split(cfg.KMSPreviousKeyIDs, ",") {
		if id = strings.TrimSpace(id); id == "" {
			continue
		}
		k, err := open(id)
		if err != nil {
			return nil, nil, err
		}
		previous = append(previous, k)
	}
	return current, previous, nil
}
