package jobs

import (
	"bytes"
	"encoding/json"
	"time"

	"github.com/tradecoach/coach"
	"github.com/tradecoach/coach/digest"
)

// Payload bounds.
const (
	// maxPayloadBytes bounds the JSON of a payload: jobs point at data, they do not carry it.
	maxPayloadBytes = 8 << 10
	// MaxSymbols bounds ImportPayload.Symbols.
	MaxSymbols = 200
	// maxVersion bounds ScorePayload.DefinitionVersion, as bias.Config.Version is bounded.
	maxVersion = 32
)

// ImportPayload is the input of import.trades: import a broker connection's fills in
// [WindowStart, WindowEnd) (broker.Importer.ImportWindow).
type ImportPayload struct {
	UserID       string    `json:"userId"`
	ConnectionID string    `json:"connectionId"`
	WindowStart  time.Time `json:"windowStart"`
	WindowEnd    time.Time `json:"windowEnd"`
	// Symbols restricts the import to these pairs; none means every pair the broker can discover
	// (broker.FillsRequest.Symbols).
	Symbols []coach.Symbol `json:"symbols,omitempty"`
}

// Validate reports the first invalid field of p.
func (p ImportPayload) Validate() error {
	switch {
	case !coach.ValidID(p.UserID):
		return coach.Errorf(coach.EINVALID, "userId: required")
	case !coach.ValidID(p.ConnectionID):
		return coach.Errorf(coach.EINVALID, "connectionId: required")
	case p.WindowStart.IsZero() || p.WindowEnd.IsZero() || !p.WindowStart.Before(p.WindowEnd):
		return coach.Errorf(coach.EINVALID, "windowStart: the window must have a start before its end")
	case len(p.Symbols) > MaxSymbols:
		return coach.Errorf(coach.EINVALID, "symbols: more than %d", MaxSymbols)
	}
	for _, s := range p.Symbols {
		if !s.Valid() {
			return coach.Errorf(coach.EINVALID, "symbols: %q is not BASE-QUOTE", clip(string(s), 40))
		}
	}
	return nil
}

// ScorePayload is the input of score.bias: score the user's trades in [From, To)
// (bias.Service.ScoreUser) with the definitions DefinitionVersion names.
type ScorePayload struct {
	UserID            string    `json:"userId"`
	From              time.Time `json:"from"`
	To                time.Time `json:"to"`
	DefinitionVersion string    `json:"definitionVersion"`
}

// Validate reports the first invalid field of p.
func (p ScorePayload) Validate() error {
	switch {
	case !coach.ValidID(p.UserID):
		return coach.Errorf(coach.EINVALID, "userId: required")
	case p.From.IsZero() || p.To.IsZero() || !p.From.Before(p.To):
		return coach.Errorf(coach.EINVALID, "from: the window must have a start before its end")
	case !printable(p.DefinitionVersion, maxVersion):
		return coach.Errorf(coach.EINVALID, "definitionVersion: want 1-%d printable ASCII characters", maxVersion)
	}
	return nil
}

// SimulatePayload is the input of simulate.simple: run the user's stored simulation run
// (sim.Service.Run).
type SimulatePayload struct {
	UserID string `json:"userId"`
	RunID  string `json:"runId"`
}

// Validate reports the first invalid field of p.
func (p SimulatePayload) Validate() error {
	switch {
	case !coach.ValidID(p.UserID):
		return coach.Errorf(coach.EINVALID, "userId: required")
	case !coach.ValidID(p.RunID):
		return coach.Errorf(coach.EINVALID, "runId: required")
	}
	return nil
}

// DigestPayload is the input of digest.weekly: build the user's digest of the ISO week Week
// ("2026-W04", digest.ParseWeek) in their time zone (digest.Service.Weekly), and mail it unless
// NoMail is set.
type DigestPayload struct {
	UserID string `json:"userId"`
	Week   string `json:"week"`
	// NoMail builds and stores the digest without mailing it, and leaves its DeliveredAt as it
	// is: the backfill after an import (DigestBackfillJob) rebuilds past weeks this way. Left
	// out of the JSON when false ("noMail": true otherwise), so a payload without it — every
	// payload written before it existed — mails as before. A worker older than the field
	// refuses a payload that carries it as EINVALID (unknown field): deploy workers first.
	NoMail bool `json:"noMail,omitempty"`
}

// Validate reports the first invalid field of p.
func (p DigestPayload) Validate() error {
	if !coach.ValidID(p.UserID) {
		return coach.Errorf(coach.EINVALID, "userId: required")
	}
	if _, err := digest.ParseWeek(p.Week); err != nil {
		return coach.Errorf(coach.EINVALID, "week: want an ISO week such as 2026-W04")
	}
	return nil
}

// ParseImport reads an ImportPayload from a job's payload strictly (at most 8 KiB, one JSON
// object, known fields only), then Validate. Any other input is EINVALID, naming the problem.
func ParseImport(b []byte) (ImportPayload, error) {
	var p ImportPayload
	return p, parse(b, "import.trades", &p, func() error { return p.Validate() })
}

// ParseScore reads a ScorePayload as ParseImport reads an ImportPayload.
func ParseScore(b []byte) (ScorePayload, error) {
	var p ScorePayload
	return p, parse(b, "score.bias", &p, func() error { return p.Validate() })
}

// ParseSimulate reads a SimulatePayload as ParseImport reads an ImportPayload.
func ParseSimulate(b []byte) (SimulatePayload, error) {
	var p SimulatePayload
	return p, parse(b, "simulate.simple", &p, func() error { return p.Validate() })
}

// ParseDigest reads a DigestPayload as ParseImport reads an ImportPayload.
func ParseDigest(b []byte) (DigestPayload, error) {
	var p DigestPayload
	return p, parse(b, "digest.weekly", &p, func() error { return p.Validate() })
}

// parse decodes b into v strictly and validates it; on error v is left as decoded, and the
// caller's result is meaningless.
func parse(b []byte, what string, v any, validate func() error) error {
	b = bytes.TrimSpace(b)
	switch {
	case len(b) > maxPayloadBytes:
		return coach.Errorf(coach.EINVALID, "%s payload: larger than %d bytes", what, maxPayloadBytes)
	case len(b) == 0 || b[0] != '{':
		return coach.Errorf(coach.EINVALID, "%s payload: want a JSON object", what)
	}
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.DisallowUnknownFields()
	if err := dec.Decode(v); err != nil {
		return coach.Errorf(coach.EINVALID, "%s payload: not the payload's JSON", what)
	}
	if _, err := dec.Token(); err == nil {
		return coach.Errorf(coach.EINVALID, "%s payload: data after the JSON object", what)
	}
	if err := validate(); err != nil {
		return coach.Errorf(coach.EINVALID, "%s payload: %s", what, coach.ErrorMessage(err))
	}
	return nil
}

// printable reports whether s has 1 to n characters, each printable ASCII.
func printable(s string, n int) bool {
	if len(s) == 0 || len(s) > n {
		return false
	}
	for i := 0; i < len(s); i++ {
		if s[i] < 0x20 || s[i] > 0x7e {
			return false
		}
	}
	return true
}

// clip shortens untrusted input quoted in an error message.
func clip(s string, n int) string {
	if len(s) <= n {
		return s
	}
	return s[:n] + "…"
}
