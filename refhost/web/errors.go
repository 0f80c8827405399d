package web

import (
	"bytes"
	"net/http"

	"github.com/tradecoach/coach"
	"github.com/tradecoach/coach/transport/httpjson"
)

// errNotFound is the error of a path no page has.
var errNotFound = coach.Errorf(coach.ENOTFOUND, "no such page")

// problem is the error page's data: a heading and what to do, in plain words.
type problem struct {
	Heading string
	Text    string
	Status  int
}

// problemOf says err in plain words. Only an invalid error's own message is shown (core and web
// write those for people); every other code has a fixed text, so no internal detail, stack or
// driver message ever reaches the page.
func problemOf(err error) problem {
	code := coach.ErrorCode(err)
	p := problem{Status: httpjson.StatusOf(code)}
	switch code {
	case coach.EINVALID:
		p.Heading, p.Text = "That did not work", "Something in the request was not valid: "+coach.ErrorMessage(err)+"."
		if _, ok := err.(httpjson.ErrTooLarge); ok {
			p.Status, p.Text = http.StatusRequestEntityTooLarge, "What you sent is too large. A CSV file may be at most 8 MB."
		}
	case coach.ENOTFOUND:
		p.Heading, p.Text = "Not found", "This page does not exist, or it belongs to someone else. Check the address, or go back to your dashboard."
	case coach.EUNAUTHORIZED:
		p.Heading, p.Text = "Please sign in", "You need to sign in to see this page."
	case coach.EFORBIDDEN:
		p.Heading, p.Text = "Not allowed", "This action was refused. Reload the page and try again."
	case coach.ECONFLICT:
		p.Heading, p.Text = "Changed meanwhile", "This was changed or is already in progress. Reload the page to see where things stand."
	case coach.EGONE:
		p.Heading, p.Text = "No longer kept", "What you asked for is past the time we keep it."
	case coach.ERATELIMITED:
		p.Heading, p.Text = "Too many requests", "You have made many requests in a short time. Wait a minute and try again."
	case coach.EUNAVAILABLE, coach.ECANCELED, coach.ERETRYABLE:
		p.Heading, p.Text = "Try again in a moment", "The service is busy or briefly unreachable. Nothing was lost; try again in a moment."
	default:
		p.Heading, p.Text = "Something went wrong on our side", "It has been logged and we will look into it. Try again, or come back later."
	}
	return p
}

// renderError answers the error page of err (a visitor's unauthorized error sends them to sign
// in); an internal error is logged with its cause, never shown.
func (w *Web) renderError(rw http.ResponseWriter, r *http.Request, id identity, err error) {
	code := coach.ErrorCode(err)
	if code == coach.EUNAUTHORIZED && r.Method == http.MethodGet {
		toSignin(rw, r)
		return
	}
	if code == coach.EINTERNAL {
		w.cfg.Logger.ErrorContext(r.Context(), "web: internal error", "method", r.Method, "path", r.URL.Path, "err", err)
	}
	p := problemOf(err)
	var buf bytes.Buffer
	t := w.pages["error"]
	if t == nil || t.ExecuteTemplate(&buf, "layout.html", page{User: id.user != "", CSRF: id.csrf, Path: r.URL.Path, Data: p}) != nil {
		buf.Reset()
		buf.WriteString("<!doctype html><html lang=\"en\"><title>Error</title><p>Something went wrong on our side. Try again later.</p></html>")
	}
	writePage(rw, p.Status, buf.Bytes())
}
