package binance

import (
	"context"
	jsonv2 "encoding/json/v2"
	"slices"
	"strings"

	"github.com/tradecoach/coach"
)

// apiRestrictionsWeight is what GET /sapi/v1/account/apiRestrictions costs (IP weight 1).
const apiRestrictionsWeight = 1

// readGrants are the permissions of a read-only key: reading the account (REST) and reading it
// over the FIX API. Every other enable… or permits… flag lets a key move or trade funds.
var readGrants = []string{"enableReading", "enableFixReadOnly"}

// APIRestrictions are the permissions of an API key as Binance reports them
// (GET /sapi/v1/account/apiRestrictions): enableReading, enableSpotAndMarginTrading,
// enableWithdrawals, enableInternalTransfer, enableMargin, enableFutures, enableVanillaOptions,
// enablePortfolioMarginTrading, enableFixApiTrade, enableFixReadOnly, permitsUniversalTransfer,
// ipRestrict, createTime, tradingAuthorityExpirationTime.
type APIRestrictions struct {
	// Granted are the names of the enable… and permits… flags that are true, sorted, as Binance
	// spells them ("enableReading", "enableSpotAndMarginTrading", …), flags Binance adds later
	// included.
	Granted []string
	// IPRestrict tells whether the key only works from the IP addresses its owner listed.
	IPRestrict bool
}

// CanRead reports whether the key may read the account (enableReading).
func (r APIRestrictions) CanRead() bool { return slices.Contains(r.Granted, "enableReading") }

// Beyond returns, sorted, the granted permissions a read-only key does not have: everything but
// enableReading and enableFixReadOnly (trading, withdrawals, transfers, margin, futures, options,
// FIX trading, and any flag Binance adds later, so that an unknown permission counts as one).
func (r APIRestrictions) Beyond() []string {
	out := []string{}
	for _, g := range r.Granted {
		if !slices.Contains(readGrants, g) {
			out = append(out, g)
		}
	}
	return out
}

// ReadOnly returns nil when the key can read the account and do nothing else; EFORBIDDEN naming
// the permissions to switch off when it can trade, withdraw or transfer, and EFORBIDDEN when it
// cannot read.
func (r APIRestrictions) ReadOnly() error {
	if beyond := r.Beyond(); len(beyond) > 0 {
		return coach.Errorf(coach.EFORBIDDEN,
			"binance: the API key is not read-only (%s enabled): create a key with only \"Enable Reading\" ticked", strings.Join(beyond, ", "))
	}
	if !r.CanRead() {
		return coach.Errorf(coach.EFORBIDDEN, "binance: the API key cannot read the account: tick \"Enable Reading\" on the key")
	}
	return nil
}

// APIRestrictions asks Binance for the key's permissions (GET /sapi/v1/account/apiRestrictions,
// signed, weight 1). It is the test call that tells a valid key from a rejected one: EINVALID
// without a key, EUNAUTHORIZED when Binance rejects the key or its signature.
func (c *Client) APIRestrictions(ctx context.Context) (APIRestrictions, error) {
	if !c.constructed() {
		return APIRestrictions{}, errNotConstructed
	}
	var out APIRestrictions
	err := c.do(ctx, request{path: "/sapi/v1/account/apiRestrictions", signed: true, weight: apiRestrictionsWeight,
		decode: func(b []byte) (err error) { out, err = decodeRestrictions(b); return err }})
	return out, err
}

// decodeRestrictions reads an apiRestrictions body. EUNAVAILABLE when it is not a JSON object, a
// name appears twice, or it has no enableReading flag (then it is not the answer expected).
func decodeRestrictions(body []byte) (APIRestrictions, error) {
	var m map[string]any
	if err := jsonv2.Unmarshal(body, &m); err != nil || m == nil {
		return APIRestrictions{}, malformed("API key restrictions")
	}
	if _, ok := m["enableReading"].(bool); !ok {
		return APIRestrictions{}, malformed("API key restrictions")
	}
	r := APIRestrictions{Granted: []string{}}
	for k, v := range m {
		on, isBool := v.(bool)
		switch {
		case k == "ipRestrict":
			r.IPRestrict = on
		case !strings.HasPrefix(k, "enable") && !strings.HasPrefix(k, "permits"):
		case !isBool:
			// A permission that is not a boolean is one this client cannot judge: count it as
			// granted, so that an unexpected answer never passes for read-only.
			r.Granted = append(r.Granted, k)
		case on:
			r.Granted = append(r.Granted, k)
		}
	}
	slices.Sort(r.Granted)
	return r, nil
}
