package web

// The Digest page: a placeholder of the skeleton, for the page's owner to fill in (see doc.go).

// digestPage renders the Digest page.
func (w *Web) digestPage(rq *Request) (View, error) { return View{Template: "digest"}, nil }
