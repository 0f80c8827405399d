package core

import (
	"encoding/json"
	"net/http"

	"github.com/tradecoach/coach"
	"github.com/tradecoach/coach/transport/httpjson"
)

// ruleRequest is a rule as the trader writes it.
type ruleRequest struct {
	Kind   string          `json:"kind"`
	Params json.RawMessage `json:"params"`
	Active *bool           `json:"active"`
}

func (in ruleRequest) rule() coach.Rule {
	active := in.Active == nil || *in.Active
	return coach.Rule{Kind: in.Kind, Params: in.Params, Active: active}
}

func (a *API) listRules(r *http.Request, userID string) (int, any, error) {
	rs, err := a.svc.Rules.List(r.Context(), userID)
	if err != nil {
		return fail(err)
	}
	return ok(map[string]any{"rules": nonNil(rs)})
}

func (a *API) createRule(r *http.Request, userID string) (int, any, error) {
	var in ruleRequest
	if err := httpjson.Decode(r, maxBodyBytes, &in); err != nil {
		return fail(err)
	}
	rule, err := a.svc.Rules.Create(r.Context(), userID, in.rule())
	if err != nil {
		return fail(err)
	}
	return http.StatusCreated, rule, nil
}

func (a *API) getRule(r *http.Request, userID string) (int, any, error) {
	rule, err := a.svc.Rules.Get(r.Context(), userID, r.PathValue("id"))
	if err != nil {
		return fail(err)
	}
	return ok(rule)
}

func (a *API) updateRule(r *http.Request, userID string) (int, any, error) {
	var in ruleRequest
	if err := httpjson.Decode(r, maxBodyBytes, &in); err != nil {
		return fail(err)
	}
	rule := in.rule()
	rule.ID = r.PathValue("id")
	out, err := a.svc.Rules.Update(r.Context(), userID, rule)
	if err != nil {
		return fail(err)
	}
	return ok(out)
}

func (a *API) deleteRule(r *http.Request, userID string) (int, any, error) {
	if err := a.svc.Rules.Delete(r.Context(), userID, r.PathValue("id")); err != nil {
		return fail(err)
	}
	return noContent()
}

// evaluateRules answers how the user's trades stand against their rules, with streaks. Query:
// from, to (RFC 3339; open when absent).
func (a *API) evaluateRules(r *http.Request, userID string) (int, any, error) {
	q := newQuery(r)
	from, to := q.time("from"), q.time("to")
	if err := q.err(); err != nil {
		return fail(err)
	}
	rep, err := a.svc.Rules.EvaluateUser(r.Context(), userID, from, to)
	if err != nil {
		return fail(err)
	}
	return ok(rep)
}
