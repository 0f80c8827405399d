package web

// dashboardPage renders the dashboard (GET /app).
func (w *Web) dashboardPage(rq *Request) (View, error) { return View{Template: "dashboard"}, nil }
