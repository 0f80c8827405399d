package core

import (
	"encoding/base64"
	"encoding/json"
	"net/http"
	"strconv"
	"time"

	"github.com/tradecoach/coach/storage"
	"github.com/tradecoach/coach/transport/httpjson"
)

// query reads the query parameters of a request, collecting a field error for each bad one.
type query struct {
	r    *http.Request
	errs httpjson.FieldErrors
}

func newQuery(r *http.Request) *query { return &query{r: r} }

func (q *query) str(name string) string { return q.r.URL.Query().Get(name) }

// time reads an RFC 3339 time; "" is the zero time.
func (q *query) time(name string) time.Time {
	s := q.str(name)
	if s == "" {
		return time.Time{}
	}
	t, err := time.Parse(time.RFC3339Nano, s)
	if err != nil {
		q.errs = append(q.errs, httpjson.FieldError{Field: name, Message: "want an RFC 3339 time such as 2026-03-01T00:00:00Z"})
	}
	return t
}

// limit reads a page size in [1, storage.MaxLimit], def when absent.
func (q *query) limit(def int) int {
	s := q.str("limit")
	if s == "" {
		return def
	}
	n, err := strconv.Atoi(s)
	if err != nil || n < 1 || n > storage.MaxLimit {
		q.errs = append(q.errs, httpjson.FieldError{Field: "limit", Message: "want a whole number from 1 to " + strconv.Itoa(storage.MaxLimit)})
		return def
	}
	return n
}

// cursor decodes an opaque page cursor into v; false when there is none.
func (q *query) cursor(name string, v any) bool {
	s := q.str(name)
	if s == "" {
		return false
	}
	b, err := base64.RawURLEncoding.DecodeString(s)
	if err != nil || len(b) > 1024 || httpjson.DecodeBytes(b, v) != nil {
		q.errs = append(q.errs, httpjson.FieldError{Field: name, Message: "not a cursor this API gave"})
		return false
	}
	return true
}

// err is the query's field errors, or nil.
func (q *query) err() error {
	if len(q.errs) == 0 {
		return nil
	}
	return q.errs
}

// encodeCursor makes the opaque cursor of a position.
func encodeCursor(v any) string {
	b, _ := json.Marshal(v) // positions are plain structs: they always encode
	return base64.RawURLEncoding.EncodeToString(b)
}
