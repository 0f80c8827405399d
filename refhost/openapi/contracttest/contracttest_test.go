package contracttest_test

import (
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/tradecoach/coach/refhost/openapi"
	"github.com/tradecoach/coach/refhost/openapi/contracttest"
)

// answer is a fake server's reply.
type answer struct {
	status int
	body   string
}

// fake serves the answer set for each "METHOD /path" and records the request bodies it got.
func fake(t *testing.T, answers map[string]answer) (*httptest.Server, *[]string) {
	var got []string
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		b, _ := io.ReadAll(r.Body)
		got = append(got, string(b))
		a, ok := answers[r.Method+" "+r.URL.Path]
		if !ok {
			a = answer{500, `{"code":"internal","message":"internal error"}`}
		}
		if a.body != "" {
			w.Header().Set("Content-Type", "application/json; charset=utf-8")
		}
		w.WriteHeader(a.status)
		fmt.Fprint(w, a.body)
	}))
	t.Cleanup(srv.Close)
	return srv, &got
}

func newTransport(t *testing.T) *contracttest.Transport {
	doc, err := openapi.Internal()
	if err != nil {
		t.Fatal(err)
	}
	tr, err := contracttest.New(doc, nil)
	if err != nil {
		t.Fatal(err)
	}
	return tr
}

const user = `{"id":"cu1","email":"a@example.com","createdAt":"2026-03-01T10:00:00Z","timeZone":"UTC","digestByEmail":false}`

func TestTransport(t *testing.T) {
	for _, tc := range []struct {
		name         string
		method, path string
		ct, body     string
		answer       answer
		// violation is a substring of the Violation's reason; "" means the round trip passes.
		violation string
	}{
		{name: "a documented answer passes", method: "GET", path: "/me", answer: answer{200, user}},
		{name: "an empty documented answer passes", method: "DELETE", path: "/rules/r1", answer: answer{204, ""}},
		{name: "a documented error passes", method: "GET", path: "/me", answer: answer{404, `{"code":"not_found","message":"no such user"}`}},
		{name: "a route not in the document", method: "GET", path: "/nowhere", violation: "not in the document"},
		{name: "a method not in the document", method: "PATCH", path: "/trades/t1", violation: "not in the document"},
		{name: "a required field missing", method: "GET", path: "/me", answer: answer{200, `{"id":"cu1"}`}, violation: "answer does not match"},
		{name: "a field the document lacks", method: "GET", path: "/me",
			answer: answer{200, strings.Replace(user, `"id"`, `"passwordHash":"x","id"`, 1)}, violation: "answer does not match"},
		{name: "a field of the wrong type", method: "GET", path: "/me",
			answer: answer{200, strings.Replace(user, `"cu1"`, `1`, 1)}, violation: "answer does not match"},
		{name: "a status the operation does not list", method: "GET", path: "/me", answer: answer{418, `{"code":"invalid","message":"x"}`},
			violation: "answer does not match"},
		{name: "an error not in the one shape", method: "GET", path: "/me", answer: answer{404, `{"error":"not found"}`},
			violation: "answer does not match"},
		{name: "an unknown error code", method: "GET", path: "/me", answer: answer{404, `{"code":"missing","message":"x"}`},
			violation: "answer does not match"},
		{name: "a valid request body passes", method: "PATCH", path: "/me/settings", ct: "application/json",
			body: `{"timeZone":"Europe/Berlin"}`, answer: answer{200, user}},
		{name: "a refused request refused by the server passes", method: "PATCH", path: "/me/settings", ct: "application/json",
			body: `{"timezone":"UTC"}`, answer: answer{400, `{"code":"invalid","message":"some fields are invalid","fields":[{"field":"timezone","message":"unknown field"}]}`}},
		{name: "a refused request accepted by the server", method: "PATCH", path: "/me/settings", ct: "application/json",
			body: `{"timezone":"UTC"}`, answer: answer{200, user}, violation: "server accepted it"},
		{name: "a refused query accepted by the server", method: "GET", path: "/trades?limit=0",
			answer: answer{200, `{"trades":[]}`}, violation: "server accepted it"},
		{name: "a CSV upload", method: "POST", path: "/brokers/csv", ct: "text/csv", body: "ts,symbol\n",
			answer: answer{422, `{"code":"invalid","message":"bad rows","import":{"connectionId":"c","broker":"csv",` +
				`"windowStart":"0001-01-01T00:00:00Z","windowEnd":"0001-01-01T00:00:00Z","pages":0,"fetched":0,"inserted":0,` +
				`"duplicates":0,"skipped":0,"rejected":0,"format":"generic","rows":1,"badRows":1,"ignored":0,` +
				`"errors":[{"line":2,"message":"side: want BUY or SELL"}]}}`}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			path, _, _ := strings.Cut(tc.path, "?")
			srv, got := fake(t, map[string]answer{tc.method + " " + path: tc.answer})
			var rd io.Reader
			if tc.body != "" {
				rd = strings.NewReader(tc.body)
			}
			req, err := http.NewRequest(tc.method, srv.URL+tc.path, rd)
			if err != nil {
				t.Fatal(err)
			}
			if tc.ct != "" {
				req.Header.Set("Content-Type", tc.ct)
			}
			res, err := newTransport(t).RoundTrip(req)
			var v *contracttest.Violation
			if tc.violation == "" {
				if err != nil {
					t.Fatalf("want a pass, got %v", err)
				}
				defer res.Body.Close()
				b, _ := io.ReadAll(res.Body)
				if res.StatusCode != tc.answer.status || string(b) != tc.answer.body {
					t.Errorf("the caller got %d %q, want the server's %d %q", res.StatusCode, b, tc.answer.status, tc.answer.body)
				}
				if tc.body != "" && (len(*got) != 1 || (*got)[0] != tc.body) {
					t.Errorf("the server got %q, want the body %q", *got, tc.body)
				}
				return
			}
			if !errors.As(err, &v) || !strings.Contains(v.Reason, tc.violation) {
				t.Fatalf("want a violation %q, got %v", tc.violation, err)
			}
			if res != nil {
				t.Error("a violation comes with a response")
			}
		})
	}
}

func TestExercised(t *testing.T) {
	srv, _ := fake(t, map[string]answer{"GET /me": {200, user}, "GET /rules/r1": {404, `{"code":"not_found","message":"x"}`}})
	tr := newTransport(t)
	c := &http.Client{Transport: tr}
	for _, p := range []string{"/me", "/rules/r1", "/me"} {
		res, err := c.Get(srv.URL + p)
		if err != nil {
			t.Fatal(err)
		}
		res.Body.Close()
	}
	// A not_found answer passes, but only success answers count as exercised.
	if got := strings.Join(tr.Exercised(), "|"); got != "GET /me" {
		t.Fatalf("exercised %q", got)
	}
}

// recorder is a testing.TB that records Errorf.
type recorder struct {
	testing.TB
	errs []string
}

func (r *recorder) Errorf(format string, args ...any) {
	r.errs = append(r.errs, fmt.Sprintf(format, args...))
}

func TestInternalFailsTheTest(t *testing.T) {
	srv, _ := fake(t, map[string]answer{"GET /me": {200, `{"id":"cu1"}`}})
	rec := &recorder{TB: t}
	res, err := (&http.Client{Transport: contracttest.Internal(rec, nil)}).Get(srv.URL + "/me")
	if err == nil {
		res.Body.Close()
		t.Fatal("a body that does not match passed")
	}
	if len(rec.errs) != 1 || !strings.Contains(rec.errs[0], "GET /me → 200") {
		t.Fatalf("the test was told %q", rec.errs)
	}
	// The edge's own headers are not asked of core's traffic.
	srv, _ = fake(t, map[string]answer{"POST /brokers/demo": {201, `{"id":"c","userId":"u","broker":"demo","status":"active",` +
		`"scope":"read","expiresAt":null,"createdAt":"2026-03-01T10:00:00Z"}`}})
	rec = &recorder{TB: t}
	res, err = (&http.Client{Transport: contracttest.Internal(rec, nil)}).Post(srv.URL+"/brokers/demo", "", nil)
	if err != nil || len(rec.errs) != 0 {
		t.Fatalf("POST /brokers/demo without Idempotency-Key or CSRF token: %v %q", err, rec.errs)
	}
	res.Body.Close()
}
