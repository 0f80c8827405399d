package httpjson_test

import (
	"bytes"
	"encoding/json"
	"errors"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/tradecoach/coach"
	"github.com/tradecoach/coach/transport/httpjson"
)

func answer(t *testing.T, err error, log *slog.Logger) (*httptest.ResponseRecorder, httpjson.Body) {
	t.Helper()
	w := httptest.NewRecorder()
	w.Header().Set(httpjson.RequestIDHeader, "req-1")
	httpjson.WriteError(w, httptest.NewRequest(http.MethodGet, "/trades", nil), log, err)
	var b httpjson.Body
	dec := json.NewDecoder(w.Body)
	dec.DisallowUnknownFields()
	if err := dec.Decode(&b); err != nil {
		t.Fatalf("the body is not the error shape: %v", err)
	}
	return w, b
}

func TestWriteErrorMapsEveryCode(t *testing.T) {
	for code, status := range map[coach.Code]int{
		coach.EINVALID: 400, coach.EUNAUTHORIZED: 401, coach.EFORBIDDEN: 403, coach.ENOTFOUND: 404, coach.ECONFLICT: 409,
		coach.EGONE: 410, coach.ERATELIMITED: 429, coach.EUNAVAILABLE: 503, coach.ECANCELED: 503, coach.ERETRYABLE: 503,
	} {
		w, b := answer(t, coach.Errorf(code, "the %s message", code), nil)
		want := httpjson.Body{Code: code, Message: "the " + string(code) + " message", RequestID: "req-1"}
		if w.Code != status || !cmp.Equal(b, want) {
			t.Errorf("%s: %d %+v, want %d %+v", code, w.Code, b, status, want)
		}
	}
}

func TestInternalErrorsSayNothingAndAreLogged(t *testing.T) {
	var logs bytes.Buffer
	w, b := answer(t, errors.New("pq: password authentication failed for user coach"), slog.New(slog.NewJSONHandler(&logs, nil)))
	if w.Code != 500 || b.Code != coach.EINTERNAL || b.Message != "internal error" {
		t.Fatalf("got %d %+v", w.Code, b)
	}
	if strings.Contains(w.Body.String(), "password") || !strings.Contains(logs.String(), "password authentication failed") {
		t.Fatalf("the driver text reached the answer, or not the log: answer %q, log %q", w.Body.String(), logs.String())
	}
}

func TestFieldErrorsAndRetryAfter(t *testing.T) {
	w, b := answer(t, httpjson.FieldErrors{{Field: "pct", Message: "want 1 to 100"}, {Field: "kind", Message: "unknown"}}, nil)
	if w.Code != 400 || b.Code != coach.EINVALID || len(b.Fields) != 2 || b.Fields[1].Field != "kind" {
		t.Fatalf("got %d %+v", w.Code, b)
	}
	w, b = answer(t, httpjson.RateLimited(1500*time.Millisecond, "too many logins"), nil)
	if w.Code != 429 || b.Code != coach.ERATELIMITED || w.Header().Get("Retry-After") != "2" {
		t.Fatalf("got %d %+v Retry-After %q", w.Code, b, w.Header().Get("Retry-After"))
	}
}

type rule struct {
	Kind   string `json:"kind"`
	Params struct {
		Pct float64 `json:"pct"`
	} `json:"params"`
	Active bool `json:"active"`
}

func (r rule) Validate() error {
	if r.Kind == "" {
		return httpjson.Field("kind", "required")
	}
	return nil
}

func request(body, contentType string) *http.Request {
	r := httptest.NewRequest(http.MethodPost, "/rules", strings.NewReader(body))
	r.Header.Set("Content-Type", contentType)
	return r
}

func TestDecodeIsStrict(t *testing.T) {
	for _, tc := range []struct {
		name, body, contentType string
		field, message          string // what the error names
	}{
		{"form body", `kind=x`, "application/x-www-form-urlencoded", "", "application/json"},
		{"unknown field", `{"kind":"x","admin":true}`, "application/json", "admin", "unknown field"},
		{"nested type error", `{"kind":"x","params":{"pct":"ten"}}`, "application/json", "params.pct", "want a number"},
		{"field in another case", `{"Kind":"x"}`, "application/json", "Kind", "case-sensitive"},
		{"key twice", `{"kind":"x","params":{"pct":1,"pct":100}}`, "application/json", "params.pct", "given twice"},
		{"key twice in two cases", `{"kind":"x","KIND":"y"}`, "application/json", "KIND", "given twice"},
		{"too deep", `{"kind":"x","params":` + strings.Repeat("[", 40) + strings.Repeat("]", 40) + `}`, "application/json", "", "nests deeper"},
		{"two values", `{"kind":"x"} {"kind":"y"}`, "application/json", "", "one JSON value"},
		{"not JSON", `{"kind":`, "application/json", "", "cut short"},
		{"validated", `{"active":true}`, "application/json", "kind", "required"},
		{"too large", `{"kind":"` + strings.Repeat("x", 300) + `"}`, "application/json", "", "larger than 256 bytes"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var r rule
			err := httpjson.Decode(request(tc.body, tc.contentType), 256, &r)
			if coach.ErrorCode(err) != coach.EINVALID {
				t.Fatalf("err = %v, want invalid", err)
			}
			var fe httpjson.FieldErrors
			if tc.field != "" && (!errors.As(err, &fe) || fe[0].Field != tc.field) {
				t.Fatalf("err = %v, want a field error on %q", err, tc.field)
			}
			if !strings.Contains(err.Error(), tc.message) {
				t.Fatalf("err = %v, want it to say %q", err, tc.message)
			}
		})
	}
	var r rule
	if err := httpjson.Decode(request(`{"kind":"maxTradesPerDay","params":{"pct":3},"active":true}`, "application/json; charset=utf-8"), 0, &r); err != nil || r.Params.Pct != 3 {
		t.Fatalf("a valid body: %+v, %v", r, err)
	}
}

// A body without a Content-Length (chunked) is still cut at the limit.
func TestDecodeBoundsAChunkedBody(t *testing.T) {
	r := request("", "application/json")
	r.Body = io.NopCloser(io.MultiReader(strings.NewReader(`{"kind":"`), strings.NewReader(strings.Repeat("x", 1<<20)), strings.NewReader(`"}`)))
	r.ContentLength = -1
	var v rule
	if err := httpjson.Decode(r, 1024, &v); err == nil || !strings.Contains(err.Error(), "larger than 1024") {
		t.Fatalf("err = %v", err)
	}
}

func FuzzDecodeBytes(f *testing.F) {
	for _, s := range []string{`{"kind":"x"}`, `{"params":{"pct":1e400}}`, `[]`, `null`, `{"kind":"\u0000"}`, `{"a\nb":1}`} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, body []byte) {
		var r rule
		err := httpjson.DecodeBytes(body, &r)
		if err != nil && coach.ErrorCode(err) != coach.EINVALID {
			t.Fatalf("DecodeBytes(%q) = %v, want nil or invalid", body, err)
		}
		if err != nil && strings.ContainsAny(coach.ErrorMessage(err), "\n\r") {
			t.Fatalf("the message echoes a control character: %q", coach.ErrorMessage(err))
		}
	})
}
