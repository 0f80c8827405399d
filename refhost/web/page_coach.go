package web

// The Coach page: a placeholder of the skeleton, for the page's owner to fill in (see doc.go).

// coachPage renders the Coach page.
func (w *Web) coachPage(rq *Request) (View, error) { return View{Template: "coach"}, nil }

// coachPost handles the forms of the Coach page.
func (w *Web) coachPost(rq *Request) (string, error) { return "/app/coach", nil }
