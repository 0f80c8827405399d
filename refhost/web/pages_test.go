package web_test

import (
	"html"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"
)

// maxPageWire is the budget of a page's first load, compressed (issue 18).
const maxPageWire = 100 << 10

var myPages = []string{"/app/coach", "/app/digest", "/app/simulations", "/app/rules", "/app/settings"}

func TestPagesOfANewUserSayWhatToDoNext(t *testing.T) {
	h := newHost(t)
	h.user("new@example.com", "a long enough password")
	b := h.browser()
	b.signIn("new@example.com", "a long enough password")
	want := map[string]string{
		"/app/coach":       "No reflections yet",
		"/app/digest":      "Your first weekly digest arrives",
		"/app/simulations": "No simulation yet",
		"/app/rules":       "You have no rules yet",
		"/app/settings":    "No broker is connected",
	}
	for _, path := range myPages {
		p := b.get(path).mustStatus(t, http.StatusOK)
		checkPage(t, p)
		p.mustContain(t, want[path], `<main id="main"`)
		if n := b.compressed(path); n > maxPageWire {
			t.Errorf("%s: %d bytes compressed, budget %d", path, n, maxPageWire)
		}
	}
	checkPage(t, b.get("/app/digests/2020-W01").mustStatus(t, http.StatusNotFound))
	checkPage(t, b.get("/app/simulations/nosuchrun").mustStatus(t, http.StatusNotFound))
}

func TestPagesOfADemoUser(t *testing.T) {
	h := newHost(t)
	id, b := h.demoAccount("demo@example.com")
	week := h.putDigest(id)

	coachPage := b.get("/app/coach").mustStatus(t, http.StatusOK)
	checkPage(t, coachPage)
	coachPage.mustContain(t, `data-event-id="`, `href="/app/trades/`, `action="/app/coach"`, "coach.js")

	for _, path := range []string{"/app/digest", "/app/digests/" + week} {
		p := b.get(path).mustStatus(t, http.StatusOK)
		checkPage(t, p)
		p.mustContain(t, "Your week "+week, "Why the two figures differ:", "242.09 USDT better", "+242.09 USDT", "−4.37 USDT",
			"chart-bars", "<table class=\"chart-table\"", "Past weeks")
		// The note is in the suggestion's box, beside the two figures.
		box := p.body[strings.Index(p.body, `class="card suggestion"`):]
		box = box[:strings.Index(box, "</section>")]
		for _, w := range []string{"−4.37 USDT", "+242.09 USDT", "Why the two figures differ"} {
			if !strings.Contains(html.UnescapeString(box), w) {
				t.Errorf("the suggestion's box does not say %q", w)
			}
		}
	}
	settings := b.get("/app/settings").mustStatus(t, http.StatusOK)
	checkPage(t, settings)
	settings.mustContain(t, "Demo broker", "Sync now", "Pause", "Disconnect", "Sign out this session", `action="/auth/password"`)
	for _, path := range append(myPages, "/app/digests/"+week) {
		if n := b.compressed(path); n > maxPageWire {
			t.Errorf("%s: %d bytes compressed, budget %d", path, n, maxPageWire)
		} else {
			t.Logf("%s: %d bytes compressed", path, n)
		}
	}
}

func TestRuleForms(t *testing.T) {
	h := newHost(t)
	h.user("rules@example.com", "a long enough password")
	b := h.browser()
	b.signIn("rules@example.com", "a long enough password")
	b.get("/app/rules").mustStatus(t, http.StatusOK)

	create := url.Values{"form": {"create-avoidSpikeOverPct"}, "action": {"create"}, "kind": {"avoidSpikeOverPct"}, "pct": {"12.5"}, "lookbackHours": {"24"}}
	b.post("/app/rules", create).mustRedirect(t, "/app/rules")
	p := b.get("/app/rules").mustStatus(t, http.StatusOK)
	checkPage(t, p)
	p.mustContain(t, "No buy after a rise of more than 12.5% over 24 hours.", "Switch off", "Change this rule")

	// Out of range: core's message, in plain words, under the field, in the form that posted.
	bad := url.Values{"form": {"create-avoidSpikeOverPct"}, "action": {"create"}, "kind": {"avoidSpikeOverPct"}, "pct": {"5000"}, "lookbackHours": {"24"}}
	p = b.post("/app/rules", bad).mustStatus(t, http.StatusUnprocessableEntity)
	checkPage(t, p)
	p.mustContain(t, "Must be more than 0 and at most 1000.", `value="5000"`)
	// Not a number.
	bad.Set("pct", "lots")
	b.post("/app/rules", bad).mustStatus(t, http.StatusUnprocessableEntity).mustContain(t, "Enter a number")
	// A whole number wanted.
	b.post("/app/rules", url.Values{"form": {"create-maxTradesPerDay"}, "action": {"create"}, "kind": {"maxTradesPerDay"}, "n": {"2.5"}}).
		mustStatus(t, http.StatusUnprocessableEntity).mustContain(t, "Enter a whole number.")
	// A window rule with weekdays.
	b.post("/app/rules", url.Values{"form": {"create-noTradingWindow"}, "action": {"create"}, "kind": {"noTradingWindow"},
		"from": {"22:00"}, "to": {"06:00"}, "weekdays": {"fri", "sat"}}).mustRedirect(t, "/app/rules")

	id := regexpFind(t, p.body, `id="rule-([a-z0-9]+)"`)
	b.post("/app/rules", url.Values{"action": {"toggle"}, "id": {id}}).mustRedirect(t, "/app/rules")
	b.get("/app/rules").mustContain(t, "switched off", "Switch on", "No trading from 22:00 to 06:00 (starting on fri, sat).")
	b.post("/app/rules", url.Values{"form": {"edit-" + id}, "action": {"update"}, "id": {id}, "kind": {"avoidSpikeOverPct"},
		"pct": {"7"}, "lookbackHours": {"12"}, "active": {"on"}}).mustRedirect(t, "/app/rules")
	b.get("/app/rules").mustContain(t, "over 12 hours")
	b.post("/app/rules", url.Values{"action": {"delete"}, "id": {id}}).mustRedirect(t, "/app/rules")
	if p := b.get("/app/rules"); strings.Contains(p.body, "rule-"+id) {
		t.Error("the deleted rule is still listed")
	}
	checkPage(t, b.post("/app/rules", url.Values{"action": {"delete"}, "id": {id}}).mustStatus(t, http.StatusNotFound))
}

func TestSimulationForm(t *testing.T) {
	h := newHost(t)
	_, b := h.demoAccount("sim@example.com")
	b.get("/app/simulations").mustStatus(t, http.StatusOK)

	// A form without dates re-renders with plain words.
	p := b.post("/app/simulations", url.Values{"form": {"simulate"}, "kind": {"skipLabel"}, "label": {"FOMO"}, "from": {""}, "to": {""}})
	p.mustStatus(t, http.StatusUnprocessableEntity).mustContain(t, "Enter a date such as")
	checkPage(t, p)
	// Core's own check, under its field.
	p = b.post("/app/simulations", url.Values{"form": {"simulate"}, "kind": {"holdInstead"}, "label": {"FOMO"}, "until": {"nCandles"}, "n": {"0"},
		"from": {time.Now().AddDate(0, 0, -30).Format(time.DateOnly)}, "to": {time.Now().Format(time.DateOnly)}})
	p.mustStatus(t, http.StatusUnprocessableEntity)
	checkPage(t, p)

	loc := b.post("/app/simulations", url.Values{"form": {"simulate"}, "kind": {"skipLabel"}, "label": {"FOMO"}, "slippageBps": {"5"},
		"from": {time.Now().AddDate(0, 0, -30).Format(time.DateOnly)}, "to": {time.Now().Format(time.DateOnly)}}).mustRedirect(t, "/app/simulations/")
	deadline := time.Now().Add(30 * time.Second)
	for {
		p = b.get(loc).mustStatus(t, http.StatusOK)
		checkPage(t, p)
		if !strings.Contains(p.body, `id="pending"`) {
			break
		}
		p.mustContain(t, "reload it", "simulation.js")
		if time.Now().After(deadline) {
			t.Fatal("the simulation is still pending after 30 s")
		}
		time.Sleep(100 * time.Millisecond)
	}
	p.mustContain(t, "Without the FOMO buys", "Actual P/L", "What if", "Difference", "chart-line", "chart-table")
	b.get("/app/simulations").mustContain(t, "Without the FOMO buys", "Ready")
	if n := b.compressed(loc); n > maxPageWire {
		t.Errorf("%s: %d bytes compressed", loc, n)
	} else {
		t.Logf("a finished simulation's page: %d bytes compressed", n)
	}
}

func TestCoachQuestion(t *testing.T) {
	h := newHost(t)
	_, b := h.demoAccount("ask@example.com")
	b.get("/app/coach").mustStatus(t, http.StatusOK)
	p := b.post("/app/coach", url.Values{"question": {"   "}})
	p.mustStatus(t, http.StatusUnprocessableEntity).mustContain(t, "Write a question first")
	checkPage(t, p)
	p = b.post("/app/coach", url.Values{"question": {strings.Repeat("why ", 300)}})
	p.mustStatus(t, http.StatusUnprocessableEntity).mustContain(t, "at most 1000 characters")

	loc := b.post("/app/coach", url.Values{"question": {"Why was my last buy labelled FOMO?"}}).mustRedirect(t, "/app/coach?asked=")
	p = b.get(loc).mustStatus(t, http.StatusOK)
	checkPage(t, p)
	p.mustContain(t, "Why was my last buy labelled FOMO?", "Written by the built-in coach", `class="answer asked"`)
}

func TestSettingsForms(t *testing.T) {
	h := newHost(t)
	id, b := h.demoAccount("set@example.com")
	b.get("/app/settings").mustStatus(t, http.StatusOK)

	saved := b.post("/app/settings", url.Values{"form": {"prefs"}, "action": {"prefs"}, "timeZone": {"Europe/Berlin"}, "reportingCurrency": {"eur"}}).
		mustRedirect(t, "/app/settings?notice=saved")
	b.get(saved).mustContain(t, "Your settings are saved.", `value="Europe/Berlin"`, `value="EUR"`)
	p := b.post("/app/settings", url.Values{"form": {"prefs"}, "action": {"prefs"}, "timeZone": {"Mars/Olympus"}, "reportingCurrency": {"EUR"}})
	p.mustStatus(t, http.StatusUnprocessableEntity).mustContain(t, "Enter a time zone by its name", `value="Mars/Olympus"`)
	checkPage(t, p)
	p = b.post("/app/settings", url.Values{"form": {"prefs"}, "action": {"prefs"}, "timeZone": {"UTC"}, "reportingCurrency": {"not a currency"}})
	p.mustStatus(t, http.StatusUnprocessableEntity).mustContain(t, "Want an asset code such as USD or EUR.")

	// The demo connection: pause, resume, sync, disconnect.
	conn := regexpFind(t, b.get("/app/settings").body, `name="action" value="pause"><input type="hidden" name="id" value="([a-z0-9]+)"`)
	b.post("/app/settings", url.Values{"action": {"pause"}, "id": {conn}}).mustRedirect(t, "/app/settings?notice=paused")
	b.get("/app/settings").mustContain(t, "Paused: not syncing", "Resume")
	b.post("/app/settings", url.Values{"action": {"resume"}, "id": {conn}}).mustRedirect(t, "/app/settings?notice=resumed")
	if p := b.post("/app/settings", url.Values{"action": {"sync"}, "id": {conn}}); p.status != http.StatusSeeOther {
		p.mustStatus(t, http.StatusUnprocessableEntity).mustContain(t, "Wait a minute and try again.")
	}
	b.post("/app/settings", url.Values{"action": {"disconnect"}, "id": {conn}}).mustRedirect(t, "/app/settings?notice=disconnected")

	// Export.
	b.post("/app/settings", url.Values{"action": {"export"}}).mustRedirect(t, "/app/settings?notice=export")
	deadline := time.Now().Add(30 * time.Second)
	for !strings.Contains(b.get("/app/settings").body, ">Download</a>") {
		if time.Now().After(deadline) {
			t.Fatal("no download link within 30 s of asking for an export")
		}
		time.Sleep(200 * time.Millisecond)
	}

	// Webhooks: the secret is shown once.
	loc := b.post("/app/settings", url.Values{"form": {"webhook-new"}, "action": {"webhook-create"}, "url": {"https://example.com/hooks/tc"},
		"eventTypes": {"coach.reflect", "digest.ready"}}).mustRedirect(t, "/app/settings?secret=")
	p = b.get(loc).mustStatus(t, http.StatusOK)
	checkPage(t, p)
	p.mustContain(t, "it is shown this once", "whsec_", "https://example.com/hooks/tc", "a coach reflection, a weekly digest is ready")
	if strings.Contains(b.get(loc).body, "whsec_") {
		t.Error("the secret is shown a second time")
	}
	p = b.post("/app/settings", url.Values{"form": {"webhook-new"}, "action": {"webhook-create"}, "url": {"ftp://example.com/x"}})
	p.mustStatus(t, http.StatusUnprocessableEntity).mustContain(t, "Enter the https address of your receiver")
	checkPage(t, p)
	ep := regexpFind(t, b.get("/app/settings").body, `name="action" value="webhook-test"><input type="hidden" name="id" value="([a-z0-9]+)"`)
	b.post("/app/settings", url.Values{"action": {"webhook-test"}, "id": {ep}}).mustRedirect(t, "/app/settings?notice=tested")
	b.get("/app/settings").mustContain(t, "webhook.test")
	b.post("/app/settings", url.Values{"form": {"webhook-" + ep}, "action": {"webhook-update"}, "id": {ep}, "url": {"https://example.com/hooks/v2"}}).
		mustRedirect(t, "/app/settings?notice=webhook")
	b.get("/app/settings").mustContain(t, "https://example.com/hooks/v2", "Sends every event")
	rot := b.post("/app/settings", url.Values{"action": {"webhook-rotate"}, "id": {ep}}).mustRedirect(t, "/app/settings?secret=")
	b.get(rot).mustContain(t, "whsec_")
	b.post("/app/settings", url.Values{"action": {"webhook-delete"}, "id": {ep}}).mustRedirect(t, "/app/settings?notice=webhook-deleted")

	// Erase needs the confirmation.
	p = b.post("/app/settings", url.Values{"form": {"erase"}, "action": {"erase"}, "confirm": {"yes"}})
	p.mustStatus(t, http.StatusUnprocessableEntity).mustContain(t, "type your email address or the word erase. Nothing was erased.")
	checkPage(t, p)
	var me struct {
		ID string `json:"id"`
	}
	if st := h.callCore(id, "GET", "/me", nil, &me); st != http.StatusOK || me.ID != id {
		t.Fatalf("after a refused erase, /me: %d", st)
	}
	b.post("/app/settings", url.Values{"form": {"erase"}, "action": {"erase"}, "confirm": {"SET@example.com"}}).mustRedirect(t, "/signin?notice=erased")
	var sess struct {
		Sessions []any `json:"sessions"`
	}
	if h.callCore(id, "GET", "/me/sessions", nil, &sess); len(sess.Sessions) != 0 {
		t.Errorf("after erase, %d sessions remain", len(sess.Sessions))
	}
}

func TestPasswordAndSessions(t *testing.T) {
	h := newHost(t)
	h.user("pw@example.com", "a long enough password")
	other := h.browser()
	other.signIn("pw@example.com", "a long enough password")
	b := h.browser()
	b.signIn("pw@example.com", "a long enough password")
	b.get("/app/settings").mustStatus(t, http.StatusOK)
	b.post("/auth/password", url.Values{"currentPassword": {"wrong password here"}, "newPassword": {"a brand new passphrase"}}).
		mustRedirect(t, "/app/settings?error=")
	p := b.get("/app/settings?error=unauthorized").mustContain(t, "The current password is wrong.")
	checkPage(t, p)
	sid := regexpFind(t, p.body, `name="action" value="revoke"><input type="hidden" name="id" value="([a-z0-9]+)"`)
	b.post("/app/settings", url.Values{"action": {"revoke"}, "id": {sid}}).mustRedirect(t, "/app/settings?notice=revoked")
}
