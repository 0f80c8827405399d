package core

import (
	"encoding/json"
	"net/http"

	"github.com/tradecoach/coach"
	"github.com/tradecoach/coach/broker"
	"github.com/tradecoach/coach/jobs"
	"github.com/tradecoach/coach/storage"
)

// importWindow is how far back a new connection's first import reaches.
const importWindow = broker.DefaultImportWindow

// audit appends an audit row of the user's in tx.
func (a *API) audit(r *http.Request, tx storage.Tx, userID, action string, kv ...string) error {
	return tx.Audit().Append(r.Context(), coach.Audit{ID: coach.NewID(), UserID: userID, Action: action, Meta: auditMeta(kv...),
		CreatedAt: a.clock.Now().UTC()})
}

// auditMeta is the JSON object of key/value pairs kv, for an audit row (never secrets or raw
// personal data).
func auditMeta(kv ...string) json.RawMessage {
	m := make(map[string]string, len(kv)/2)
	for i := 0; i+1 < len(kv); i += 2 {
		m[kv[i]] = kv[i+1]
	}
	b, _ := json.Marshal(m) // a map of strings always encodes
	return b
}

// enqueueImport queues the import of conn's history over the importer's window ending now.
func (a *API) enqueueImport(r *http.Request, conn coach.BrokerConnection) error {
	now := a.clock.Now().UTC()
	j, err := jobs.ImportJob(jobs.ImportPayload{UserID: conn.UserID, ConnectionID: conn.ID, WindowStart: now.Add(-importWindow), WindowEnd: now})
	if err != nil {
		return err
	}
	_, err = a.queue.Enqueue(r.Context(), j)
	return err
}

// nonNil returns s, or an empty slice for nil, so that JSON says [] rather than null.
func nonNil[T any](s []T) []T {
	if s == nil {
		return []T{}
	}
	return s
}

// clip keeps a value from the request short and printable before an error message repeats it.
func clip(s string) string {
	const n = 64
	out := []rune{}
	for _, r := range s {
		if len(out) == n {
			return string(out) + "…"
		}
		if r < ' ' || r == 0x7f {
			r = '?'
		}
		out = append(out, r)
	}
	return string(out)
}
