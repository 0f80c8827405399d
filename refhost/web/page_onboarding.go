package web

// onboardingPage renders the ways to bring trades in (GET /app/onboarding).
func (w *Web) onboardingPage(rq *Request) (View, error) { return View{Template: "onboarding"}, nil }

// onboardingPost connects a broker.
func (w *Web) onboardingPost(rq *Request) (string, error) { return "/app/onboarding", nil }
