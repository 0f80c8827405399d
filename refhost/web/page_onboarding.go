package web

import (
	"bytes"
	"io"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/tradecoach/coach"
)

// maxCSVBytes bounds an uploaded CSV file (core's own bound is the same order).
const maxCSVBytes = 8 << 20

// onboardingData is the onboarding page's data.
type onboardingData struct {
	Connections []coach.BrokerConnection
	// Importing is the connection whose import the page follows live (?connection=), Since the
	// event id the live module resumes after, so no progress event of it is missed.
	Importing string
	Since     string
	// Imported is the answer of a CSV upload (?imported=N&duplicates=M).
	Imported, Duplicates string
}

// onboardingPage renders the ways to bring trades in (GET /app/onboarding) and, after one was
// chosen, its import's progress.
func (w *Web) onboardingPage(rq *Request) (View, error) {
	var conns struct {
		Connections []coach.BrokerConnection `json:"connections"`
	}
	if err := rq.Get("/brokers/connections", &conns); err != nil {
		return View{}, err
	}
	q := rq.URL.Query()
	d := onboardingData{Connections: conns.Connections, Imported: q.Get("imported"), Duplicates: q.Get("duplicates")}
	for _, c := range conns.Connections {
		if c.ID == q.Get("connection") {
			d.Importing = c.ID
			if since := q.Get("since"); validEventID(since) {
				d.Since = since
			}
		}
	}
	return View{Template: "onboarding", Data: d}, nil
}

// validEventID accepts an event id (a ULID: 26 Crockford base-32 characters).
func validEventID(s string) bool {
	if len(s) != 26 {
		return false
	}
	for _, c := range s {
		if !strings.ContainsRune("0123456789ABCDEFGHJKMNPQRSTVWXYZ", c) {
			return false
		}
	}
	return true
}

// onboardingPost connects the demo broker, a Binance read-only key, or imports a CSV file, then
// shows the import's progress.
func (w *Web) onboardingPost(rq *Request) (string, error) {
	since, err := w.resumePoint(rq)
	if err != nil {
		return "", err
	}
	var conn coach.BrokerConnection
	switch rq.Form.Get("action") {
	case "demo":
		err = rq.Send(http.MethodPost, "/brokers/demo", nil, &conn)
	case "binance":
		in := map[string]string{"apiKey": strings.TrimSpace(rq.Form.Get("apiKey")), "secretKey": strings.TrimSpace(rq.Form.Get("secretKey"))}
		if in["apiKey"] == "" || in["secretKey"] == "" {
			return "", fieldsRequired(in, map[string]string{"apiKey": "Paste the API key.", "secretKey": "Paste the secret key."})
		}
		err = rq.Send(http.MethodPost, "/brokers/binance", in, &conn)
	case "csv":
		return w.uploadCSV(rq)
	default:
		return "", coach.Errorf(coach.EINVALID, "choose one of the ways to bring your trades in")
	}
	if err != nil {
		return "", err
	}
	return "/app/onboarding?" + url.Values{"connection": {conn.ID}, "since": {since}}.Encode(), nil
}

// resumePoint is the event id the page's live module resumes after: the user's newest event, or
// for a user without any, a moment ago (the relay accepts an id up to its clock).
func (w *Web) resumePoint(rq *Request) (string, error) {
	var newest struct {
		EventID string `json:"eventId"`
	}
	err := rq.Get("/internal/events/newest", &newest)
	switch {
	case err == nil && newest.EventID != "":
		return newest.EventID, nil
	case err == nil || coach.ErrorCode(err) == coach.ENOTFOUND:
		return coach.EventIDAt(w.cfg.Clock.Now().Add(-2 * time.Second)), nil
	}
	return "", err
}

// fieldsRequired is the field errors of the empty fields of in.
func fieldsRequired(in, messages map[string]string) error {
	var fe fieldErrs
	for name, v := range in {
		if v == "" {
			fe = append(fe, fieldErr{name, messages[name]})
		}
	}
	return fe.err()
}

// uploadCSV sends the uploaded file to core as text/csv and reports what it imported.
func (w *Web) uploadCSV(rq *Request) (string, error) {
	f, _, err := rq.FormFile("file")
	if err != nil {
		return "", fieldErrs{{"file", "Choose a CSV file to upload."}}.err()
	}
	defer f.Close()
	body, err := io.ReadAll(io.LimitReader(f, maxCSVBytes+1))
	if err != nil || len(body) == 0 {
		return "", fieldErrs{{"file", "The file is empty or could not be read."}}.err()
	}
	if len(body) > maxCSVBytes {
		return "", fieldErrs{{"file", "The file is larger than 8 MB. Split it and upload the parts."}}.err()
	}
	path := "/brokers/csv"
	if rq.Form.Get("skipBadRows") == "on" {
		path += "?skipBadRows=true"
	}
	var res struct {
		Inserted   int `json:"inserted"`
		Duplicates int `json:"duplicates"`
		Unchanged  int `json:"unchanged"`
	}
	if err := rq.Upload(path, "text/csv", bytes.NewReader(body), &res); err != nil {
		if coach.ErrorCode(err) == coach.EINVALID {
			return "", fieldErrs{{"file", coach.ErrorMessage(err) + "."}}.err()
		}
		return "", err
	}
	return "/app/onboarding?" + url.Values{"imported": {itoa(res.Inserted)}, "duplicates": {itoa(res.Duplicates + res.Unchanged)}}.Encode(), nil
}

// coinbaseAuthorize sends the trader to Coinbase's consent page (GET /app/onboarding/coinbase).
func (w *Web) coinbaseAuthorize(rq *Request) (View, error) {
	var auth struct {
		URL string `json:"url"`
	}
	if err := rq.Get("/brokers/coinbase/authorize", &auth); err != nil {
		return View{}, err
	}
	u, err := url.Parse(auth.URL)
	if err != nil || (u.Scheme != "https" && u.Scheme != "http") || u.Host == "" {
		return View{}, coach.Errorf(coach.EINTERNAL, "web: Coinbase's consent URL is not a URL")
	}
	return View{Redirect: u.String()}, nil
}

// coinbaseCallback links the account Coinbase sent the trader back with (the redirect URL
// REFHOST_COINBASE_REDIRECT_URL names, on this page) and follows its import.
func (w *Web) coinbaseCallback(rq *Request) (View, error) {
	since, err := w.resumePoint(rq)
	if err != nil {
		return View{}, err
	}
	q := rq.URL.Query()
	var conn coach.BrokerConnection
	back := url.Values{}
	for _, k := range []string{"code", "state", "error"} {
		if v := q.Get(k); v != "" {
			back.Set(k, v)
		}
	}
	err = rq.Get("/brokers/coinbase/callback?"+back.Encode(), &conn)
	if err != nil {
		return View{}, err
	}
	return View{Redirect: "/app/onboarding?" + url.Values{"connection": {conn.ID}, "since": {since}}.Encode()}, nil
}
