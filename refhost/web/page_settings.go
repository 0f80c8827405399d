package web

// The Settings page: a placeholder of the skeleton, for the page's owner to fill in (see doc.go).

// settingsPage renders the Settings page.
func (w *Web) settingsPage(rq *Request) (View, error) { return View{Template: "settings"}, nil }

// settingsPost handles the forms of the Settings page.
func (w *Web) settingsPost(rq *Request) (string, error) { return "/app/settings", nil }
