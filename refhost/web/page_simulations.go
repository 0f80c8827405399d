package web

// The Simulations page: a placeholder of the skeleton, for the page's owner to fill in (see doc.go).

// simulationsPage renders the Simulations page.
func (w *Web) simulationsPage(rq *Request) (View, error) { return View{Template: "simulations"}, nil }

// simulationsPost handles the forms of the Simulations page.
func (w *Web) simulationsPost(rq *Request) (string, error) { return "/app/simulations", nil }

// simulationPage renders one simulation run (GET /app/simulations/{id}).
func (w *Web) simulationPage(rq *Request) (View, error) { return View{Template: "simulations"}, nil }
