package httpjson

import (
	"bytes"
	"encoding/json"
	"errors"
	"io"
	"mime"
	"net/http"
	"strconv"
	"strings"

	"github.com/tradecoach/coach"
)

// DefaultMaxBody bounds a request body when Decode is given 0.
const DefaultMaxBody = 64 << 10

// ErrTooLarge is the refusal of a body over the limit: EINVALID, with the limit in its message.
type ErrTooLarge struct{ Limit int64 }

func (e ErrTooLarge) Error() string {
	return "the body is larger than " + strconv.FormatInt(e.Limit, 10) + " bytes"
}

// CoachCode makes ErrTooLarge an EINVALID coach.Coded error.
func (ErrTooLarge) CoachCode() string { return string(coach.EINVALID) }

// Decode reads r's body into v strictly: the Content-Type must be application/json, the body at
// most maxBytes (DefaultMaxBody when 0), one JSON value with no field v does not have, no field
// named in another case than v's, no key twice in one object, nesting at most MaxDepth. A type
// mismatch is a FieldErrors naming the field; everything else is EINVALID with a message safe to
// show. When v has a Validate() error method, Decode returns what it reports.
func Decode(r *http.Request, maxBytes int64, v any) error {
	if maxBytes <= 0 {
		maxBytes = DefaultMaxBody
	}
	if mt, _, err := mime.ParseMediaType(r.Header.Get("Content-Type")); err != nil || mt != "application/json" {
		return coach.Errorf(coach.EINVALID, "the body must be application/json")
	}
	if r.ContentLength > maxBytes {
		return ErrTooLarge{Limit: maxBytes}
	}
	body, err := io.ReadAll(io.LimitReader(r.Body, maxBytes+1))
	if err != nil {
		if cerr, ok := coach.ContextError(r.Context().Err()); ok {
			return cerr
		}
		return coach.WrapError(coach.EINVALID, err, "the body could not be read")
	}
	if int64(len(body)) > maxBytes {
		return ErrTooLarge{Limit: maxBytes}
	}
	return DecodeBytes(body, v)
}

// DecodeBytes decodes body into v as Decode does, without the HTTP checks.
func DecodeBytes(body []byte, v any) error {
	if err := checkKeys(body, v); err != nil {
		return err
	}
	dec := json.NewDecoder(bytes.NewReader(body))
	dec.DisallowUnknownFields()
	if err := dec.Decode(v); err != nil {
		return decodeError(err)
	}
	if _, err := dec.Token(); err != io.EOF {
		return coach.Errorf(coach.EINVALID, "the body must hold one JSON value")
	}
	if val, ok := v.(interface{ Validate() error }); ok {
		return val.Validate()
	}
	return nil
}

// decodeError turns the decoder's error into one that is safe to show and names the field.
func decodeError(err error) error {
	var typ *json.UnmarshalTypeError
	var syn *json.SyntaxError
	switch {
	case errors.As(err, &typ):
		field := typ.Field
		if field == "" {
			field = "(body)"
		}
		return Field(field, "want %s, got %s", jsonType(typ.Type.Kind().String()), typ.Value)
	case errors.As(err, &syn):
		return coach.Errorf(coach.EINVALID, "the body is not valid JSON (at byte %d)", syn.Offset)
	case errors.Is(err, io.EOF), errors.Is(err, io.ErrUnexpectedEOF):
		return coach.Errorf(coach.EINVALID, "the body is empty or cut short")
	case strings.HasPrefix(err.Error(), "json: unknown field "):
		name := strings.Trim(strings.TrimPrefix(err.Error(), "json: unknown field "), `"`)
		return Field(clip(name), "unknown field")
	}
	return coach.Errorf(coach.EINVALID, "the body could not be decoded")
}

func jsonType(kind string) string {
	switch kind {
	case "string":
		return "a string"
	case "bool":
		return "true or false"
	case "slice", "array":
		return "an array"
	case "map", "struct":
		return "an object"
	}
	return "a number"
}

// clip keeps a name from the body short and printable before it is echoed back.
func clip(s string) string {
	var b strings.Builder
	for _, r := range s {
		if b.Len() >= 64 {
			b.WriteString("…")
			break
		}
		if r < ' ' || r == 0x7f {
			r = '?'
		}
		b.WriteRune(r)
	}
	return b.String()
}
