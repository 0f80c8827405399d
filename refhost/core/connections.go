package core

import (
	"net/http"
	"strings"

	"github.com/tradecoach/coach"
	"github.com/tradecoach/coach/broker"
	"github.com/tradecoach/coach/storage"
)

// listConnections answers the user's broker connections (never their credentials).
func (a *API) listConnections(r *http.Request, userID string) (int, any, error) {
	cs, err := a.store.Connections().List(r.Context(), userID)
	if err != nil {
		return fail(err)
	}
	return ok(map[string]any{"connections": nonNil(cs)})
}

// connectDemo links the demo broker and imports its history in the background.
func (a *API) connectDemo(r *http.Request, userID string) (int, any, error) {
	conn := coach.BrokerConnection{ID: coach.NewID(), UserID: userID, Broker: coach.BrokerDemo, Status: coach.ConnectionActive,
		Scope: "read", AccessEnc: []byte("demo: no credential"), CreatedAt: a.clock.Now().UTC()}
	err := a.store.InTx(r.Context(), func(tx storage.Tx) error {
		if err := tx.Connections().Create(r.Context(), conn); err != nil {
			return err
		}
		return a.audit(r, tx, userID, coach.AuditBrokerLinked, "connectionId", conn.ID, "broker", conn.Broker)
	})
	if err != nil {
		return fail(err)
	}
	if err := a.enqueueImport(r, conn); err != nil {
		return fail(err)
	}
	return http.StatusCreated, conn, nil
}

// uploadCSV imports a CSV file (the body, text/csv) through the user's file connection, made
// at the first upload. Query: skipBadRows=true imports the valid rows of a file with bad ones.
func (a *API) uploadCSV(r *http.Request, userID string) (int, any, error) {
	if ct := r.Header.Get("Content-Type"); !strings.HasPrefix(ct, "text/csv") {
		return fail(coach.Errorf(coach.EINVALID, "the body must be text/csv"))
	}
	conn, err := a.fileConnection(r, userID)
	if err != nil {
		return fail(err)
	}
	res, err := a.svc.Importer.ImportCSV(r.Context(), userID, conn, r.Body, broker.CSVOptions{
		SkipBadRows: r.URL.Query().Get("skipBadRows") == "true", MaxBytes: maxUploadBytes})
	if err != nil && len(res.Errors) > 0 {
		return http.StatusUnprocessableEntity, map[string]any{"code": coach.EINVALID, "message": coach.ErrorMessage(err), "import": res}, nil
	}
	if err != nil {
		return fail(err)
	}
	return ok(res)
}

// fileConnection returns the user's coach.BrokerCSV connection, made on first use.
func (a *API) fileConnection(r *http.Request, userID string) (coach.BrokerConnection, error) {
	cs, err := a.store.Connections().List(r.Context(), userID)
	if err != nil {
		return coach.BrokerConnection{}, err
	}
	for _, c := range cs {
		if c.Broker == coach.BrokerCSV && c.Status != coach.ConnectionRevoked {
			return c, nil
		}
	}
	conn := coach.BrokerConnection{ID: coach.NewID(), UserID: userID, Broker: coach.BrokerCSV, Status: coach.ConnectionActive,
		Scope: "file", AccessEnc: []byte("file uploads: no credential"), CreatedAt: a.clock.Now().UTC()}
	err = a.store.InTx(r.Context(), func(tx storage.Tx) error {
		if err := tx.Connections().Create(r.Context(), conn); err != nil {
			return err
		}
		return a.audit(r, tx, userID, coach.AuditBrokerLinked, "connectionId", conn.ID, "broker", conn.Broker)
	})
	return conn, err
}

func (a *API) pauseConnection(r *http.Request, userID string) (int, any, error) {
	return a.setStatus(r, userID, coach.ConnectionPaused)
}

func (a *API) resumeConnection(r *http.Request, userID string) (int, any, error) {
	return a.setStatus(r, userID, coach.ConnectionActive)
}

// setStatus pauses or resumes a connection; a revoked one must be linked again instead.
func (a *API) setStatus(r *http.Request, userID, status string) (int, any, error) {
	c, err := a.store.Connections().Get(r.Context(), userID, r.PathValue("id"))
	if err != nil {
		return fail(err)
	}
	if c.Status == coach.ConnectionRevoked {
		return fail(coach.Errorf(coach.ECONFLICT, "connection %s was revoked: link the broker again", c.ID))
	}
	c.Status = status
	if err := a.store.Connections().Update(r.Context(), c); err != nil {
		return fail(err)
	}
	return ok(c)
}

// disconnect removes a connection and its credentials; its trades stay.
func (a *API) disconnect(r *http.Request, userID string) (int, any, error) {
	id := r.PathValue("id")
	err := a.store.InTx(r.Context(), func(tx storage.Tx) error {
		c, err := tx.Connections().Get(r.Context(), userID, id)
		if err != nil {
			return err
		}
		if err := tx.Connections().Delete(r.Context(), userID, id); err != nil {
			return err
		}
		return a.audit(r, tx, userID, coach.AuditBrokerUnlinked, "connectionId", id, "broker", c.Broker)
	})
	if err != nil {
		return fail(err)
	}
	return noContent()
}

// syncNow queues an import of what the connection has had since it last synced and answers 202;
// conflict when an import of it is running or queued, rate_limited (with Retry-After) when it
// was synced on request under a minute ago.
func (a *API) syncNow(r *http.Request, userID string) (int, any, error) {
	j, err := a.syncer.SyncNow(r.Context(), userID, r.PathValue("id"))
	if err != nil {
		return fail(err)
	}
	return http.StatusAccepted, map[string]string{"jobId": j.ID}, nil
}
