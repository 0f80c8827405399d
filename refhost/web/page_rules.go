package web

import (
	"encoding/json"
	"net/url"
	"slices"
	"strconv"
	"strings"

	"github.com/tradecoach/coach"
	"github.com/tradecoach/coach/rules"
	"github.com/tradecoach/coach/transport/httpjson"
)

// The Rules page (/app/rules): the trader's rules (create, edit, switch off, delete), how their
// trades stand against them, and their streaks. Every form posts to /app/rules with an action;
// web calls core with the right method. Core's field errors come back under the field, in plain
// words; static/rules.js checks the fields as they are typed.

// ruleParam is one parameter of a rule kind as a form field.
type ruleParam struct {
	Name  string // the JSON name and the form field's name
	Label string
	Hint  string
	Type  string // "number", "text", "time", "weekdays"
	Min   string
	Max   string
	Step  string
	Def   string
}

// ruleKind is a rule kind as the page offers it.
type ruleKind struct {
	Kind   string
	Name   string
	About  string
	Params []ruleParam
}

// ruleKinds are the kinds the page offers, in rules.Kinds' order.
var ruleKinds = []ruleKind{
	{Kind: rules.KindAvoidSpikeOverPct, Name: "Don't buy into a spike", About: "A buy is broken when its symbol rose more than a given percentage over the hours before it.",
		Params: []ruleParam{{Name: "pct", Label: "Rise of more than (%)", Type: "number", Min: "0.01", Max: "1000", Step: "any", Def: "10"},
			{Name: "lookbackHours", Label: "Over the last (hours)", Type: "number", Min: "1", Max: "720", Step: "1", Def: "24"}}},
	{Kind: rules.KindMaxTradesPerDay, Name: "At most N trades a day", About: "Every fill after the Nth of a day (in your time zone) is broken.",
		Params: []ruleParam{{Name: "n", Label: "Trades a day at most", Type: "number", Min: "1", Max: "1000", Step: "1", Def: "5"}}},
	{Kind: rules.KindCooldownAfterLoss, Name: "Cool down after a loss", About: "A buy within some minutes after a realized loss is broken.",
		Params: []ruleParam{{Name: "minutes", Label: "Wait at least (minutes)", Type: "number", Min: "1", Max: "10080", Step: "1", Def: "60"}}},
	{Kind: rules.KindMaxNotionalPerTrade, Name: "Cap the size of a buy", About: "A buy worth more than the amount (price × quantity) is broken.",
		Params: []ruleParam{{Name: "amount", Label: "At most", Type: "number", Min: "0.00000001", Max: "1000000000000000", Step: "any", Def: "1000"},
			{Name: "quote", Label: "In (quote asset)", Type: "text", Hint: "Such as USDT or USD.", Def: "USDT"}}},
	{Kind: rules.KindNoTradingWindow, Name: "No trading in a time window", About: "A fill in the window (your local time) is broken. A window may cross midnight.",
		Params: []ruleParam{{Name: "from", Label: "From", Type: "time", Def: "22:00"}, {Name: "to", Label: "To", Type: "time", Def: "06:00"},
			{Name: "weekdays", Label: "On these days (none means every day)", Type: "weekdays"}}},
	{Kind: rules.KindStopLossPct, Name: "Keep a stop loss", About: "Selling at a loss deeper than the percentage, or holding a position through it, is broken.",
		Params: []ruleParam{{Name: "pct", Label: "Stop below the entry price (%)", Type: "number", Min: "0.01", Max: "99.99", Step: "any", Def: "5"}}},
}

// weekdays are the weekday values of a noTradingWindow rule with their names.
var weekdays = []struct{ Value, Name string }{{"mon", "Monday"}, {"tue", "Tuesday"}, {"wed", "Wednesday"},
	{"thu", "Thursday"}, {"fri", "Friday"}, {"sat", "Saturday"}, {"sun", "Sunday"}}

// kindOf finds a kind the page offers.
func kindOf(kind string) (ruleKind, bool) {
	i := slices.IndexFunc(ruleKinds, func(k ruleKind) bool { return k.Kind == kind })
	if i < 0 {
		return ruleKind{}, false
	}
	return ruleKinds[i], true
}

// ruleKindName says a rule kind in words.
func ruleKindName(kind string) string {
	if k, ok := kindOf(kind); ok {
		return k.Name
	}
	return kind
}

// ruleField is one parameter's field of a form, filled in.
type ruleField struct {
	ruleParam
	ID      string
	Value   string
	Error   string
	Checked map[string]bool
}

// ruleForm is a create or edit form of one rule.
type ruleForm struct {
	Key    string // the form's "form" field: create-<kind> or edit-<id>
	Kind   ruleKind
	ID     string
	Fields []ruleField
	Error  string
	Open   bool
	// Weekdays are the choices of a weekdays field.
	Weekdays []struct{ Value, Name string }
}

// ruleRow is one stored rule with its standing.
type ruleRow struct {
	ID, Kind, Name, Summary string
	Active                  bool
	Standing                *rules.RuleStanding
	Edit                    ruleForm
}

// rulesData is the Rules page's data.
type rulesData struct {
	Rules    []ruleRow
	Create   []ruleForm
	Overall  *rules.Standing
	Invalid  []rules.InvalidRule
	Weekdays []struct{ Value, Name string }
	// EvalError says, in plain words, why the standing could not be worked out.
	EvalError string
}

// rulesPage renders the Rules page.
func (w *Web) rulesPage(rq *Request) (View, error) {
	var list struct {
		Rules []coach.Rule `json:"rules"`
	}
	if err := rq.Get("/rules", &list); err != nil {
		return View{}, err
	}
	d := rulesData{Weekdays: weekdays}
	var rep rules.Report
	standing := map[string]*rules.RuleStanding{}
	if len(list.Rules) > 0 {
		if err := rq.Get("/rules/evaluation", &rep); err != nil {
			if coach.ErrorCode(err) == coach.EINTERNAL {
				return View{}, err
			}
			d.EvalError = "How your trades stand against your rules cannot be worked out right now. Try again in a moment."
		} else {
			d.Overall, d.Invalid = &rep.Streaks.Overall, rep.Invalid
			for i := range rep.Streaks.Rules {
				standing[rep.Streaks.Rules[i].RuleID] = &rep.Streaks.Rules[i]
			}
		}
	}
	for _, r := range list.Rules {
		k, _ := kindOf(r.Kind)
		if k.Kind == "" {
			k = ruleKind{Kind: r.Kind, Name: r.Kind}
		}
		var params map[string]any
		_ = json.Unmarshal(r.Params, &params)
		row := ruleRow{ID: r.ID, Kind: r.Kind, Name: k.Name, Summary: ruleSummary(r.Kind, params), Active: r.Active, Standing: standing[r.ID]}
		row.Edit = newRuleForm(rq, "edit-"+r.ID, k, r.ID, params)
		d.Rules = append(d.Rules, row)
	}
	for _, k := range ruleKinds {
		d.Create = append(d.Create, newRuleForm(rq, "create-"+k.Kind, k, "", nil))
	}
	return View{Template: "rules", Data: d}, nil
}

// newRuleForm fills a form of kind k: with what was typed when it was the form posted, else with
// the rule's params (edit) or the kind's defaults (create).
func newRuleForm(rq *Request, key string, k ruleKind, id string, params map[string]any) ruleForm {
	st := formState(rq, key)
	f := ruleForm{Key: key, Kind: k, ID: id, Error: st.Errors[""], Open: st.Has(), Weekdays: weekdays}
	for _, p := range k.Params {
		fld := ruleField{ruleParam: p, ID: key + "-" + p.Name, Error: st.Errors[p.Name], Checked: map[string]bool{}}
		def := p.Def
		if params != nil {
			def = paramText(params[p.Name])
		}
		fld.Value = st.Or(p.Name, def)
		if p.Type == "weekdays" {
			if st.Has() {
				for _, v := range rq.Form["weekdays"] {
					fld.Checked[v] = true
				}
			} else if list, ok := params["weekdays"].([]any); ok {
				for _, v := range list {
					if s, ok := v.(string); ok {
						fld.Checked[s] = true
					}
				}
			}
		}
		f.Fields = append(f.Fields, fld)
	}
	return f
}

// paramText writes a parameter's JSON value for a form field.
func paramText(v any) string {
	switch x := v.(type) {
	case string:
		return x
	case float64:
		return strconv.FormatFloat(x, 'f', -1, 64)
	}
	return ""
}

// ruleSummary says a rule and its parameters in one line.
func ruleSummary(kind string, p map[string]any) string {
	g := func(k string) string { return paramText(p[k]) }
	switch kind {
	case rules.KindAvoidSpikeOverPct:
		return "No buy after a rise of more than " + g("pct") + "% over " + g("lookbackHours") + " hours."
	case rules.KindMaxTradesPerDay:
		return "At most " + g("n") + " trades a day."
	case rules.KindCooldownAfterLoss:
		return "Wait " + g("minutes") + " minutes after a realized loss before buying again."
	case rules.KindMaxNotionalPerTrade:
		return "No buy worth more than " + g("amount") + " " + g("quote") + "."
	case rules.KindNoTradingWindow:
		s := "No trading from " + g("from") + " to " + g("to")
		if days, ok := p["weekdays"].([]any); ok && len(days) > 0 {
			names := make([]string, 0, len(days))
			for _, d := range days {
				if s, ok := d.(string); ok {
					names = append(names, s)
				}
			}
			s += " (starting on " + strings.Join(names, ", ") + ")"
		}
		return s + "."
	case rules.KindStopLossPct:
		return "Stop loss " + g("pct") + "% below each entry."
	}
	return ""
}

// rulesPost creates, changes, switches or deletes a rule, as the form's action says.
func (w *Web) rulesPost(rq *Request) (string, error) {
	id := rq.Form.Get("id")
	if id != "" && !coach.ValidID(id) {
		return "", coach.Errorf(coach.ENOTFOUND, "no such rule")
	}
	path := "/rules/" + url.PathEscape(id)
	switch rq.Form.Get("action") {
	case "create", "update":
		k, ok := kindOf(rq.Form.Get("kind"))
		if !ok {
			return "", httpjson.Field("", "Choose one of the kinds of rule offered.")
		}
		params, err := ruleParams(k, rq.Form)
		if err != nil {
			return "", err
		}
		active := rq.Form.Get("active") != "off"
		body := map[string]any{"kind": k.Kind, "params": params, "active": active}
		if rq.Form.Get("action") == "create" {
			err = rq.Send("POST", "/rules", body, nil)
		} else {
			err = rq.Send("PUT", path, body, nil)
		}
		if err != nil {
			return "", ruleInvalid(err, k)
		}
	case "toggle":
		var r coach.Rule
		if err := rq.Get(path, &r); err != nil {
			return "", err
		}
		if err := rq.Send("PUT", path, map[string]any{"kind": r.Kind, "params": r.Params, "active": !r.Active}, nil); err != nil {
			return "", err
		}
	case "delete":
		if err := rq.Send("DELETE", path, nil, nil); err != nil {
			return "", err
		}
	default:
		return "", coach.Errorf(coach.EINVALID, "the form did not say what to do")
	}
	return "/app/rules", nil
}

// ruleParams reads kind k's parameters from the form as JSON values: numbers where the kind wants
// numbers (a field that is not one is an error in plain words), strings otherwise.
func ruleParams(k ruleKind, form url.Values) (map[string]any, error) {
	out := map[string]any{}
	var errs httpjson.FieldErrors
	for _, p := range k.Params {
		v := strings.TrimSpace(form.Get(p.Name))
		switch p.Type {
		case "weekdays":
			if days := form["weekdays"]; len(days) > 0 {
				out["weekdays"] = days
			}
		case "number":
			if v == "" {
				errs = append(errs, httpjson.FieldError{Field: p.Name, Message: "Enter a number."})
				continue
			}
			if p.Name == "amount" {
				out[p.Name] = v // a decimal, kept exact as a string
				if _, err := strconv.ParseFloat(v, 64); err != nil {
					errs = append(errs, httpjson.FieldError{Field: p.Name, Message: "Enter a number, such as 250 or 99.5."})
				}
				continue
			}
			f, err := strconv.ParseFloat(v, 64)
			if err != nil {
				errs = append(errs, httpjson.FieldError{Field: p.Name, Message: "Enter a number, such as 10 or 2.5."})
				continue
			}
			if p.Step == "1" {
				if f != float64(int64(f)) {
					errs = append(errs, httpjson.FieldError{Field: p.Name, Message: "Enter a whole number."})
					continue
				}
				out[p.Name] = int64(f)
				continue
			}
			out[p.Name] = f
		default:
			if v == "" {
				errs = append(errs, httpjson.FieldError{Field: p.Name, Message: "Fill this in."})
				continue
			}
			out[p.Name] = v
		}
	}
	if len(errs) > 0 {
		return nil, errs
	}
	return out, nil
}

// ruleInvalid maps core's invalid answer to the fields of kind k's form.
func ruleInvalid(err error, k ruleKind) error {
	fields := map[string]string{"kind": ""}
	for _, p := range k.Params {
		fields[p.Name] = p.Name
		fields["params."+p.Name] = p.Name
	}
	return formInvalid(err, fields)
}
