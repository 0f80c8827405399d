package web

import (
	"net/http"
)

// route is one page: its path (net/http pattern syntax, without a method), the nav section it
// lights, whether a visitor may see it, and its handlers (post may be nil).
type route struct {
	path    string
	section string
	visitor bool
	get     func(*Request) (View, error)
	post    func(*Request) (string, error)
}

// Nav sections, in the header's order.
const (
	navDashboard   = "dashboard"
	navCoach       = "coach"
	navDigest      = "digest"
	navSimulations = "simulations"
	navRules       = "rules"
	navSettings    = "settings"
)

// routes lists every page. Add a page with one line here (see the package doc).
func (w *Web) pageRoutes() []route {
	return []route{
		{path: "/signin", visitor: true, get: w.signinPage},
		{path: "/signup", visitor: true, get: w.signupPage},
		{path: "/signup/sent", visitor: true, get: w.signupSentPage},
		{path: "/signup/confirm", visitor: true, get: w.signupConfirmPage},
		{path: "/reset", visitor: true, get: w.resetPage},
		{path: "/reset/sent", visitor: true, get: w.resetSentPage},
		{path: "/reset/confirm", visitor: true, get: w.resetConfirmPage},

		{path: "/app", section: navDashboard, get: w.dashboardPage},
		{path: "/app/onboarding", section: navDashboard, get: w.onboardingPage, post: w.onboardingPost},
		{path: "/app/onboarding/coinbase", section: navDashboard, get: w.coinbaseAuthorize},
		{path: "/app/onboarding/coinbase/callback", section: navDashboard, get: w.coinbaseCallback},
		{path: "/app/trades/{id}", section: navDashboard, get: w.tradePage, post: w.tradePost},
		{path: "/app/coach", section: navCoach, get: w.coachPage, post: w.coachPost},
		{path: "/app/digest", section: navDigest, get: w.digestPage},
		{path: "/app/digests/{id}", section: navDigest, get: w.digestPage},
		{path: "/app/simulations", section: navSimulations, get: w.simulationsPage, post: w.simulationsPost},
		{path: "/app/simulations/{id}", section: navSimulations, get: w.simulationPage},
		{path: "/app/rules", section: navRules, get: w.rulesPage, post: w.rulesPost},
		{path: "/app/settings", section: navSettings, get: w.settingsPage, post: w.settingsPost},
	}
}

// routes builds the handler of every page, the static assets and the root's redirect.
func (w *Web) routes() (http.Handler, error) {
	mux := http.NewServeMux()
	for _, rt := range w.pageRoutes() {
		mux.Handle("GET "+rt.path, w.getHandler(rt))
		if rt.post != nil {
			mux.Handle("POST "+rt.path, w.postHandler(rt))
		}
	}
	mux.Handle("GET /static/", w.assets)
	mux.HandleFunc("GET /{$}", func(rw http.ResponseWriter, r *http.Request) {
		if w.identify(r).user != "" {
			http.Redirect(rw, r, "/app", http.StatusSeeOther)
			return
		}
		http.Redirect(rw, r, "/signin", http.StatusSeeOther)
	})
	mux.HandleFunc("/", func(rw http.ResponseWriter, r *http.Request) {
		w.renderError(rw, r, w.identify(r), errNotFound)
	})
	return mux, nil
}
