package sim

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"

	"github.com/tradecoach/coach/storage"
)

// CacheKey returns the key a simulation's result is cached under, storage.UserKey(userID, "sim",
// hex) = "u:{userID}:sim:{hex}" (so that erasing the user removes it), where hex
// is the SHA-256 of Version, userID, the canonical JSON of the scenario (rule ids sorted) and of
// the parameters (times in UTC, decimals without trailing zeros, Points 0 written as
// DefaultPoints), and dataHash, which names the data the result was computed from (the Service
// passes Data.CandlesSHA256, Data.TradesSHA256, and the reporting currency with HashCandles of
// the candles InCurrency was converted through). Equal inputs give equal keys on every machine; a
// change of any of them, or of Version, gives another key.
func CacheKey(userID string, sc Scenario, p Params, dataHash string) string {
	p = p.canonical()
	p.Points = p.points()
	type keyDoc struct {
		Version  string   `json:"version"`
		UserID   string   `json:"userId"`
		Scenario Scenario `json:"scenario"`
		Params   Params   `json:"params"`
		Data     string   `json:"data"`
	}
	// Marshalling these types cannot fail: no channels, functions or non-finite floats once the
	// scenario is valid (and a non-finite float of an invalid one is written as an error string,
	// which still keys it apart).
	b, err := json.Marshal(keyDoc{Version: Version, UserID: userID, Scenario: sc.canonical(), Params: p, Data: dataHash})
	if err != nil {
		b = []byte(err.Error() + "\x00" + userID + "\x00" + dataHash)
	}
	sum := sha256.Sum256(b)
	return storage.UserKey(userID, "sim", hex.EncodeToString(sum[:]))
}
