package core

import (
	"net/http"

	"github.com/tradecoach/coach/broker/seal"
	"github.com/tradecoach/coach/transport/httpjson"
)

// binanceKey is the body of POST /brokers/binance. The secret is a seal.Token from the moment it
// is decoded, so that it never prints.
type binanceKey struct {
	APIKey    string     `json:"apiKey"`
	SecretKey seal.Token `json:"secretKey"`
}

// Validate names the first missing field.
func (k binanceKey) Validate() error {
	switch {
	case k.APIKey == "":
		return httpjson.Field("apiKey", "required")
	case k.SecretKey.IsZero():
		return httpjson.Field("secretKey", "required")
	}
	return nil
}

// connectBinance links the user's Binance account by an API key pair: a signed test call must
// show a read-only key (forbidden, naming the permissions to switch off, for a key that can
// trade, withdraw or transfer; invalid for one Binance rejects; nothing stored either way). The
// accepted pair is sealed, the connection stored with a broker_linked audit row, and its first
// import enqueued. 201 with the connection.
func (a *API) connectBinance(r *http.Request, userID string) (int, any, error) {
	if a.linker == nil {
		return fail(errNoLinker)
	}
	var in binanceKey
	if err := httpjson.Decode(r, maxBodyBytes, &in); err != nil {
		return fail(err)
	}
	conn, err := a.linker.LinkBinance(r.Context(), userID, in.APIKey, in.SecretKey)
	if err != nil {
		return fail(err)
	}
	if err := a.enqueueImport(r, conn); err != nil {
		return fail(err)
	}
	return http.StatusCreated, conn, nil
}
