package web

// The account pages: sign in, sign up, confirm the emailed link, reset a password. Their forms
// post to the edge's own /auth/ routes, which answer a form with 303: to the next page, or back
// here with ?error=<code>, said in plain words by authError.

// authData is the data of an account page: what went wrong, or a notice, in plain words.
type authData struct {
	Error  string
	Notice string
	Next   string
}

// authErrors says each /auth/ error code in plain words.
var authErrors = map[string]string{
	"unauthorized":     "The email or the password is wrong.",
	"rate_limited":     "Too many attempts in a short time. Wait a few minutes and try again.",
	"forbidden":        "The form had expired. Please try again.",
	"conflict":         "This form was already sent. Please try again.",
	"unavailable":      "The service is busy. Please try again in a moment.",
	"invalid_email":    "Enter a plain email address, such as ana@example.com.",
	"invalid_password": "Choose a password of 12 to 1024 characters. A few words make a good one.",
	"invalid_token":    "This link is invalid, already used or expired. Ask for a new one.",
}

// authNotices says each notice a /signin redirect may carry.
var authNotices = map[string]string{
	"confirmed": "Your account is ready. Sign in to start.",
	"signedout": "You are signed out.",
	"reset":     "Your password is changed and every other session is signed out. Sign in with the new one.",
	"erased":    "Your account is being erased, with everything in it. Thank you for trying tradecoach.",
}

// authPage renders an account page, saying ?error= and ?notice= in plain words.
func authPage(rq *Request, template string) (View, error) {
	q := rq.URL.Query()
	d := authData{Notice: authNotices[q.Get("notice")]}
	if code := q.Get("error"); code != "" {
		d.Error = authErrors[code]
		if d.Error == "" {
			d.Error = "That did not work. Please try again."
		}
	}
	if next := q.Get("next"); next == "/app" || (len(next) > 5 && next[:5] == "/app/") {
		d.Next = next
	}
	return View{Template: template, Data: d}, nil
}

func (w *Web) signinPage(rq *Request) (View, error)        { return authPage(rq, "signin") }
func (w *Web) signupPage(rq *Request) (View, error)        { return authPage(rq, "signup") }
func (w *Web) signupSentPage(rq *Request) (View, error)    { return authPage(rq, "signup_sent") }
func (w *Web) signupConfirmPage(rq *Request) (View, error) { return authPage(rq, "signup_confirm") }
func (w *Web) resetPage(rq *Request) (View, error)         { return authPage(rq, "reset") }
func (w *Web) resetSentPage(rq *Request) (View, error)     { return authPage(rq, "reset_sent") }
func (w *Web) resetConfirmPage(rq *Request) (View, error)  { return authPage(rq, "reset_confirm") }
