package web

// tradePage renders one trade (GET /app/trades/{id}).
func (w *Web) tradePage(rq *Request) (View, error) { return View{Template: "trade"}, nil }

// tradePost disputes a label or adds a note.
func (w *Web) tradePost(rq *Request) (string, error) { return rq.URL.Path, nil }
