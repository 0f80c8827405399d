package core

import (
	"net/http"

	"github.com/tradecoach/coach"
)

// errNoLinker answers the connect routes of a core built without a Linker.
var errNoLinker = coach.Errorf(coach.EUNAVAILABLE, "linking brokers is not configured on this host")

// authorizeCoinbase starts linking the user's Coinbase account: {url} is Coinbase's consent page
// with a fresh state bound to the user (single use, expiring) and a PKCE S256 challenge.
func (a *API) authorizeCoinbase(r *http.Request, userID string) (int, any, error) {
	if a.linker == nil {
		return fail(errNoLinker)
	}
	u, err := a.linker.StartCoinbase(r.Context(), userID)
	if err != nil {
		return fail(err)
	}
	return ok(map[string]string{"url": u})
}

// coinbaseCallback finishes the link Coinbase redirected back with (?code=…&state=…): the state
// must be the user's, unexpired and unused (unauthorized otherwise, nothing stored); the code is
// exchanged with the PKCE verifier, the tokens sealed, the connection stored with a broker_linked
// audit row, and its first import enqueued. 201 with the connection.
func (a *API) coinbaseCallback(r *http.Request, userID string) (int, any, error) {
	if a.linker == nil {
		return fail(errNoLinker)
	}
	q := r.URL.Query()
	if e := q.Get("error"); e != "" && q.Get("code") == "" {
		return fail(coach.Errorf(coach.EINVALID, "coinbase did not grant access (%s): connect Coinbase again", clip(e)))
	}
	conn, err := a.linker.FinishCoinbase(r.Context(), userID, q.Get("state"), q.Get("code"))
	if err != nil {
		return fail(err)
	}
	if err := a.enqueueImport(r, conn); err != nil {
		return fail(err)
	}
	return http.StatusCreated, conn, nil
}
