package web_test

import (
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"

	"github.com/tradecoach/coach"
	"github.com/tradecoach/coach/refhost/web"
	"github.com/tradecoach/coach/transport/hmac"
)

// A question the coach refuses (over the day's budget, the rate limit, or with the coach
// unreachable) renders the question box again with the refusal in plain words and what was
// typed; nothing of core's wire shows.
func TestCoachRefusalsInPlainWords(t *testing.T) {
	for _, tc := range []struct {
		name   string
		status int
		body   string
		want   string
	}{
		{"budget", http.StatusTooManyRequests, `{"code":"rate_limited","message":"you have asked 20 questions today, the most a day; ask again tomorrow"}`,
			"You have asked 20 questions today, the most a day; ask again tomorrow."},
		{"rate", http.StatusTooManyRequests, `{"code":"rate_limited","message":"too many questions; try again in 40s"}`,
			"Too many questions; try again in 40s."},
		{"unavailable", http.StatusServiceUnavailable, `{"code":"unavailable","message":"aicoach: dial tcp 10.0.0.7:8085: connection refused"}`,
			"The coach cannot answer right now."},
	} {
		t.Run(tc.name, func(t *testing.T) {
			core := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				w.Header().Set("Content-Type", "application/json")
				switch {
				case r.Method == "POST" && r.URL.Path == "/coach/questions":
					w.WriteHeader(tc.status)
					_, _ = io.WriteString(w, tc.body)
				case r.URL.Path == "/me":
					_, _ = io.WriteString(w, `{"id":"u1","timeZone":"UTC"}`)
				default:
					_, _ = io.WriteString(w, `{}`)
				}
			}))
			defer core.Close()
			pages, err := web.New(web.Config{CoreURL: core.URL, Key: internalKey, InProcess: true})
			if err != nil {
				t.Fatal(err)
			}
			form := url.Values{"question": {"Why did I sell?"}}
			req := httptest.NewRequest("POST", "/app/coach", strings.NewReader(form.Encode()))
			req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
			req.Header.Set(hmac.HeaderSubject, coach.NewID())
			rec := httptest.NewRecorder()
			pages.ServeHTTP(rec, req)
			body := rec.Body.String()
			if rec.Code != http.StatusUnprocessableEntity {
				t.Fatalf("%d, want 422\n%s", rec.Code, body)
			}
			p := page{path: "/app/coach", status: rec.Code, body: body}
			checkPage(t, p)
			p.mustContain(t, tc.want, "Why did I sell?")
			for _, leak := range []string{"dial tcp", "10.0.0.7", "rate_limited"} {
				if strings.Contains(body, leak) {
					t.Errorf("the page shows %q", leak)
				}
			}
		})
	}
}
