package web

import (
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/tradecoach/coach"
	"github.com/tradecoach/coach/transport/httpjson"
)

// The Settings page (/app/settings): time zone and reporting currency, connected brokers, the
// sessions signed in, the password, export, the webhooks (settings_webhooks.go), erasing the
// account, and what is kept and for how long. Every form posts to /app/settings with an action;
// web calls core with the method it needs.

// Bounds of the Settings page.
const (
	maxExportLinks = 3
)

// commonZones are offered in the time zone field's list (any IANA zone may be typed).
var commonZones = []string{"UTC", "Europe/London", "Europe/Berlin", "Europe/Paris", "Europe/Madrid", "Europe/Istanbul",
	"America/New_York", "America/Chicago", "America/Denver", "America/Los_Angeles", "America/Sao_Paulo",
	"Asia/Dubai", "Asia/Kolkata", "Asia/Singapore", "Asia/Hong_Kong", "Asia/Tokyo", "Asia/Seoul", "Australia/Sydney", "Africa/Lagos"}

// connectionView is a broker connection as the page shows it.
type connectionView struct {
	ID, Broker, Label, Status, StatusText, Since string
	Active, Paused                               bool
}

// sessionView is a signed-in session.
type sessionView struct {
	ID, Since, Until string
}

// exportView is an export.
type exportView struct {
	ID, Status, StatusText, When, Size, Expires, Link, Error string
}

// settingsData is the Settings page's data.
type settingsData struct {
	Email       string
	Prefs       formFields
	Zones       []string
	Connections []connectionView
	Sessions    []sessionView
	Exports     []exportView
	Erase       formFields
	Password    struct{ Notice, Error string }
	Notice      string
	// Error is a message about a form that has no box of its own (a broker's or a session's
	// button), in plain words.
	Error    string
	Webhooks webhooksView
}

// brokerNames say a broker's name.
var brokerNames = map[string]string{coach.BrokerDemo: "Demo broker", "coinbase": "Coinbase", "binance": "Binance", "csv": "CSV files"}

// connectionStatus says a connection's status.
var connectionStatus = map[string]string{coach.ConnectionActive: "Connected, syncing every 15 minutes",
	coach.ConnectionPaused: "Paused: not syncing", coach.ConnectionRevoked: "Disconnected"}

// exportStatus says an export's status.
var exportStatus = map[string]string{coach.ExportQueued: "Waiting", coach.ExportRunning: "Being built",
	coach.ExportDone: "Ready", coach.ExportFailed: "Failed"}

// settingsNotices are the notices a redirect back here may carry (?notice=).
var settingsNotices = map[string]string{
	"saved": "Your settings are saved.", "password": "Your password is changed.",
	"synced": "A sync has started. New trades appear in a minute or two.", "paused": "The connection is paused.",
	"resumed": "The connection syncs again.", "disconnected": "The broker is disconnected and its access revoked.",
	"revoked": "That session is signed out.", "export": "Your export is being built. It appears below when ready (reload the page).",
	"webhook": "The webhook is saved.", "webhook-deleted": "The webhook is deleted.", "tested": "A test event was sent. Its delivery appears below in a few seconds.",
	"replayed": "The delivery is being sent again.",
}

// passwordErrors say the edge's ?error= codes of the password form in plain words.
var passwordErrors = map[string]string{
	"invalid_currentPassword": "Enter your current password.",
	"invalid_newPassword":     "Choose a new password of 12 to 1024 characters. A few words make a good one.",
	"unauthorized":            "The current password is wrong.",
	"rate_limited":            "Too many attempts in a short time. Wait a few minutes and try again.",
	"forbidden":               "The form had expired. Please try again.",
}

// settingsPage renders the Settings page.
func (w *Web) settingsPage(rq *Request) (View, error) {
	loc, u := rq.userLocation()
	if u.ID == "" {
		if err := rq.Get("/me", &u); err != nil {
			return View{}, err
		}
	}
	q := rq.URL.Query()
	d := settingsData{Email: u.Email, Zones: commonZones, Prefs: formState(rq, "prefs"), Erase: formState(rq, "erase"),
		Notice: settingsNotices[q.Get("notice")]}
	if rq.Form.Get("form") == "" {
		d.Error = rq.Errors[""]
	}
	if !d.Prefs.Has() {
		d.Prefs.Values["timeZone"], d.Prefs.Values["reportingCurrency"] = u.TimeZone, u.ReportingCurrency
		if u.DigestByEmail {
			d.Prefs.Values["digestByEmail"] = "on"
		}
	}
	if q.Get("notice") == "password" {
		d.Password.Notice = settingsNotices["password"]
		d.Notice = ""
	}
	if code := q.Get("error"); code != "" {
		d.Password.Error = passwordErrors[code]
		if d.Password.Error == "" {
			d.Password.Error = "The password could not be changed. Please try again."
		}
	}
	var conns struct {
		Connections []coach.BrokerConnection `json:"connections"`
	}
	if err := rq.Get("/brokers/connections", &conns); err != nil {
		return View{}, err
	}
	for _, c := range conns.Connections {
		name := brokerNames[c.Broker]
		if name == "" {
			name = sentenceCase(c.Broker)
		}
		d.Connections = append(d.Connections, connectionView{ID: c.ID, Broker: name, Label: c.Label, Status: c.Status,
			StatusText: connectionStatus[c.Status], Since: stamp(c.CreatedAt, loc),
			Active: c.Status == coach.ConnectionActive, Paused: c.Status == coach.ConnectionPaused})
	}
	var sess struct {
		Sessions []coach.Session `json:"sessions"`
	}
	if err := rq.Get("/me/sessions", &sess); err != nil {
		return View{}, err
	}
	slices.SortFunc(sess.Sessions, func(a, b coach.Session) int { return b.CreatedAt.Compare(a.CreatedAt) })
	for _, s := range sess.Sessions {
		d.Sessions = append(d.Sessions, sessionView{ID: s.ID, Since: stamp(s.CreatedAt, loc), Until: stamp(s.ExpiresAt, loc)})
	}
	var exps struct {
		Exports []coach.Export `json:"exports"`
	}
	if err := rq.Get("/me/exports?limit=5", &exps); err != nil {
		return View{}, err
	}
	links := 0
	for _, e := range exps.Exports {
		v := exportView{ID: e.ID, Status: e.Status, StatusText: exportStatus[e.Status], When: stamp(e.RequestedAt, loc),
			Expires: whenPtr(e.ExpiresAt, loc), Size: size(e.Size)}
		if e.Status == coach.ExportFailed {
			v.Error = "The export could not be built. Ask for a new one."
		}
		if e.Status == coach.ExportDone && links < maxExportLinks {
			var link struct {
				URL string `json:"url"`
			}
			if err := rq.Get("/me/exports/"+url.PathEscape(e.ID)+"/download", &link); err == nil && safeLink(link.URL) {
				v.Link, links = link.URL, links+1
			}
		}
		d.Exports = append(d.Exports, v)
	}
	wh, err := w.webhooksView(rq, loc)
	if err != nil {
		return View{}, err
	}
	d.Webhooks = wh
	return View{Template: "settings", Data: d}, nil
}

// safeLink accepts a download link: a path of this site or an http(s) URL.
func safeLink(s string) bool {
	if strings.HasPrefix(s, "/") && !strings.HasPrefix(s, "//") {
		return true
	}
	u, err := url.Parse(s)
	return err == nil && (u.Scheme == "https" || u.Scheme == "http") && u.Host != ""
}

// size writes a byte count for people.
func size(n int64) string {
	switch {
	case n <= 0:
		return ""
	case n < 1<<10:
		return strconv.Itoa(int(n)) + " bytes"
	case n < 1<<20:
		return strconv.Itoa(int((n+1<<9)>>10)) + " KB"
	}
	return strconv.Itoa(int((n+1<<19)>>20)) + " MB"
}

// settingsPost does what the form's action says and comes back with a notice.
func (w *Web) settingsPost(rq *Request) (string, error) {
	action := rq.Form.Get("action")
	id := rq.Form.Get("id")
	if id != "" && !coach.ValidID(id) {
		return "", coach.Errorf(coach.ENOTFOUND, "no such item")
	}
	conn := "/brokers/connections/" + url.PathEscape(id)
	back := func(notice string) string { return "/app/settings?notice=" + notice }
	switch action {
	case "prefs":
		return back("saved"), w.savePrefs(rq)
	case "sync":
		return back("synced"), syncErr(rq.Send("POST", conn+"/sync", nil, nil))
	case "pause":
		return back("paused"), rq.Send("POST", conn+"/pause", nil, nil)
	case "resume":
		return back("resumed"), rq.Send("POST", conn+"/resume", nil, nil)
	case "disconnect":
		return back("disconnected"), rq.Send("DELETE", conn, nil, nil)
	case "revoke":
		return back("revoked"), rq.Send("DELETE", "/me/sessions/"+url.PathEscape(id), nil, nil)
	case "export":
		return back("export"), rq.Send("POST", "/me/export", nil, nil)
	case "erase":
		return w.erase(rq)
	}
	if strings.HasPrefix(action, "webhook-") || action == "replay" {
		return w.webhookPost(rq, action)
	}
	return "", coach.Errorf(coach.EINVALID, "the form did not say what to do")
}

// syncErr says "sync now" refusals in plain words.
func syncErr(err error) error {
	switch coach.ErrorCode(err) {
	case coach.ECONFLICT:
		return httpjson.FieldErrors{{Field: "sync", Message: "A sync of this connection is already running or was asked for in the last minute. Wait a minute and try again."}}
	case coach.ERATELIMITED:
		return httpjson.FieldErrors{{Field: "sync", Message: "This connection was synced a moment ago. Wait a minute and try again."}}
	}
	return err
}

// savePrefs changes the time zone, reporting currency and digest email (PATCH /me/settings).
func (w *Web) savePrefs(rq *Request) error {
	tz := strings.TrimSpace(rq.Form.Get("timeZone"))
	cur := strings.ToUpper(strings.TrimSpace(rq.Form.Get("reportingCurrency")))
	body := map[string]any{"digestByEmail": rq.Form.Get("digestByEmail") == "on"}
	if tz != "" {
		body["timeZone"] = tz
	}
	if cur != "" {
		body["reportingCurrency"] = cur
	}
	if _, err := time.LoadLocation(tz); tz != "" && (err != nil || tz == "Local") {
		return httpjson.FieldErrors{{Field: "timeZone", Message: "Enter a time zone by its name, such as Europe/Berlin or America/New_York."}}
	}
	err := rq.Send("PATCH", "/me/settings", body, nil)
	return formInvalid(err, map[string]string{"timeZone": "timeZone", "reportingCurrency": "reportingCurrency", "digestByEmail": "digestByEmail"})
}

// erase erases the account (DELETE /me) once the confirmation field holds the account's email
// or the word "erase"; then the visitor is sent to sign in, with a notice.
func (w *Web) erase(rq *Request) (string, error) {
	typed := strings.TrimSpace(rq.Form.Get("confirm"))
	var u coach.User
	if err := rq.Get("/me", &u); err != nil {
		return "", err
	}
	if !strings.EqualFold(typed, "erase") && (u.Email == "" || !strings.EqualFold(typed, u.Email)) {
		return "", httpjson.FieldErrors{{Field: "confirm", Message: "To erase your account, type your email address or the word erase. Nothing was erased."}}
	}
	if err := rq.Send("DELETE", "/me", nil, nil); err != nil {
		return "", err
	}
	return "/signin?notice=erased", nil
}
