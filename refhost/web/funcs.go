package web

import (
	"html/template"

	"github.com/tradecoach/coach"
)

// funcs are the functions every template may call.
func (w *Web) funcs() template.FuncMap {
	return template.FuncMap{
		// asset is a static file's cache-busting URL.
		"asset": func(name string) string { return w.assets.url(name) },
		// newKey is a fresh idempotency key: one per rendered form.
		"newKey": coach.NewID,
		// fieldError is the message of an invalid field after a POST, "" when none.
		"fieldError": func(p page, name string) string { return p.Errors[name] },
		// value is what was typed in a field before an invalid POST.
		"value": func(p page, name string) string { return p.Form.Get(name) },
		// query is a query parameter of the page's address.
		"query": func(p page, name string) string { return p.Query.Get(name) },
		// Numbers, times and labels as a trader reads them (format.go, labels.go).
		"money":      money,
		"signed":     signed,
		"num":        plainNum,
		"tone":       tone,
		"labelName":  labelName,
		"shortLabel": shortLabel,
		"pct":        func(f float64) float64 { return f * 100 },
	}
}
