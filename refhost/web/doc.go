// Package web is the reference host's S1: the pages a trader sees, rendered on the server with
// html/template, with a little CSS and a few small ES modules embedded in the binary (no build
// step). It runs behind the edge (S2), which owns sessions, cookies, CSRF checks, idempotency
// keys, rate limits and the security headers (a strict CSP with Trusted Types): web holds no
// session and reaches no database; it calls core (S3) as the request's user, signed with the
// internal key, exactly as the edge does.
//
// # Who is asking
//
// The edge names the signed-in user in hmac.HeaderSubject and passes the session's CSRF token
// (a visitor's, bound to their pre-session cookie, when nobody is signed in) in HeaderCSRF. In
// the same process (Config.InProcess) the edge has already removed whatever the client sent
// under those names; as a separate process (Config.Nonces set) every request must carry the
// edge's signature, and the CSRF token its own MAC under the internal key (CSRFMAC), or it is
// refused with 401.
//
// # Adding a page
//
// A page is three things, and nothing else needs to change:
//
//  1. a template file templates/<name>.html defining "title" and "main" (and optionally
//     "head", for a page's own module: {{define "head"}}<script type="module" src="{{asset
//     "x.js"}}"></script>{{end}}); the layout (templates/layout.html) wraps it in the header
//     navigation, the skip link, main and the footer. The template's dot is a page: .Data is
//     the handler's data, .Form and .Errors the fields after an invalid POST; inside a range use
//     $. Shared pieces: {{template "hidden" $}} inside every <form method="post"> (the CSRF
//     token and a fresh idempotency key); {{template "formerror" $}} for a form-wide message;
//     {{with fieldError $ "name"}}…{{end}} and {{value $ "name"}} for a field;
//     {{template "empty" "what to do next"}}. Functions: asset, money, signed, num, tone,
//     labelName, shortLabel, pct (funcs.go). Charts come from refhost/web/chart as
//     template.HTML, each followed by its chart.Table.
//  2. a Go file page_<name>.go with the handlers: a GET handler func(*Request) (View, error)
//     that calls core with rq.Get / rq.Send (several at once with rq.Parallel) and returns the
//     template's name and its data (or View.Redirect), and optionally a POST handler
//     func(*Request) (string, error) that reads rq.Form, calls core and returns the path to go
//     to next (answered 303: POST-redirect-GET); fieldErrs{{"name", "plain words"}}.err() is a
//     form error of the page's own checking.
//  3. one line in pageRoutes (routes.go): the path, the handlers, and the nav section it lights.
//
// A POST handler that returns an invalid error (coach.EINVALID, or core's field errors) makes
// the page render again from its GET handler with status 422, rq.Form holding what was typed and
// rq.Errors each field's message in plain words; any other error renders the error page of its
// code in plain words (never a stack, a driver message or an internal error's text). A visitor
// asking for a page under /app is sent to /signin. Pages under /app post to their own path; the
// edge sends a POST under /app/ here only for a signed-in user, after its rate limit, CSRF check
// and idempotency key.
//
// # Assets
//
// Files under static/ are served at /static/<name>?v=<content hash> with a year's cache; the
// template function asset gives that URL. Answers are gzipped when the client accepts it. No
// template may carry inline script or style (a style= attribute included): the CSP refuses them.
// Scripts touch the DOM with textContent and createElement only.
//
// # Live parts
//
// static/live.js opens /ws/coach, resumes with ?lastEventId= (kept in sessionStorage),
// reconnects with backoff, drops repeated eventIds and dispatches each event on document as a
// CustomEvent named "coach:<type>" (for example "coach:coach.reflect", "coach:import.progress")
// whose detail is the frame ({type, eventId, ts, v, payload}). A page part listens for it.
package web
