package web

// The Rules page: a placeholder of the skeleton, for the page's owner to fill in (see doc.go).

// rulesPage renders the Rules page.
func (w *Web) rulesPage(rq *Request) (View, error) { return View{Template: "rules"}, nil }

// rulesPost handles the forms of the Rules page.
func (w *Web) rulesPost(rq *Request) (string, error) { return "/app/rules", nil }
